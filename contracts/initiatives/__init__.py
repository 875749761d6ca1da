"""The initiatives service's published interface: applications from draft to closing report,
reviews and decisions, discretionary grants, reports, the monitoring figures and the public
transparency register.

Money is integer euro cents, hours integer minutes. See docs/initiative-fund.md for how these
events and the budget service's events work together.
"""

from .applications import *  # noqa: F403
from .applications import __all__ as _applications
from .base import ERRORS, INITIATIVES
from .reports import *  # noqa: F403
from .reports import __all__ as _reports
from .reviews import *  # noqa: F403
from .reviews import __all__ as _reviews
from .views import *  # noqa: F403
from .views import __all__ as _views

__all__ = ["ERRORS", "INITIATIVES", *_applications, *_reports, *_reviews, *_views]
