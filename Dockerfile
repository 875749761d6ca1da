# syntax=docker/dockerfile:1
# One image for every voorelkaar service. Pick the service with the command:
#
#   docker build -t voorelkaar:0.1.0 .
#   docker run --rm voorelkaar:0.1.0                                   # usage
#   docker run --rm -e VOORELKAAR_NATS_URL=... -e VOORELKAAR_DATABASE_URL=... \
#       voorelkaar:0.1.0 python -m services.timebank                   # a service
#   docker run --rm -e VOORELKAAR_DATABASE_URL=... voorelkaar:0.1.0 voorelkaar check-ledger
#
# Configuration is by VOORELKAAR_* environment variables only (see deploy/README.md).

# --- build: install the project and its runtime dependencies into a virtualenv -----------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/voorelkaar
ENV PATH=/opt/voorelkaar/bin:$PATH

WORKDIR /src
COPY pyproject.toml ./
COPY contracts ./contracts
COPY kit ./kit
COPY services ./services
# Runtime dependencies only (not the `dev` extra). A regular install, not editable: the
# packages, their SQL migrations and the `voorelkaar` console script land in the virtualenv,
# compiled to bytecode here, so the running container never needs to write to it.
RUN pip install . \
 && cd / && python -c "import services.timebank.service, kit.service"

# --- runtime ------------------------------------------------------------------------------------
FROM python:3.11-slim

LABEL org.opencontainers.image.title="voorelkaar" \
      org.opencontainers.image.description="Time bank and initiative fund for Dutch neighbourhoods: independent services over NATS JetStream" \
      org.opencontainers.image.licenses="EUPL-1.2"

RUN groupadd --system --gid 10001 voorelkaar \
 && useradd --system --uid 10001 --gid 10001 --home-dir /home/voorelkaar --create-home \
        --shell /usr/sbin/nologin voorelkaar

COPY --from=build /opt/voorelkaar /opt/voorelkaar

RUN printf '%s\n' \
    'voorelkaar: one image for every service. Choose what to run with the command:' \
    '' \
    '  python -m services.timebank        the time bank service (health, readiness and' \
    '                                     metrics on VOORELKAAR_HTTP_PORT: /healthz /readyz /metrics)' \
    '  voorelkaar check-ledger            verify the ledger invariants (reads VOORELKAAR_DATABASE_URL' \
    '                                     or --database-url); exit 0 ok, 1 violations, 2 unreachable' \
    '  voorelkaar tally FILE.pb           recompute a published participatory-budget round' \
    '' \
    'Settings are VOORELKAAR_* environment variables, e.g. VOORELKAAR_NATS_URL,' \
    'VOORELKAAR_DATABASE_URL, VOORELKAAR_ROLES. See deploy/README.md in the repository.' \
    '' \
    > /opt/voorelkaar/USAGE.txt

ENV PATH=/opt/voorelkaar/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VOORELKAAR_HTTP_HOST=0.0.0.0 \
    VOORELKAAR_HTTP_PORT=8101 \
    VOORELKAAR_LOG_FORMAT=json

WORKDIR /home/voorelkaar
# Numeric, so Kubernetes can verify runAsNonRoot.
USER 10001:10001
EXPOSE 8101

# Services handle SIGTERM themselves (stop taking work, finish it, publish what was committed).
# No entrypoint: the command is the whole invocation.
CMD ["sh", "-c", "cat /opt/voorelkaar/USAGE.txt; exec voorelkaar --help"]
