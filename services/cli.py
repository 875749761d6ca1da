"""The `voorelkaar` command: one entry point for operators and the public."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    commands = {
        "check-ledger": "ledger.checker",
        "run": "kit.stack",
        "tally": "services.budget.allocation.cli",
    }
    if not args or args[0] in {"-h", "--help"} or args[0] not in commands:
        print("usage: voorelkaar {" + ",".join(sorted(commands)) + "} ...", file=sys.stderr)
        return 0 if args and args[0] in {"-h", "--help"} else 2
    import importlib

    module = importlib.import_module(commands[args[0]])
    return int(module.main(args[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
