"""The xlsx writer's modules import one way, as its package docstring lists them.

Each module of ``sheetsync/sources/xlsx/`` may import only the modules listed
below it in ``sheetsync/sources/xlsx/__init__.py`` (read with ``ast``, imports
inside functions included), so the package has no import circle and a
newcomer can read it from the bottom up.  Each module also stays under about
500 lines and says what it may touch in a user's workbook.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sheetsync.sources.xlsx as xlsx

PKG = Path(xlsx.__file__).parent


def listed_order() -> list[str]:
    """Module names from the package docstring's table, top (plan) to bottom."""
    doc = xlsx.__doc__ or ""
    table = doc.split("::", 1)[1]
    return re.findall(r"^    ([a-z_]+)\s", table, flags=re.M)


def sibling_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(a.name for a in node.names)
    return found


def test_every_module_is_listed_once():
    order = listed_order()
    modules = sorted(p.stem for p in PKG.glob("*.py") if p.stem != "__init__")
    assert sorted(order) == modules
    assert len(set(order)) == len(order)


def test_each_module_imports_only_the_modules_listed_below_it():
    order = listed_order()
    for i, name in enumerate(order):
        below = set(order[i + 1 :])
        assert sibling_imports(PKG / f"{name}.py") <= below, name


def test_each_module_is_small_and_says_what_it_may_touch():
    for path in PKG.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 500, path.name
        doc = ast.get_docstring(ast.parse(text)) or ""
        if path.stem != "__init__":
            assert "may touch in a user's workbook" in doc, path.name
