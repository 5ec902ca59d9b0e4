"""ExcelSource.read: the values and the cell facts, read side by side, are what each gives alone."""

from __future__ import annotations

import logging
import threading

import pytest
from builders import make_workbook
from corpus import corpus_files, require_corpus

from sheetsync.logs import current_source, log_source
from sheetsync.sources import excel as excel_mod
from sheetsync.sources.excel import ExcelSource, _read_sheet
from sheetsync.sources.xlsx_cells import read_cell_facts

FACT_FIELDS = ("formulas", "uncached", "untranslated", "errors", "tables", "currencies")


def _books_with_facts(limit: int = 40):
    """Corpus workbooks whose first tab has formulas, errors, Tables or currency styles."""
    out = []
    for path in corpus_files():
        try:
            src = ExcelSource(path)
            tab = src.tab_names()[0]
            facts = read_cell_facts(path, tab, info=src._info)
        except Exception:
            continue
        if facts.formulas or facts.errors or facts.tables or facts.currencies:
            out.append((path, tab))
        if len(out) >= limit:
            break
    return out


@pytest.mark.slow
def test_threaded_read_gives_the_values_and_facts_of_the_serial_read():
    require_corpus()
    books = _books_with_facts()
    assert len(books) >= 10, "the corpus should hold workbooks with formulas and Tables"
    for path, tab in books:
        src = ExcelSource(path)
        grid = src.read(tab)
        alone = _read_sheet(src._open(), src.path, tab)
        facts = read_cell_facts(path, tab, info=src._info)
        assert grid.rows == alone.rows, path
        for name in FACT_FIELDS:
            assert getattr(grid, name) == getattr(facts, name), (path, name)


def test_the_facts_worker_logs_under_the_jobs_source(tmp_path, monkeypatch, caplog):
    """The worker thread runs in a copy of the caller's context: its log lines name the source."""
    book = make_workbook(tmp_path / "deals.xlsx", {"Deals": [["Deal", "Amount"], ["A", 1]]})
    seen: list[tuple[str | None, bool]] = []

    def facts(path, tab, *, info=None):
        seen.append((current_source(), threading.current_thread() is threading.main_thread()))
        raise ValueError("damaged part")

    monkeypatch.setattr("sheetsync.sources.xlsx_cells.read_cell_facts", facts)
    with caplog.at_level(logging.DEBUG, logger=excel_mod.log.name), log_source("team.xlsx"):
        grid = ExcelSource(book).read("Deals")
    assert seen == [("team.xlsx", False)]
    assert grid.rows[1][0] == "A"  # the values are read though the facts are not
    assert grid.formulas == {}
    assert "formulas of tab" in caplog.text and "damaged part" in caplog.text


def _whole_and_streamed(path, chunk):
    """The facts of each worksheet of ``path`` read whole and streamed in ``chunk``-byte reads."""
    import zipfile

    from sheetsync.sources.xlsx.workbook import inspect_workbook
    from sheetsync.sources.xlsx_cells import (
        _currency_styles,
        _member,
        _streamed,
        _tables,
        _utf8,
        scan_sheet,
        styled_cells,
    )

    info = inspect_workbook(path, reading=True)
    with zipfile.ZipFile(path) as zf:
        styles = _currency_styles(zf)
        for entry in info.sheets:
            if entry.part is None or entry.sheet_type != "worksheet":
                continue
            member = _member(zf, entry.part)
            if member is None:
                continue
            try:
                data = _utf8(zf.read(member))
                whole = (
                    scan_sheet(data, full_calc_on_load=info.full_calc_on_load),
                    styled_cells(data, styles) if styles else {},
                    _tables(zf, entry.part, data),
                )
            except (
                Exception
            ) as exc:  # the whole read fails: the streamed one may not decide otherwise
                whole = type(exc)
            try:
                got = _streamed(zf, member, styles, info.full_calc_on_load, chunk=chunk)
                if got is not None:
                    scanned, styled, tail = got
                    got = (scanned, styled, _tables(zf, entry.part, tail))
            except Exception as exc:
                got = type(exc)
            yield entry.name, whole, got


@pytest.mark.slow
@pytest.mark.parametrize("chunk", [61, 4096])
def test_a_sheet_part_read_in_pieces_gives_the_facts_of_the_whole_part(chunk):
    """Differential: on every corpus workbook, the streamed scan agrees with the whole-part scan.

    A tiny read size puts piece boundaries inside tags, attribute values and
    ``</sheetData``; where the pieces cannot decide (None) the whole part is
    read instead, so only a streamed answer that differs is wrong.
    """
    require_corpus()
    decided = whole_only = 0
    for path in corpus_files():
        try:
            sheets = list(_whole_and_streamed(path, chunk))
        except Exception:
            continue  # not a readable package: read_cell_facts raises, the read goes without facts
        for name, whole, got in sheets:
            if got is None:
                whole_only += 1
                continue
            decided += 1
            assert got == whole, (path.name, name)
    assert decided > 100 * whole_only, (decided, whole_only)  # the whole read is the exception
