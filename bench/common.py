"""Shared by the benchmarks: real servers in a temporary folder, and figures printed plainly."""

from __future__ import annotations

import contextlib
import gc
import shutil
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kit.embedded import NatsServer, PostgresServer, free_port, scratch_dir  # noqa: E402


@contextlib.contextmanager
def servers():
    root = scratch_dir("voorelkaar-bench-")
    nats = NatsServer(root / "nats", port=free_port(), monitor_port=free_port()).start()
    # A fresh cluster fills each new 16 MB WAL segment with zeros first, which stalls the
    # commits in flight (measured at half load: p99 56 ms with the zero-fill, 29 ms without);
    # a server that has run a while recycles its segments instead. Off, for both sides.
    pg = PostgresServer(root / "pg", port=free_port(), settings={"wal_init_zero": "off"}).start()
    try:
        yield nats, pg
    finally:
        pg.stop()
        nats.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def no_client_gc():
    """No garbage collection in the load generator during a timed phase, one before it (as
    timeit does). Measured at half load: a gen-2 collection of the bench client paused it for
    40 to 45 ms, and every request in flight then looked that much slower."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(rows: list[tuple], headers: tuple) -> str:
    cells = [tuple(str(c) for c in headers)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if n and i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
