"""The stage history in a workbook: a night appends its rows, the rows there stay as they are.

The history sheet's zip member is written so the next run can add rows
without decompressing, re-rendering or recompressing the ones it holds
(``sheetsync/sources/xlsx_append.py``); after Excel (here openpyxl) saved the
workbook the rows are inserted into Excel's own XML; anything it cannot
check is written whole.  In every case the tab reads back as the full log.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import make_workbook
from test_history import deal, night, pipe

from sheetsync import jobs
from sheetsync.history import KIND, History, record
from sheetsync.outsheet import Append
from sheetsync.sources import xlsx_append
from sheetsync.sources.excel import ExcelSource
from sheetsync.sources.xlsx import sheet as xlsx_sheet
from sheetsync.sources.xlsx import splice

TAB = "sheetsync History"


def book(tmp_path: Path) -> Path:
    return make_workbook(tmp_path / "book.xlsx", {"Pipeline": [["Deal ID", "Stage"], ["D1", "x"]]})


def nights(n: int, deals: int = 50):
    """Pipelines of ``deals`` deals over ``n`` nights, a few moving each night."""
    stages = ["Lead", "Meeting", "Proposal", "Negotiation"]
    for k in range(n):
        yield k, pipe(*[deal(f"D{i}", stages[(i + k) // 7 % 4]) for i in range(deals)])


def read_history(path: Path) -> History:
    return History.from_grid(ExcelSource(path).read(TAB))


def history_member(path: Path) -> zipfile.ZipInfo:
    with zipfile.ZipFile(path) as zf:
        return next(i for i in zf.infolist() if xlsx_append.read_marker(i.extra) is not None)


def raw_bytes(path: Path, info: zipfile.ZipInfo, length: int) -> bytes:
    with path.open("rb") as fh:
        start = xlsx_append.data_offset(fh, info)
        assert start is not None
        fh.seek(start)
        return fh.read(length)


def night_by_night(tmp_path: Path, count: int, *, resave_before: set[int] = frozenset()):
    """Each night: read the history back from the workbook, record, splice; yields per night."""
    path = book(tmp_path)
    h = History()
    for k, p in nights(count):
        if k in resave_before:
            openpyxl.load_workbook(path).save(path)  # what Excel does to every part
        if k:
            h = read_history(path)
            assert h.problems == [] and h.tab is not None
        h = record(h, p, night(k))
        sheet = h.to_outsheet(TAB)
        out = tmp_path / f"night{k}.xlsx"
        result = splice(path, out, [sheet])
        shutil.move(out, path)
        yield k, h, sheet, result, path


def test_a_night_appends_below_and_copies_the_compressed_rows_as_they_are(tmp_path, monkeypatch):
    rendered: list[int] = []
    real = xlsx_sheet._render_rows

    def counting(name, rows, *args):
        rendered.append(len(rows))
        return real(name, rows, *args)

    monkeypatch.setattr(xlsx_sheet, "_render_rows", counting)
    previous = None
    for k, h, sheet, result, path in night_by_night(tmp_path, 6):
        info = history_member(path)
        marker = xlsx_append.read_marker(info.extra)
        assert marker is not None and marker.last_row == h.tab_rows()
        if k == 0:
            assert sheet.append is None and rendered == [len(sheet.rows)]
        else:
            assert sheet.append is not None and sheet.append.after == previous[1].last_row
            # only tonight's rows were rendered, and the rows already there were copied
            # as compressed bytes, unchanged
            assert rendered[-1] == len(sheet.rows) < previous[1].last_row
            assert raw_bytes(path, info, previous[1].prefix_compressed) == previous[0]
            assert result.changed_parts == [info.filename]
        assert read_history(path) == h
        previous = (raw_bytes(path, info, marker.prefix_compressed), marker)
    # a history Excel and openpyxl read as any other sheet
    ws = openpyxl.load_workbook(path)[TAB]
    assert ws.max_row == h.tab_rows() and ws.sheet_state == "hidden"
    assert ExcelSource(path).owned_tabs()[TAB] == KIND


def test_after_excel_saved_the_workbook_the_rows_go_into_its_own_xml(tmp_path, monkeypatch):
    rendered: list[int] = []
    real = xlsx_sheet._render_rows
    monkeypatch.setattr(
        xlsx_sheet,
        "_render_rows",
        lambda n, rows, *a: rendered.append(len(rows)) or real(n, rows, *a),
    )
    for k, h, sheet, _result, path in night_by_night(tmp_path, 5, resave_before={2, 3}):
        assert read_history(path) == h
        if k in (2, 3):  # the marker is gone with the save: rows inserted, not rendered again
            assert rendered[-1] == len(sheet.rows)
            assert xlsx_append.read_marker(history_member(path).extra).last_row == h.tab_rows()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None


@pytest.mark.parametrize("resaved", [False, True])
def test_rows_that_do_not_end_where_the_tab_does_are_written_whole(tmp_path, resaved):
    *_, path = list(night_by_night(tmp_path, 2))[-1]
    if resaved:
        openpyxl.load_workbook(path).save(path)
    h = record(read_history(path), next(nights(4))[1], night(5))
    sheet = h.to_outsheet(TAB)
    assert sheet.append is not None and sheet.rows
    # as if the tab read had another length than the one on disk: appending there
    # would put rows at the wrong place, so every row is written instead
    sheet.append = Append(sheet.append.after - 1, sheet.append.source, sheet.append.full)
    splice(path, tmp_path / "out.xlsx", [sheet])
    assert read_history(tmp_path / "out.xlsx") == h


def test_a_damaged_marker_is_not_trusted(tmp_path):
    *_, path = list(night_by_night(tmp_path, 2))[-1]
    info = history_member(path)
    marker = xlsx_append.read_marker(info.extra)
    assert marker is not None
    with path.open("rb") as fh:
        wrong = xlsx_append.Marker(
            marker.prefix_compressed - 3,
            marker.prefix_length,
            marker.prefix_crc,
            marker.last_row,
            marker.head_crc,
        )
        info.extra = wrong.extra()
        assert xlsx_append._after_marker(fh, info, wrong, [b"<row/>"], 1) is None


def test_the_nightly_sync_appends_to_the_history_tab(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    path = tmp_path / "team_pipeline.xlsx"
    shutil.copyfile(Path(__file__).parents[1] / "sample_workbooks" / "team_pipeline.xlsx", path)
    jobs.sync(str(path), as_of=dt.date(2026, 11, 26))
    first = history_member(path)
    wb = openpyxl.load_workbook(path)  # the team moves a deal, and saves
    ws = wb["Pipeline"]
    ws.cell(6, 9).value = "Proposal"
    wb.save(path)
    done = jobs.sync(str(path), as_of=dt.date(2026, 11, 27))
    assert done.history.appended == 1
    again = jobs.sync(str(path), as_of=dt.date(2026, 11, 28))  # nothing changed: not touched
    assert history_member(path).filename in done.write.changed_parts
    assert history_member(path).filename not in again.write.changed_parts
    assert read_history(path) == again.history
    assert first.filename == history_member(path).filename


@pytest.mark.slow
def test_libreoffice_reads_every_appended_row(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (make test installs it as root)")
    _k, h, *_, path = list(night_by_night(tmp_path, 4))[-1]
    outdir = tmp_path / "lo"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    back = History.from_grid(ExcelSource(outdir / path.name).read(TAB))
    assert back == h
