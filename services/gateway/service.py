"""The portal as one ASGI app: FastAPI pages and `/api`, with FastStream's NATS integration
for FastAPI owning the broker's lifecycle (connect at start-up, drain at shutdown) and serving
the AsyncAPI page beside the OpenAPI one.

At start-up it waits for NATS and PostgreSQL (bounded, with a log line per attempt), applies
its migrations (kit's and its own), and starts the durable consumer that keeps its index of
the time bank's events. Requests to the services go through `kit.client.ServiceClient` on the
broker's own connection (docs/messaging.md says why that path and not the broker's request)."""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from faststream.nats.fastapi import NatsRouter
from faststream.specification import AsyncAPI
from faststream.specification.asyncapi.site import get_asyncapi_html
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from contracts import Naming, ServiceContracts
from contracts.timebank import TIMEBANK
from kit.client import ServiceClient
from kit.consumer import DurableConsumer
from kit.db import KIT_MIGRATIONS, Component, create_pool, migrate
from kit.docs import build_broker
from kit.logging import get_logger
from kit.metrics import Metrics
from kit.nats import connect, ensure_stream
from kit.service import ensure_service_stream

from . import index
from .bank import SERVICES, Bank
from .domain import PUBLIC
from .handlers import api, auth, desk, oidc, pages
from .mail import LocalMailbox, NoMailer
from .repository import GatewayRepository
from .settings import GatewaySettings
from .web import SessionMiddleware, install_error_pages

log = get_logger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
STATIC = Path(__file__).parent / "static"
GATEWAY = ServiceContracts("gateway")
"""The portal publishes no events and answers no commands of its own."""


def nats_options(settings: GatewaySettings) -> dict:
    """The gateway's NATS credentials, when the deployment gives it some (issue 18)."""
    options: dict = {}
    if settings.nats_user:
        from faststream.security import SASLPlaintext

        options["security"] = SASLPlaintext(
            username=settings.nats_user, password=settings.nats_password or ""
        )
    if settings.nats_token:
        options["token"] = settings.nats_token
    if settings.nats_creds:
        options["user_credentials"] = settings.nats_creds
    return options


class Portal:
    """What the app holds while it runs."""

    def __init__(self, settings: GatewaySettings):
        self.settings = settings
        self.pool = None
        self.consumer: DurableConsumer | None = None
        self.ready = False


def build(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    naming = Naming(settings.namespace)
    portal = Portal(settings)
    metrics = Metrics("gateway")

    @contextlib.asynccontextmanager
    async def wait_for_nats(_app):
        # Before FastStream connects: a bounded wait with a clear log line, instead of its
        # supervisor looping when NATS is down (faststream issue 2632).
        probe = await connect(settings, "gateway-probe")
        await probe.close()
        yield

    router = NatsRouter(
        [s.strip() for s in settings.nats_url.split(",")],
        name="gateway",
        schema_url=None,  # our own AsyncAPI page: FastStream's adds a POST that publishes
        include_in_schema=False,
        lifespan=wait_for_nats,
        max_reconnect_attempts=-1,
        logger=None,
        **nats_options(settings),
    )

    @router.after_startup
    async def start(app: FastAPI):
        nc = router.broker._connection  # the broker's nats-py client: one connection
        portal.pool = await create_pool(
            settings.db_url("gateway"),
            settings.db_pool_min,
            settings.db_pool_max,
            settings.connect_timeout_s,
        )
        async with portal.pool.acquire() as conn:
            await migrate(
                conn, [Component("kit", KIT_MIGRATIONS), Component("gateway", MIGRATIONS)]
            )
        repo = GatewayRepository(portal.pool)
        client = ServiceClient(nc, naming, PUBLIC)
        app.state.repo = repo
        app.state.bank = Bank(client, repo, settings.request_timeout_s)
        app.state.lists = index.IndexLists(repo)
        js = nc.jetstream(timeout=10)
        await ensure_stream(nc, naming.dlq_stream(), naming.dlq_subjects(), settings)
        await ensure_service_stream(nc, naming, TIMEBANK, settings)
        portal.consumer = DurableConsumer(
            service="gateway",
            declaration=index.CONSUMER,
            own_contracts=GATEWAY,
            nc=nc,
            js=js,
            pool=portal.pool,
            naming=naming,
            settings=settings,
            metrics=metrics,
        )
        await portal.consumer.start()
        portal.ready = True
        log.info("portal started", url=settings.base_url())

    @router.on_broker_shutdown
    async def stop(_app: FastAPI):
        portal.ready = False
        if portal.consumer:
            await portal.consumer.stop()
        if portal.pool:
            with contextlib.suppress(Exception):
                await portal.pool.close()

    app = FastAPI(
        title="voorelkaar",
        version="1",
        description="De tijdbank in de browser en als JSON-API. The time bank in a browser "
        "and as a JSON API.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    # What `make docs` reads from every service's build(): its name and what it consumes.
    app.name = "gateway"
    app.consumer_declarations = {index.CONSUMER.name: index.CONSUMER}
    app.state.settings = settings
    app.state.csrf_key = (settings.secret_key or secrets.token_hex(32)).encode()
    app.state.mailer = (
        LocalMailbox(Path(settings.mailbox_dir)) if settings.mail == "mailbox" else NoMailer()
    )
    app.state.portal = portal
    app.include_router(router)
    app.add_middleware(SessionMiddleware)
    install_error_pages(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.oauth = oidc.oauth_for(settings)
    for module in (auth, oidc, pages, desk, api):
        app.include_router(module.router)
    install_operations(app, portal, metrics)
    install_asyncapi(app, naming)
    app.openapi = lambda: openapi(app)
    return app


def install_operations(app: FastAPI, portal: Portal, metrics: Metrics) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request):
        checks = {"nats": False, "database": False, "consumer": False}
        with contextlib.suppress(Exception):
            checks["database"] = bool(portal.pool and await portal.pool.fetchval("SELECT true"))
        bank = getattr(request.app.state, "bank", None)
        checks["nats"] = bool(bank and bank.client.nc and bank.client.nc.is_connected)
        checks["consumer"] = bool(portal.consumer and portal.consumer.running)
        ready = portal.ready and all(checks.values())
        status = {"status": "ready" if ready else "not ready", "checks": checks}
        return JSONResponse(status, status_code=200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus():
        return PlainTextResponse(
            generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )


def install_asyncapi(app: FastAPI, naming: Naming) -> None:
    """The AsyncAPI document of what the portal sends and reads on NATS (the operations and
    events of the services it uses), generated by FastStream from the contracts."""
    document = AsyncAPI(
        build_broker(list(SERVICES), naming),
        title="voorelkaar — NATS",
        version="1",
        description="Commands, queries and events the portal uses, from the shared contracts.",
    ).to_specification()

    @app.get("/asyncapi", include_in_schema=False)
    async def asyncapi_page():
        return HTMLResponse(get_asyncapi_html(document))

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi_json():
        return JSONResponse(document.to_jsonable())


def openapi(app: FastAPI) -> dict:
    """FastAPI's document, with each generated operation's request and result schema taken
    from its contract (the bodies are read as JSON by the contract itself, strictly)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    template = "#/components/schemas/{model}"
    for contracts in SERVICES:
        for spec in contracts.operations.values():
            path = schema["paths"].get(api.api_path(spec), {}).get("post")
            if path is None:
                continue
            for model, slot in ((spec.request, "request"), (spec.result, "result")):
                body = model.model_json_schema(
                    ref_template=template,
                    mode="validation" if slot == "request" else "serialization",
                )
                components.update(body.pop("$defs", {}))
                components[model.__name__] = body
            ref = {"$ref": template.format(model=spec.request.__name__)}
            path["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref}},
            }
            path["responses"]["200"]["content"] = {
                "application/json": {
                    "schema": {"$ref": template.format(model=spec.result.__name__)}
                }
            }
    app.openapi_schema = schema
    return schema
