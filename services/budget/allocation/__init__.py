"""Allocation engine of the budget service: who wins a participatory-budgeting round, and why.

Pure domain code: no I/O. Read and write pabulib `.pb` text with `parse_pb` / `format_pb`,
compute winners with `tally`. See docs/allocation.md.
"""

from .errors import AllocationError, InvalidElection, PabulibFormatError, UnsupportedRule
from .models import (
    APPROVAL,
    CHOOSE_1,
    CUMULATIVE,
    Ballot,
    BallotLimits,
    Election,
    Project,
)
from .outcome import Outcome, ProjectResult, TieBreak
from .pabulib import format_pb, parse_pb
from .rules import RULES, tally
from .tiebreak import default_tie_order

__all__ = [
    "APPROVAL",
    "CHOOSE_1",
    "CUMULATIVE",
    "RULES",
    "AllocationError",
    "Ballot",
    "BallotLimits",
    "Election",
    "InvalidElection",
    "Outcome",
    "PabulibFormatError",
    "Project",
    "ProjectResult",
    "TieBreak",
    "UnsupportedRule",
    "default_tie_order",
    "format_pb",
    "parse_pb",
    "tally",
]
