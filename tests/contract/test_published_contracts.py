"""What other services rely on: the published schemas change only on purpose.

`docs/schemas/` holds the JSON Schema of every event, command and reply as published. If the
code's schema differs, either run `make docs` (a compatible change) or, when consumers would
break, publish a new version of the event instead of changing the old one."""

from __future__ import annotations

import json
from pathlib import Path

from contracts.catalog import all_services
from kit.docs import (
    authorization_matrix,
    consumers_table,
    declared_consumption,
    json_schemas,
    write,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_published_schema_matches_the_code():
    current = json_schemas(all_services())
    published = {p.stem: json.loads(p.read_text()) for p in (DOCS / "schemas").glob("*.json")}
    missing = sorted(set(current) - set(published))
    changed = sorted(k for k in set(current) & set(published) if current[k] != published[k])
    assert not missing, f"not yet published (run make docs): {missing}"
    assert not changed, f"changed since published (make docs, or a new version): {changed}"


def test_published_event_versions_are_never_removed():
    published = {p.stem for p in (DOCS / "schemas").glob("*.json") if ".v" in p.stem}
    current = set(json_schemas(all_services()))
    assert published <= current, f"a consumer may still rely on {sorted(published - current)}"


def test_the_asyncapi_document_describes_every_event_command_and_query(tmp_path):
    write(tmp_path)
    spec = json.loads((tmp_path / "asyncapi.json").read_text())
    channels = set(spec["channels"])
    for contracts in all_services():
        for event_type, version in contracts.events:
            assert f"{event_type} v{version}" in channels
        for kind, name in contracts.operations:
            assert f"{contracts.service}.{'cmd' if kind == 'command' else 'q'}.{name}" in channels
    assert spec["asyncapi"].startswith("3.")
    assert (tmp_path / "error-codes.md").read_text().count("| timebank |") > 20


def test_the_published_authorization_matrix_is_the_declared_one():
    published = (DOCS / "authorization.md").read_text()
    assert published == authorization_matrix(all_services()), "run make docs"


def test_the_asyncapi_document_says_which_service_consumes_which_event(tmp_path):
    from tests.support import sample

    write(tmp_path, consumption=declared_consumption([sample.build()]))
    spec = json.loads((tmp_path / "asyncapi.json").read_text())
    channel = spec["channels"]["sample consumes sample.note.written v1"]
    assert channel["address"] == "sample.note.written"
    receive = spec["operations"]["sample consumes sample.note.written v1"]
    assert receive["action"] == "receive"
    assert "`sample-tally`" in (tmp_path / "consumers.md").read_text()


def test_the_published_consumers_are_the_declared_ones():
    published = (DOCS / "consumers.md").read_text()
    assert published == consumers_table(declared_consumption()), "run make docs"
