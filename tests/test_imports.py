"""The import graph of bot/ reads bottom-up and has no circle.

Every import of a bot module (at the top of a file, inside a function, or under
``TYPE_CHECKING``) is read with :mod:`ast`. Each module belongs to one layer; a module may
import its own layer and those below, never one above, and no chain of imports may come back
to where it started. A backend imports no private name (``_x``) of the core.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "bot"

LAYERS: list[tuple[str, set[str]]] = [
    ("text", {"bot.errors", "bot.config", "bot.text", "bot.yamlload", "bot.fileio", "bot.periodic", "bot.wording",
              "bot.db"}),
    ("knowledge and data", {"bot.knowledge", "bot.names", "bot.consentlist", "bot.consent_source", "bot.drafts",
                            "bot.store", "bot.leader", "bot.shared", "bot.kbhistory", "bot.kbedit", "bot.kbcsv"}),
    ("matching", {"bot.matching", "bot.directory", "bot.linking", "bot.schools", "bot.faq", "bot.report",
                  "bot.kblive"}),
    ("conversation", {"bot.core", "bot.replies", "bot.render", "bot.feedback", "bot.state", "bot.conversation",
                      "bot.jobs", "bot.backends.base", "bot.review"}),
    ("backends", {"bot.backends", "bot.backends.test", "bot.backends.console", "bot.slack.app",
                  "bot.slack.listeners", "bot.slack.blocks", "bot.slack.logs", "bot.slack.startup"}),
    ("entry points", {"bot", "bot.__main__", "bot.cli", "bot.kbcli", "bot.slack", "bot.slack.http"}),
]
LAYER = {m: i for i, (_, mods) in enumerate(LAYERS) for m in mods}
BACKENDS = ("bot.slack", "bot.backends")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def imports(name: str) -> list[tuple[str, list[str], int]]:
    """``(module, names, line)`` for every import of a bot module in ``name``."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names if a.name.split(".")[0] == "bot"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "bot":
                continue
            names = [a.name for a in node.names]
            # "from . import blocks": the module bot.slack.blocks, not the package
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            if subs:
                found += [(s, [], node.lineno) for s in subs]
            else:
                found.append((target, names, node.lineno))
    return found


GRAPH = {m: sorted({t for t, _, _ in imports(m) if t != m}) for m in MODULES}


def test_every_module_has_a_layer():
    assert set(MODULES) - set(LAYER) == set(), "put new modules into a layer of LAYERS"
    assert set(LAYER) - set(MODULES) == set(), "LAYERS names modules that are gone"


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{m} ({LAYERS[LAYER[m]][0]}) imports {t} ({LAYERS[LAYER[t]][0]}), line {line}"
              for m in MODULES for t, _, line in imports(m) if t in LAYER and LAYER[t] > LAYER[m]]
    assert upward == []


def test_the_import_graph_has_no_circle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    circles: list[list[str]] = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in GRAPH.get(m, []):
            if state.get(t) == 1:
                circles.append(path[path.index(t):] + [t])
            elif t not in state:
                visit(t, path + [t])
        state[m] = 2

    for m in sorted(MODULES):
        if m not in state:
            visit(m, [m])
    assert circles == []


def test_backends_use_only_the_cores_public_names():
    private = [f"{m} imports {t}.{n}" for m in MODULES if m.startswith(BACKENDS)
               for t, names, _ in imports(m) if not t.startswith(BACKENDS) for n in names if n.startswith("_")]
    assert private == []


def test_the_checks_see_a_circle_and_an_upward_import(tmp_path, monkeypatch):
    """The checks above would fail on a bad graph (a check that cannot fail checks nothing)."""
    monkeypatch.setitem(GRAPH, "bot.text", ["bot.core"])
    with pytest.raises(AssertionError):
        test_the_import_graph_has_no_circle()
    assert LAYER["bot.core"] > LAYER["bot.text"]
