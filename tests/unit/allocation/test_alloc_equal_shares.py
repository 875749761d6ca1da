"""Equal shares on hand-made cases, and the fast engine against the exact reference engine."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.budget.allocation import UnsupportedRule, tally
from services.budget.allocation.equal_shares import TOL, run_fast, run_reference
from services.budget.allocation.outcome import NO_COST, NO_SUPPORT, RAN_OUT, SHORT_FROM_START
from services.budget.allocation.profile import ApprovalProfile

from .strategies import election, elections_with_tie_order, larger_elections

# Ten voters, budget 100, so a share of 10 each. Six like A and B (50 each), four like C (40).
TEN = election({"A": 50, "B": 50, "C": 40}, 100, ["AB"] * 6 + ["C"] * 4)


def test_equal_shares_by_hand():
    # A and B both cost their 6 supporters 50/6 each: rho = 1/6; C costs its 4 supporters 10
    # each: rho = 1/4. A wins the tie (same cost and votes, lower id); then B's supporters
    # have 6 * (10 - 25/3) = 10 left, under its cost 50; C is bought next.
    o = tally(TEN, "equalshares")
    assert o.winners == ("A", "C") and o.spent == 90
    assert o.voter_budget == 10
    a, b, c = o.result("A"), o.result("B"), o.result("C")
    assert a.price == Fraction(25, 3) and a.full_payers == 6 and a.partial_payers == 0
    assert c.price == 10 and c.full_payers == 4 and c.order == 2
    assert b.status == RAN_OUT and b.failed_round == 1
    assert b.money_left == 10 and b.lacked == 40
    assert "after winner #1 (A)" in b.note
    (tie,) = o.ties
    assert tie.step == 1 and tie.tied == ("A", "B") and tie.chosen == ("A",)


def test_greedy_takes_the_majority_twice_where_equal_shares_does_not():
    assert tally(TEN, "greedy").winners == ("A", "B")


def test_add1_by_hand():
    # With a share s, after A each of the six has s - 25/3; B becomes affordable at s >= 50/3.
    # At s = 17 the outcome is A, B, C (140 > 100), so Add1 keeps s = 16: A, C.
    o = tally(TEN, "equalshares/add1")
    assert o.winners == ("A", "C") and o.voter_budget == 16 and o.add1_rounds == 6
    assert "costing 140, over the budget" in o.notes[0]
    # pabutools' default stops at once: A, C leaves 10, and B (50) does not fit.
    o = tally(TEN, "equalshares/add1-exhaustive")
    assert o.winners == ("A", "C") and o.add1_rounds == 0
    assert "exhaustive" in o.notes[0]


# Budget 6, three voters (share 2): v1 likes A (2) and B (6), v2 nothing, v3 likes B.
SMALL = election({"A": 2, "B": 6}, 6, ["AB", "", "B"])


def test_the_two_add1_variants_differ_by_hand():
    # Share 2: B's supporters have 4 < 6, so A is bought; 4 left, B does not fit: exhaustive.
    exhaustive = tally(SMALL, "equalshares/add1-exhaustive")
    assert exhaustive.winners == ("A",) and exhaustive.voter_budget == 2
    # Share 3: B costs 3 each (rho 1/2) and beats A (rho 1); v1 is then empty. Share 4: still
    # only B. Share 5: B then A (v1 has 2 left), 8 > 6: so the last outcome that fits is B.
    add1 = tally(SMALL, "equalshares/add1")
    assert add1.winners == ("B",) and add1.voter_budget == 4 and add1.add1_rounds == 2
    assert tally(SMALL, "equalshares").winners == ("A",)


def test_add1_increment_is_applied_per_step():
    o = tally(TEN, "equalshares/add1", add1_increment=4)
    # shares 10, 14 give A, C; 18 overspends
    assert o.voter_budget == 14 and o.add1_rounds == 1


def test_comparison_step_takes_greedy_when_more_voters_prefer_it():
    # Greedy A, B gives the six voters two winners instead of one; the four C voters lose
    # theirs: 6 prefer greedy, 4 equal shares.
    o = tally(TEN, "equalshares-comparison")
    assert o.winner_set == {"A", "B"}
    assert "6 under greedy" in o.notes[-1] and "greedy outcome is taken" in o.notes[-1]
    # Four like A and B, three like C, three like D; share 10. A and B are out of reach of
    # equal shares (4 x 10 < 50), which buys C and D; greedy buys A and B. Six voters have more
    # winners under equal shares, four under greedy: equal shares stands.
    e = election({"A": 50, "B": 50, "C": 30, "D": 30}, 100, ["AB"] * 4 + ["C"] * 3 + ["D"] * 3)
    assert tally(e, "greedy").winner_set == {"A", "B"}
    o = tally(e, "equalshares-comparison")
    assert o.winners == ("C", "D")
    assert "6 voter(s) have more approved winners under equal shares" in o.notes[-1]
    assert "equal-shares outcome stands" in o.notes[-1]


def test_explanations_for_projects_that_lose():
    e = election({"A": 10, "Z": 0, "N": 5, "BIG": 90}, 20, ["AZ", "A", ("BIG",), ("BIG",)])
    o = tally(e, "equalshares")
    # share 5: A costs its two supporters 5 each; BIG's two have 10 < 90.
    assert o.winners == ("A",)
    assert o.result("Z").status == NO_COST
    assert o.result("N").status == NO_SUPPORT
    big = o.result("BIG")
    assert big.status == SHORT_FROM_START and big.failed_round == 0
    assert big.money_left == 10 and big.lacked == 80


def test_partial_payers_are_explained():
    # Share 10 each. A (24) has three supporters: rho 1/3, before B (two supporters, rho 1/2);
    # v1..v3 pay 8. B (10) then: v1 has 2 left, v4 10; 2 + 8 = 10, so the price is 8, paid in
    # full by v4, while v1 pays the 2 it has.
    o = tally(election({"A": 24, "B": 10}, 40, ["AB", "A", "A", "B"]), "equalshares")
    assert o.winners == ("A", "B")
    b = o.result("B")
    assert b.price == 8 and b.full_payers == 1 and b.partial_payers == 1 and b.partial_paid == 2


def test_no_ballots_choose_nothing():
    o = tally(election({"A": 1}, 10, []), "equalshares/add1")
    assert o.winners == () and o.spent == 0


def test_cumulative_ballots_are_refused_for_equal_shares():
    e = election({"A": 1}, 5, ["A"], points=[(1,)], vote_type="cumulative")
    with pytest.raises(UnsupportedRule, match="approval"):
        tally(e, "equalshares")


@pytest.mark.parametrize("rule", ["equalshares", "equalshares/add1", "equalshares/add1-exhaustive"])
def test_choose_1_and_knapsack_ballots_use_equal_shares_as_approval(rule):
    e1 = election({"A": 4, "B": 6}, 10, ["A", "B", "B"], vote_type="choose-1")
    e2 = election({"A": 4, "B": 6}, 10, ["A", "B", "B"])
    assert tally(e1, rule).winners == tally(e2, rule).winners


# -- the fast engine decides like the exact one -----------------------------------------------


def _both(e, share, rank, tol):
    prof = ApprovalProfile.from_election(e)
    return run_fast(prof, share, rank, tol=tol), run_reference(prof, share, rank)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    larger_elections(),
    st.integers(0, 30),
    st.randoms(use_true_random=False),
    st.sampled_from([TOL, 1e-3, 1.0]),
)
def test_fast_engine_equals_reference_engine(e, extra, rnd, tol):
    """tol=1.0 sends every decision to the exact settlement, so that path is tested too."""
    rank = list(range(len(e.projects)))
    rnd.shuffle(rank)
    share = Fraction(e.budget, max(len(e.ballots), 1)) + extra
    fast, ref = _both(e, share, rank, tol)
    assert fast.winners == ref.winners
    assert fast.ties == ref.ties


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    elections_with_tie_order(),
    st.sampled_from(["equalshares", "equalshares/add1", "equalshares/add1-exhaustive"]),
)
def test_tallies_with_both_engines_agree(case, rule):
    e, order = case
    fast = tally(e, rule, tie_order=order)
    ref = tally(e, rule, tie_order=order, engine="reference")
    assert fast == ref


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections_with_tie_order())
def test_outcomes_fit_the_budget_and_prices_cover_costs(case):
    e, order = case
    for rule in ("equalshares", "equalshares/add1", "equalshares/add1-exhaustive", "greedy"):
        o = tally(e, rule, tie_order=order)
        assert o.spent <= e.budget
        assert o.spent == sum(e.project(p).cost for p in o.winners)
        for r in o.projects:
            if r.price is not None:
                assert r.price * r.full_payers + r.partial_paid == r.cost


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(larger_elections(), st.integers(0, 20))
def test_guided_exact_prices_equal_prices_from_every_budget(e, extra):
    """The exact replay's float-guided price equals the price from all exact budgets."""
    from services.budget.allocation.equal_shares import _Exact

    prof = ApprovalProfile.from_election(e)
    share = Fraction(e.budget, max(len(e.ballots), 1)) + extra
    run = run_reference(prof, share, list(range(len(e.projects))))
    replay = _Exact(prof, share)
    for w in [*run.winners, None]:
        for p in range(len(e.projects)):
            if prof.costs[p] and prof.votes[p]:
                guided, full = replay.price(p), replay.price_exactly(p)
                assert (guided is None) == (full is None)
                if guided is not None:
                    assert guided[0] == full[0] and guided[2:] == full[2:]
                    assert (guided[1] == full[1]).all()
        if w is not None:
            replay.advance(w)
