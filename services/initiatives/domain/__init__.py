"""The initiatives service's pure domain: the application's state machine and history,
screening against fund rules, review and decisions, the discretionary limit, reports, hours,
and what the public sees. No I/O."""

from . import allocations
from .allocations import NotYet, Outcome
from .application import GRANTED_STATES, TRANSITIONS, Application, Change
from .areas import covered, covers
from .decisions import (
    Room,
    check_amount,
    check_assessments,
    check_decidable,
    check_meeting,
    limit_of,
)
from .funds import Earmark, newer
from .hours import VolunteerMinutes, from_posted, from_reversed
from .money import euros
from .register import initials, public_name
from .reporting import report_lines
from .screening import screen

__all__ = [
    "GRANTED_STATES",
    "TRANSITIONS",
    "Application",
    "Change",
    "Earmark",
    "NotYet",
    "Outcome",
    "Room",
    "VolunteerMinutes",
    "allocations",
    "check_amount",
    "check_assessments",
    "check_decidable",
    "check_meeting",
    "covered",
    "covers",
    "euros",
    "from_posted",
    "from_reversed",
    "initials",
    "limit_of",
    "newer",
    "public_name",
    "report_lines",
    "screen",
]
