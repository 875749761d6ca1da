"""`voorelkaar tally FILE.pb`: recompute a published round from its ballots.

Exit codes: 0 done, 1 `--compare` found a difference with the file's `selected` column,
2 bad usage or a file that cannot be read (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import AllocationError
from .models import CUMULATIVE, Election
from .outcome import Outcome, money
from .pabulib import parse_pb
from .rules import RULES, tally


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="voorelkaar tally",
        description="Recompute the winners of a participatory-budgeting round from a pabulib "
        ".pb file, with an explanation per project.",
        epilog="rules: " + "; ".join(f"{k}: {v}" for k, v in RULES.items()),
    )
    p.add_argument("file", help="the .pb file")
    p.add_argument("--rule", choices=sorted(RULES), help="rule to apply (default: the file's)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument(
        "--compare",
        action="store_true",
        help="also say whether the winners equal the file's selected column (exit 1 if not)",
    )
    p.add_argument(
        "--tie-order",
        metavar="IDS",
        help="comma-separated list of every project id, to break ties in that order",
    )
    p.add_argument("--threshold", type=int, help="override min_project_score_threshold")
    p.add_argument(
        "--add1-increment",
        type=int,
        default=1,
        metavar="N",
        help="Add1 step per voter in the file's money unit (default 1; 100 for cents)",
    )
    return p


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        print(f"voorelkaar tally: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"voorelkaar tally: cannot read {path}: {reason}", file=sys.stderr)
        return 2
    try:
        election = parse_pb(text)
        tie_order = args.tie_order.split(",") if args.tie_order else None
        outcome = tally(
            election,
            args.rule,
            tie_order=[t.strip() for t in tie_order] if tie_order else None,
            threshold=args.threshold,
            add1_increment=args.add1_increment,
        )
    except AllocationError as exc:
        print(f"voorelkaar tally: {path}: {exc}", file=sys.stderr)
        return 2

    official = election.official_selected()
    if args.compare and official is None:
        print(f"voorelkaar tally: {path}: the file has no selected column", file=sys.stderr)
        return 2
    comparison = _compare(outcome, official) if args.compare else None

    if args.json:
        data = {
            "file": str(path),
            "election": {
                "budget": election.budget,
                "projects": len(election.projects),
                "ballots": len(election.ballots),
                "ballot_kind": election.ballot_kind,
                "rule_in_file": election.rule,
            },
            "warnings": list(election.warnings),
            "outcome": outcome.to_dict(),
        }
        if comparison is not None:
            data["compare"] = comparison
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for w in election.warnings:
            print(f"warning: {w}", file=sys.stderr)
        print(_table(path, election, outcome))
        if comparison is not None:
            print(_compare_text(comparison))
    if comparison is not None and not comparison["equal"]:
        return 1
    return 0


def _compare(outcome: Outcome, official: frozenset[str]) -> dict:
    ours = outcome.winner_set
    return {
        "equal": ours == official,
        "official": sorted(official),
        "only_official": sorted(official - ours),
        "only_recomputed": sorted(ours - official),
    }


def _compare_text(c: dict) -> str:
    if c["equal"]:
        return "compare: the winners equal the file's selected column"
    parts = ["compare: the winners DIFFER from the file's selected column"]
    if c["only_official"]:
        parts.append("  selected in the file only: " + ", ".join(c["only_official"]))
    if c["only_recomputed"]:
        parts.append("  recomputed winners only: " + ", ".join(c["only_recomputed"]))
    return "\n".join(parts)


def _table(path: Path, election: Election, outcome: Outcome) -> str:
    unit = "points" if election.vote_type == CUMULATIVE else "votes"
    share = f"{outcome.spent / outcome.budget:.1%}" if outcome.budget else "-"
    lines = [
        f"{path.name}: rule {outcome.rule}",
        f"budget {outcome.budget}, spent {outcome.spent} ({share}); "
        f"{len(outcome.winners)} of {len(election.projects)} projects chosen; "
        f"{len(election.ballots)} ballots ({election.ballot_kind})",
        "",
    ]
    with_price = any(r.price is not None for r in outcome.projects)
    header = ["#", "project", "name", unit, "cost", "chosen"]
    if with_price:
        header.append("paid each")
    header.append("explanation")
    rows = []
    for r in outcome.projects:
        name = r.name if len(r.name) <= 32 else r.name[:31] + "…"
        row = [str(r.order or ""), r.project_id, name, str(r.score), str(r.cost)]
        row.append("yes" if r.selected else "no")
        if with_price:
            row.append(money(r.price))
        row.append(r.note)
        rows.append(row)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header[:-1])]
    right = {0, 3, 4, 6} if with_price else {0, 3, 4}

    def fmt(cells: list[str]) -> str:
        out = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i])
            for i, c in enumerate(cells[:-1])
        ]
        return "  ".join([*out, cells[-1]]).rstrip()

    lines.append(fmt(header))
    lines.append(fmt(["-" * w for w in widths] + ["-" * len(header[-1])]))
    lines.extend(fmt(row) for row in rows)
    lines.append("")
    lines.append("winners: " + (", ".join(outcome.winners) or "none"))
    lines.extend(f"note: {n}" for n in outcome.notes)
    for t in outcome.ties:
        lines.append(
            f"tie at step {t.step}: {', '.join(t.tied)} were equal; "
            f"the tie order let {', '.join(t.chosen) or 'none'} through"
        )
    lines.append("tie order: " + ", ".join(outcome.tie_order))
    return "\n".join(lines)
