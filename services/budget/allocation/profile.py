"""Approval ballots grouped for equal shares.

With cost utilities, voters who approve exactly the same projects are interchangeable: they
start with the same share and pay the same amounts, so the method works on distinct ballots
("groups") with a multiplicity instead of on single voters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from .models import Election


@dataclass(slots=True)
class ApprovalProfile:
    n_voters: int
    costs: list[int]
    votes: list[int]  # supporters per project
    groups: list[tuple[int, ...]]  # distinct ballots (sorted project indices)
    mult: np.ndarray  # voters per group (float64 holds these integers exactly)
    member: np.ndarray  # groups x projects, True where the group approves the project
    supp: list[np.ndarray]  # group indices approving each project
    msupp: list[np.ndarray]  # their multiplicities
    neighbours: list[frozenset[int]]  # projects sharing at least one supporter (self included)
    _mult_int: list[int] = field(default_factory=list)

    @classmethod
    def from_election(cls, election: Election) -> ApprovalProfile:
        index = election._index
        counter = Counter(tuple(sorted(index[p] for p in b.projects)) for b in election.ballots)
        groups = list(counter)
        g_count, p_count = len(groups), len(election.projects)
        mult = np.fromiter(counter.values(), dtype=np.float64, count=g_count)
        lengths = np.fromiter(map(len, groups), dtype=np.intp, count=g_count)
        cols = np.fromiter(chain.from_iterable(groups), dtype=np.intp, count=int(lengths.sum()))
        member = np.zeros((g_count, p_count), dtype=bool)
        member[np.repeat(np.arange(g_count), lengths), cols] = True
        supp = [np.flatnonzero(member[:, p]) for p in range(p_count)]
        msupp = [mult[s] for s in supp]
        as_float = member.astype(np.float32)
        overlap = (as_float.T @ as_float) > 0
        neighbours = [frozenset(np.flatnonzero(overlap[p]).tolist()) for p in range(p_count)]
        return cls(
            n_voters=len(election.ballots),
            costs=[p.cost for p in election.projects],
            votes=[round(float(ms.sum())) for ms in msupp],
            groups=groups,
            mult=mult,
            member=member,
            supp=supp,
            msupp=msupp,
            neighbours=neighbours,
            _mult_int=list(counter.values()),
        )

    @property
    def mult_int(self) -> list[int]:
        return self._mult_int
