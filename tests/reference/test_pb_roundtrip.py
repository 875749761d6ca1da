"""The `.pb` writer's output, read back by this engine and by pabutools, is the same election."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pabutools.election.pabulib import parse_pabulib_from_string

from services.budget.allocation import CUMULATIVE, Election, format_pb, parse_pb
from tests.unit.allocation.strategies import elections

from .bridge import data_dir

DATA = data_dir()
FILES = sorted(p.name for p in DATA.glob("*.pb"))


def as_pabutools_reads(e: Election):
    """What pabutools should find: budget, costs by project, ballots in order."""
    if e.vote_type == CUMULATIVE:
        ballots = [dict(zip(b.projects, b.points, strict=True)) for b in e.ballots]
    else:
        ballots = [set(b.projects) for b in e.ballots]
    return e.budget, {p.id: p.cost for p in e.projects}, ballots


def pabutools_read(text: str):
    instance, profile = parse_pabulib_from_string(text)
    costs = {p.name: int(p.cost) for p in instance}
    if instance.meta["vote_type"] == CUMULATIVE:
        ballots = [{p.name: int(x) for p, x in b.items()} for b in profile]
    else:
        ballots = [{p.name for p in b} for b in profile]
    return int(instance.budget_limit), costs, ballots


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_real_files_survive_writing(name):
    original = (DATA / name).read_text(encoding="utf-8-sig")
    ours = parse_pb(original)
    written = format_pb(ours)
    assert parse_pb(written) == ours
    expected = as_pabutools_reads(ours)
    assert pabutools_read(written) == expected
    # and pabutools finds the same election in the original file as in ours
    assert pabutools_read(original) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["approval", "cumulative", "choose-1"]).flatmap(
        lambda kind: elections(vote_type=kind, with_limits=kind == "approval")
    )
)
def test_random_elections_survive_writing(e):
    written = format_pb(e)
    assert parse_pb(written) == e
    assert pabutools_read(written) == as_pabutools_reads(e)
