"""Benchmark of the allocation engine beside pabutools, on the same ballots in the same run.

    .venv/bin/python bench/allocation.py [--pabutools-timeout 900] [--quick] [--no-pabutools]

Every measurement runs in its own subprocess: time of the rule alone (parsing is timed apart),
and the subprocess's peak resident memory (its whole life: interpreter, parsing and rule). The
engine's time is the median of three runs in that process; pabutools runs once, under a time
limit; when it hits the limit the time is printed as a lower bound (">") and the ratio too.
Both get the same tie order (the engine's default), so their winners can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FILES = (
    "Poland_Warszawa_2026.pb",
    "Netherlands_Amsterdam_621.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
)
OURS = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-exhaustive",
    "equalshares/add1-comparison",
)
# pabutools' counterparts: greedy_utilitarian_welfare, method_of_equal_shares (with
# voter_budget_increment=1 for its default Add1) and exhaustion_by_budget_increase.
PABUTOOLS = (
    "greedy",
    "greedy-threshold",
    "equalshares",
    "equalshares/add1-exhaustive",
    "equalshares/add1",
)


def data_dir() -> Path:
    env = os.environ.get("VOORELKAAR_PABULIB_DIR")
    if env:
        return Path(env)
    beside = REPO / ".." / "shared" / "data" / "pabulib"
    return beside.resolve() if beside.exists() else Path("/work/shared/data/pabulib")


# -- what runs in the subprocesses ------------------------------------------------------------

_OURS_CHILD = r"""
import json, resource, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from services.budget.allocation import parse_pb, tally
path, rule = sys.argv[2], sys.argv[3]
t = time.perf_counter()
election = parse_pb(open(path, encoding="utf-8-sig").read())
parse_s = time.perf_counter() - t
times = []
for _ in range(3):
    t = time.perf_counter()
    outcome = tally(election, rule)
    times.append(time.perf_counter() - t)
print(json.dumps({
    "parse_s": parse_s,
    "time_s": statistics.median(times),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "winners": sorted(outcome.winners),
    "official": None if election.official_selected() is None
    else sorted(election.official_selected()),
}))
"""

_PABUTOOLS_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.election.instance import Instance
from pabutools.rules import (exhaustion_by_budget_increase, greedy_utilitarian_welfare,
                             method_of_equal_shares)
from pabutools.tiebreaking import TieBreakingRule
from services.budget.allocation import parse_pb
from services.budget.allocation.tiebreak import default_tie_order
path, rule = sys.argv[2], sys.argv[3]
order = default_tie_order(parse_pb(open(path, encoding="utf-8-sig").read()))
rank = {pid: i for i, pid in enumerate(order)}
tb = TieBreakingRule(lambda inst, prof, proj: rank[proj.name])
t = time.perf_counter()
instance, profile = parse_pabulib(path)
parse_s = time.perf_counter() - t
t = time.perf_counter()
if rule in ("greedy", "greedy-threshold"):
    inst = instance
    if rule == "greedy-threshold":
        limit = int(instance.meta["min_project_score_threshold"])
        inst = Instance([p for p in instance if profile.approval_score(p) >= limit],
                        budget_limit=instance.budget_limit)
    out = greedy_utilitarian_welfare(inst, profile, sat_class=Cost_Sat, tie_breaking=tb)
elif rule == "equalshares":
    out = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=tb)
elif rule == "equalshares/add1-exhaustive":
    out = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=tb,
                                 voter_budget_increment=1)
elif rule == "equalshares/add1":
    out = exhaustion_by_budget_increase(
        instance, profile, method_of_equal_shares, {"sat_class": Cost_Sat, "tie_breaking": tb},
        budget_step=profile.num_ballots(), exhaustive_stop=False)
time_s = time.perf_counter() - t
print(json.dumps({
    "parse_s": parse_s,
    "time_s": time_s,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "winners": sorted(p.name for p in out),
}))
"""


def _peak_of(pid: int) -> float | None:
    """Peak resident memory of a running process (Linux), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def measure(code: str, path: Path, rule: str, timeout: float | None) -> dict:
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(REPO), str(path), rule],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    start = time.perf_counter()
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _peak_of(proc.pid) or 0.0)
        if timeout is not None and time.perf_counter() - start > timeout:
            proc.kill()
            proc.wait()
            return {"timeout": True, "time_s": timeout, "peak_mb": peak}
        time.sleep(0.2)
    out, err = proc.communicate()
    if proc.returncode != 0:
        return {"error": err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}"}
    return json.loads(out.strip().splitlines()[-1])


# -- the table ---------------------------------------------------------------------------------


def _fmt_time(r: dict | None) -> str:
    if not r:
        return "-"
    if "error" in r:
        return "error"
    return (">" if r.get("timeout") else "") + f"{r['time_s']:.3f}s"


def _fmt_mb(r: dict | None) -> str:
    if not r or "error" in r:
        return "-"
    return (">" if r.get("timeout") else "") + f"{r['peak_mb']:.0f}"


def table(rows: list[dict]) -> str:
    headers = (
        "file",
        "rule",
        "ours parse",
        "ours time",
        "ours MB",
        "pabutools time",
        "pabutools MB",
        "speed ratio",
        "same winners",
        "= selected",
    )
    cells = []
    for r in rows:
        ours, ref = r["ours"], r.get("pabutools")
        ratio, same = "-", "-"
        if ref and "error" not in ref and "error" not in ours:
            ratio = (">" if ref.get("timeout") else "") + f"{ref['time_s'] / ours['time_s']:.0f}x"
            same = (
                "n/a (time limit)"
                if ref.get("timeout")
                else ("yes" if ref["winners"] == ours["winners"] else "NO")
            )
        official = "-"
        if "error" not in ours and ours.get("official") is not None:
            official = "yes" if ours["official"] == ours["winners"] else "no"
        cells.append(
            (
                r["file"].removesuffix(".pb"),
                r["rule"],
                f"{ours['parse_s']:.3f}s" if "error" not in ours else "-",
                _fmt_time(ours) if "error" not in ours else ours["error"],
                _fmt_mb(ours),
                _fmt_time(ref),
                _fmt_mb(ref),
                ratio,
                same,
                official,
            )
        )
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    out = []
    for r in rows:
        ours, ref = r["ours"], r.get("pabutools")
        if "error" in ours:
            continue
        if r["file"].startswith("Poland_Warszawa") and r["rule"] in (
            "equalshares/add1",
            "equalshares/add1-exhaustive",
        ):
            ok_mem = ours["peak_mb"] < 1024
            line = f"Warszawa {r['rule']}: ours {ours['time_s']:.2f}s, {ours['peak_mb']:.0f} MB"
            if ref and "error" not in ref:
                ratio = ref["time_s"] / ours["time_s"]
                bound = ">" if ref.get("timeout") else ""
                line += f"; pabutools {bound}{ref['time_s']:.0f}s: {bound}{ratio:.0f}x"
                line += " -> target 100x " + ("met" if ratio >= 100 else "NOT met")
            line += "; memory under 1 GB: " + ("yes" if ok_mem else "NO")
            out.append(line)
        if r["rule"] == "greedy":
            verdict = "met" if ours["time_s"] < 0.1 else "NOT met"
            out.append(
                f"{r['file']} greedy: {ours['time_s'] * 1000:.1f} ms (target < 100 ms {verdict})"
            )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pabutools-timeout", type=float, default=900.0, metavar="SECONDS")
    ap.add_argument("--quick", action="store_true", help="skip pabutools on Warszawa")
    ap.add_argument("--no-pabutools", action="store_true", help="only time this engine")
    ap.add_argument("--files", nargs="*", default=list(FILES))
    ap.add_argument("--rules", nargs="*", default=list(OURS))
    ap.add_argument("--save", metavar="JSON", help="also write the figures to this file")
    args = ap.parse_args()

    data = data_dir()
    rows = []
    for name in args.files:
        path = data / name
        for rule in args.rules:
            if rule == "greedy-threshold" and "min_project_score_threshold" not in path.read_text(
                encoding="utf-8-sig"
            ):
                continue
            row = {"file": name, "rule": rule, "ours": measure(_OURS_CHILD, path, rule, None)}
            skip_ref = args.no_pabutools or (args.quick and "Warszawa" in name)
            if rule in PABUTOOLS and not skip_ref:
                row["pabutools"] = measure(_PABUTOOLS_CHILD, path, rule, args.pabutools_timeout)
            rows.append(row)
            print(
                f"  {name} {rule}: ours {_fmt_time(row['ours'])}, "
                f"pabutools {_fmt_time(row.get('pabutools'))}",
                file=sys.stderr,
                flush=True,
            )
    print(table(rows))
    print()
    for line in verdicts(rows):
        print(line)
    if args.save:
        Path(args.save).parent.mkdir(parents=True, exist_ok=True)
        Path(args.save).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
