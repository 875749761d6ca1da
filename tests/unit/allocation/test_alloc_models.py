"""Validation of elections: bad input is refused with a message naming the ballot."""

from __future__ import annotations

import pytest

from services.budget.allocation import (
    Ballot,
    BallotLimits,
    Election,
    InvalidElection,
    Project,
)

from .strategies import election


def test_valid_election_and_counts():
    e = election({"A": 10, "B": 20}, 30, ["AB", "A", ""])
    assert e.scores() == [2, 1]
    assert e.supporters() == [2, 1]
    assert e.ballot_kind == "approval"
    assert e.project("B").cost == 20
    assert e.official_selected() is None


def test_knapsack_kind_is_approval_within_a_cost_limit():
    e = election({"A": 10, "B": 20}, 30, ["AB"], limits=BallotLimits(max_sum_cost=30))
    assert e.ballot_kind == "knapsack"


def test_ballot_naming_unknown_project_is_refused_with_voter():
    with pytest.raises(InvalidElection) as err:
        election({"A": 10}, 30, ["A", ("A", "Z")])
    assert err.value.voter_id == "v2"
    assert "'Z'" in str(err.value) and "v2" in str(err.value)


def test_negative_cost_is_refused():
    with pytest.raises(InvalidElection, match="negative"):
        election({"A": -1}, 30, ["A"])


@pytest.mark.parametrize("cost", [1.5, "10", True])
def test_cost_must_be_a_whole_amount(cost):
    with pytest.raises(InvalidElection, match="whole"):
        Election((Project("A", cost),), 10, ())


def test_negative_budget_is_refused():
    with pytest.raises(InvalidElection, match="budget"):
        election({"A": 1}, -5, [])


def test_duplicate_project_id_is_refused():
    with pytest.raises(InvalidElection, match="twice"):
        Election((Project("A", 1), Project("A", 2)), 10, ())


@pytest.mark.parametrize("bad_id", ["", " A", "A,B", "A;B", "A\nB"])
def test_project_ids_must_fit_the_format(bad_id):
    with pytest.raises(InvalidElection):
        Election((Project(bad_id, 1),), 10, ())


def test_knapsack_ballot_over_its_limit_is_refused():
    with pytest.raises(InvalidElection) as err:
        election({"A": 10, "B": 25}, 50, ["A", "AB"], limits=BallotLimits(max_sum_cost=30))
    assert err.value.voter_id == "v2"
    assert "35" in str(err.value) and "30" in str(err.value)


def test_approval_lengths_are_checked():
    limits = BallotLimits(min_length=2, max_length=2)
    election({"A": 1, "B": 1, "C": 1}, 5, ["AB", "BC"], limits=limits)
    with pytest.raises(InvalidElection, match="at least 2"):
        election({"A": 1, "B": 1, "C": 1}, 5, ["AB", "C"], limits=limits)
    with pytest.raises(InvalidElection, match="at most 2"):
        election({"A": 1, "B": 1, "C": 1}, 5, ["ABC"], limits=limits)


def test_choose_1_needs_exactly_one_project():
    election({"A": 1, "B": 1}, 5, ["A", "B"], vote_type="choose-1")
    with pytest.raises(InvalidElection, match="at most 1"):
        election({"A": 1, "B": 1}, 5, ["AB"], vote_type="choose-1")
    with pytest.raises(InvalidElection, match="at least 1"):
        election({"A": 1, "B": 1}, 5, [""], vote_type="choose-1")


def test_same_project_twice_on_a_ballot_is_refused():
    with pytest.raises(InvalidElection, match="more than once"):
        election({"A": 1}, 5, [("A", "A")])


def test_same_voter_twice_is_refused():
    with pytest.raises(InvalidElection, match="more than one ballot"):
        Election((Project("A", 1),), 5, (Ballot("x", ("A",)), Ballot("x", ())))


def test_cumulative_points_are_checked():
    limits = BallotLimits(max_sum_points=5, max_points=3)
    e = election(
        {"A": 1, "B": 1}, 5, ["AB"], points=[(3, 2)], vote_type="cumulative", limits=limits
    )
    assert e.scores() == [3, 2] and e.supporters() == [1, 1]
    with pytest.raises(InvalidElection, match="at most 5"):
        election(
            {"A": 1, "B": 1}, 5, ["AB"], points=[(3, 3)], vote_type="cumulative", limits=limits
        )
    with pytest.raises(InvalidElection, match="at most 3"):
        election({"A": 1, "B": 1}, 5, ["A"], points=[(4,)], vote_type="cumulative", limits=limits)
    with pytest.raises(InvalidElection, match="one number of points"):
        election({"A": 1, "B": 1}, 5, ["AB"], points=[(1,)], vote_type="cumulative")
    with pytest.raises(InvalidElection, match="non-negative"):
        election({"A": 1}, 5, ["A"], points=[(-1,)], vote_type="cumulative")


def test_points_only_on_cumulative_ballots():
    with pytest.raises(InvalidElection, match="only allowed on cumulative"):
        election({"A": 1}, 5, ["A"], points=[(1,)])


def test_unsupported_vote_type_is_refused():
    with pytest.raises(InvalidElection, match="ordinal"):
        election({"A": 1}, 5, ["A"], vote_type="ordinal")


def test_limits_must_be_consistent():
    with pytest.raises(InvalidElection, match="larger than"):
        election({"A": 1}, 5, ["A"], limits=BallotLimits(min_length=3, max_length=1))


def test_official_selected_reads_the_selected_column():
    e = Election(
        (Project("A", 1, extra=(("selected", "1"),)), Project("B", 1, extra=(("selected", "0"),))),
        5,
        (),
    )
    assert e.official_selected() == frozenset({"A"})
