"""The notifications service's interface: a person's inbox and preferences, staff contact
details, and the operator's view of e-mails that failed.

Every personal operation names the person (`person_id`) and may only be used by that person
(`Policy.own` binds members; the service itself refuses anyone else, staff included, with
`not_your_inbox`). Kinds of message: `services/notifications/domain/kinds.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from .errors import COMMON_ERRORS, ErrorCatalogue
from .registry import Policy, ServiceContracts
from .types import Contract, Email, Language, Name, UtcDateTime

ERRORS = COMMON_ERRORS.merged(
    ErrorCatalogue(
        {
            "not_your_inbox": (
                "Dit zijn niet uw berichten of instellingen.",
                "These are not your messages or settings.",
            ),
            "unknown_kind": (
                "Dit soort bericht bestaat niet: {kind}.",
                "There is no such kind of message: {kind}.",
            ),
            "unknown_time_zone": (
                "Deze tijdzone bestaat niet: {time_zone}.",
                "This time zone does not exist: {time_zone}.",
            ),
            "no_demo_mailbox": (
                "Er is geen demo-postbus: e-mail gaat naar een echte mailserver.",
                "There is no demo mailbox: e-mail goes to a real mail server.",
            ),
        }
    )
)

NOTIFICATIONS = ServiceContracts("notifications", errors=ERRORS)

PersonId = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")
]
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Channel = Literal["email", "inbox"]
TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=64)]

MEMBERS = frozenset({"resident", "organisation", "panel_member"})
STAFF = frozenset({"coordinator", "reviewer", "finance", "operator"})
PEOPLE = MEMBERS | STAFF
OWN = Policy(PEOPLE, own="person_id")


class SetContact(Contract):
    """Staff give the address their messages go to. Their role and where they serve (the
    communities, neighbourhoods or funds they get messages about) are taken from the signed-in
    actor. Members' contact details come from the time bank's member events."""

    person_id: PersonId
    name: Name | None = None
    email: Email | None = None
    language: Language = "nl"


class Switch(Contract):
    kind: Kind
    channel: Channel


class SetPreferences(Contract):
    person_id: PersonId
    off: Annotated[list[Switch], Field(max_length=200)] = Field(
        default_factory=list, description="The kinds of message switched off, per channel"
    )
    digest: bool = Field(default=False, description="One e-mail a day instead of each one")
    time_zone: TimeZone = "Europe/Amsterdam"
    digest_hour: Annotated[int, Field(ge=0, le=23)] = Field(
        default=8, description="When the daily digest goes out, in the person's time zone"
    )


class PersonRef(Contract):
    person_id: PersonId


class Preferences(SetPreferences):
    kinds: list[Kind] = Field(description="Every kind of message there is")


class MarkRead(Contract):
    person_id: PersonId
    message_ids: Annotated[list[UUID], Field(max_length=500)] = Field(default_factory=list)
    all: bool = Field(default=False, description="Mark every message read")


class Marked(Contract):
    marked: int


class InboxQuery(Contract):
    person_id: PersonId
    unread_only: bool = False
    before: UUID | None = Field(default=None, description="Cursor: the last message id seen")
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class InboxItem(Contract):
    message_id: UUID
    kind: Kind
    subject: str
    paragraphs: list[str]
    for_name: str | None = Field(default=None, description="Pass it on to this member")
    created_at: UtcDateTime
    read_at: UtcDateTime | None = None


class Inbox(Contract):
    items: list[InboxItem]
    unread: int
    next_before: UUID | None = None


class FailedQuery(Contract):
    limit: Annotated[int, Field(ge=1, le=500)] = 100


class FailedMessage(Contract):
    message_id: UUID
    kind: Kind
    deliver_to: PersonId
    attempts: int
    last_error: str | None
    created_at: UtcDateTime


class FailedMessages(Contract):
    messages: list[FailedMessage]
    total: int


class RetryFailed(Contract):
    message_ids: Annotated[list[UUID], Field(max_length=1000)] = Field(
        default_factory=list, description="Empty: every failed message"
    )


class Requeued(Contract):
    requeued: int


class MailboxQuery(Contract):
    person_id: PersonId
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class DemoMail(Contract):
    message_id: str
    received_at: UtcDateTime
    subject: str
    text: str
    html: str | None


class DemoMailbox(Contract):
    address: str | None
    mails: list[DemoMail]


OPERATORS = Policy(frozenset({"operator", "system"}))

SET_CONTACT = NOTIFICATIONS.command(
    "set_contact",
    SetContact,
    PersonRef,
    "Staff: where my messages go, and in which language.",
    ("not_your_inbox",),
    policy=Policy(STAFF, own="person_id"),
)
SET_PREFERENCES = NOTIFICATIONS.command(
    "set_preferences",
    SetPreferences,
    PersonRef,
    "Which messages I get on which channel; a daily digest instead of single e-mails.",
    ("not_your_inbox", "unknown_kind", "unknown_time_zone"),
    policy=OWN,
)
MARK_READ = NOTIFICATIONS.command(
    "mark_read", MarkRead, Marked, "Mark messages in my inbox read.", ("not_your_inbox",), OWN
)
RETRY_FAILED = NOTIFICATIONS.command(
    "retry_failed",
    RetryFailed,
    Requeued,
    "Operator: send failed e-mails again (after the mail server is fixed).",
    policy=OPERATORS,
)
LIST_INBOX = NOTIFICATIONS.query(
    "list_inbox", InboxQuery, Inbox, "My messages, newest first.", ("not_your_inbox",), OWN
)
GET_PREFERENCES = NOTIFICATIONS.query(
    "get_preferences", PersonRef, Preferences, "My message settings.", ("not_your_inbox",), OWN
)
FAILED_MESSAGES = NOTIFICATIONS.query(
    "failed_messages",
    FailedQuery,
    FailedMessages,
    "Operator: e-mails that could not be sent, with why.",
    policy=OPERATORS,
)
DEMO_MAILBOX = NOTIFICATIONS.query(
    "demo_mailbox",
    MailboxQuery,
    DemoMailbox,
    "The embedded default's local mail server: the mails it received for me.",
    ("not_your_inbox", "no_demo_mailbox"),
    OWN,
)
