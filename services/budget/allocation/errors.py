"""Errors of the allocation domain: every refusal names the line or the ballot it is about."""

from __future__ import annotations


class AllocationError(ValueError):
    """Base class: the input cannot be tallied as given."""


class InvalidElection(AllocationError):
    """An election (projects, budget, ballots) breaks a rule of its own or of the format.

    `line` is the 1-based line of a `.pb` file when the election came from one; `voter_id` names
    the ballot when a ballot is at fault.
    """

    def __init__(self, message: str, *, line: int | None = None, voter_id: str | None = None):
        self.line = line
        self.voter_id = voter_id
        where = []
        if line is not None:
            where.append(f"line {line}")
        if voter_id is not None:
            where.append(f"ballot of voter {voter_id!r}")
        self.reason = message
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class PabulibFormatError(InvalidElection):
    """A `.pb` text is malformed (sections, headers, columns, numbers)."""


class UnsupportedRule(AllocationError):
    """The rule is unknown, or cannot be applied to this kind of ballot."""
