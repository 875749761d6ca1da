"""A local SMTP server (aiosmtpd) that keeps every mail it accepts as a file, for the embedded
default (`make run`), the tests and the benchmark. No mail leaves the machine.

Mails are stored as `<folder>/<received>-<digest of Message-ID>.eml` (RFC 5322 text, readable
by anyone on the machine: the demo's "mailbox"). Like a mail store, it keeps one copy per
Message-ID: a message sent again with the same Message-ID (a sender that crashed between the
server's acceptance and its own record of it) is counted in `received` but not stored twice.
`read_mailbox` lists what is there, for the portal and for people.

Run on its own: `python -m kit.mailbox --folder .data/mail --port 2525`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session


def _digest(message_id: str) -> str:
    return hashlib.sha256(message_id.strip().encode()).hexdigest()[:24]


class _KeepMail:
    """aiosmtpd handler: store the mail, once per Message-ID."""

    def __init__(self, box: LocalSmtpServer):
        self.box = box

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address.lower() in self.box.reject:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content
        raw = data if isinstance(data, bytes) else data.encode()
        return self.box.keep(raw, list(envelope.rcpt_tos))


@dataclass
class LocalSmtpServer:
    """An SMTP server on `host:port` storing what it accepts under `folder` (None: in memory
    only). `received` counts every accepted SMTP transaction per Message-ID; `stored` is how
    many distinct mails were kept. `refuse` makes it answer 451 (try again later) to DATA;
    addresses in `reject` are refused for good (550) at RCPT."""

    folder: Path | None
    port: int = 2525
    host: str = "127.0.0.1"
    received: Counter = field(default_factory=Counter)
    mails: dict[str, bytes] = field(default_factory=dict)
    refuse: bool = False
    reject: set[str] = field(default_factory=set)
    _server: asyncio.base_events.Server | None = None
    _transports: set = field(default_factory=set)

    def keep(self, raw: bytes, recipients: list[str]) -> str:
        if self.refuse:
            return "451 4.3.0 try again later"
        msg = message_from_bytes(raw, policy=policy.default)
        message_id = str(msg.get("Message-ID") or hashlib.sha256(raw).hexdigest())
        self.received[message_id] += 1
        if message_id in self.mails:
            return "250 OK (already have it)"
        self.mails[message_id] = raw
        if self.folder is not None:
            name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{_digest(message_id)}.eml"
            path = self.folder / name
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(raw)
            os.chmod(tmp, 0o644)
            tmp.replace(path)  # whole or not at all
        return "250 OK"

    def _load(self) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o755)
        for path in sorted(self.folder.glob("*.eml")):
            raw = path.read_bytes()
            msg = message_from_bytes(raw, policy=policy.default)
            self.mails.setdefault(str(msg.get("Message-ID") or path.name), raw)

    async def start(self) -> LocalSmtpServer:
        self._load()
        loop = asyncio.get_running_loop()
        handler = _KeepMail(self)

        def protocol() -> SMTP:
            smtp = SMTP(handler, hostname="voorelkaar.localhost", ident="voorelkaar mailbox")
            made = smtp.connection_made

            def connection_made(transport):
                self._transports.add(transport)
                made(transport)

            lost = smtp.connection_lost

            def connection_lost(exc):
                self._transports.discard(smtp.transport)
                lost(exc)

            smtp.connection_made, smtp.connection_lost = connection_made, connection_lost
            return smtp

        self._server = await loop.create_server(protocol, self.host, self.port)
        return self

    async def stop(self) -> None:
        """Stop listening and cut every open connection (as a crashed server would)."""
        if self._server is not None:
            self._server.close()
            for transport in list(self._transports):
                transport.abort()
            self._transports.clear()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    def to(self, address: str) -> list[StoredMail]:
        """The mails kept for `address`, oldest first (from memory)."""
        mails = [read_mail(raw) for raw in self.mails.values()]
        return [m for m in mails if address.lower() in (a.lower() for a in m.to)]

    @property
    def duplicates(self) -> int:
        """SMTP transactions that carried a Message-ID already received."""
        return sum(n - 1 for n in self.received.values())


@dataclass(frozen=True)
class StoredMail:
    message_id: str
    received_at: datetime
    sender: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None


def read_mail(raw: bytes, received_at: datetime | None = None) -> StoredMail:
    msg = message_from_bytes(raw, policy=policy.default)
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    date = msg.get("Date")
    return StoredMail(
        message_id=str(msg.get("Message-ID") or ""),
        received_at=received_at or (parsedate_to_datetime(date) if date else datetime.now(UTC)),
        sender=str(msg.get("From") or ""),
        to=tuple(addr for _, addr in getaddresses([str(v) for v in msg.get_all("To", [])])),
        subject=str(msg.get("Subject") or ""),
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else None,
    )


def read_mailbox(folder: Path, address: str | None = None, limit: int = 100) -> list[StoredMail]:
    """The mails kept under `folder`, newest first; only those to `address` if given."""
    found = []
    for path in sorted(Path(folder).glob("*.eml"), reverse=True):
        received = datetime.strptime(path.name.split("-", 1)[0], "%Y%m%dT%H%M%S%f")
        mail = read_mail(path.read_bytes(), received.replace(tzinfo=UTC))
        if address is None or address.lower() in (a.lower() for a in mail.to):
            found.append(mail)
            if len(found) >= limit:
                break
    return found


async def _serve(folder: Path, host: str, port: int) -> None:
    server = await LocalSmtpServer(folder, port, host).start()
    print(f"mailbox listening on {host}:{port}, keeping mail in {folder}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started = time.monotonic()
    await stop.wait()
    await server.stop()
    print(
        f"mailbox stopped after {time.monotonic() - started:.0f}s: "
        f"{sum(server.received.values())} received, {len(server.mails)} kept",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kit.mailbox", description=__doc__)
    parser.add_argument("--folder", default=".data/mail")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    args = parser.parse_args(argv)
    asyncio.run(_serve(Path(args.folder), args.host, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
