"""`make bench`: every benchmark, one after another (each starts its own servers)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    ["messaging_libs.py"],
    ["kit_event_path.py"],
    ["timebank_transfers.py"],
    ["notifications.py"],
    ["allocation.py"],
]

if __name__ == "__main__":
    failed = 0
    for bench in BENCHES:
        print(f"\n=== {' '.join(bench)} ===", flush=True)
        failed += subprocess.call(
            [sys.executable, str(HERE / bench[0]), *bench[1:], *sys.argv[1:2]]
        )
    raise SystemExit(1 if failed else 0)
