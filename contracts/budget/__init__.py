"""The budget service's published interface: funds and earmarks, panels, ballot rounds and
ballots, allocations, and finance (payouts, statements, returns, reconciliation, close).

Money is integer euro cents (`Cents`, `PositiveCents`). See docs/initiative-fund.md for how
these events and the initiatives service's events work together.
"""

from .allocations import *  # noqa: F403
from .allocations import __all__ as _allocations
from .base import BUDGET, ERRORS
from .finance import *  # noqa: F403
from .finance import __all__ as _finance
from .funds import *  # noqa: F403
from .funds import __all__ as _funds
from .rounds import *  # noqa: F403
from .rounds import __all__ as _rounds

__all__ = ["BUDGET", "ERRORS", *_allocations, *_finance, *_funds, *_rounds]
