"""The .pb reader refuses malformed input by line; the writer's output reads back unchanged."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.budget.allocation import (
    Ballot,
    BallotLimits,
    Election,
    InvalidElection,
    PabulibFormatError,
    Project,
    format_pb,
    parse_pb,
    tally,
)

from .strategies import elections, pb_text

META = {
    "description": "test",
    "num_projects": "3",
    "num_votes": "3",
    "budget": "100",
    "vote_type": "approval",
    "rule": "greedy",
}
PROJECTS = ["1;60;2;Park;1", "2;50;2;Bench;0", "3;40;1;Tree;1"]
VOTES = ["a;1,2", "b;1,2", "c;3"]


def test_reads_a_small_file():
    e = parse_pb(pb_text(META, PROJECTS, VOTES))
    assert e.budget == 100 and e.vote_type == "approval" and e.rule == "greedy"
    assert [(p.id, p.cost, p.name) for p in e.projects] == [
        ("1", 60, "Park"),
        ("2", 50, "Bench"),
        ("3", 40, "Tree"),
    ]
    assert e.project("1").get("votes") == "2"
    assert [b.projects for b in e.ballots] == [("1", "2"), ("1", "2"), ("3",)]
    assert e.ballots[2].line == 18
    assert e.official_selected() == frozenset({"1", "3"})
    assert e.meta == (("description", "test"),)
    assert e.warnings == ()


def test_byte_order_mark_and_blank_lines_are_accepted():
    text = "\ufeff" + pb_text(META, PROJECTS, VOTES).replace("VOTES", "\nVOTES")
    assert len(parse_pb(text).ballots) == 3


def _error(text: str) -> InvalidElection:
    with pytest.raises(InvalidElection) as err:
        parse_pb(text)
    return err.value


def test_unknown_project_in_a_vote_names_line_and_voter():
    err = _error(pb_text(META, PROJECTS, ["a;1,2", "b;1,9", "c;3"]))
    assert err.line == 17 and err.voter_id == "b"
    assert str(err).startswith("line 17, ballot of voter 'b':")


def test_negative_cost_names_its_line():
    err = _error(pb_text(META, ["1;60;2;Park;1", "2;-50;2;Bench;0", "3;40;1;Tree;1"], VOTES))
    assert err.line == 12 and "negative" in str(err)


def test_knapsack_ballot_over_its_limit_names_its_line():
    meta = {**META, "max_sum_cost": "110"}
    err = _error(pb_text(meta, PROJECTS, ["a;1,2", "b;1", "c;1,3,2"]))
    assert err.line == 19 and err.voter_id == "c" and "150" in str(err)


@pytest.mark.parametrize(
    ("projects", "votes", "line", "words"),
    [
        (["1;60;2;Park", "2;50;2;Bench;0", "3;40;1;Tree;1"], VOTES, 11, "5 fields"),
        (["1;sixty;2;Park;1", "2;50;2;Bench;0", "3;40;1;Tree;1"], VOTES, 11, "whole number"),
        (["1;60;2;Park;1", "1;50;2;Bench;0", "3;40;1;Tree;1"], VOTES, 12, "twice"),
        (PROJECTS, ["a;1,2", "b", "c;3"], 17, "2 fields"),
        (PROJECTS, ["a;1,2", "a;1", "c;3"], 17, "more than one ballot"),
    ],
)
def test_malformed_lines_are_refused_by_line(projects, votes, line, words):
    err = _error(pb_text(META, projects, votes))
    assert err.line == line and words in str(err)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("PROJECTS\nproject_id;cost\n1;5\n", "expected section META"),
        ("META\nkey;value\nbudget;5\nVOTES\nvoter_id;vote\n", "expected section PROJECTS"),
        ("META\nkey;value\nbudget;5\nPROJECTS\nproject_id;cost\n1;5\n", "VOTES section"),
        (
            "META\nkey;value\nvote_type;approval\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n",
            "no budget",
        ),
        (
            "META\nkey;value\nbudget;1e5\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n",
            "whole number",
        ),
        (
            "META\nkey;value\nbudget;5\nbudget;6\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n",
            "twice",
        ),
        (
            "META\nkey;value\nbudget;5\nvote_type;ordinal\nPROJECTS\nproject_id;cost\nVOTES\n"
            "voter_id;vote\n",
            "ordinal",
        ),
        (
            "META\nkey;value\nbudget;5\nPROJECTS\nproject_id;name\nVOTES\nvoter_id;vote\n",
            "'cost' column",
        ),
        ("META\nkey;value\nbudget\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n", "key;value"),
    ],
)
def test_malformed_structure_is_refused(text, words):
    assert words in str(_error(text))


def test_cumulative_points_must_match_the_projects():
    meta = {**META, "vote_type": "cumulative"}
    err = _error(
        pb_text(
            meta, PROJECTS, ["a;1,2;3,2", "b;1,2;3", "c;3;1"], vote_header="voter_id;vote;points"
        )
    )
    assert err.line == 17 and "number(s) of points" in str(err)


def test_a_project_named_twice_on_one_ballot_counts_once_with_a_warning():
    e = parse_pb(pb_text(META, PROJECTS, ["a;1,2,2", "b;1,2", "c;3"]))
    assert e.ballots[0].projects == ("1", "2")
    assert any("line 16" in w and "'a'" in w and "more than once" in w for w in e.warnings)


def test_published_counts_that_disagree_are_reported():
    e = parse_pb(pb_text({**META, "num_votes": "4"}, PROJECTS, ["a;1,2", "b;1", "c;3"]))
    assert any("num_votes is 4" in w for w in e.warnings)
    assert any("project 2: votes column says 2, ballots give 1" in w for w in e.warnings)


def test_round_trip_of_a_file_with_all_kinds_of_columns():
    text = pb_text(
        {
            **META,
            "comment": 'a; tricky "value"',
            "min_length": "1",
            "max_sum_cost": "110",
            "min_project_score_threshold": "1",
        },
        ['1;60;2;"Park; with ""quotes""";1', "2;50;2;Bench;0", "3;40;1;Tree;1"],
        ["a;1,2;30;F", "b;2,1;;M", "c;3;41;X"],
        vote_header="voter_id;vote;age;sex",
    )
    e = parse_pb(text)
    assert e.project("1").name == 'Park; with "quotes"'
    assert e.meta_value("comment") == 'a; tricky "value"'
    assert e.limits == BallotLimits(min_length=1, max_sum_cost=110)
    assert e.min_project_score_threshold == 1
    assert e.ballots[1].projects == ("2", "1")  # the voter's order is kept
    again = parse_pb(format_pb(e))
    assert again == e
    assert format_pb(again) == format_pb(e)


def test_writer_refuses_line_breaks():
    e = Election((Project("A", 1, name="two\nlines"),), 5, ())
    with pytest.raises(InvalidElection, match="line break"):
        format_pb(e)


def test_publishing_a_round_fills_votes_and_selected():
    e = Election(
        (Project("A", 60), Project("B", 50), Project("C", 40)),
        100,
        (Ballot("a", ("A", "B")), Ballot("b", ("A", "B")), Ballot("c", ("C",))),
        rule="greedy",
    )
    outcome = tally(e)  # A and B tie on 2 votes: the cheaper B goes first, then A no longer fits
    published = parse_pb(format_pb(e, outcome))
    assert published.official_selected() == outcome.winner_set == frozenset({"B", "C"})
    assert [p.get("votes") for p in published.projects] == ["2", "2", "1"]
    assert published.warnings == ()
    assert tally(published).winner_set == outcome.winner_set


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["approval", "cumulative", "choose-1"]).flatmap(
        lambda kind: elections(vote_type=kind, with_limits=kind == "approval")
    )
)
def test_writer_output_reads_back_unchanged(e):
    text = format_pb(e)
    again = parse_pb(text)
    assert again == e
    assert format_pb(again) == text


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30))
def test_any_project_name_survives_the_round_trip(name):
    e = Election((Project("A", 5, name=name.strip()),), 10, (Ballot("v", ("A",)),))
    assert parse_pb(format_pb(e)) == e


def test_unreadable_quoting_is_a_format_error():
    text = pb_text(META, PROJECTS, VOTES) + 'd;"1\n'
    with pytest.raises(PabulibFormatError):
        parse_pb(text)
