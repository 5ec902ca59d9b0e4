"""The record of what sheetsync wrote (``sheetsync Written``): small, by meaning, upgradable.

Follow-ups and Data Issues list deals (up to ``[sync] max_rows`` rows each),
so they are recorded by digest: the record's size follows the rows, not the
text in them, and on Google it goes in the one batchUpdate of the owned tabs.
A record of the earlier format (a record row a written row, full JSON) is
still read, so a team upgrading gets no flood of false "typed" reports.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from gsheets_emulator.fixtures import google_env

from sheetsync import jobs
from sheetsync.model import Grid
from sheetsync.outsheet import OutCell, OutSheet
from sheetsync.owned_edits import (
    DIGEST_CHUNK,
    DIGEST_MARK,
    VALUES_MARK,
    WRITTEN_KIND,
    WRITTEN_TAB,
    WRITTEN_VALUE,
    canon,
    encode,
    read_record,
    read_written,
    row_code,
    typed_cells,
    written_sheet,
)
from sheetsync.reporting import sync_text
from sheetsync.sources.excel import ExcelSource
from sheetsync.tabs import DONE_COL, FOLLOW_UP_HEADER, KEY_COL, NOTE_COL

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
T = dt.date(2026, 11, 26)
FU = "sheetsync Follow-ups"
COL = {h: i + 1 for i, h in enumerate(FOLLOW_UP_HEADER)}


@pytest.fixture
def book(tmp_path) -> Path:
    p = tmp_path / "team_pipeline.xlsx"
    shutil.copyfile(SAMPLE, p)
    return p


def follow_ups(n: int) -> OutSheet:
    """A Follow-ups tab of ``n`` deal rows with long texts, dates, moments and amounts."""
    rows: list[list[object]] = [["banner"], list(FOLLOW_UP_HEADER)]
    for i in range(n):
        row: list[object] = [f"Rep {i % 25:02d}", "follow-up", f"Deal {i} " + "x" * 60]
        row += [f"Company {i}", f"Contact {i}", f"c{i}@example.com", "Proposal", 1000.0 + i]
        row += [dt.date(2026, 11, 1 + i % 28), dt.datetime(2026, 11, 26, 9, i % 60, 7)]
        row += ["No contact for 12 days — last contact 14 Nov " * 3, OutCell(f"Deals!N{i}", "link")]
        row += [None, None, None, f"D-{i:06d}"]
        rows.append(row)
    return OutSheet(FU, "follow-ups", rows=rows, editable_cols=(DONE_COL, NOTE_COL))


def old_format_record(sheets: list[OutSheet]) -> OutSheet:
    """The record as sheetsync wrote it before digests: a row a written row, its cells as JSON."""
    rows: list[list[object]] = [["Tab", "Kind", "Row", "Cells"]]
    for s in sheets:
        if s.hidden or s.append is not None or s.kind == WRITTEN_KIND:
            continue
        for r, row in enumerate(s.rows, 1):
            cells = [encode(v) for v in row]
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                rows.append([s.name, s.kind, r, json.dumps(cells, separators=(",", ":"))])
    return OutSheet(WRITTEN_TAB, WRITTEN_KIND, rows=rows, freeze_rows=1, hidden=True)


# --------------------------------------------------------------------------- size


def test_the_record_of_a_deal_list_costs_a_character_a_cell_not_its_text():
    sheet = follow_ups(5000)
    record = written_sheet([sheet])
    cells = [r[3] for r in record.rows[1:]]
    assert all(c.startswith(DIGEST_MARK) and len(c) <= DIGEST_CHUNK for c in cells)
    total = sum(len(c) for c in cells)
    written = sum(len(json.dumps([encode(v) for v in row], default=str)) for row in sheet.rows)
    assert total < 22 * len(sheet.rows)  # 4 of row digest + 1 a cell + 1 separator
    assert total * 15 < written  # the full JSON of the same rows: over 15 times more
    assert len(record.rows) < 10  # a few packed cells, not a record row a written row


def test_the_small_tabs_are_recorded_by_value_packed_a_few_cells():
    summary = OutSheet("S", "summary", rows=[["banner"], [], ["Quota", 9, dt.date(2026, 1, 2)]])
    record = written_sheet([summary])
    assert [r[:3] for r in record.rows[1:]] == [["S", "summary", 1]]
    assert record.rows[1][3].startswith(VALUES_MARK)
    assert read_written(Grid(WRITTEN_TAB, record.rows)) == {
        "summary": {1: ["banner"], 3: ["Quota", 9, {"d": "2026-01-02"}]}
    }


# --------------------------------------------------------------------------- by meaning


def test_a_digested_row_read_back_as_either_backend_gives_it_is_the_same_row():
    written = ["x", 9, dt.date(2026, 11, 26), dt.datetime(2026, 11, 26, 11, 0, 5), True, None]
    google = ["x", 9.0, 46352.0, 46352 + (11 * 3600 + 5) / 86400, True]
    calamine = ["x", 9.0, dt.datetime(2026, 11, 26), dt.datetime(2026, 11, 26, 11, 0, 4, 999999)]
    calamine.append(True)
    assert row_code(written) == row_code(google) == row_code(calamine)
    assert canon(OutCell("a", "link")) == canon("a")
    assert canon(9) != canon("9") and canon(True) != canon(1)
    # a long text the backend cut at its cell limit is the same; typed over, it is not
    huge = "😀" * 40_000
    assert canon(huge) == canon(huge[:16_383]) != canon(huge[:100])
    assert canon("é" * 5000) != canon("é" * 5000 + "!")


def test_a_cell_typed_in_a_deal_list_is_reported_by_tab_and_cell():
    sheet = follow_ups(30)
    rows = read_written(Grid(WRITTEN_TAB, written_sheet([sheet]).rows))["follow-ups"]
    grid = [list(v.value if isinstance(v, OutCell) else v for v in row) for row in sheet.rows]
    assert typed_cells(Grid(FU, grid), rows, (DONE_COL, NOTE_COL)) == []
    grid[4][COL["Deal"] - 1] = "Bin picking (renamed)"
    grid[5][COL["Drafted at"] - 1] = "typed where nothing was"
    grid[6][DONE_COL - 1] = "x"  # Done is the team's: never reported
    grid += [[], [None, "far below"]]
    typed = typed_cells(Grid(FU, grid), rows, (DONE_COL, NOTE_COL))
    assert [t.line() for t in typed] == [
        f"{FU}!C5: {WRITTEN_VALUE} → 'Bin picking (renamed)'",
        f"{FU}!M6: (empty) → 'typed where nothing was'",
        f"{FU}!B34: (empty) → 'far below'",
    ]


def test_a_typed_cell_whose_character_matches_is_reported_as_its_row():
    sheet = OutSheet("D", "data-issues", rows=[["a", "b", "c"]])
    code = row_code(sheet.rows[0])
    twin = next(f"t{i}" for i in range(10_000) if row_code(["a", f"t{i}", "c"])[4:] == code[4:])
    rows = read_written(Grid(WRITTEN_TAB, written_sheet([sheet]).rows))["data-issues"]
    typed = typed_cells(Grid("D", [["a", twin, "c"]]), rows)
    assert [t.line() for t in typed] == ["D!A1:C1: (sheetsync's row) → (a cell changed)"]


# --------------------------------------------------------------------------- upgrading


def test_a_record_of_the_earlier_format_is_read_after_an_upgrade(book):
    done = jobs.sync(str(book), as_of=T)
    ExcelSource(book).write([old_format_record(done.sheets[:-1])])  # as the old version left it
    old = ExcelSource(book).read(WRITTEN_TAB)
    assert len(old.rows) > 50 and old.rows[1][3].startswith("[")
    wb = openpyxl.load_workbook(book)
    ws = wb[FU]
    r = next(i for i in range(3, ws.max_row + 1) if ws.cell(i, KEY_COL).value == "NW-1017")
    deal = ws.cell(r, COL["Deal"]).value
    ws.cell(r, COL["Deal"]).value = "renamed"
    wb.save(book)
    upgraded = jobs.sync(str(book), as_of=T)
    # nothing but the typed cell, and (the old record holds values) with its old value
    assert [t.line() for t in upgraded.owned.typed] == [f"{FU}!C{r}: {deal!r} → 'renamed'"]
    assert upgraded.owned.unreadable == []
    new = ExcelSource(book).read(WRITTEN_TAB)
    assert len(new.rows) < 12
    assert {row[3][:3] for row in new.rows[1:]} == {DIGEST_MARK, VALUES_MARK}
    assert jobs.sync(str(book), as_of=T).owned.lines() == []


def test_an_edited_record_is_said_once_never_a_flood_of_typed_cells(book):
    done = jobs.sync(str(book), as_of=T)
    record = next(s for s in done.sheets if s.kind == WRITTEN_KIND)
    damaged = [list(r) for r in record.rows]
    for row in damaged:
        if row[1] == "summary":
            row[3] = row[3][:-5]  # its JSON cut short
        elif row[1] == "follow-ups":
            codes = row[3].split("|")
            codes[3] = "%%bad%%"  # one row's code: only that row goes uncompared
            row[3] = "|".join(codes)
        elif row[1] == "data-issues":
            row[3] = row[3].replace("|", "||", 1)  # every row after it would shift
    ExcelSource(book).write([OutSheet(WRITTEN_TAB, WRITTEN_KIND, damaged, hidden=True)])
    again = jobs.sync(str(book), as_of=T)
    assert again.owned.typed == [], again.owned.lines()
    assert again.owned.unreadable == ["sheetsync Data Issues", "sheetsync Summary"]
    lines = [line for line in again.owned.lines() if "cannot be read" in line]
    assert lines == [
        "the hidden 'sheetsync Written' tab was edited: what sheetsync wrote into "
        "'sheetsync Data Issues', 'sheetsync Summary' cannot be read, so cells typed there "
        "are not reported tonight (tomorrow's run compares again)"
    ]
    assert lines[0] in sync_text(again, today=T)
    # the night rewrites the record: the next one compares everything again
    assert jobs.sync(str(book), as_of=T).owned.lines() == []
    assert read_record(ExcelSource(book).read(WRITTEN_TAB))[1] == set()


# --------------------------------------------------------------------------- Google


@pytest.fixture
def google(tmp_path, monkeypatch):
    yield from google_env(tmp_path, monkeypatch)


def test_google_writes_the_record_in_the_one_batchupdate_of_the_owned_tabs(google):
    sid = google.sample_sheet()
    jobs.sync(f"gsheet:{sid}", as_of=T)
    google.emu.reset_counts()
    done = jobs.sync(f"gsheet:{sid}", as_of=T + dt.timedelta(days=1))
    assert done.owned.recorded and done.owned.typed == []
    # two for the lease (sources/gsheets_lease.py), one for every owned tab with the record
    assert google.emu.api_counts()["spreadsheets.batchUpdate"] == 3
    record = google.emu.values(sid, WRITTEN_TAB)
    assert len(record) < 12
    assert {row[1]: row[3][:3] for row in record[1:]} == {
        "summary": VALUES_MARK,
        "funnel": VALUES_MARK,
        "follow-ups": DIGEST_MARK,
        "data-issues": DIGEST_MARK,
    }
