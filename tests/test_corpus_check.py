"""Hostile input: `check` over 1,367 real workbooks never crashes.

Every file ends with exit 0, 1 or 3, never a traceback, never over 10 s; the
malformed packages get exit 3 with a message saying what is wrong.  A second
pass feeds every tab of every readable workbook through the cell parsers,
the rules and the metrics as if it were a deals tab, so real-world cell
values (errors, rich text, odd dates, huge numbers) meet the parsers too.
"""

from __future__ import annotations

import datetime as dt
import time
import zipfile
from collections import Counter

import pytest
from click.testing import CliRunner
from corpus import corpus_files, require_corpus

from sheetsync.cli import cli
from sheetsync.config import DEFAULT_STAGES, Config
from sheetsync.metrics import compute_metrics
from sheetsync.model import FIELDS, Pipeline
from sheetsync.pipeline import read_deals
from sheetsync.sources.excel import ExcelSource
from sheetsync.validate import validate

pytestmark = pytest.mark.slow


def _malformed(path) -> bool:
    """A package that is not a readable zip with a workbook in it."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if zf.testzip() is not None:
                return True
    except Exception:
        return True
    return "[Content_Types].xml" not in names


def test_check_never_crashes_on_the_corpus(capsys):
    require_corpus()
    runner = CliRunner()
    codes: Counter[int] = Counter()
    problems = []
    slowest = 0.0
    for path in corpus_files():
        t0 = time.perf_counter()
        res = runner.invoke(cli, ["check", str(path), "--as-of", "2026-11-26"])
        took = time.perf_counter() - t0
        slowest = max(slowest, took)
        codes[res.exit_code] += 1
        out = res.output
        if res.exit_code not in (0, 1, 3) or "Traceback" in out or "internal error" in out:
            problems.append(f"{path.name}: exit {res.exit_code}: {out[-300:]!r} {res.exception!r}")
        elif took > 10:
            problems.append(f"{path.name}: took {took:.1f} s")
        elif _malformed(path):
            if res.exit_code != 3 or "no deals tab" in out:
                problems.append(
                    f"{path.name}: malformed package, but: exit {res.exit_code}: {out[:200]!r}"
                )
            elif not out.startswith("sheetsync: ") or "\n  hint: " not in out:
                problems.append(f"{path.name}: message lacks a hint: {out!r}")
    with capsys.disabled():
        print(
            f"\ncorpus check: {sum(codes.values())} files, exit codes {dict(sorted(codes.items()))}, slowest {slowest:.2f} s"
        )
    assert not problems, "\n".join(problems)
    assert sum(codes.values()) > 1000


def test_every_corpus_tab_survives_parsing_rules_and_metrics():
    require_corpus()
    cfg = Config()
    as_of = dt.date(2026, 11, 26)
    read = 0
    failures = []
    for path in corpus_files():
        src = ExcelSource(path)
        try:
            names = src.tab_names()
        except Exception as exc:  # refused files are check's business, tested above
            from sheetsync.errors import SheetsyncError

            assert isinstance(exc, SheetsyncError), f"{path.name}: {exc!r}"
            continue
        for tab in names:
            try:
                grid = src.read(tab)
            except Exception as exc:
                from sheetsync.errors import SheetsyncError

                assert isinstance(exc, SheetsyncError), f"{path.name}!{tab}: {exc!r}"
                continue
            width = max(grid.width, 1)
            # Every column becomes some field, cycling through all of them.
            columns = {f: (i % width) + 1 for i, f in enumerate(FIELDS) if i < width}
            for i, f in enumerate(FIELDS):
                columns.setdefault(f, (i % width) + 1)
            pipeline = Pipeline(
                source=str(path), deals_tab=tab, deals=[], stages=list(DEFAULT_STAGES), tabs=names
            )
            findings = []
            try:
                pipeline.deals = read_deals(grid, columns, 1, pipeline, cfg, findings)
                validate(pipeline, as_of, findings)
                compute_metrics(pipeline, as_of).to_dict()
            except Exception as exc:
                failures.append(f"{path.name}!{tab}: {type(exc).__name__}: {exc}")
            read += 1
    assert not failures, "\n".join(failures[:30])
    assert read > 1000
