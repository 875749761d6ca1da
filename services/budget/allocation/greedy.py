"""Greedy rules: the most votes (or points) first while the money lasts.

- `greedy`: walk the projects by score; fund each one that still fits, skip the others.
- `greedy-no-skip`: the same walk, but stop at the first project that does not fit.
- `greedy-threshold`: `greedy` over the projects whose score reaches the threshold.

Projects nobody voted for are part of the walk (last, as pabulib and pabutools treat them).
Equal scores are ordered by the tie order.
"""

from __future__ import annotations

from collections.abc import Sequence

from .models import CUMULATIVE, Election
from .outcome import (
    AFTER_STOP,
    BELOW_THRESHOLD,
    DID_NOT_FIT,
    SELECTED,
    Outcome,
    ProjectResult,
    TieBreak,
)

SKIP = "skip"
NO_SKIP = "no-skip"


def greedy(
    election: Election,
    tie_order: Sequence[str],
    *,
    rule: str = "greedy",
    stop_at_first_misfit: bool = False,
    threshold: int | None = None,
    scores: Sequence[int] | None = None,
) -> Outcome:
    scores = election.scores() if scores is None else list(scores)
    supporters = election.supporters()
    unit = "points" if election.vote_type == CUMULATIVE else "votes"
    rank = {pid: i for i, pid in enumerate(tie_order)}
    projects = election.projects
    walk = sorted(range(len(projects)), key=lambda i: (-scores[i], rank[projects[i].id]))

    left = election.budget
    winners: list[int] = []
    status: dict[int, tuple[str, str]] = {}
    stopped_at: int | None = None
    position = 0
    money_before: dict[int, int] = {}
    for i in walk:
        p = projects[i]
        money_before[i] = left
        if threshold is not None and scores[i] < threshold:
            status[i] = (BELOW_THRESHOLD, f"{scores[i]} {unit}, under the threshold of {threshold}")
            continue
        position += 1
        if stopped_at is not None:
            status[i] = (
                AFTER_STOP,
                f"not considered: counting stopped at project {projects[stopped_at].id}, "
                "which did not fit",
            )
            continue
        if p.cost <= left:
            left -= p.cost
            winners.append(i)
            status[i] = (SELECTED, f"position {position}: {left} left after it")
        else:
            status[i] = (
                DID_NOT_FIT,
                f"position {position}: {left} left when its turn came, it costs {p.cost}",
            )
            if stop_at_first_misfit:
                stopped_at = i

    ties = _deciding_ties(walk, scores, status, projects, money_before, stop_at_first_misfit)
    order = {i: n + 1 for n, i in enumerate(winners)}
    results = tuple(
        ProjectResult(
            project_id=projects[i].id,
            name=projects[i].name,
            cost=projects[i].cost,
            score=scores[i],
            supporters=supporters[i],
            selected=i in order,
            status=status[i][0],
            note=status[i][1],
            order=order.get(i),
        )
        for i in walk
    )
    notes = []
    if threshold is not None:
        notes.append(f"only projects with at least {threshold} {unit} take part")
    return Outcome(
        rule=rule,
        budget=election.budget,
        winners=tuple(projects[i].id for i in winners),
        spent=election.budget - left,
        projects=results,
        tie_order=tuple(tie_order),
        ties=ties,
        notes=tuple(notes),
    )


def _deciding_ties(walk, scores, status, projects, money_before, no_skip) -> tuple[TieBreak, ...]:
    """Groups of equal score where another order could have chosen differently.

    Skipping greedy: some member lost although it cost no more than the money left when the
    group's turn came (first in line, it would have won). No-skip: the group holds both a
    winner and a project that did not fit (that one first would have stopped the count).
    """
    ties = []
    position = 0
    n = 0
    while n < len(walk):
        m = n
        while m + 1 < len(walk) and scores[walk[m + 1]] == scores[walk[n]]:
            m += 1
        group = [i for i in walk[n : m + 1] if status[i][0] != BELOW_THRESHOLD]
        won = [i for i in group if status[i][0] == SELECTED]
        lost = [i for i in group if status[i][0] != SELECTED]
        if group and won and lost:
            start = money_before[group[0]]
            if no_skip or any(projects[i].cost <= start for i in lost):
                ties.append(
                    TieBreak(
                        step=position + 1,
                        tied=tuple(projects[i].id for i in group),
                        chosen=tuple(projects[i].id for i in won),
                    )
                )
        position += len(group)
        n = m + 1
    return tuple(ties)
