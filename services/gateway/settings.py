"""The portal's settings, read from environment variables (prefix `VOORELKAAR_`) like every
service's; the NATS credentials (`nats_user`/`nats_password`, `nats_token`, `nats_creds`) are
the kit's, so the gateway's own account can be switched on by the deployment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kit.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    embedded: bool = False
    """The embedded default (`make run`): cookies without `Secure` (plain http on localhost),
    password-reset mails kept in the local mailbox folder, demo passwords printed."""
    public_url: str | None = None
    """Where people reach the portal (links in mails, the OIDC redirect); default: its address."""
    secret_key: str | None = Field(default=None, repr=False)
    """Key for CSRF tokens. Set it when more than one replica runs; one process picks a
    random key when it is unset (forms opened before a restart then ask to try again)."""
    communities: tuple[str, ...] = ("maastricht-west",)
    """Time banks people can join through this portal (the first is the default)."""
    neighbourhoods: tuple[str, ...] = ("BU09350101", "BU09350102", "BU09350103")
    """CBS codes offered in forms and filters."""
    categories: tuple[str, ...] = (
        "activiteiten",
        "boodschappen",
        "computer",
        "fietsen",
        "gezelschap",
        "klussen",
        "koken",
        "oppas",
        "taal",
        "tuin",
    )
    session_hours: float = 12.0
    request_timeout_s: float = 5.0
    """How long a page waits for a service before it says the service does not answer."""
    retry_after_s: int = 10
    login_max_failures: int = 5
    """Failed sign-ins per e-mail address, and (times four) per client address, per window."""
    login_window_s: float = 15 * 60
    reset_token_minutes: int = 60
    mail: Literal["mailbox", "none"] = "none"
    """How password-reset mails leave: `mailbox` writes them to `mailbox_dir` (the embedded
    default); `none` says on the page that reset by e-mail is not available. The notifications
    service (issue 14) becomes a third choice."""
    mailbox_dir: str = ".data/mailbox"
    oidc_issuer: str | None = None
    """An OpenID Connect provider of the municipality (its issuer URL); unset: no OIDC login."""
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    oidc_label: str = "gemeente"
    """Shown on the button: "Inloggen via <label>"."""

    def base_url(self) -> str:
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        return not self.embedded
