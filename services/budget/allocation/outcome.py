"""What a tally returns: the winners, the money spent, and an explanation for every project."""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any

# Why a project ended where it did (ProjectResult.status).
SELECTED = "selected"
DID_NOT_FIT = "did-not-fit"  # greedy: its turn came when less money was left than it costs
BELOW_THRESHOLD = "below-threshold"  # greedy-threshold: fewer votes than the threshold
AFTER_STOP = "after-stop"  # greedy-no-skip: an earlier project did not fit, counting stopped
NO_SUPPORT = "no-support"  # equal shares: nobody voted for it
NO_COST = "no-cost"  # equal shares: costs nothing, so carries no value under cost utilities
SHORT_FROM_START = "short-from-start"  # equal shares: its supporters' shares never covered it
RAN_OUT = "ran-out"  # equal shares: its supporters spent their shares on other winners first


@dataclass(frozen=True, slots=True)
class ProjectResult:
    """One line of the explanation.

    For equal shares: `price` is what each supporter who could afford it paid for a winner
    (supporters with less left paid all they had: `partial_payers`, together `partial_paid`);
    for a project that lost, `failed_round` is the round after which its supporters no longer
    had its cost between them, and `lacked` what they missed at the end.
    """

    project_id: str
    name: str
    cost: int
    score: int  # votes (approval kinds) or points (cumulative)
    supporters: int  # ballots naming the project
    selected: bool
    status: str
    note: str
    order: int | None = None  # position among the winners (1 = first chosen)
    price: Fraction | None = None
    full_payers: int | None = None
    partial_payers: int | None = None
    partial_paid: Fraction | None = None
    failed_round: int | None = None
    money_left: Fraction | None = None
    lacked: Fraction | None = None


@dataclass(frozen=True, slots=True)
class TieBreak:
    """A tie that decided something: at `step` the `tied` projects (listed in tie order) were
    equal, and `chosen` are the ones the tie order let through."""

    step: int
    tied: tuple[str, ...]
    chosen: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a tally. `winners` are in the order the rule chose them."""

    rule: str
    budget: int
    winners: tuple[str, ...]
    spent: int
    projects: tuple[ProjectResult, ...]
    tie_order: tuple[str, ...]
    ties: tuple[TieBreak, ...] = ()
    notes: tuple[str, ...] = ()
    voter_budget: Fraction | None = None  # equal shares: each voter's share in the final run
    add1_rounds: int | None = None  # equal shares with Add1: increments applied

    @property
    def winner_set(self) -> frozenset[str]:
        return frozenset(self.winners)

    def result(self, project_id: str) -> ProjectResult:
        for r in self.projects:
            if r.project_id == project_id:
                return r
        raise KeyError(project_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; exact fractions are written as 'numerator/denominator'."""
        return {
            "rule": self.rule,
            "budget": self.budget,
            "spent": self.spent,
            "winners": list(self.winners),
            "tie_order": list(self.tie_order),
            "ties": [
                {"step": t.step, "tied": list(t.tied), "chosen": list(t.chosen)} for t in self.ties
            ],
            "notes": list(self.notes),
            "voter_budget": _plain(self.voter_budget),
            "add1_rounds": self.add1_rounds,
            "projects": [
                {f.name: _plain(getattr(r, f.name)) for f in fields(ProjectResult)}
                for r in self.projects
            ],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else str(value)
    return value


def money(value: Fraction | int | None, places: int = 2) -> str:
    """A money amount for people: exact integers as they are, fractions rounded half-up."""
    if value is None:
        return ""
    if isinstance(value, int) or value.denominator == 1:
        return str(int(value))
    scaled = value * 10**places
    whole = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    sign = "-" if whole < 0 else ""
    whole = abs(whole)
    return f"{sign}{whole // 10**places}.{whole % 10**places:0{places}d}"
