"""Random sequences of commands against the real service; every invariant after every step."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import new_id
from tests.support.timebank import COORDINATOR, resident

step = st.one_of(
    st.tuples(st.just("agree"), st.integers(0, 3), st.integers(0, 3), st.integers(1, 400)),
    st.tuples(st.just("confirm"), st.integers(0, 50), st.integers(1, 400), st.booleans()),
    st.tuples(st.just("cancel"), st.integers(0, 50)),
    st.tuples(
        st.just("dispute"),
        st.integers(0, 50),
        st.sampled_from(["confirm", "void", "reverse", "dismiss"]),
    ),
    st.tuples(st.just("donate"), st.integers(0, 3), st.integers(1, 400)),
    st.tuples(st.just("award"), st.integers(0, 3), st.integers(1, 400)),
    st.tuples(st.just("reverse"), st.integers(0, 50), st.integers(1, 400)),
)

KNOWN_REFUSALS = {
    "over_debt_limit",
    "above_max_balance",
    "same_account",
    "exchange_not_open",
    "exchange_already_confirmed",
    "more_than_agreed",
    "not_disputed",
    "not_reversible",
    "not_your_account",
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(step, min_size=5, max_size=25))
async def test_random_command_sequences_keep_every_invariant(bank, steps):
    community = await bank.community(
        f"c{new_id().hex[-12:]}", debt_limit=300, max_balance=900, pot_debt_limit=0
    )
    members = [await bank.member(f"M{i}", community=community) for i in range(4)]
    exchanges: list[str] = []
    posted: list[str] = []

    def pick(items, k):
        return items[k % len(items)] if items else None

    for action, *args in steps:
        if action == "agree":
            provider, receiver, amount = members[args[0]], members[args[1]], args[2]
            if provider == receiver:
                continue
            reply = await bank.cmd(
                "propose_exchange",
                {
                    "proposer_id": str(receiver),
                    "other_member_id": str(provider),
                    "proposer_role": "receiver",
                    "amount": amount,
                    "description": "x",
                },
                resident(receiver),
            )
            assert reply.ok, reply.error
            reply = await bank.cmd(
                "accept_exchange", {"exchange_id": reply.result["exchange_id"]}, resident(provider)
            )
            if reply.ok:
                exchanges.append(reply.result["exchange_id"])
        elif action == "confirm" and exchanges:
            data = {"exchange_id": pick(exchanges, args[0])}
            if args[2]:
                data["amount"] = args[1]
            reply = await bank.cmd("confirm_exchange", data)
            if reply.ok:
                posted.append(reply.result["transfer_id"])
        elif action == "cancel" and exchanges:
            reply = await bank.cmd("cancel_exchange", {"exchange_id": pick(exchanges, args[0])})
        elif action == "dispute" and exchanges:
            exchange_id = pick(exchanges, args[0])
            view = await bank.query("get_exchange", {"exchange_id": exchange_id})
            await bank.cmd(
                "dispute_exchange",
                {"exchange_id": exchange_id, "reason": "?"},
                resident(view["receiver_id"]),
            )
            reply = await bank.cmd(
                "resolve_dispute",
                {"exchange_id": exchange_id, "outcome": args[1], "note": "besluit"},
            )
        elif action == "donate":
            reply = await bank.cmd(
                "donate",
                {
                    "transfer_id": str(new_id()),
                    "member_id": str(members[args[0]]),
                    "amount": args[1],
                },
            )
        elif action == "award":
            reply = await bank.cmd(
                "award",
                {
                    "transfer_id": str(new_id()),
                    "community": community,
                    "member_id": str(members[args[0]]),
                    "amount": args[1],
                    "reason": "inzet",
                },
            )
        elif action == "reverse" and posted:
            reply = await bank.cmd(
                "reverse_transfer",
                {
                    "transfer_id": str(new_id()),
                    "reverses_transfer_id": pick(posted, args[0]),
                    "amount": args[1],
                    "reason": "correctie",
                },
                COORDINATOR,
            )
        else:
            continue
        if not reply.ok:
            assert reply.code in KNOWN_REFUSALS, reply.error
        assert await bank.violations() == []
