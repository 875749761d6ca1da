"""The deterministic tie-breaking order, part of every result.

Default order, applied whenever a rule finds projects equal (same votes for greedy, same price
per unit of value for equal shares):

1. the cheaper project first (more of the budget is left for others);
2. then the project with more votes (points for cumulative ballots);
3. then the project id in natural order (numeric ids by value: 9 before 10; text after numbers).

An organiser may fix another order beforehand (for instance drawn by lot in public) by passing
the full list of project ids.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import AllocationError
from .models import Election


def natural_key(project_id: str) -> tuple[int, int, str]:
    if project_id.isdigit():
        return (0, int(project_id), project_id)
    return (1, 0, project_id)


def default_tie_order(election: Election, scores: Sequence[int] | None = None) -> tuple[str, ...]:
    """Projects in the default tie order: cost ascending, score descending, id natural order."""
    scores = election.scores() if scores is None else scores
    ranked = sorted(
        range(len(election.projects)),
        key=lambda i: (
            election.projects[i].cost,
            -scores[i],
            natural_key(election.projects[i].id),
        ),
    )
    return tuple(election.projects[i].id for i in ranked)


def resolve_tie_order(
    election: Election, tie_order: Sequence[str] | None, scores: Sequence[int] | None = None
) -> tuple[str, ...]:
    """The given order checked to name every project exactly once, or the default order."""
    if tie_order is None:
        return default_tie_order(election, scores)
    order = tuple(tie_order)
    ids = set(election.project_ids)
    unknown = [p for p in order if p not in ids]
    if unknown:
        raise AllocationError(f"tie order names unknown project(s): {', '.join(unknown)}")
    if len(set(order)) != len(order):
        raise AllocationError("tie order names a project more than once")
    missing = [p for p in election.project_ids if p not in set(order)]
    if missing:
        raise AllocationError(f"tie order leaves out project(s): {', '.join(missing)}")
    return order
