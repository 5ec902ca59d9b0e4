"""Excel's limits as Excel counts them, in what the xlsx writer writes (issue 16, item 9).

Cell text is cut at 32,767 UTF-16 code units (an emoji is two), never
between the halves of a surrogate pair; an internal link to a tab whose name
a formula would read as a cell reference, in A1 style (``AB12``) or R1C1
style (``RC``, ``R1C1``, ``R2C``, ``C3``), has the tab quoted
(ISO/IEC 29500-1 §18.3.1.47 ``location``, §18.17.2 formula grammar).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import make_workbook
from python_calamine import CalamineWorkbook

from sheetsync.model import CellRef
from sheetsync.outsheet import OutCell, OutSheet
from sheetsync.sources.owned import EXCEL_MAX_CELL_TEXT, cut_utf16
from sheetsync.sources.xlsx import inspect_workbook, splice
from sheetsync.sources.xlsx.sheet import _CellWriter, _location
from sheetsync.sources.xlsx.xmltext import _esc, _xstring

EMOJI = "\U0001f600"  # 😀: one Python character, two UTF-16 code units
LIMIT = 32_767


def units(text: str) -> int:
    """UTF-16 code units, as Excel counts (strict: a lone surrogate raises)."""
    return len(text.encode("utf-16-le")) // 2


def write_one_cell(tmp_path: Path, text: str) -> Path:
    src = make_workbook(tmp_path / "in.xlsx", {"Deals": [["Deal"], ["Acme"]]})
    dst = tmp_path / "out.xlsx"
    splice(src, dst, [OutSheet("Long", "long", [[text]])])
    return dst


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(EMOJI * 40_000, EMOJI * 16_383, id="all-emoji: 32,766 units, not 65,534"),
        pytest.param("a" + EMOJI * 20_000, "a" + EMOJI * 16_383, id="odd-start: exactly 32,767"),
        pytest.param("ab" + EMOJI * 20_000, "ab" + EMOJI * 16_382, id="pair-not-split"),
        pytest.param("x" * 40_000, "x" * LIMIT, id="plain-text: 32,767 characters"),
        pytest.param(EMOJI * 16_383 + "x", EMOJI * 16_383 + "x", id="at-the-limit: kept whole"),
    ],
)
def test_cell_text_is_cut_at_32767_utf16_units_never_inside_an_emoji(
    tmp_path: Path, text: str, expected: str
):
    dst = write_one_cell(tmp_path, text)
    got = openpyxl.load_workbook(dst)["Long"]["A1"].value
    assert units(got) <= LIMIT  # what Excel accepts without repairing the file
    assert got == expected
    cal = CalamineWorkbook.from_path(str(dst)).get_sheet_by_name("Long").to_python()
    assert cal[0][0] == expected


def test_the_cut_counts_code_units_and_keeps_pairs_whole():
    assert cut_utf16("a" + EMOJI + "b", 2) == "a"  # the emoji would straddle the limit
    assert cut_utf16("a" + EMOJI + "b", 3) == "a" + EMOJI
    assert cut_utf16("a" + EMOJI + "b", 4) == "a" + EMOJI + "b"
    assert cut_utf16("abcdef", 4) == "abcd"
    assert cut_utf16("", 4) == ""


@pytest.mark.parametrize(
    ("link", "location"),
    [
        # R1C1-style names: quoted now
        ("RC!A1", "'RC'!A1"),
        ("R1C1!A1", "'R1C1'!A1"),
        ("R2C!B3", "'R2C'!B3"),
        ("C3!A1", "'C3'!A1"),
        ("rc!A1", "'rc'!A1"),
        ("R!A1", "'R'!A1"),
        ("C!A1", "'C'!A1"),
        # A1-style names and names a formula cannot hold bare: quoted, as before
        ("2026!A1", "'2026'!A1"),
        ("AB12!A1", "'AB12'!A1"),
        ("It's!A1", "'It''s'!A1"),
        # already quoted, plain, or no tab at all: as they are
        ("'My Deals'!A1", "'My Deals'!A1"),
        ("'RC'!A1", "'RC'!A1"),
        ("#Deals!A2", "Deals!A2"),
        ("Deals!A2", "Deals!A2"),
        ("Deals.2026!B5", "Deals.2026!B5"),
        ("RCA!A1", "RCA!A1"),
        ("Print_Area", "Print_Area"),
    ],
)
def test_links_to_tabs_named_like_cell_references_are_quoted(link: str, location: str):
    assert _location(link.lstrip("#")) == location


def test_a_finding_link_to_an_r1c1_named_tab_is_written_quoted(tmp_path: Path):
    """End to end: tabs link findings with ``str(CellRef)``, quoted by the same rule."""
    tabs = {name: [["Deal"], ["Acme"], ["Beta"]] for name in ("RC", "R1C1", "C3", "2026")}
    src = make_workbook(tmp_path / "in.xlsx", tabs)
    dst = tmp_path / "out.xlsx"
    rows = [
        [OutCell(str(CellRef("RC", 2, 1)), link=str(CellRef("RC", 2, 1)))],
        [OutCell("r1c1", link=str(CellRef("R1C1", 3, 1)))],
        [OutCell("c3", link=str(CellRef("C3", 2, 1)))],
        [OutCell("year", link=str(CellRef("2026", 2, 1)))],
    ]
    splice(src, dst, [OutSheet("Checks", "checks", rows)])
    ws = openpyxl.load_workbook(dst)["Checks"]
    assert [ws.cell(r, 1).hyperlink.location for r in range(1, 5)] == [
        "'RC'!A2",
        "'R1C1'!A3",
        "'C3'!A2",
        "'2026'!A2",
    ]
    part = next(s.part for s in inspect_workbook(dst).sheets if s.name == "Checks")
    with zipfile.ZipFile(dst) as zf:
        xml = zf.read(part).decode("utf-8")
    assert "location=\"'RC'!A2\"" in xml


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "",
        "a & b < c > d",
        "_x0041_ typed",
        "_x004 not an escape_",
        "line\r\nbreak",
        "bell\x07",
        "lone \ud800 surrogate",
        "emoji 😀",
        "\ufffe",
        "x" * (EXCEL_MAX_CELL_TEXT // 2),
        "x" * (EXCEL_MAX_CELL_TEXT // 2 + 1),
        "😀" * EXCEL_MAX_CELL_TEXT,
    ],
)
def test_a_cell_text_written_as_it_is_only_when_escaping_would_not_change_it(text):
    writer = _CellWriter(None, False, "#,##0.00")  # type: ignore[arg-type]  # (no style asked)
    full = _esc(_xstring(cut_utf16(text, EXCEL_MAX_CELL_TEXT)))
    assert writer.cell("A1", text, None) == (
        f'<c r="A1" t="inlineStr"><is><t xml:space="preserve">{full}</t></is></c>'
    )
