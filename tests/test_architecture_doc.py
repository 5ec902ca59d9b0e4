"""docs/architecture.md names a real home for every concern, and every module has one.

A newcomer opens the file the table names: so every path it names must
exist, and every module directly in ``sheetsync/`` and ``sheetsync/sources/``
(and every subpackage) must be named, or the doc has drifted from the code.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"


def named_paths(doc: Path = DOC) -> set[str]:
    return set(re.findall(r"`(sheetsync/[\w/]+(?:\.py|/))`", doc.read_text(encoding="utf-8")))


def test_every_path_the_architecture_doc_names_exists():
    missing = sorted(p for p in named_paths() if not (ROOT / p).exists())
    assert missing == []


def test_every_module_and_package_has_a_home_in_the_architecture_doc():
    named = named_paths()
    pkg = ROOT / "sheetsync"
    wanted = {
        f"sheetsync/{p.relative_to(pkg).as_posix()}"
        for folder in (pkg, pkg / "sources")
        for p in folder.glob("*.py")
        if p.name not in ("__init__.py", "__main__.py")
    }
    wanted |= {
        f"sheetsync/{d.relative_to(pkg).as_posix()}/"
        for d in [*pkg.iterdir(), *(pkg / "sources").iterdir()]
        if d.is_dir() and (d / "__init__.py").exists() and d.name != "sources"
    }
    assert sorted(wanted - named) == []


def test_the_doc_check_reads_only_backquoted_sheetsync_paths(tmp_path):
    """The check above can fail: it reads paths from the doc, not from the tree."""
    doc = tmp_path / "architecture.md"
    doc.write_text("| x | `sheetsync/model.py`, `sheetsync/xlsx/`, model.py |\n", encoding="utf-8")
    assert named_paths(doc) == {"sheetsync/model.py", "sheetsync/xlsx/"}
