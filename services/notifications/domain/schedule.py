"""When things happen: retries after a failed send, the daily digest, and retention.
Pure: every function takes the current time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: the n-th failed attempt waits `base_s * 2**(n-1)`, at most
    `cap_s`; after `max_attempts` attempts a message is failed (an operator may retry it).
    With the defaults (5 s, 15 min cap, 12 attempts) a message keeps trying for about 1.6 h."""

    base_s: float = 5.0
    cap_s: float = 900.0
    max_attempts: int = 12

    def delay_after(self, attempts: int) -> float:
        """Seconds to wait after `attempts` failed attempts (1 = the first failed)."""
        return min(self.base_s * 2 ** max(attempts - 1, 0), self.cap_s)

    def gives_up(self, attempts: int, permanent: bool) -> bool:
        """A permanent refusal (SMTP 5xx: no such mailbox) is final at once; a transient one
        (server down, 4xx) after `max_attempts` attempts."""
        return permanent or attempts >= self.max_attempts


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`; raises ValueError naming it when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def digest_day(now: datetime, time_zone: str, hour: int, last_sent_on: date | None) -> date | None:
    """The local day whose digest is due now, or None.

    A digest is due once per local day, from `hour` o'clock in the person's time zone (so it
    follows daylight saving time: 08:00 stays 08:00 local). `last_sent_on` is the local day of
    the previous digest. On a day whose `hour` does not exist locally (a DST jump) it is due
    from the first hour after it.
    """
    local = now.astimezone(zone(time_zone))
    if local.hour < hour:
        return None
    if last_sent_on is not None and last_sent_on >= local.date():
        return None
    return local.date()


def retention_cutoff(now: datetime, days: float) -> datetime:
    """Messages created before this are deleted (the inbox and sent or failed e-mails)."""
    return now - timedelta(days=days)


DIGEST_NAMESPACE = UUID("5d8e2b47-93c1-4f0a-8d5e-1c7a9b3e6f20")


def digest_event_id(person_id: str, day: date) -> UUID:
    """The digest's stand-in event id: one digest per person and local day, by the dedup key."""
    return uuid5(DIGEST_NAMESPACE, f"digest/{person_id}/{day.isoformat()}")
