"""Volunteer hours for an initiative from the time bank (issue 11): a posted transfer that
names the initiative adds minutes to the person who gave them (the provider, who is credited);
a reversal takes them off that person again. Distinct volunteers are those with minutes left.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from contracts.timebank import TransferPosted, TransferReversed


@dataclass(frozen=True)
class VolunteerMinutes:
    """One entry of an initiative's hours: + for a posted transfer, - for a reversal."""

    transfer_id: UUID
    initiative_id: UUID
    member_id: UUID
    minutes: int


def from_posted(t: TransferPosted) -> VolunteerMinutes | None:
    """The minutes a posted transfer gives an initiative, or None if it names none (or is not
    in hours, or has nobody who gave them)."""
    if t.initiative_id is None or t.unit != "hour" or t.credit_member_id is None:
        return None
    return VolunteerMinutes(t.transfer_id, t.initiative_id, t.credit_member_id, t.amount)


def from_reversed(t: TransferReversed) -> VolunteerMinutes | None:
    """A reversal pays back from the one who was credited: its debit side is the volunteer."""
    if t.initiative_id is None or t.unit != "hour" or t.debit_member_id is None:
        return None
    return VolunteerMinutes(t.transfer_id, t.initiative_id, t.debit_member_id, -t.amount)
