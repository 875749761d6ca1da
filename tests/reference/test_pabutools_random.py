"""Random elections (hypothesis): our winners equal pabutools' for every rule both know.

The elections are small with few distinct costs, so ties are common; they include single
voters, no voters, projects nobody votes for, free projects and projects dearer than the
budget. The tie order is random and given to pabutools as its tie-breaking rule.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.budget.allocation import tally
from tests.unit.allocation.strategies import elections, elections_with_tie_order

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
