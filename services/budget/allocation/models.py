"""The election as the domain sees it: projects, a budget, ballots and the limits ballots obey.

Money is an integer in the election's own unit (whole currency units as pabulib files use, or
cents): the rules never round. Every `Election` is validated when it is built, so an invalid one
cannot exist; a refusal names the ballot (and the `.pb` line when the election came from a file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .errors import InvalidElection

APPROVAL = "approval"
CHOOSE_1 = "choose-1"
CUMULATIVE = "cumulative"
VOTE_TYPES = (APPROVAL, CHOOSE_1, CUMULATIVE)

Pairs = tuple[tuple[str, str], ...]

_FORBIDDEN_IN_ID = (",", ";", "\n", "\r")


def pairs(mapping: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Pairs:
    """Normalise extra columns or metadata to an ordered tuple of (key, value) strings."""
    if mapping is None:
        return ()
    items = mapping.items() if isinstance(mapping, Mapping) else mapping
    return tuple((str(k), str(v)) for k, v in items)


@dataclass(frozen=True, slots=True)
class Project:
    """A proposal on the ballot. `extra` keeps the other columns of a `.pb` file in order."""

    id: str
    cost: int
    name: str = ""
    extra: Pairs = ()

    def get(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.extra:
            if k == key:
                return v
        return default


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's ballot: the projects chosen and, for cumulative ballots, the points given.

    `line` is where the ballot stood in its `.pb` file (for messages only; not part of equality).
    """

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[int, ...] | None = None
    extra: Pairs = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class BallotLimits:
    """What a valid ballot looks like: number of choices, total cost (knapsack), points."""

    min_length: int | None = None
    max_length: int | None = None
    min_sum_cost: int | None = None
    max_sum_cost: int | None = None
    min_points: int | None = None
    max_points: int | None = None
    min_sum_points: int | None = None
    max_sum_points: int | None = None

    def items(self) -> list[tuple[str, int]]:
        names = (
            "min_length",
            "max_length",
            "min_sum_cost",
            "max_sum_cost",
            "min_points",
            "max_points",
            "min_sum_points",
            "max_sum_points",
        )
        return [(n, getattr(self, n)) for n in names if getattr(self, n) is not None]


@dataclass(frozen=True, slots=True)
class Election:
    """A participatory-budgeting election: what is on the ballot, the money, and the votes.

    `rule` is the rule the organiser announced (the pabulib `rule` field), kept as text.
    `meta` keeps any other metadata in order; `project_columns` and `vote_columns` keep the column
    order of a `.pb` file so that writing it back gives the same layout. Column order and
    `warnings` (notes from reading a file) are not part of equality.
    """

    projects: tuple[Project, ...]
    budget: int
    ballots: tuple[Ballot, ...]
    vote_type: str = APPROVAL
    rule: str | None = None
    limits: BallotLimits = BallotLimits()
    min_project_score_threshold: int | None = None
    meta: Pairs = ()
    project_columns: tuple[str, ...] = field(default=(), compare=False)
    vote_columns: tuple[str, ...] = field(default=(), compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "projects", tuple(self.projects))
        object.__setattr__(self, "ballots", tuple(self.ballots))
        object.__setattr__(self, "meta", pairs(self.meta))
        object.__setattr__(self, "warnings", tuple(self.warnings))
        object.__setattr__(self, "project_columns", tuple(self.project_columns))
        object.__setattr__(self, "vote_columns", tuple(self.vote_columns))
        _validate(self)

    # -- lookups -------------------------------------------------------------------------------
    def project(self, project_id: str) -> Project:
        return self.projects[self._index[project_id]]

    def index(self, project_id: str) -> int:
        return self._index[project_id]

    @property
    def project_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.projects)

    @property
    def ballot_kind(self) -> str:
        """approval, knapsack (approval within a maximum total cost), cumulative or choose-1."""
        if self.vote_type == APPROVAL and self.limits.max_sum_cost is not None:
            return "knapsack"
        return self.vote_type

    def meta_value(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.meta:
            if k == key:
                return v
        return default

    def official_selected(self) -> frozenset[str] | None:
        """The winners the organiser announced (the `selected` column), if the file has one."""
        if not self.projects or all(p.get("selected") is None for p in self.projects):
            return None
        chosen = set()
        for p in self.projects:
            value = (p.get("selected") or "0").strip()
            if value not in {"0", "", "None", "none"}:
                chosen.add(p.id)
        return frozenset(chosen)

    def scores(self) -> list[int]:
        """Votes per project (approval kinds) or points per project (cumulative), by index."""
        counts = [0] * len(self.projects)
        index = self._index
        if self.vote_type == CUMULATIVE:
            for b in self.ballots:
                for pid, pts in zip(b.projects, b.points or (), strict=True):
                    counts[index[pid]] += pts
        else:
            for b in self.ballots:
                for pid in b.projects:
                    counts[index[pid]] += 1
        return counts

    def supporters(self) -> list[int]:
        """Number of ballots that name each project (by index), whatever the ballot kind."""
        counts = [0] * len(self.projects)
        index = self._index
        for b in self.ballots:
            for pid in b.projects:
                counts[index[pid]] += 1
        return counts


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate(e: Election) -> None:
    if not _is_int(e.budget) or e.budget < 0:
        raise InvalidElection(f"the budget must be a whole, non-negative amount, not {e.budget!r}")
    if e.vote_type not in VOTE_TYPES:
        raise InvalidElection(
            f"vote_type {e.vote_type!r} is not supported (supported: {', '.join(VOTE_TYPES)})"
        )
    if not e.projects:
        raise InvalidElection("the election has no projects")
    index: dict[str, int] = {}
    for i, p in enumerate(e.projects):
        if not isinstance(p.id, str) or not p.id.strip() or p.id != p.id.strip():
            raise InvalidElection(f"project id {p.id!r} must be non-empty, without outer spaces")
        if any(ch in p.id for ch in _FORBIDDEN_IN_ID):
            raise InvalidElection(f"project id {p.id!r} must not contain ',', ';' or line breaks")
        if p.id in index:
            raise InvalidElection(f"project {p.id!r} is listed twice")
        if not _is_int(p.cost):
            raise InvalidElection(f"project {p.id!r}: the cost must be whole, not {p.cost!r}")
        if p.cost < 0:
            raise InvalidElection(f"project {p.id!r}: the cost must not be negative ({p.cost})")
        index[p.id] = i
    object.__setattr__(e, "_index", index)

    lim = e.limits
    for name, value in lim.items():
        if not _is_int(value) or value < 0:
            raise InvalidElection(f"{name} must be a whole, non-negative number, not {value!r}")
    for low, high in (
        ("min_length", "max_length"),
        ("min_sum_cost", "max_sum_cost"),
        ("min_points", "max_points"),
        ("min_sum_points", "max_sum_points"),
    ):
        lo, hi = getattr(lim, low), getattr(lim, high)
        if lo is not None and hi is not None and lo > hi:
            raise InvalidElection(f"{low} ({lo}) is larger than {high} ({hi})")
    t = e.min_project_score_threshold
    if t is not None and (not _is_int(t) or t < 0):
        raise InvalidElection(f"min_project_score_threshold must be a whole number, not {t!r}")
    _validate_ballots(e, index)


def _validate_ballots(e: Election, index: dict[str, int]) -> None:
    lim = e.limits
    costs = {p.id: p.cost for p in e.projects}
    cumulative = e.vote_type == CUMULATIVE
    seen: set[str] = set()
    min_len, max_len = lim.min_length, lim.max_length
    if e.vote_type == CHOOSE_1:
        min_len, max_len = 1, 1
    for b in e.ballots:

        def refuse(msg: str, b: Ballot = b) -> InvalidElection:
            return InvalidElection(msg, line=b.line, voter_id=b.voter_id)

        if not isinstance(b.voter_id, str) or not b.voter_id.strip():
            raise InvalidElection("a ballot has no voter id", line=b.line)
        if b.voter_id in seen:
            raise refuse("the same voter id appears on more than one ballot")
        seen.add(b.voter_id)
        chosen = b.projects
        for pid in chosen:
            if pid not in index:
                raise refuse(f"names project {pid!r}, which is not in the election")
        if len(set(chosen)) != len(chosen):
            dup = sorted({p for p in chosen if chosen.count(p) > 1})
            raise refuse(f"names project(s) {', '.join(dup)} more than once")
        n = len(chosen)
        if min_len is not None and n < min_len:
            raise refuse(f"chooses {n} project(s); at least {min_len} required")
        if max_len is not None and n > max_len:
            raise refuse(f"chooses {n} project(s); at most {max_len} allowed")
        if lim.max_sum_cost is not None or lim.min_sum_cost is not None:
            total = sum(costs[p] for p in chosen)
            if lim.max_sum_cost is not None and total > lim.max_sum_cost:
                raise refuse(
                    f"chosen projects cost {total} in total, over the limit of {lim.max_sum_cost}"
                )
            if lim.min_sum_cost is not None and total < lim.min_sum_cost:
                raise refuse(f"chosen projects cost {total} in total, under {lim.min_sum_cost}")
        if cumulative:
            pts = b.points
            if pts is None or len(pts) != n:
                raise refuse("a cumulative ballot needs exactly one number of points per project")
            for x in pts:
                if not _is_int(x) or x < 0:
                    raise refuse(f"points must be whole, non-negative numbers, not {x!r}")
                if lim.min_points is not None and x < lim.min_points:
                    raise refuse(f"gives {x} point(s) to a project; at least {lim.min_points}")
                if lim.max_points is not None and x > lim.max_points:
                    raise refuse(f"gives {x} points to a project; at most {lim.max_points}")
            total = sum(pts)
            if lim.max_sum_points is not None and total > lim.max_sum_points:
                raise refuse(f"gives {total} points in total; at most {lim.max_sum_points}")
            if lim.min_sum_points is not None and total < lim.min_sum_points:
                raise refuse(f"gives {total} points in total; at least {lim.min_sum_points}")
        elif b.points is not None:
            raise refuse(f"points are only allowed on cumulative ballots, not {e.vote_type}")
