"""Helpers to drive the initiatives service in tests: its real commands and queries through
NATS, and the budget service's and the time bank's events published onto their streams as
those services would (JetStream, `Nats-Msg-Id` = event id), until they exist."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from nats.aio.client import Client

from contracts import Actor, Contract, Event, Naming, new_id, utc_now
from contracts.budget import (
    BUDGET,
    AllocationCommitted,
    AllocationPaid,
    FundCreated,
    RoundProjectAdded,
)
from contracts.funding import EarmarkFacts, EarmarkRules
from contracts.registry import contracts_of
from kit.service import ensure_service_stream
from kit.settings import ServiceSettings
from tests.support.calls import Calls

WIJK = "BU09350101"
OTHER_WIJK = "BU09350102"
BUDGET_SYSTEM = Actor(role="system", id="budget")
TIMEBANK_SYSTEM = Actor(role="system", id="timebank")
WIJKMANAGER = Actor(role="reviewer", id="wm-ria", scopes=(WIJK,))
COLLEAGUE = Actor(role="reviewer", id="wm-joost", scopes=(WIJK,))
ANOUK = Actor(role="resident", id="0190f7c4-0000-7000-8000-00000000a001")
BUURTHUIS = Actor(role="organisation", id="buurthuis-de-brikke-oven")
CRITERIA = [
    {"code": "doel_centraal", "title": "Een taak of doel staat centraal"},
    {"code": "door_en_voor_bewoners", "title": "Door en voor bewoners"},
]


class FundSetup:
    """A fund with three earmarks: a wijkbudget decided by ballot, a stimuleringsbudget
    decided by reviewers (with criteria), and an aanvullend budget at a wijkmanager's
    discretion (limit per manager and quarter)."""

    def __init__(self, limit: int = 50_000, max_per_application: int = 500_000):
        self.fund_id = new_id()
        self.ballot, self.reviewers, self.discretionary = new_id(), new_id(), new_id()
        self.limit = limit
        self.max_per_application = max_per_application

    def earmarks(self) -> list[EarmarkFacts]:
        def rules(**kw) -> EarmarkRules:
            return EarmarkRules.model_validate_json(json.dumps(kw))

        return [
            EarmarkFacts(
                earmark_id=self.ballot,
                name="Wijkbudget West",
                neighbourhood=WIJK,
                amount=2_000_000,
                rules=rules(decided_by=["ballot"], neighbourhoods=[WIJK]),
            ),
            EarmarkFacts(
                earmark_id=self.reviewers,
                name="Stimuleringsbudget",
                amount=5_000_000,
                rules=rules(
                    decided_by=["reviewers"],
                    max_per_application=self.max_per_application,
                    budget_line_kinds=["materials", "rent", "food", "promotion"],
                    criteria=CRITERIA,
                    deadline=(utc_now() + timedelta(days=30)).isoformat(),
                ),
            ),
            EarmarkFacts(
                earmark_id=self.discretionary,
                name="Aanvullend budget",
                amount=1_000_000,
                rules=rules(
                    decided_by=["discretionary"],
                    max_per_application=25_000,
                    discretionary_limit={"amount": self.limit, "period": "quarter"},
                ),
            ),
        ]

    def created(self, revision: int = 1, name: str = "Fonds Samen West 2027") -> FundCreated:
        return FundCreated(
            fund_id=self.fund_id,
            revision=revision,
            name=name,
            year=2027,
            total=8_000_000,
            earmarks=self.earmarks(),
        )


def form(
    fund: FundSetup,
    earmark: UUID | None = None,
    title: str = "Moestuin De Brikke Oven",
    lines: list[tuple[str, str, int]] | None = None,
    neighbourhood: str = WIJK,
    **changes,
) -> dict:
    """A complete application form for `earmark` (default: the stimuleringsbudget)."""
    lines = lines or [("Zaden en planten", "materials", 25_000), ("Koffie en thee", "food", 5_000)]
    body = {
        "title": title,
        "summary": "Een moestuin voor en door de buurt.",
        "description": "We maken samen een moestuin achter het buurthuis.",
        "neighbourhood": neighbourhood,
        "fund_id": str(fund.fund_id),
        "earmark_id": str(earmark or fund.reviewers),
        "category": "groen",
        "starts_on": "2027-04-01",
        "ends_on": "2027-09-30",
        "budget_lines": [
            {"line": i, "description": d, "kind": k, "amount": a}
            for i, (d, k, a) in enumerate(lines, start=1)
        ],
        "expected_participants": 40,
        "expected_volunteers": 6,
        "contact": {"name": "Anouk Janssen", "email": "anouk@example.org", "phone": "06 1234 5678"},
        "criteria": [
            {"criterion": c["code"], "explanation": "Zo doen we dat."}
            for c in (CRITERIA if earmark in (None, fund.reviewers) else [])
        ],
    }
    body.update(changes)
    return body


def envelope(
    data: Contract,
    actor: Actor = BUDGET_SYSTEM,
    event_id: UUID | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    spec = contracts_of(type(data)).spec_of(type(data))
    return spec.envelope(
        event_id=event_id or new_id(),
        type=spec.type,
        version=spec.version,
        occurred_at=occurred_at or utc_now(),
        correlation_id=new_id(),
        actor=actor,
        data=data,
    )


class Streams:
    """Publishes other services' events onto their streams, as their outbox relays would, and
    reads what a service published."""

    def __init__(self, nc: Client, naming: Naming, settings: ServiceSettings):
        self.nc, self.naming, self.settings = nc, naming, settings
        self.js = nc.jetstream()
        self._ready: set[str] = set()

    async def publish(self, data: Contract, msg_id: str | None = None, **envelope_fields) -> Event:
        event = envelope(data, **envelope_fields)
        contracts = contracts_of(type(data))
        if contracts.service not in self._ready:
            await ensure_service_stream(self.nc, self.naming, contracts, self.settings)
            self._ready.add(contracts.service)
        await self.js.publish(
            self.naming.event_subject(event.type),
            event.model_dump_json().encode(),
            stream=self.naming.stream(contracts.service),
            headers={"Nats-Msg-Id": msg_id or str(event.event_id)},
        )
        return event

    async def published(self, service: str, event_type: str | None = None) -> list[dict]:
        """Every event on `service`'s stream (of `event_type`), oldest first, as JSON."""
        stream = self.naming.stream(service)
        try:
            info = await self.js.stream_info(stream)
        except Exception:
            return []
        found = []
        if not info.state.messages:
            return found
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await self.js.get_msg(stream, seq)
            body = json.loads(msg.data)
            if event_type is None or body["type"] == f"{service}.{event_type}":
                found.append(body)
        return found


class Desk(Calls):
    """The initiatives service's commands and queries, as the portal would send them."""

    to, actor = "initiatives", ANOUK

    async def application(self, application_id, actor: Actor = ANOUK) -> dict:
        return await self.query("get_application", {"application_id": str(application_id)}, actor)

    async def state(self, application_id) -> str:
        """The state, as a wijkmanager of the neighbourhood sees it (drafts: their applicant)."""
        return (await self.application(application_id, WIJKMANAGER))["state"]

    # -- the steps of an application -------------------------------------------------------

    async def draft(self, body: dict, applicant: Actor = ANOUK, name: str = "Anouk Janssen"):
        kind = "organisation" if applicant.role == "organisation" else "resident"
        result = await self.ok(
            "save_draft",
            {
                "applicant_id": applicant.id,
                "applicant_kind": kind,
                "applicant_name": name,
                "form": body,
            },
            applicant,
        )
        return UUID(result["application_id"])

    async def submitted(self, body: dict, applicant: Actor = ANOUK, **kw) -> UUID:
        application_id = await self.draft(body, applicant, **kw)
        await self.ok(
            "submit_application",
            {"application_id": str(application_id), "applicant_id": applicant.id},
            applicant,
        )
        return application_id

    async def meeting(self, participants=(WIJKMANAGER, COLLEAGUE)) -> str:
        result = await self.ok(
            "record_meeting",
            {
                "neighbourhood": WIJK,
                "name": "Wijkmanagersoverleg week 14",
                "held_on": date.today().isoformat(),
                "participants": [p.id for p in participants],
            },
            participants[0],
        )
        return result["meeting_id"]

    async def reviewed(
        self, application_id, reviewer: Actor = WIJKMANAGER, advice="grant", criteria=CRITERIA
    ):
        return await self.ok(
            "record_review",
            {
                "application_id": str(application_id),
                "neighbourhood": WIJK,
                "assessments": [{"criterion": c["code"], "judgement": "meets"} for c in criteria],
                "advice": advice,
            },
            reviewer,
        )

    async def decided(self, application_id, meeting_id, outcome: str, amount=None) -> dict:
        body = {
            "application_id": str(application_id),
            "neighbourhood": WIJK,
            "meeting_id": meeting_id,
            "outcome": outcome,
            "reasons": "Past goed bij de wijk.",
        }
        if amount is not None:
            body["amount"] = amount
        return await self.ok("decide", body, WIJKMANAGER)


def committed(
    application_id: UUID,
    fund: FundSetup,
    amount: int,
    decided_by: str = "ballot",
    earmark: UUID | None = None,
    votes: int | None = 12,
    decision_id: UUID | None = None,
) -> AllocationCommitted:
    return AllocationCommitted(
        allocation_id=new_id(),
        application_id=application_id,
        fund_id=fund.fund_id,
        earmark_id=earmark or fund.ballot,
        neighbourhood=WIJK,
        amount=amount,
        decided_by=decided_by,
        round_id=new_id() if decided_by == "ballot" else None,
        votes=votes if decided_by == "ballot" else None,
        decision_id=decision_id,
        pending_transfer_id=new_id(),
        committed_at=datetime.now(UTC),
    )


def paid(allocation: AllocationCommitted) -> AllocationPaid:
    """The budget service's fact that `allocation` was paid in full."""
    return AllocationPaid(
        allocation_id=allocation.allocation_id,
        application_id=allocation.application_id,
        fund_id=allocation.fund_id,
        earmark_id=allocation.earmark_id,
        neighbourhood=allocation.neighbourhood,
        committed=allocation.amount,
        paid=allocation.amount,
        paid_at=datetime.now(UTC),
    )


def on_ballot(application_id: UUID, round_id: UUID, cost: int = 30_000) -> RoundProjectAdded:
    """The budget service's fact that an admitted application is on a round's ballot."""
    return RoundProjectAdded(
        round_id=round_id,
        application_id=application_id,
        neighbourhood=WIJK,
        title="Moestuin",
        cost=cost,
        closes_at=datetime.now(UTC),
    )


__all__ = ["BUDGET", "FundSetup"]
