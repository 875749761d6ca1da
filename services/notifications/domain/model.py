"""The shapes the notification rules work with: who is told (an audience), what (a notice),
how a person can be reached (a contact), what they want (preferences), and the result (a
delivery: one message for one person on one channel)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

Channel = Literal["email", "inbox"]
CHANNELS: tuple[Channel, ...] = ("email", "inbox")
Language = Literal["nl", "en"]
DEFAULT_LANGUAGE: Language = "nl"
DEFAULT_TIME_ZONE = "Europe/Amsterdam"


@dataclass(frozen=True)
class Person:
    """One person, by id: a time-bank member id, or a staff member's actor id."""

    id: str


@dataclass(frozen=True)
class Staff:
    """Everyone in `role` whose scopes cover `scope` (a community, a neighbourhood, a fund):
    e.g. the coordinators of a time bank, the reviewers of a neighbourhood."""

    role: str
    scope: str


Audience = Person | Staff


@dataclass(frozen=True)
class Notice:
    """What an event means for one audience: a message `kind` with the values its template
    needs (`params`, JSON-able). `mentions` maps a param name to a person id whose display name
    is filled in when the message is made (names come from the contacts projection)."""

    audience: Audience
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    mentions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Contact:
    """What messages need to reach a person, and nothing more.

    `online` False: the person does not read e-mail or the portal (a member a coordinator
    registered); `stand_in` then names who is told instead (their coordinator). `role` is
    `member` for time-bank members, else the staff role; `scopes` are where staff serve.
    """

    person_id: str
    name: str | None = None
    email: str | None = None
    language: Language = DEFAULT_LANGUAGE
    online: bool = True
    stand_in: str | None = None
    role: str = "member"
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Preferences:
    """A person's choices: `off` holds the (kind, channel) pairs they switched off; `digest`
    gathers their e-mails into one a day, sent at `digest_hour` in `time_zone` (IANA name)."""

    off: frozenset[tuple[str, Channel]] = frozenset()
    digest: bool = False
    time_zone: str = DEFAULT_TIME_ZONE
    digest_hour: int = 8

    def wants(self, kind: str, channel: Channel) -> bool:
        return (kind, channel) not in self.off


DEFAULTS = Preferences()


@dataclass(frozen=True)
class Delivery:
    """One message: for `recipient` (the person it is about, the dedup key's person), put in
    the inbox of, or mailed to, `deliver_to` (the recipient, or their stand-in). `held`: an
    e-mail waiting for the daily digest."""

    event_id: UUID
    recipient: str
    deliver_to: str
    channel: Channel
    kind: str
    language: Language
    params: dict[str, Any]
    held: bool = False

    @property
    def key(self) -> tuple[UUID, str, Channel]:
        """The dedup key: one message per (event, recipient, channel), ever."""
        return (self.event_id, self.recipient, self.channel)
