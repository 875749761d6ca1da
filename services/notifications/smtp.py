"""E-mail over SMTP (aiosmtplib): one connection per sending lane, kept open between messages
and opened again after a failure. Every failure is classified: permanent (the server refused
this message or recipient for good: SMTP 5xx on RCPT or DATA) or transient (server down,
timeout, 4xx, authentication or sender trouble, which an operator fixes): transient ones are
retried with backoff. Configured by environment variables `VOORELKAAR_SMTP_*`."""

from __future__ import annotations

import contextlib
from email.message import EmailMessage
from typing import Literal

import aiosmtplib
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmtpSettings(BaseSettings):
    """Where mail goes. `security`: `none` (plain, e.g. the local demo server), `starttls`
    (upgrade on port 587, required), `tls` (implicit TLS, port 465)."""

    model_config = SettingsConfigDict(env_prefix="VOORELKAAR_SMTP_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int = 2525
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: str | None = Field(default=None, repr=False)
    sender: str = "voorelkaar <noreply@voorelkaar.localhost>"
    timeout_s: float = 15.0
    validate_certs: bool = True


class SendFailed(Exception):
    """A message was not accepted. `permanent`: sending it again will not help."""

    def __init__(self, reason: str, permanent: bool, unreachable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.unreachable = unreachable
        """The server could not be reached at all (down, refused, cut off, timed out)."""


def classify(exc: BaseException) -> SendFailed:
    """Turn an aiosmtplib or socket error into a SendFailed with a short reason."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        reason = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
        return SendFailed(f"recipient refused: {reason}", all(c >= 500 for c in codes))
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return SendFailed(f"refused: {exc.code} {exc.message}", exc.code >= 500)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return SendFailed(f"{type(exc).__name__}: {exc.code} {exc.message}", False)
    unreachable = isinstance(
        exc,
        aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected | OSError | TimeoutError,
    ) or isinstance(exc, aiosmtplib.SMTPTimeoutError)
    return SendFailed(f"{type(exc).__name__}: {exc}", False, unreachable)


class SmtpSender:
    """Sends messages over one SMTP connection, reconnecting when needed (not thread- or
    task-safe: one per sending lane)."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    def _new_client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=s.password,
            use_tls=s.security == "tls",
            start_tls=True if s.security == "starttls" else False,
            validate_certs=s.validate_certs,
            timeout=s.timeout_s,
        )

    async def send(self, message: EmailMessage, to: str) -> None:
        """Send `message` to `to`; raises SendFailed. Returns once the server accepted it."""
        try:
            if self._client is None or not self._client.is_connected:
                self._client = self._new_client()
                await self._client.connect()
            await self._client.send_message(
                message, sender=_address(self.settings.sender), recipients=[to]
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            failure = classify(exc)
            if not failure.permanent:
                await self.close()  # a fresh connection for the next try
            raise failure from exc

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            with contextlib.suppress(Exception):
                await client.quit()
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()


def _address(sender: str) -> str:
    """The bare address of "Name <addr>" for the envelope (MAIL FROM)."""
    from email.utils import parseaddr

    return parseaddr(sender)[1] or sender
