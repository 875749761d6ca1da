"""Greedy rules on hand-made cases (expected outcomes worked out by hand in the comments)."""

from __future__ import annotations

import pytest

from services.budget.allocation import AllocationError, UnsupportedRule, tally
from services.budget.allocation.outcome import (
    AFTER_STOP,
    BELOW_THRESHOLD,
    DID_NOT_FIT,
    SELECTED,
)
from services.budget.allocation.tiebreak import default_tie_order

from .strategies import election

# Budget 100. Votes: P1 5, P2 4, P3 3, P4 0.
COSTS = {"P1": 60, "P2": 50, "P3": 30, "P4": 10}
BALLOTS = [("P1", "P2", "P3")] * 3 + [("P1", "P2")] + [("P1",)]


def test_greedy_skips_what_no_longer_fits_and_funds_zero_vote_projects_last():
    # P1 (40 left), P2 does not fit, P3 (10 left), P4 with no votes fits exactly.
    o = tally(election(COSTS, 100, BALLOTS), "greedy")
    assert o.winners == ("P1", "P3", "P4") and o.spent == 100
    p2 = o.result("P2")
    assert p2.status == DID_NOT_FIT and p2.score == 4
    assert "40 left" in p2.note and "costs 50" in p2.note
    assert o.result("P4").status == SELECTED and o.result("P4").score == 0
    assert [r.project_id for r in o.projects] == ["P1", "P2", "P3", "P4"]


def test_greedy_no_skip_stops_at_the_first_project_that_does_not_fit():
    o = tally(election(COSTS, 100, BALLOTS), "greedy-no-skip")
    assert o.winners == ("P1",) and o.spent == 60
    assert o.result("P2").status == DID_NOT_FIT
    assert o.result("P3").status == AFTER_STOP and "P2" in o.result("P3").note


def test_greedy_threshold_only_counts_projects_with_enough_votes():
    e = election(COSTS, 100, BALLOTS, min_project_score_threshold=4)
    o = tally(e, "greedy-threshold")
    assert o.winners == ("P1",)
    assert o.result("P3").status == BELOW_THRESHOLD
    assert o.result("P2").status == DID_NOT_FIT
    # at the threshold is enough: P2 has exactly 4 votes
    assert tally(e, "greedy-threshold", threshold=3).winners == ("P1", "P3")
    with pytest.raises(UnsupportedRule, match="min_project_score_threshold"):
        tally(election(COSTS, 100, BALLOTS), "greedy-threshold")


def test_a_project_costing_more_than_the_budget_is_never_chosen():
    o = tally(election({"BIG": 150, "S": 10}, 100, [("BIG",), ("BIG",), "S"]), "greedy")
    assert o.winners == ("S",)
    assert o.result("BIG").status == DID_NOT_FIT


def test_default_tie_order_cheaper_then_more_votes_then_natural_id():
    e = election(
        {"10": 5, "9": 5, "2": 5, "1": 3, "b": 5},
        100,
        [("10", "9", "2", "b"), ("2",)],
    )
    assert default_tie_order(e) == ("1", "2", "9", "10", "b")


def test_equal_votes_are_ordered_by_the_tie_order_and_the_tie_is_reported():
    # X and Y both have 2 votes; only one fits. Cheaper first by default.
    e = election({"X": 60, "Y": 50, "Z": 45}, 100, ["XY", "XY", "Z"])
    o = tally(e, "greedy")
    assert o.winners == ("Y", "Z")
    assert o.tie_order[:2] == ("Z", "Y")
    (tie,) = o.ties
    assert tie.step == 1 and tie.tied == ("Y", "X") and tie.chosen == ("Y",)
    # an order fixed beforehand (for instance drawn by lot) decides instead
    o2 = tally(e, "greedy", tie_order=["X", "Y", "Z"])
    assert o2.winners == ("X",) and o2.ties[0].chosen == ("X",)


def test_ties_that_change_nothing_are_not_reported():
    # Y and X tie, but neither order changes the outcome: both fit.
    o = tally(election({"X": 10, "Y": 10}, 100, ["XY"]), "greedy")
    assert o.ties == ()


@pytest.mark.parametrize(
    ("order", "message"),
    [(["X"], "leaves out"), (["X", "Y", "Q"], "unknown"), (["X", "X", "Y"], "more than once")],
)
def test_a_tie_order_must_name_every_project_once(order, message):
    with pytest.raises(AllocationError, match=message):
        tally(election({"X": 1, "Y": 1}, 5, ["X"]), "greedy", tie_order=order)


def test_cumulative_greedy_orders_by_points():
    # A: 5 points from 1 voter, B: 2+2 = 4 points from 2 voters; budget fits one.
    e = election(
        {"A": 10, "B": 10}, 10, ["A", "B", "B"], points=[(5,), (2,), (2,)], vote_type="cumulative"
    )
    o = tally(e, "greedy")
    assert o.winners == ("A",)
    assert o.result("A").score == 5 and o.result("B").score == 4 and o.result("B").supporters == 2


def test_unknown_rules_are_refused():
    e = election({"A": 1}, 5, ["A"], rule="unknown")
    with pytest.raises(UnsupportedRule, match="names no rule"):
        tally(e)
    with pytest.raises(UnsupportedRule, match="not supported"):
        tally(e, "phragmen")
