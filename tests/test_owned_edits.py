"""Owned tabs people can write in: the banner, Done and Note kept, typed cells reported, protection.

Every test runs a real sync (the Excel backend on a copy of the sample
workbook, the Google backend against the loopback emulator), types into the
written tabs as a person would (openpyxl for the workbook, the emulator's
own cell store for the sheet), and runs the next night.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from gsheets_emulator.fixtures import google_env

from sheetsync import jobs
from sheetsync.model import Grid
from sheetsync.outsheet import OutCell, OutSheet
from sheetsync.owned_edits import (
    WRITTEN_KIND,
    WRITTEN_TAB,
    read_marks,
    same,
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
VISIBLE = ["sheetsync Summary", "sheetsync Funnel", FU, "sheetsync Data Issues"]
COL = {h: i + 1 for i, h in enumerate(FOLLOW_UP_HEADER)}


@pytest.fixture
def book(tmp_path) -> Path:
    p = tmp_path / "team_pipeline.xlsx"
    shutil.copyfile(SAMPLE, p)
    return p


def row_of(ws, key: str, kind: str) -> int:
    """The sheet row of the follow-up (deal key, kind) in an openpyxl worksheet."""
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, KEY_COL).value == key and ws.cell(r, COL["Action"]).value == kind:
            return r
    raise AssertionError(f"no follow-up {kind} for {key}")


def type_into(book: Path, edits: dict[str, dict[tuple[int, int], object]]) -> None:
    """A person types into the workbook and saves it (openpyxl, as Excel would keep it)."""
    wb = openpyxl.load_workbook(book)
    for tab, cells in edits.items():
        for (r, c), v in cells.items():
            wb[tab].cell(r, c).value = v
    wb.save(book)


# --------------------------------------------------------------------------- the banner


def test_every_visible_owned_tab_starts_with_the_same_banner(book):
    done = jobs.sync(str(book), as_of=T)
    wb = openpyxl.load_workbook(book)
    banners = {name: wb[name]["A1"].value for name in VISIBLE}
    assert len(set(banners.values())) == 1, banners
    text = banners[FU]
    assert text.startswith("Written by sheetsync from the 'Pipeline' tab on 2026-11-26")
    assert "replaced nightly" in text and "Done and Note columns of 'sheetsync Follow-ups'" in text
    # hidden state tabs keep their header in row 1 (they are read back by position)
    hidden = [s for s in done.sheets if s.hidden]
    assert {s.kind for s in hidden} == {"history", WRITTEN_KIND}
    assert all(not str(s.all_rows()[0][0]).startswith("Written by") for s in hidden)


# --------------------------------------------------------------------------- nothing typed


def test_a_night_with_nothing_typed_reports_nothing(book):
    first = jobs.sync(str(book), as_of=T)
    assert first.owned.lines() == [] and not first.owned.recorded
    for day in (T, T + dt.timedelta(days=1), T + dt.timedelta(days=9)):
        done = jobs.sync(str(book), as_of=day)
        assert done.owned.recorded
        assert done.owned.typed == [], done.owned.lines()
        assert "typed into sheetsync's tabs" not in sync_text(done, today=day)


# --------------------------------------------------------------------------- Done and Note


def test_done_and_note_are_kept_for_the_same_deal_and_action_and_dropped_when_it_is_gone(book):
    jobs.sync(str(book), as_of=T)
    ws = openpyxl.load_workbook(book)[FU]
    stays = row_of(ws, "NW-1017", "no-next-step")  # still due tomorrow
    goes = row_of(ws, "NW-1025", "appointment-reminder")  # today's meeting: gone tomorrow
    when = dt.datetime(2026, 11, 26, 17, 5)
    type_into(
        book,
        {
            FU: {
                (stays, DONE_COL): when,
                (stays, NOTE_COL): "called, proposes Tuesday",
                (goes, NOTE_COL): "confirmed by phone",
            }
        },
    )
    done = jobs.sync(str(book), as_of=T + dt.timedelta(days=1))
    assert done.owned.typed == []  # Done and Note are the team's: not "typed elsewhere"
    ws = openpyxl.load_workbook(book)[FU]
    r = row_of(ws, "NW-1017", "no-next-step")
    assert ws.cell(r, DONE_COL).value == when  # the value as typed, a date stays a date
    assert ws.cell(r, NOTE_COL).value == "called, proposes Tuesday"
    notes = [ws.cell(i, NOTE_COL).value for i in range(3, ws.max_row + 1)]
    assert "confirmed by phone" not in notes
    assert [(m.deal, m.kind) for m in done.owned.dropped] == [
        ("Umbra Optics", "appointment-reminder")
    ]
    text = sync_text(done, today=T + dt.timedelta(days=1))
    assert (
        "1 note dropped, their follow-ups are no longer due: Umbra Optics (appointment-reminder)"
        in text
    )
    # the Summary tab says it too (a Google user never sees cron's output)
    summary = [c.value for row in openpyxl.load_workbook(book)["sheetsync Summary"] for c in row]
    assert any(isinstance(v, str) and v.startswith("1 note dropped") for v in summary)
    # and the next night keeps the mark again, reporting nothing
    again = jobs.sync(str(book), as_of=T + dt.timedelta(days=1))
    assert again.owned.lines() == []
    r = row_of(openpyxl.load_workbook(book)[FU], "NW-1017", "no-next-step")
    assert openpyxl.load_workbook(book)[FU].cell(r, NOTE_COL).value == "called, proposes Tuesday"
    # (this night's summary no longer lists the dropped note; the one after changes nothing)
    assert jobs.sync(str(book), as_of=T + dt.timedelta(days=1)).write.changed_parts == []


def test_a_done_mark_stops_the_email_draft_of_that_action(book, tmp_path):
    jobs.sync(str(book), as_of=T)
    ws = openpyxl.load_workbook(book)[FU]
    r = row_of(ws, "NW-1025", "appointment-reminder")
    type_into(book, {FU: {(r, DONE_COL): "x"}})
    (tmp_path / "sheetsync.toml").write_text("[drafts]\nenabled = true\n", encoding="utf-8")
    done = jobs.sync(str(book), as_of=T)
    assert sum(done.drafts.counts().values()) == 28 - 1  # 28 without the mark (test_drafts)
    assert not any(
        d.key == "NW-1025" and d.kind == "appointment-reminder" for d in done.drafts.drafts
    )
    ws = openpyxl.load_workbook(book)[FU]
    r = row_of(ws, "NW-1025", "appointment-reminder")
    assert ws.cell(r, DONE_COL).value == "x" and ws.cell(r, COL["Drafted at"]).value is None


def test_a_note_below_the_last_listed_row_is_reported_not_lost_silently(book, tmp_path):
    jobs.sync(str(book), as_of=T)
    ws = openpyxl.load_workbook(book)[FU]
    last = ws.max_row  # the last follow-up listed tonight
    key, kind = ws.cell(last, KEY_COL).value, ws.cell(last, COL["Action"]).value
    type_into(book, {FU: {(last, NOTE_COL): "keep me"}})
    (tmp_path / "sheetsync.toml").write_text("[sync]\nmax_rows = 3\n", encoding="utf-8")
    done = jobs.sync(str(book), as_of=T)
    assert [(m.kind, m.note) for m in done.owned.unlisted] == [(kind, "keep me")]
    assert any(
        line.startswith("1 note not kept, their follow-ups are below the tab's last row")
        for line in done.owned.lines()
    ), (key, done.owned.lines())


def test_a_no_in_done_is_not_done():
    grid = Grid(
        "F",
        [
            ["banner"],
            list(FOLLOW_UP_HEADER),
            *[
                [""] * (DONE_COL - 1) + [done, "n", f"K{i}"]
                for i, done in enumerate(["no", "x", 0, True, "False"])
            ],
        ],
    )
    for row in grid.rows[2:]:
        row[COL["Action"] - 1] = "stale"
    marks = read_marks(grid)
    assert [marks[(f"K{i}", "stale")].is_done for i in range(5)] == [
        False,
        True,
        False,
        True,
        False,
    ]


# --------------------------------------------------------------------------- typed elsewhere


def test_cells_typed_elsewhere_are_reported_with_tab_cell_and_values_then_replaced(book):
    jobs.sync(str(book), as_of=T)
    ws = openpyxl.load_workbook(book)[FU]
    r = row_of(ws, "NW-1017", "no-next-step")
    deal = ws.cell(r, COL["Deal"]).value
    type_into(
        book,
        {
            FU: {(r, COL["Deal"]): "Bin picking (renamed)", (r, 20): "mine"},
            "sheetsync Funnel": {(60, 1): "a note far below"},
        },
    )
    done = jobs.sync(str(book), as_of=T)
    lines = [t.line() for t in done.owned.typed]
    # Follow-ups is recorded by digest: the old value is the deal's, in the team's sheet
    assert sorted(lines) == sorted(
        [
            f"{FU}!C{r}: (sheetsync's value) → 'Bin picking (renamed)'",
            f"{FU}!T{r}: (empty) → 'mine'",
            "sheetsync Funnel!A60: (empty) → 'a note far below'",
        ]
    )
    text = sync_text(done, today=T)
    assert "3 cells typed into sheetsync's tabs since the last run, replaced now" in text
    wb = openpyxl.load_workbook(book)
    assert wb[FU].cell(r, COL["Deal"]).value == deal  # replaced by sheetsync's value
    assert wb[FU].cell(r, 20).value is None
    assert wb["sheetsync Funnel"]["A60"].value is None


def test_a_date_read_back_as_a_serial_number_is_the_same_date():
    assert same({"d": "2026-11-26"}, 46352.0)  # Google: UNFORMATTED_VALUE, SERIAL_NUMBER
    assert same({"d": "2026-11-26"}, dt.datetime(2026, 11, 26))  # calamine
    assert same({"t": "2026-11-26T11:00:00"}, 46352 + 11 / 24)
    assert not same({"d": "2026-11-26"}, 46353.0)
    assert same(162500.0, 162500) and not same(162500.0, "162500")
    assert not same(None, "x") and same(None, "")
    long_text = "é" * 5000
    sheet = OutSheet("S", "summary", rows=[[OutCell(long_text, "muted")]])
    record = written_sheet([sheet])
    assert len(record.rows[1][3]) < 200  # a long text is recorded by its digest
    grid = Grid("S", [[long_text]])
    from sheetsync.owned_edits import read_written

    rows = read_written(Grid(WRITTEN_TAB, record.rows))["summary"]
    assert typed_cells(grid, rows) == []
    changed = typed_cells(Grid("S", [[long_text + "!"]]), rows)
    assert [(t.cell, t.old) for t in changed] == [("A1", "(a text of 5,000 characters)")]
    # a text the backend cut at its cell limit was not typed over
    huge = "😀" * 40_000
    rows = read_written(Grid(WRITTEN_TAB, written_sheet([OutSheet("S", "summary", [[huge]])]).rows))
    assert typed_cells(Grid("S", [[huge[:16_383]]]), rows["summary"]) == []
    assert len(typed_cells(Grid("S", [[huge[:100]]]), rows["summary"])) == 1


# --------------------------------------------------------------------------- protection


def test_protect_owned_tabs_protects_without_a_password_and_leaves_done_and_note_open(
    book, tmp_path
):
    (tmp_path / "sheetsync.toml").write_text(
        "[sync]\nprotect_owned_tabs = true\n", encoding="utf-8"
    )
    jobs.sync(str(book), as_of=T)
    wb = openpyxl.load_workbook(book)
    for name in VISIBLE:
        p = wb[name].protection
        assert p.sheet is True and not p.password, name
    with zipfile.ZipFile(book) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = {n: zf.read(n).decode() for n in sheets}
    assert sum("<sheetProtection " in x for x in xml.values()) == len(VISIBLE)
    assert not any("hashValue" in x or "password" in x for x in xml.values())
    # the empty Done and Note cells are unlocked by their column's format
    fu_xml = next(x for x in xml.values() if '<c r="P3"' in x and "Drafted at" in x)
    for col in (DONE_COL, NOTE_COL):
        assert f'<col min="{col}" max="{col}" style="' in fu_xml
    # a note typed there is kept, in an unlocked cell; the rest of the row stays locked
    type_into(book, {FU: {(3, NOTE_COL): "ok"}})
    jobs.sync(str(book), as_of=T)
    ws = openpyxl.load_workbook(book)[FU]
    assert ws.cell(3, NOTE_COL).value == "ok"
    assert ws.cell(3, NOTE_COL).protection.locked is False
    assert ws.cell(3, COL["Why"]).protection.locked is True
    assert ws.cell(2, DONE_COL).protection.locked is True  # the header stays locked
    # styles do not grow night after night
    with zipfile.ZipFile(book) as zf:
        styles = zf.read("xl/styles.xml")
    jobs.sync(str(book), as_of=T + dt.timedelta(days=1))
    with zipfile.ZipFile(book) as zf:
        assert zf.read("xl/styles.xml") == styles
    # turned off: the next night writes the tabs unprotected
    (tmp_path / "sheetsync.toml").write_text("", encoding="utf-8")
    jobs.sync(str(book), as_of=T + dt.timedelta(days=2))
    wb = openpyxl.load_workbook(book)
    assert not any(wb[name].protection.sheet for name in VISIBLE)


def test_the_hidden_record_is_an_owned_tab_found_by_its_kind(book):
    jobs.sync(str(book), as_of=T)
    src = ExcelSource(book)
    assert src.owned_tabs()[WRITTEN_TAB] == WRITTEN_KIND
    grid = src.read(WRITTEN_TAB)
    assert grid.rows[0][:4] == ["Tab", "Kind", "Row", "Cells"]
    kinds = {r[1] for r in grid.rows[1:]}
    assert kinds == {"summary", "funnel", "follow-ups", "data-issues"}


# --------------------------------------------------------------------------- Google


@pytest.fixture
def google(tmp_path, monkeypatch):
    yield from google_env(tmp_path, monkeypatch)


def gsheet_row(google, sid: str, key: str, kind: str) -> int:
    values = google.emu.values(sid, FU)
    for i, row in enumerate(values, 1):
        if len(row) >= KEY_COL and row[KEY_COL - 1] == key and row[COL["Action"] - 1] == kind:
            return i
    raise AssertionError(f"no follow-up {kind} for {key}")


def type_in_google(google, sid: str, tab: str, row: int, col: int, value: object) -> None:
    google.emu.set_values(sid, tab, [[None] * 1] * (row - 1) + [[None] * (col - 1) + [value]])


def test_google_keeps_done_and_note_and_reports_typed_cells_in_one_read(google, tmp_path):
    sid = google.sample_sheet()
    first = jobs.sync(f"gsheet:{sid}", as_of=T)
    assert first.owned.lines() == []
    again = jobs.sync(f"gsheet:{sid}", as_of=T + dt.timedelta(days=1))
    assert again.owned.recorded and again.owned.typed == [], again.owned.lines()
    r = gsheet_row(google, sid, "NW-1017", "no-next-step")
    type_in_google(google, sid, FU, r, DONE_COL, "x")
    type_in_google(google, sid, FU, r, NOTE_COL, "call back Monday")
    type_in_google(google, sid, "sheetsync Summary", 90, 2, "typed here")
    google.emu.reset_counts()
    done = jobs.sync(f"gsheet:{sid}", as_of=T + dt.timedelta(days=1))
    assert google.emu.api_counts()["values.batchGet"] == 1  # owned tabs read with the rest
    assert [t.line() for t in done.owned.typed] == ["sheetsync Summary!B90: (empty) → 'typed here'"]
    r = gsheet_row(google, sid, "NW-1017", "no-next-step")
    row = google.emu.values(sid, FU)[r - 1]
    assert row[DONE_COL - 1] == "x" and row[NOTE_COL - 1] == "call back Monday"
    summary = google.emu.values(sid, VISIBLE[0])
    assert len(summary) < 90 or len(summary[89]) < 2 or summary[89][1] in ("", None)
    assert any("B90: (empty) → 'typed here'" in str(v) for row in summary for v in row)


def test_google_protection_is_warning_only_with_done_and_note_left_open(google, tmp_path):
    cfg = tmp_path / "sheetsync.toml"
    cfg.write_text("[sync]\nprotect_owned_tabs = true\n", encoding="utf-8")
    sid = google.sample_sheet()
    for day in (T, T + dt.timedelta(days=1)):  # the second night replaces, never adds one more
        jobs.sync(f"gsheet:{sid}", as_of=day, config=str(cfg))
        ss = google.emu.spreadsheet(sid)
        for name in VISIBLE:
            prs = ss.sheet_by_title(name).protected
            assert len(prs) == 1, (name, prs)
            assert prs[0]["warningOnly"] is True and "editors" not in prs[0]
            assert prs[0]["description"].startswith("sheetsync:")
        fu = ss.sheet_by_title(FU)
        open_ranges = fu.protected[0]["unprotectedRanges"]
        assert [
            (u["startColumnIndex"], u["endColumnIndex"], u["startRowIndex"]) for u in open_ranges
        ] == [
            (DONE_COL - 1, DONE_COL, 2),
            (NOTE_COL - 1, NOTE_COL, 2),
        ]
    # a person's own protected range on an owned tab is left alone; ours go when turned off
    cfg.write_text("", encoding="utf-8")
    jobs.sync(f"gsheet:{sid}", as_of=T + dt.timedelta(days=2), config=str(cfg))
    ss = google.emu.spreadsheet(sid)
    assert all(ss.sheet_by_title(name).protected == [] for name in VISIBLE)


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.slow
def test_libreoffice_opens_a_protected_workbook_and_keeps_done_and_note_unlocked(book, tmp_path):
    """LibreOffice reads the protection as Excel does: it saves it back with the same cells open."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: sudo apt-get install libreoffice-calc")
    import subprocess

    (tmp_path / "sheetsync.toml").write_text(
        "[sync]\nprotect_owned_tabs = true\n", encoding="utf-8"
    )
    jobs.sync(str(book), as_of=T)
    type_into(book, {FU: {(3, NOTE_COL): "ok"}})
    jobs.sync(str(book), as_of=T)
    out_dir = tmp_path / "lo"
    res = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out_dir),
            str(book),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    wb = openpyxl.load_workbook(out_dir / book.name)
    for name in VISIBLE:
        assert wb[name].protection.sheet is True, name
    ws = wb[FU]
    assert ws.cell(3, NOTE_COL).value == "ok"
    assert ws.cell(3, NOTE_COL).protection.locked is False
    assert ws.cell(3, COL["Why"]).protection.locked is True
