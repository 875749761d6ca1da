"""The budget service's fund rules as this service keeps them: per earmark, the rules of the
highest fund revision seen (events may arrive late or twice; see docs/initiative-fund.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from contracts import Refusal
from contracts.funding import EarmarkRules, LimitPeriod, period_of


@dataclass(frozen=True)
class Earmark:
    """One earmark with its fund's name, year and time zone, at `revision`."""

    fund_id: UUID
    fund_name: str
    fund_year: int
    time_zone: str
    earmark_id: UUID
    name: str
    neighbourhood: str | None
    rules: EarmarkRules
    revision: int
    active: bool = True

    def decides_by(self, path: str) -> None:
        """Raises Refusal `path_not_allowed` unless this earmark decides by `path`."""
        if path not in self.rules.decided_by:
            raise Refusal("path_not_allowed", {"path": path}, path=path)

    def period(self, now: datetime, kind: LimitPeriod) -> str:
        """The calendar period `now` falls in, in the fund's time zone (`2027-Q1`)."""
        return period_of(now.astimezone(ZoneInfo(self.time_zone)).date(), kind)


def newer(stored_revision: int | None, revision: int) -> bool:
    """Whether a fact of `revision` replaces what was stored at `stored_revision`."""
    return stored_revision is None or revision > stored_revision
