"""`python -m services.gateway`: the portal on `VOORELKAAR_HTTP_PORT` (pages, /api, /readyz)."""

from __future__ import annotations

import uvicorn

from kit.logging import configure_logging

from .service import build
from .settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level, settings.log_format)
    port = settings.http_port or 8100
    if not settings.http_port:
        settings = settings.model_copy(update={"http_port": port})
    app = build(settings)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=port,
        loop="uvloop",
        log_level=settings.log_level if settings.log_level != "debug" else "debug",
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s),
    )


main()
