"""Demo data for `make run`: applications to a neighbourhood fund in several states — a draft,
one waiting for review, one in review, one on the ballot, one rejected, one withdrawn, a
discretionary grant, and one granted, paid, reported and closed — so that every role has
something to look at.

Every step has a fixed id and is skipped when it was done before, so loading twice changes
nothing. The fund is the budget service's demo fund (it creates it with these ids, and commits
the money of the granted applications itself). Where no budget service runs, this script
publishes on the budget stream what it would — the fund's rules, the allocations and a payout —
as a stand-in with the actor `demo-budget-stand-in` (docs/initiative-fund.md).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import nats
from nats.errors import NoRespondersError

from contracts import Actor, Contract, Naming
from contracts.budget import AllocationCommitted, AllocationPaid, FundCreated
from contracts.funding import EarmarkFacts, EarmarkRules
from contracts.registry import contracts_of
from kit.client import ServiceClient
from kit.service import ensure_service_stream
from kit.settings import ServiceSettings

NAMESPACE = uuid.UUID("3c1d0a4e-8b7f-4a55-9f0e-5d2b7c9e4a10")
WIJK = "BU09350101"
STAND_IN = Actor(role="system", id="demo-budget-stand-in")
PUBLIC = Actor(role="public", id="demo")
WIJKMANAGER = Actor(role="reviewer", id="wijkmanager-demo", scopes=(WIJK, "BU09350102"))
COLLEAGUE = Actor(role="reviewer", id="wijkmanager-2-demo", scopes=(WIJK, "BU09350102"))
APPLICANTS = {
    "anouk": (Actor(role="resident", id="demo-anouk"), "resident", "Anouk Janssen"),
    "brikke": (
        Actor(role="organisation", id="demo-brikke-oven"),
        "organisation",
        "Buurthuis De Brikke Oven",
    ),
    "mohamed": (Actor(role="resident", id="demo-mohamed"), "resident", "Mohamed El Amrani"),
}
CRITERIA = [
    ("doel_centraal", "Een taak of doel staat centraal"),
    ("door_en_voor_bewoners", "Door en voor bewoners"),
    ("verbinding", "Duurzame verbindingen tussen bewoners"),
]


def key(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def event_id(*parts: object) -> uuid.UUID:
    """A fixed UUIDv7 for a stand-in event: the same every run, so JetStream and the
    consumers' inboxes recognise it."""
    value = key("event", *parts).int & ~(0xF << 76) | (0x7 << 76)
    return uuid.UUID(int=value)


FUND_ID, BALLOT, STIMULATION, DISCRETIONARY = (
    key("fund"),
    key("ballot"),
    key("stimulation"),
    key("discretionary"),
)


def demo_fund() -> FundCreated:
    def rules(**kw) -> EarmarkRules:
        return EarmarkRules(**kw)

    return FundCreated(
        fund_id=FUND_ID,
        revision=1,
        name="Fonds Samen Maastricht-West 2027",
        year=2027,
        municipality="GM0935",
        total=10_000_000,
        earmarks=[
            EarmarkFacts(
                earmark_id=BALLOT,
                name="Wijkbudget Maastricht-West",
                neighbourhood="WK093501",
                amount=3_000_000,
                rules=rules(
                    decided_by=["ballot"], neighbourhoods=["WK093501"], max_per_application=500_000
                ),
            ),
            EarmarkFacts(
                earmark_id=STIMULATION,
                name="Stimuleringsbudget",
                amount=5_000_000,
                rules=rules(
                    decided_by=["reviewers"],
                    max_per_application=1_000_000,
                    budget_line_kinds=["materials", "rent", "food", "promotion", "other"],
                    criteria=[{"code": c, "title": t} for c, t in CRITERIA],
                ),
            ),
            EarmarkFacts(
                earmark_id=DISCRETIONARY,
                name="Aanvullend budget wijkmanagers",
                amount=2_000_000,
                rules=rules(
                    decided_by=["discretionary"],
                    max_per_application=50_000,
                    discretionary_limit={"amount": 250_000, "period": "quarter"},
                ),
            ),
        ],
    )


def application_form(title: str, earmark: uuid.UUID, lines, summary: str) -> dict:
    criteria = CRITERIA if earmark == STIMULATION else []
    return {
        "title": title,
        "summary": summary,
        "description": f"{summary} We doen het samen met de buren.",
        "neighbourhood": WIJK,
        "fund_id": str(FUND_ID),
        "earmark_id": str(earmark),
        "category": "ontmoeting",
        "starts_on": "2027-04-01",
        "ends_on": "2027-10-31",
        "budget_lines": [
            {"line": i, "description": d, "kind": k, "amount": a}
            for i, (d, k, a) in enumerate(lines, start=1)
        ],
        "expected_participants": 60,
        "expected_volunteers": 8,
        "contact": {"name": "Demo Contact", "email": "demo@example.org", "language": "nl"},
        "criteria": [{"criterion": c, "explanation": "Zo werken wij."} for c, _ in criteria],
    }


# (key, applicant, title, earmark, lines, how far it goes)
APPLICATIONS = [
    (
        "draft",
        "mohamed",
        "Fietsenmaker op het plein",
        BALLOT,
        [("Gereedschap", "materials", 40_000)],
        "draft",
    ),
    (
        "waiting",
        "anouk",
        "Voorleesochtend in de bibliotheek",
        STIMULATION,
        [("Boeken", "materials", 30_000), ("Koffie en thee", "food", 6_000)],
        "screened",
    ),
    (
        "in_review",
        "brikke",
        "Taalcafé De Brikke Oven",
        STIMULATION,
        [("Zaalhuur", "rent", 120_000), ("Lesmateriaal", "materials", 25_000)],
        "in_review",
    ),
    (
        "ballot",
        "anouk",
        "Moestuin achter het buurthuis",
        BALLOT,
        [("Zaden en planten", "materials", 45_000), ("Gereedschap", "materials", 30_000)],
        "admitted",
    ),
    (
        "rejected",
        "mohamed",
        "Vuurwerkshow oud en nieuw",
        STIMULATION,
        [("Vuurwerk", "other", 400_000)],
        "rejected",
    ),
    ("withdrawn", "anouk", "Rommelmarkt", BALLOT, [("Kraamhuur", "rent", 20_000)], "withdrawn"),
    (
        "handgeld",
        "brikke",
        "Verf voor de muurschildering",
        DISCRETIONARY,
        [("Verf en kwasten", "materials", 35_000)],
        "granted",
    ),
    (
        "closed",
        "brikke",
        "Buurtfeest Mariaberg",
        STIMULATION,
        [
            ("Tentverhuur", "rent", 150_000),
            ("Eten", "food", 60_000),
            ("Flyers", "promotion", 10_000),
        ],
        "closed",
    ),
]
ORDER = ["draft", "screened", "in_review", "admitted", "rejected", "withdrawn", "granted", "closed"]


class Demo:
    def __init__(self, nc, naming: Naming, settings: ServiceSettings):
        self.nc, self.naming, self.settings = nc, naming, settings
        self.client = ServiceClient(nc, naming, WIJKMANAGER)
        self.js = nc.jetstream()
        self.stand_in = True

    async def budget_runs(self) -> bool:
        """Whether a budget service answers, with the demo fund (it loads its demo first)."""
        try:
            reply = await self.client.query(
                "budget", "get_fund", {"fund_id": str(FUND_ID)}, actor=PUBLIC, timeout=0.5
            )
        except (NoRespondersError, TimeoutError):
            return False
        if not reply.ok:
            raise RuntimeError(f"the budget service has no demo fund: {reply.error}")
        return True

    async def cmd(self, verb: str, data: dict, actor: Actor, *parts: object) -> dict | None:
        """Send a command with a fixed id; None when it was refused as already done."""
        reply = await self.client.command(
            "initiatives", verb, data, actor=actor, command_id=key("cmd", verb, *parts)
        )
        if reply.ok:
            return reply.result
        if reply.code == "invalid_state":
            return None
        raise RuntimeError(f"{verb} refused: {reply.error}")

    async def query(self, name: str, data: dict, actor: Actor) -> dict:
        reply = await self.client.query("initiatives", name, data, actor=actor)
        if not reply.ok:
            raise RuntimeError(f"{name} refused: {reply.error}")
        return reply.result

    async def publish(self, data: Contract, *parts: object) -> None:
        spec = contracts_of(type(data)).spec_of(type(data))
        await ensure_service_stream(self.nc, self.naming, contracts_of(type(data)), self.settings)
        envelope = spec.envelope(
            event_id=event_id(*parts),
            type=spec.type,
            version=spec.version,
            correlation_id=key("correlation", *parts),
            actor=STAND_IN,
            data=data,
        )
        await self.js.publish(
            self.naming.event_subject(spec.type),
            envelope.model_dump_json().encode(),
            stream=self.naming.stream("budget"),
            headers={"Nats-Msg-Id": str(envelope.event_id)},
        )

    async def state(self, application_id: str, applicant: Actor) -> str:
        view = await self.query("get_application", {"application_id": application_id}, applicant)
        return view["state"]

    async def until(self, application_id: str, applicant: Actor, states: set[str]) -> None:
        for _ in range(600):
            if await self.state(application_id, applicant) in states:
                return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{application_id} did not reach {states}")

    async def fund_known(self) -> None:
        form = application_form("x", BALLOT, [("x", "materials", 100)], "x")
        for _ in range(600):
            screening = await self.query("screen_application", {"form": form}, WIJKMANAGER)
            if screening["passed"]:
                return
            await asyncio.sleep(0.05)
        raise RuntimeError("the initiatives service did not receive the demo fund")

    async def application(self, name, who, title, earmark, lines, target) -> str:
        actor, kind, full_name = APPLICANTS[who]
        mine = await self.query("my_applications", {"applicant_id": actor.id}, actor)
        found = [a for a in mine["applications"] if a["title"] == title]
        if found:
            application_id = found[0]["application_id"]
        else:
            draft = await self.cmd(
                "save_draft",
                {
                    "applicant_id": actor.id,
                    "applicant_kind": kind,
                    "applicant_name": full_name,
                    "form": application_form(title, earmark, lines, f"{title} voor de buurt."),
                },
                actor,
                name,
            )
            application_id = draft["application_id"]
        await self.advance(name, application_id, actor, earmark, target)
        return application_id

    async def advance(self, name, application_id, applicant, earmark, target) -> None:
        ref = {"application_id": application_id}
        mine = {**ref, "applicant_id": applicant.id}
        reviewer = {**ref, "neighbourhood": WIJK}
        if target == "draft":
            return
        if target == "withdrawn":
            await self.cmd(
                "withdraw_application", {**mine, "reason": "Gaat niet door."}, applicant, name
            )
            return
        await self.cmd("submit_application", mine, applicant, name)
        if target == "screened":
            return
        if target == "granted" and earmark == DISCRETIONARY:
            await self.cmd(
                "grant_discretionary",
                {**reviewer, "amount": 35_000, "reasons": "Nodig om de opening te halen."},
                WIJKMANAGER,
                name,
            )
            await self.allocate(name, application_id, 35_000, "discretionary", earmark)
            await self.until(application_id, applicant, {"granted"})
            return
        assessments = [
            {"criterion": c, "judgement": "meets"}
            for c, _ in (CRITERIA if earmark == STIMULATION else [])
        ]
        advice = {"admitted": "admit", "rejected": "reject"}.get(target, "grant")
        await self.cmd(
            "record_review",
            {**reviewer, "assessments": assessments, "advice": advice},
            WIJKMANAGER,
            name,
        )
        if target == "in_review":
            return
        meeting = await self.cmd(
            "record_meeting",
            {
                "neighbourhood": WIJK,
                "name": "Wijkmanagersoverleg Maastricht-West",
                "held_on": (date.today() - timedelta(days=2)).isoformat(),
                "participants": [WIJKMANAGER.id, COLLEAGUE.id],
            },
            WIJKMANAGER,
            "meeting",
        )
        outcome = {"admitted": "admit", "rejected": "reject"}.get(target, "grant")
        decision = {
            **reviewer,
            "meeting_id": meeting["meeting_id"],
            "outcome": outcome,
            "reasons": "Besproken in het wijkmanagersoverleg.",
        }
        if outcome == "grant":
            decision["amount"] = 200_000
        await self.cmd("decide", decision, WIJKMANAGER, name)
        if target != "closed":
            return
        allocation = await self.allocate(name, application_id, 200_000, "reviewers", earmark)
        await self.until(application_id, applicant, {"granted", "paid", "reported", "closed"})
        if self.stand_in:
            await self.paid(name, application_id, allocation, earmark)
            await self.until(application_id, applicant, {"paid", "reported", "closed"})
        await self.cmd(
            "submit_report",
            {
                **mine,
                "lines": [
                    {"line": 1, "spent": 150_000},
                    {"line": 2, "spent": 41_250},
                    {"line": 3, "spent": 8_000},
                ],
                "participants": 240,
                "volunteers": 14,
                "extra_volunteer_minutes": 1_800,
                "story": "Het hele plein vierde mee; drie nieuwe buren helpen nu vast.",
                "receipts": ["https://example.org/demo/bonnen-buurtfeest.pdf"],
            },
            applicant,
            name,
        )
        await self.cmd(
            "review_report",
            {**reviewer, "accept": True, "reasons": "Mooi verslag."},
            WIJKMANAGER,
            name,
        )

    async def paid(self, name, application_id, allocation, earmark) -> None:
        await self.publish(
            AllocationPaid(
                allocation_id=allocation,
                application_id=uuid.UUID(application_id),
                fund_id=FUND_ID,
                earmark_id=earmark,
                neighbourhood=WIJK,
                committed=200_000,
                paid=200_000,
                paid_at=datetime(2027, 4, 2, 9, 0, tzinfo=UTC),
            ),
            "paid",
            name,
        )

    async def allocate(self, name, application_id, amount, path, earmark) -> uuid.UUID:
        """The budget service commits the money (a stand-in publishes it where none runs)."""
        allocation = key("allocation", name)
        if not self.stand_in:
            return allocation
        await self.publish(
            AllocationCommitted(
                allocation_id=allocation,
                application_id=uuid.UUID(application_id),
                fund_id=FUND_ID,
                earmark_id=earmark,
                neighbourhood=WIJK,
                amount=amount,
                decided_by=path,
                pending_transfer_id=key("pending", name),
                committed_at=datetime(2027, 3, 20, 10, 0, tzinfo=UTC),
            ),
            "committed",
            name,
        )
        return allocation


async def load(nc, naming: Naming, settings: ServiceSettings) -> str:
    demo = Demo(nc, naming, settings)
    demo.stand_in = not await demo.budget_runs()
    if demo.stand_in:
        await demo.publish(demo_fund(), "fund")
    await demo.fund_known()
    for application in APPLICATIONS:
        await demo.application(*application)
    register = await demo.query("transparency_register", {}, Actor(role="public", id="demo"))
    return (
        f"fund {demo_fund().name}: {len(APPLICATIONS)} applications "
        f"({', '.join(ORDER)}); {register['total']} in the transparency register"
    )


async def main() -> None:
    settings = ServiceSettings()
    nc = await nats.connect(settings.nats_url)
    try:
        print(await load(nc, Naming(settings.namespace), settings))
    finally:
        await nc.close()


if __name__ == "__main__":
    asyncio.run(main())
