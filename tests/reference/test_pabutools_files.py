"""The real files: our winners equal pabutools' for the same rule, variant and tie order.

pabutools' equal shares is slow (about 464 s on Warszawa, 25 s on Amsterdam 621 with Add1), so
Add1 is compared here only on files where pabutools needed under ~1.5 s on this machine; the
benchmark (bench/allocation.py) compares the big ones. Our own engine is checked against the
official `selected` column on every file that has one (test_official_results).
"""

from __future__ import annotations

from functools import cache

import pytest

from services.budget.allocation import parse_pb, tally
from services.budget.allocation.tiebreak import default_tie_order

from .bridge import data_dir, pabutools_winners, to_pabutools

DATA = data_dir()
FILES = sorted(p.name for p in DATA.glob("*.pb"))
WARSZAWA = "Poland_Warszawa_2026.pb"

QUICK_ADD1_EXHAUSTIVE = [
    "Netherlands_Amsterdam_287.pb",
    "Netherlands_Amsterdam_288.pb",
    "Netherlands_Amsterdam_324.pb",
    "Netherlands_Amsterdam_489.pb",
    "Netherlands_Amsterdam_490.pb",
    "Netherlands_Amsterdam_491.pb",
    "Netherlands_Amsterdam_515.pb",
    "Netherlands_Amsterdam_522.pb",
    "Netherlands_Amsterdam_523.pb",
    "Netherlands_Amsterdam_613.pb",
    "Netherlands_Amsterdam_619.pb",
    "Netherlands_Amsterdam_643.pb",
    "Netherlands_Amsterdam_646.pb",
    "Netherlands_Amsterdam_647.pb",
    "Netherlands_Assen_2024.pb",
]
QUICK_ADD1 = [
    "Netherlands_Amsterdam_324.pb",
    "Netherlands_Amsterdam_515.pb",
    "Netherlands_Amsterdam_522.pb",
    "Netherlands_Amsterdam_523.pb",
    "Netherlands_Amsterdam_619.pb",
    "Netherlands_Amsterdam_643.pb",
    "Netherlands_Assen_2024.pb",
]


@cache
def loaded(name: str):
    e = parse_pb((DATA / name).read_text(encoding="utf-8-sig"))
    instance, profile = to_pabutools(e)
    return e, instance, profile, default_tie_order(e)


def _same(name: str, rule: str, threshold=None):
    e, instance, profile, order = loaded(name)
    ours = tally(e, rule, tie_order=order, threshold=threshold).winner_set
    theirs = pabutools_winners(instance, profile, rule, order, threshold)
    assert ours == theirs, f"{name} {rule}: only ours {ours - theirs}, only theirs {theirs - ours}"


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_greedy_equals_pabutools(name):
    e = loaded(name)[0]
    if e.min_project_score_threshold is not None:
        _same(name, "greedy-threshold", e.min_project_score_threshold)
    _same(name, "greedy")


def _approval(name: str) -> bool:
    text = (DATA / name).read_text(encoding="utf-8-sig")
    return "\nvote_type;cumulative" not in text


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in FILES if n != WARSZAWA and _approval(n)])
def test_equal_shares_equals_pabutools(name):
    _same(name, "equalshares")


@pytest.mark.slow
@pytest.mark.parametrize("name", QUICK_ADD1_EXHAUSTIVE)
def test_add1_stopping_when_exhaustive_equals_pabutools_default(name):
    _same(name, "equalshares/add1-exhaustive")


@pytest.mark.slow
@pytest.mark.parametrize("name", QUICK_ADD1)
def test_add1_until_overspending_equals_pabutools_exhaustion(name):
    _same(name, "equalshares/add1")
