"""Truth from outside: the winners cities announced (`selected`), and what their files say."""

from __future__ import annotations

from functools import cache

import pytest

from services.budget.allocation import RULES, Election, parse_pb, tally

from .bridge import data_dir

DATA = data_dir()
FILES = sorted(p.name for p in DATA.glob("*.pb"))

# Files that carry the official winners. Every other file in the folder has no `selected` column.
WITH_SELECTED = {
    "Netherlands_Assen_2024.pb",
    "Poland_Warszawa_2026.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
}

# Where a file's comment says the city departed from its rule. None of these files has a
# `selected` column, so there is no official list to excuse; the tests below check what the
# comment claims against the ballots, and test_pabutools_files checks the rule itself.
DEPARTURES = {
    "Netherlands_Amsterdam_621.pb": "#2: Two plans tied for the last project to be funded. "
    "Additional municipal funds were used to fund both projects.",
}
PARTIAL_FUNDING = "Partially fund one additional project with highest score"

# The one file whose ballots name a project twice (line 1927, voter 13650977333); its `votes`
# column counted those twice, pabutools and this engine count them once.
DUPLICATE_APPROVALS = "Netherlands_Amsterdam_604.pb"


@cache
def election(name: str) -> Election:
    return parse_pb((DATA / name).read_text(encoding="utf-8-sig"))


def test_the_pabulib_folder_is_there():
    assert len(FILES) >= 35, f"expected the pabulib files in {DATA}"
    assert WITH_SELECTED <= set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_file_reads_and_its_vote_counts_match(name):
    e = election(name)
    assert len(e.ballots) > 0 and len(e.projects) > 0
    if name == DUPLICATE_APPROVALS:
        assert e.warnings[0].startswith("line 1927: ballot of voter '13650977333' names 42346")
        assert all("votes column says" in w for w in e.warnings[1:])
        assert len(e.warnings) == 5  # the four doubled projects
    else:
        assert e.warnings == (), e.warnings  # the file's own counts agree with its ballots
    assert (e.official_selected() is not None) == (name in WITH_SELECTED)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WITH_SELECTED))
def test_winners_equal_the_official_selected_column(name):
    e = election(name)
    assert e.rule in RULES
    outcome = tally(e)
    assert outcome.winner_set == e.official_selected()
    assert outcome.spent == sum(e.project(p).cost for p in e.official_selected())


def test_wieliczka_2023_exactly():
    e = election("Poland_Wieliczka_2023_Green_Budget.pb")
    o = tally(e)  # equalshares/add1-comparison
    assert e.rule == "equalshares/add1-comparison"
    assert len(o.winners) == 30 and o.spent == 995_079
    assert "equal-shares outcome stands" in o.notes[-1]
    # The official result needs Add1 to continue until the next step would overspend;
    # stopping at the first exhaustive outcome (pabutools' default) gives another result.
    assert tally(e, "equalshares/add1").winner_set == e.official_selected()
    assert tally(e, "equalshares/add1-exhaustive").winner_set != e.official_selected()


def test_assen_2024_exactly():
    e = election("Netherlands_Assen_2024.pb")
    o = tally(e)
    assert e.rule == "equalshares/add1"
    assert o.winner_set == e.official_selected() and o.spent == 76_700


def test_amsterdam_621_tie_for_the_last_project():
    """The comment: two plans tied for the last project; extra money funded both."""
    name = "Netherlands_Amsterdam_621.pb"
    e = election(name)
    assert DEPARTURES[name] in e.meta_value("comment")
    o = tally(e, "greedy-no-skip")
    (tie,) = o.ties
    tied = [o.result(p) for p in tie.tied]
    assert len(tied) == 2 and tied[0].score == tied[1].score
    # one of the two fitted, the other did not: the budget ran out between them
    assert sorted(r.selected for r in tied) == [False, True]
    missing = next(r for r in tied if not r.selected)
    assert missing.cost > e.budget - o.spent


def _meta_line(name: str, key: str) -> str | None:
    for line in (DATA / name).read_text(encoding="utf-8-sig").splitlines():
        if line.startswith(key + ";"):
            return line.split(";", 1)[1]
        if line.strip() == "PROJECTS":
            return None
    return None


PARTIALLY_FUNDING = [n for n in FILES if _meta_line(n, "leftover_budget") == PARTIAL_FUNDING]


def test_the_files_with_partial_funding_are_known():
    assert PARTIALLY_FUNDING == [
        "Netherlands_Amsterdam_324.pb",
        "Netherlands_Amsterdam_613.pb",
        "Netherlands_Amsterdam_621.pb",
        "Netherlands_Amsterdam_622.pb",
        "Netherlands_Amsterdam_631.pb",
    ]


@pytest.mark.parametrize("name", PARTIALLY_FUNDING)
def test_leftover_policies_are_about_money_greedy_leaves(name):
    """Files whose leftover budget partly funds one more project: counting in order leaves
    money, and the next project in line costs more than what is left."""
    e = election(name)
    o = tally(e, "greedy-no-skip")
    assert o.spent < e.budget
    first_misfit = next(r for r in o.projects if not r.selected)
    assert first_misfit.cost > e.budget - o.spent
