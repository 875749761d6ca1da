"""Random elections (hypothesis): our winners equal pabutools' for every rule both know.

The elections are small with few distinct costs, so ties are common; they include single
voters, no voters, projects nobody votes for, free projects and projects dearer than the
budget. The tie order is random and given to pabutools as its tie-breaking rule.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.budget.allocation import tally
from services.budget.allocation.tiebreak import default_tie_order
from tests.unit.allocation.strategies import election, elections, elections_with_tie_order

from .bridge import pabutools_winners, to_pabutools

RULES = ("greedy", "equalshares", "equalshares/add1-exhaustive", "equalshares/add1")


@settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(elections_with_tie_order(with_limits=True))
def test_approval_rules_equal_pabutools(case):
    e, order = case
    instance, profile = to_pabutools(e)
    for rule in RULES:
        ours = tally(e, rule, tie_order=order).winner_set
        assert ours == pabutools_winners(instance, profile, rule, order), rule


@settings(max_examples=200, deadline=None, derandomize=True)
@given(elections_with_tie_order(), st.integers(0, 4))
def test_greedy_threshold_equals_pabutools_on_the_projects_above_it(case, threshold):
    e, order = case
    instance, profile = to_pabutools(e)
    ours = tally(e, "greedy-threshold", tie_order=order, threshold=threshold).winner_set
    assert ours == pabutools_winners(instance, profile, "greedy-threshold", order, threshold)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    elections(vote_type="cumulative").flatmap(
        lambda e: st.tuples(st.just(e), st.permutations(e.project_ids))
    )
)
def test_cumulative_greedy_equals_pabutools(case):
    e, order = case
    instance, profile = to_pabutools(e)
    ours = tally(e, "greedy", tie_order=list(order)).winner_set
    assert ours == pabutools_winners(instance, profile, "greedy", order)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(elections_with_tie_order(vote_type="choose-1"))
def test_choose_1_equals_pabutools(case):
    e, order = case
    instance, profile = to_pabutools(e)
    for rule in RULES:
        assert tally(e, rule, tie_order=order).winner_set == pabutools_winners(
            instance, profile, rule, order
        )


EDGE_CASES = {
    "single voter": ({"A": 30, "B": 20, "C": 60}, 50, ["AB"]),
    "single voter, everything too dear": ({"A": 80, "B": 90}, 50, ["AB"]),
    "nobody votes for B": ({"A": 30, "B": 10, "C": 20}, 60, ["A", "AC", "C"]),
    "no ballots at all": ({"A": 30, "B": 10}, 60, []),
    "project dearer than the budget": ({"A": 150, "B": 40, "C": 40}, 100, ["A", "A", "A", "BC"]),
    "identical projects tie": ({"A": 20, "B": 20, "C": 20}, 40, ["AB", "AB", "C"]),
    "tie on votes, not on cost": ({"A": 30, "B": 50, "C": 40}, 80, ["AB", "AB", "C"]),
    "free project": ({"A": 0, "B": 40}, 40, ["AB", "B"]),
    "empty ballots dilute shares": ({"A": 50, "B": 50}, 100, ["A", "", "", "B"]),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
@pytest.mark.parametrize("rule", RULES)
def test_edge_cases_equal_pabutools(case, rule):
    e = election(*EDGE_CASES[case])
    instance, profile = to_pabutools(e)
    for order in (list(e.project_ids), list(reversed(e.project_ids)), None):
        order = order or list(default_tie_order(e))
        assert tally(e, rule, tie_order=order).winner_set == pabutools_winners(
            instance, profile, rule, order
        )
