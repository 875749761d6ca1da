"""Mail to people (today: password-reset links), behind one small interface.

The notifications service (issue 14) will own every message people receive, in their language
and with their preferences; until it answers, the portal hands mail to a `Mailer`. In the
embedded default that is `LocalMailbox`, which keeps each mail as an .eml file in the data
folder (where `make run` says to look); elsewhere `NoMailer` says honestly that no mail can be
sent, and the page tells the person to ask their coordinator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from contracts import new_id
from kit.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    available: bool

    async def send(self, mail: Mail) -> None:
        """Hand the mail over; raises OSError when it could not be."""


class LocalMailbox:
    """Writes each mail to `<folder>/<time>-<id>.eml`; logs the file, never the address."""

    available = True

    def __init__(self, folder: Path):
        self.folder = folder

    async def send(self, mail: Mail) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        message = EmailMessage()
        message["To"] = mail.to
        message["From"] = "voorelkaar <noreply@localhost>"
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        path = self.folder / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{new_id()}.eml"
        path.write_bytes(bytes(message))
        log.info("mail kept in the local mailbox", file=str(path))

    def messages(self) -> list[EmailMessage]:
        """Every mail kept, oldest first (for the person running it locally, and tests)."""
        from email import message_from_bytes, policy

        return [
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(self.folder.glob("*.eml"))
        ]


class NoMailer:
    available = False

    async def send(self, mail: Mail) -> None:
        raise OSError("no mail is configured for this portal")
