"""The Method of Equal Shares with cost utilities, and its Add1 completion.

Every voter gets an equal share of the budget. In each round the project that costs its
supporters the least per unit of value is bought: with cost utilities a supporter's value for a
project is its cost, so the price per unit is rho = a / cost, where `a` is what each supporter
pays (those with less left pay all they have). A project whose supporters no longer have its
cost between them drops out. The method stops when nothing is affordable. A project that costs
nothing carries no value under cost utilities and is never chosen (as in pabutools and the
equalshares.net reference code).

Add1 (as cities use it): raise every voter's share by one currency unit at a time and re-run;
keep the last outcome whose cost fits the real budget ("equalshares/add1"). Pabutools' default
stops earlier, at the first outcome that is exhaustive ("equalshares/add1-exhaustive").

Arithmetic. The reference engine (`run_reference`) is exact throughout (fractions). The fast
engine (`run_fast`) ranks candidates with floats and settles in exact fractions every decision
whose float margin is below TOL (relative): near-equal prices, a supporters' total near the
cost. Exact values come from a replay of the round's winners (`_Exact`), which keeps each
group's budget as share - (sum of the exact prices it paid in full), or 0 once it has paid all
it had. So a float never decides a winner; it only saves work when the answer is clear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .profile import ApprovalProfile

TOL = 1e-7  # relative margin: float comparisons closer than this are settled exactly
_CLASS_TOL = 1e-9  # relative band in which a supporter's float budget is checked exactly


class _Inconsistent(Exception):
    """The float guide and the exact replay disagree beyond their margins (never expected)."""


@dataclass(slots=True)
class Run:
    """One run of the method at a fixed share per voter."""

    share: Fraction
    winners: list[int]  # project indices in the order chosen
    ties: list[tuple[int, tuple[int, ...], int]] = field(default_factory=list)
    settled_exactly: int = 0  # decisions the fast engine settled in exact arithmetic


# -- reference engine: exact fractions, simple --------------------------------------------------


def run_reference(prof: ApprovalProfile, share: Fraction, rank: list[int]) -> Run:
    """Exact equal shares at `share` per voter. Voters are kept in classes of equal budget."""
    costs, votes = prof.costs, prof.votes
    winners: list[int] = []
    cls = np.zeros(len(prof.mult), dtype=np.intp)
    values: list[Fraction] = [share]
    value_id = {share: 0}
    rho: dict[int, Fraction] = {}
    for p, (c, n) in enumerate(zip(costs, votes, strict=True)):
        if c > 0 and n > 0 and share * n >= c:
            rho[p] = Fraction(1, n)
    dirty: set[int] = set()
    run = Run(share, winners)
    while rho:
        best: Fraction | None = None
        tied: list[int] = []
        for p in sorted(rho, key=lambda q: (rho[q], rank[q])):
            if best is not None and rho[p] > best:
                break
            if p in dirty:
                dirty.discard(p)
                a = _alpha_by_class(cls, values, prof.supp[p], prof.msupp[p], costs[p])
                if a is None:
                    del rho[p]
                    continue
                rho[p] = a / costs[p]
                if best is not None and rho[p] > best:
                    continue
            if best is None or rho[p] < best:
                best, tied = rho[p], [p]
            elif rho[p] == best:
                tied.append(p)
        if best is None:
            break
        tied.sort(key=rank.__getitem__)
        w = tied[0]
        if len(tied) > 1:
            run.ties.append((len(winners) + 1, tuple(tied), w))
        price = best * costs[w]
        s = prof.supp[w]
        old = cls[s]
        remap = np.arange(len(values), dtype=np.intp)
        for c in np.unique(old).tolist():
            v = values[c]
            nv = v - price if v > price else Fraction(0)
            i = value_id.get(nv)
            if i is None:
                i = value_id[nv] = len(values)
                values.append(nv)
            remap[c] = i
        cls[s] = remap[old]
        winners.append(w)
        del rho[w]
        dirty.update(q for q in prof.neighbours[w] if q in rho)
    return run


def _alpha_by_class(cls, values, supp, msupp, cost) -> Fraction | None:
    counts = np.bincount(cls[supp], weights=msupp)
    pairs = sorted((values[i], round(counts[i])) for i in np.flatnonzero(counts).tolist())
    if sum(v * k for v, k in pairs) < cost:
        return None
    poor, rich = Fraction(0), sum(k for _, k in pairs)
    for v, k in pairs:
        a = (cost - poor) / rich
        if v >= a:
            return a
        poor += v * k
        rich -= k
    raise AssertionError("affordable project without a price")  # pragma: no cover


# -- exact replay ---------------------------------------------------------------------------------


class _Exact:
    """Exact budgets along a known sequence of paid winners.

    A group that always could pay the full price has `share - sum(prices it paid)` left; one that
    once paid less (all it had) has nothing left ("dead"). `v` mirrors the budgets in floats to
    find the few groups whose side of a price needs an exact look.
    """

    def __init__(self, prof: ApprovalProfile, share: Fraction):
        self.prof = prof
        self.share = share
        self.scale = float(share)
        self.v = np.full(len(prof.mult), float(share))
        self.alive = np.ones(len(prof.mult), dtype=bool)
        self.paid: list[int] = []
        self.prices: list[Fraction] = []

    def sync(self, paid: list[int]) -> _Exact:
        for w in paid[len(self.paid) :]:
            self.advance(w)
        return self

    def _spent_by(self, rows: np.ndarray, mult: np.ndarray) -> Fraction:
        """Exact total the given groups paid so far (all of them alive)."""
        if not self.paid or len(rows) == 0:
            return Fraction(0)
        counts = mult @ self.prof.member[np.ix_(rows, self.paid)]
        return sum(
            (price * round(k) for price, k in zip(self.prices, counts.tolist(), strict=True) if k),
            Fraction(0),
        )

    def budget_of(self, g: int) -> Fraction:
        if not self.alive[g]:
            return Fraction(0)
        row = self.prof.member[g, self.paid] if self.paid else ()
        return self.share - sum(
            (p for p, yes in zip(self.prices, row, strict=True) if yes), Fraction(0)
        )

    def money(self, p: int) -> Fraction:
        """What the supporters of project p have left together, exactly."""
        idx, m = self.prof.supp[p], self.prof.msupp[p]
        alive = self.alive[idx]
        rows, mult = idx[alive], m[alive]
        return self.share * round(float(mult.sum())) - self._spent_by(rows, mult)

    def price(self, p: int):
        """Exact price of p now: (price, poor mask over its supporters, full payers, poor paid).

        None when its supporters cannot pay it.
        """
        prof = self.prof
        idx, m, cost = prof.supp[p], prof.msupp[p], prof.costs[p]
        alive = self.alive[idx]
        v = self.v[idx]
        money_f = float(v @ m)
        if money_f < cost * (1 - TOL):
            return None
        if money_f <= cost * (1 + TOL) and self.money(p) < cost:
            return None
        a_f = _newton(v, m, cost, cost / float(m.sum()))
        band = _CLASS_TOL * max(self.scale, a_f, 1.0)
        poor_clear = alive & (v < a_f - band)
        unclear = alive & (np.abs(v - a_f) <= band)
        rich_clear = alive & (v > a_f + band)
        poor_paid = self.share * round(float(m[poor_clear].sum())) - self._spent_by(
            idx[poor_clear], m[poor_clear]
        )
        full = round(float(m[rich_clear].sum()) + float(m[unclear].sum()))
        positions = np.flatnonzero(unclear)
        budgets = [self.budget_of(int(g)) for g in idx[positions].tolist()]
        weights = [round(x) for x in m[positions].tolist()]
        poor_mask = ~alive | poor_clear
        price = None
        for k in sorted(range(len(budgets)), key=budgets.__getitem__):
            a = (cost - poor_paid) / full
            if budgets[k] >= a:
                price = a
                break
            poor_paid += budgets[k] * weights[k]
            full -= weights[k]
            poor_mask[positions[k]] = True
        if price is None:
            if full <= 0:  # the float guide was off beyond its band: never seen, but be exact
                return self.price_exactly(p)
            price = (cost - poor_paid) / full
        if abs(float(price) - a_f) > band:
            return self.price_exactly(p)
        return price, poor_mask, full, poor_paid

    def price_exactly(self, p: int):
        """Same as `price`, from the exact budget of every supporter (slow, no float guide)."""
        idx, m, cost = self.prof.supp[p], self.prof.msupp[p], self.prof.costs[p]
        alive = self.alive[idx]
        positions = np.flatnonzero(alive).tolist()
        budgets = [self.budget_of(int(idx[k])) for k in positions]
        weights = [round(float(m[k])) for k in positions]
        if sum((b * w for b, w in zip(budgets, weights, strict=True)), Fraction(0)) < cost:
            return None
        poor_mask = ~alive
        poor_paid, full = Fraction(0), sum(weights)
        for j in sorted(range(len(budgets)), key=budgets.__getitem__):
            price = (cost - poor_paid) / full
            if budgets[j] >= price:
                return price, poor_mask, full, poor_paid
            poor_paid += budgets[j] * weights[j]
            full -= weights[j]
            poor_mask[positions[j]] = True
        raise AssertionError("affordable project without a price")  # pragma: no cover

    def advance(self, w: int, priced=None) -> None:
        priced = priced or self.price(w)
        if priced is None:
            raise _Inconsistent(f"winner {w} is not affordable in the exact replay")
        price, poor_mask = priced[0], priced[1]
        idx = self.prof.supp[w]
        poor, rich = idx[poor_mask], idx[~poor_mask]
        self.alive[poor] = False
        self.v[poor] = 0.0
        self.v[rich] -= float(price)
        self.paid.append(w)
        self.prices.append(price)


def _newton(v: np.ndarray, m: np.ndarray, cost: float, start: float) -> float:
    """Float root of sum(m * min(v, a)) = cost from below (the function is concave, so Newton
    steps from the left never overshoot and end in the right linear piece)."""
    a = start
    for _ in range(200):
        rich = v > a
        slope = float(m @ rich)
        if slope <= 0:
            break
        gap = cost - float(np.minimum(v, a) @ m)
        if gap <= cost * 1e-15:
            break
        a += gap / slope
    return a


# -- fast engine ----------------------------------------------------------------------------------


def run_fast(prof: ApprovalProfile, share: Fraction, rank: list[int], tol: float = TOL) -> Run:
    """Equal shares at `share` per voter; same result as `run_reference`, much faster."""
    try:
        return _run_fast(prof, share, rank, tol)
    except _Inconsistent:  # pragma: no cover - a safety net, not a path we expect
        return run_reference(prof, share, rank)


def _run_fast(prof: ApprovalProfile, share: Fraction, rank: list[int], tol: float) -> Run:
    costs, votes, supp, msupp = prof.costs, prof.votes, prof.supp, prof.msupp
    v = np.full(len(prof.mult), float(share))
    winners: list[int] = []
    run = Run(share, winners)
    rho: dict[int, float] = {}
    alpha: dict[int, float] = {}
    for p, (c, n) in enumerate(zip(costs, votes, strict=True)):
        if c > 0 and n > 0 and share * n >= c:
            rho[p], alpha[p] = 1.0 / n, c / n
    dirty: set[int] = set()
    paid: list[int] = []
    exact: _Exact | None = None

    def replay() -> _Exact:
        nonlocal exact
        if exact is None:
            exact = _Exact(prof, share)
        return exact.sync(paid)

    while rho:
        best = math.inf
        near: list[int] = []
        for p in sorted(rho, key=rho.__getitem__):
            if rho[p] > best * (1 + tol):
                break
            if p in dirty:
                dirty.discard(p)
                c = costs[p]
                vs, ms = v[supp[p]], msupp[p]
                money = float(vs @ ms)
                if money < c * (1 - tol):
                    del rho[p]
                    continue
                if money <= c * (1 + tol):
                    run.settled_exactly += 1
                    if replay().money(p) < c:
                        del rho[p]
                        continue
                alpha[p] = _newton(vs, ms, c, alpha[p])
                rho[p] = alpha[p] / c
                if rho[p] > best * (1 + tol):
                    continue
            near.append(p)
            best = min(best, rho[p])
        near = [p for p in near if rho[p] <= best * (1 + tol)]
        if not near:
            break
        if len(near) == 1:
            w = near[0]
            price = alpha[w]
        else:
            run.settled_exactly += 1
            ex = replay()
            exact_rho: dict[int, Fraction] = {}
            for p in near:
                priced = ex.price(p)
                if priced is None:
                    del rho[p]
                else:
                    exact_rho[p] = priced[0] / costs[p]
            if not exact_rho:
                continue
            lowest = min(exact_rho.values())
            tied = sorted((p for p in exact_rho if exact_rho[p] == lowest), key=rank.__getitem__)
            w = tied[0]
            if len(tied) > 1:
                run.ties.append((len(winners) + 1, tuple(tied), w))
            price = float(lowest * costs[w])
        s = supp[w]
        v[s] = np.maximum(v[s] - price, 0.0)
        winners.append(w)
        paid.append(w)
        del rho[w]
        dirty.update(q for q in prof.neighbours[w] if q in rho)
    return run


# -- explanation of a final run -----------------------------------------------------------


@dataclass(slots=True)
class Paid:
    """How the supporters paid for a winner."""

    price: Fraction
    full_payers: int
    partial_payers: int
    partial_paid: Fraction
    empty_handed: int  # supporters with nothing left, who paid nothing


@dataclass(slots=True)
class Lost:
    """Why a supported project lost: after `failed_at` winners its supporters had less than its
    cost between them (0: even their first shares did not cover it)."""

    failed_at: int
    money_left: Fraction


def explain_run(prof: ApprovalProfile, run: Run) -> tuple[dict[int, Paid], dict[int, Lost]]:
    """Exact payments per winner and the round each supported loser fell out."""
    costs, votes = prof.costs, prof.votes
    ex = _Exact(prof, run.share)
    won = set(run.winners)
    losers = [p for p in range(len(costs)) if p not in won and votes[p] > 0 and costs[p] > 0]
    failed: dict[int, int] = {}
    for p in losers:
        if run.share * votes[p] < costs[p]:
            failed[p] = 0
    paid: dict[int, Paid] = {}
    position = 0
    for w in run.winners:
        position += 1
        priced = ex.price(w)
        if priced is None:  # pragma: no cover - the run chose it, so it was affordable
            raise _Inconsistent(f"winner {w} unaffordable on replay")
        price, poor_mask, full, poor_paid = priced
        idx, m = prof.supp[w], prof.msupp[w]
        alive = ex.alive[idx]
        partial = alive & poor_mask
        paid[w] = Paid(
            price=price,
            full_payers=full,
            partial_payers=round(float(m[partial].sum())),
            partial_paid=poor_paid,
            empty_handed=round(float(m[~alive].sum())),
        )
        ex.advance(w, priced)
        for p in losers:
            if p in failed or p not in prof.neighbours[w]:
                continue
            money_f = float(ex.v[prof.supp[p]] @ prof.msupp[p])
            if money_f < costs[p] * (1 - TOL) or (
                money_f <= costs[p] * (1 + TOL) and ex.money(p) < costs[p]
            ):
                failed[p] = position
    lost = {p: Lost(failed.get(p, position), ex.money(p)) for p in losers}
    return paid, lost
