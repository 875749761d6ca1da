"""Our elections as pabutools sees them, and pabutools' winners under the same rule and ties."""

from __future__ import annotations

import os
from pathlib import Path

from pabutools.election import (
    AdditiveSatisfaction,
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    Project,
)
from pabutools.rules import (
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import TieBreakingRule

from services.budget.allocation import CUMULATIVE, Election


def data_dir() -> Path:
    """The pabulib files: VOORELKAAR_PABULIB_DIR, else ../shared/data/pabulib next to the repo."""
    env = os.environ.get("VOORELKAAR_PABULIB_DIR")
    if env:
        return Path(env)
    beside = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "pabulib"
    if beside.exists():
        return beside.resolve()
    return Path("/work/shared/data/pabulib")


def to_pabutools(election: Election) -> tuple[Instance, object]:
    projects = {p.id: Project(p.id, p.cost) for p in election.projects}
    instance = Instance(projects.values(), budget_limit=election.budget)
    if election.vote_type == CUMULATIVE:
        ballots = [
            CumulativeBallot({projects[p]: x for p, x in zip(b.projects, b.points, strict=True)})
            for b in election.ballots
        ]
        return instance, CumulativeProfile(ballots, instance=instance)
    ballots = [ApprovalBallot(projects[p] for p in b.projects) for b in election.ballots]
    return instance, ApprovalProfile(ballots, instance=instance)


def tie_breaking(order) -> TieBreakingRule:
    rank = {pid: i for i, pid in enumerate(order)}
    return TieBreakingRule(lambda inst, prof, proj: rank[proj.name])


def _points_times_cost(instance, profile, ballot, project, precomputed):
    return ballot.get(project, 0) * project.cost


class PointsCostSat(AdditiveSatisfaction):
    """Greedy by points: density = points * cost / cost."""

    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _points_times_cost)


def pabutools_winners(
    instance, profile, rule: str, order, threshold: int | None = None
) -> frozenset[str]:
    """pabutools' winners for one of our rule names (greedy-no-skip has no pabutools twin)."""
    tb = tie_breaking(order)
    cumulative = isinstance(profile, CumulativeProfile)
    if rule in ("greedy", "greedy-threshold"):
        inst = instance
        if rule == "greedy-threshold":
            score = {
                p: (sum(b.get(p, 0) for b in profile) if cumulative else profile.approval_score(p))
                for p in instance
            }
            inst = Instance(
                [p for p in instance if score[p] >= threshold], budget_limit=instance.budget_limit
            )
        sat = PointsCostSat if cumulative else Cost_Sat
        out = greedy_utilitarian_welfare(inst, profile, sat_class=sat, tie_breaking=tb)
    elif rule == "equalshares":
        out = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=tb)
    elif rule == "equalshares/add1-exhaustive":
        out = method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, tie_breaking=tb, voter_budget_increment=1
        )
    elif rule == "equalshares/add1":
        out = exhaustion_by_budget_increase(
            instance,
            profile,
            method_of_equal_shares,
            {"sat_class": Cost_Sat, "tie_breaking": tb},
            budget_step=max(profile.num_ballots(), 1),
            exhaustive_stop=False,
        )
    else:
        raise ValueError(rule)
    return frozenset(p.name for p in out)
