"""The kit's modules form no import cycle (counting imports made only for type checking), and
each one imports on its own, in a fresh interpreter: a service may use any part alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PACKAGES = ("kit", "ledger")


def modules(package: str) -> dict[str, Path]:
    return {
        f"{package}.{path.stem}" if path.stem != "__init__" else package: path
        for path in sorted((REPO / package).glob("*.py"))
    }


def imports_within(package: str, name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    """The modules of `package` that `name` imports, at any depth of its code (also under
    `if TYPE_CHECKING:`)."""
    found = set()
    base = name if path.stem == "__init__" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            parent = base.rsplit(".", node.level - 1)[0] if node.level > 1 else base
            target = (
                (f"{parent}.{node.module}" if node.module else parent)
                if node.level
                else node.module
            )
            names = {f"{target}.{a.name}" for a in node.names} & set(mods)
            found |= names or {target}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {t for t in found if t in mods and t != name}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph` (module -> modules it imports), or None."""
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt, [*trail, nxt])):
                return cycle
        state[node] = "done"
        return None

    for name in sorted(graph):
        if name not in state and (cycle := visit(name, [name])):
            return cycle
    return None


def test_no_module_of_the_kit_or_the_ledger_takes_part_in_an_import_cycle():
    for package in PACKAGES:
        mods = modules(package)
        graph = {name: imports_within(package, name, path, mods) for name, path in mods.items()}
        assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_every_module_imports_on_its_own():
    names = [name for package in PACKAGES for name in modules(package)]
    script = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] in ('kit', 'ledger')]:\n"
        "        del sys.modules[loaded]\n"
        "    importlib.import_module(name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *names], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_services_run_without_faststream():
    """FastStream writes the AsyncAPI document (`make docs`, the `docs` extra); no service
    or kit module a service runs imports it (docs/messaging.md), except the portal, which
    runs on FastStream's NATS integration for FastAPI by design."""
    script = (
        "import importlib, pkgutil, sys\n"
        "import kit, ledger, services\n"
        "for package in (kit, ledger):\n"
        "    for m in pkgutil.iter_modules(package.__path__):\n"
        "        if m.name != 'docs':\n"
        "            importlib.import_module(f'{package.__name__}.{m.name}')\n"
        "from kit.stack import available_services\n"
        "for name in set(available_services()) - {'gateway'}:\n"
        "    importlib.import_module(f'services.{name}.service').build()\n"
        "assert not [m for m in sys.modules if m.startswith('faststream')], 'faststream loaded'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
