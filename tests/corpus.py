"""Where the shared corpus of real workbooks is, for the tests that use it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path | None:
    env = os.environ.get("SHEETSYNC_EXCEL_CORPUS")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "excel-corpus"]:
        if cand.is_dir():
            return cand
    return None


def corpus_files() -> list[Path]:
    base = corpus_dir()
    if base is None:
        return []
    return sorted(
        p for p in base.rglob("*") if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm")
    )


def require_corpus() -> Path:
    base = corpus_dir()
    if base is None:
        pytest.skip(
            "the shared excel corpus is not beside this checkout (../shared/excel-corpus); "
            "set SHEETSYNC_EXCEL_CORPUS to its path"
        )
    return base
