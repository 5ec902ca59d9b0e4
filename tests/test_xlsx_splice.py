"""The splice writer: owned tabs go in, everything else stays byte-identical."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from sheetsync.errors import (
    ConfigError,
    OwnershipError,
    SourceError,
    UnsupportedWorkbookError,
)
from sheetsync.outsheet import ChartSeries, ChartSpec, OutCell, OutSheet
from sheetsync.sources.xlsx import (
    OWNED_MARKER_NAME,
    inspect_workbook,
    splice,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "excel-corpus"
if not CORPUS.is_dir() and os.environ.get("SHEETSYNC_EXCEL_CORPUS"):
    CORPUS = Path(os.environ["SHEETSYNC_EXCEL_CORPUS"])
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/excel-corpus not found")

NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# --------------------------------------------------------------------------- helpers


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def raw_member(path: Path, name: str) -> bytes:
    """The compressed bytes of one member, as stored."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    with path.open("rb") as fh:
        fh.seek(info.header_offset + 26)
        n, m = int.from_bytes(fh.read(2), "little"), int.from_bytes(fh.read(2), "little")
        fh.seek(info.header_offset + 30 + n + m)
        return fh.read(info.compress_size)


def assert_untouched(src: Path, dst: Path, changed: list[str]) -> None:
    """Every member not reported as changed is byte-identical, raw data included, in order."""
    before, after = members(src), members(dst)
    kept = [n for n in before if n not in changed]
    assert [n for n in after if n in before and n not in changed] == kept
    for name in kept:
        assert after[name] == before[name], name
        assert raw_member(src, name) == raw_member(dst, name), name
    for name in changed:
        assert name in before or name in after, name


def user_workbook(path: Path, *, date_1904: bool = False) -> Path:
    """A person's workbook: formatting, a chart, a comment, a print area, validation."""
    wb = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    bold = wb.add_format({"bold": True, "bg_color": "#FFFF00"})
    money = wb.add_format({"num_format": "#,##0.00 [$€-407]"})
    ws = wb.add_worksheet("Deals")
    ws.write_row(0, 0, ["Deal", "Amount", "Close", "Stage"], bold)
    ws.write_row(1, 0, ["Acme", 1200.5], money)
    ws.write_datetime(1, 2, dt.datetime(2024, 5, 1), wb.add_format({"num_format": "d mmm yyyy"}))
    ws.write(1, 3, "Lead")
    ws.write_formula("B3", "=SUM(B2)", money, 1200.5)
    ws.write_comment("A2", "Call back on Monday")
    ws.data_validation("D2:D100", {"validate": "list", "source": ["Lead", "Won", "Lost"]})
    ws.set_column("A:A", 25)
    ws.print_area("A1:D3")
    ws.activate()
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=Deals!$B$2:$B$3", "name": "Amount"})
    ws.insert_chart("F2", chart)
    notes = wb.add_worksheet("Notes")
    notes.write("A1", "keep me")
    wb.define_name("Notes!Print_Area", "=Notes!$A$1:$A$1")
    wb.close()
    return path


def full_outsheet(name: str = "Summary", kind: str = "summary") -> OutSheet:
    rows = [
        [OutCell("Pipeline summary", "title")],
        [
            OutCell("Stage", "header"),
            OutCell("Deals", "header"),
            OutCell("Value", "header"),
            OutCell("Share", "header"),
        ],
        ["Lead", OutCell(12, "integer"), OutCell(1234.5, "currency"), OutCell(0.25, "percent")],
        ["Won", OutCell(3, "integer"), OutCell(99.99, "currency"), OutCell(0.75, "percent")],
        [
            OutCell(dt.date(2024, 1, 31), "date"),
            OutCell(dt.datetime(2024, 2, 29, 13, 45), "datetime"),
        ],
        [dt.date(1900, 1, 15), dt.datetime(2030, 12, 31, 23, 59, 59), OutCell(2.25, "number")],
        ["=SUM(A1)", "@x", "+1", "-2"],
        [
            OutCell("Acme deal", link="Deals!A2"),
            OutCell("web", link="https://example.com/?q=1&r=2"),
        ],
        [OutCell("mail", "link", link="mailto:someone@example.com"), OutCell("quiet", "muted")],
        [OutCell("bold", "bold"), True, False, None, 7],
    ]
    chart = ChartSpec(
        title="Deals by stage",
        kind="bar",
        categories_col=1,
        first_row=3,
        last_row=4,
        series=(ChartSeries("Deals", 3, 4, 2), ChartSeries("Value", 3, 4, 3)),
        anchor_row=2,
        anchor_col=7,
    )
    return OutSheet(name, kind, rows, col_widths=[20, 10, 14, 10], charts=[chart], freeze_rows=2)


def rewrite_zip(path: Path, edits: dict[str, bytes | None], adds: dict[str, bytes] | None = None):
    """Rebuild a test workbook with some members changed (``None`` deletes one)."""
    data = members(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in data.items():
            if name in edits:
                if edits[name] is None:
                    continue
                body = edits[name]
            zf.writestr(name, body)
        for name, body in (adds or {}).items():
            zf.writestr(name, body)


def workbook_xml(path: Path) -> str:
    return members(path)["xl/workbook.xml"].decode()


OWNED_PARTS = re.compile(r"^xl/(worksheets/(_rels/)?sheet\d+\.xml(\.rels)?|drawings/|charts/)")


# --------------------------------------------------------------------------- the main path


@pytest.fixture
def user_xlsx(tmp_path: Path) -> Path:
    return user_workbook(tmp_path / "pipeline.xlsx")


def test_splice_adds_a_tab_and_leaves_everything_else_alone(user_xlsx: Path, tmp_path: Path):
    dst = tmp_path / "out.xlsx"
    result = splice(user_xlsx, dst, [full_outsheet()])

    assert result.added_sheets == ["Summary"] and result.replaced_sheets == []
    assert_untouched(user_xlsx, dst, result.changed_parts)
    allowed = {
        "[Content_Types].xml",
        "docProps/app.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/workbook.xml",
    }
    assert {p for p in result.changed_parts if not OWNED_PARTS.match(p)} <= allowed
    before = members(user_xlsx)
    assert "xl/worksheets/sheet1.xml" not in result.changed_parts
    assert "xl/comments1.xml" in before and "xl/comments1.xml" not in result.changed_parts
    new_parts = [p for p in result.changed_parts if p not in before]
    assert list(members(dst))[-len(new_parts) :] == sorted(new_parts, key=list(members(dst)).index)

    # marker, tab order, the user's print areas still on their tabs
    info = inspect_workbook(dst)
    assert [s.name for s in info.sheets] == ["Deals", "Notes", "Summary"]
    assert [s.owned_kind for s in info.sheets] == [None, None, "summary"]
    xml = workbook_xml(dst)
    assert re.search(
        rf'<definedName name="{OWNED_MARKER_NAME}" localSheetId="2" hidden="1">"summary"</definedName>',
        xml,
    )
    assert re.search(r'name="_xlnm.Print_Area" localSheetId="0"', xml)
    assert re.search(r'name="Print_Area" localSheetId="1"', xml)
    sheet_xml = members(dst)["xl/worksheets/sheet3.xml"].decode()
    assert "tabSelected" not in sheet_xml
    assert 'tabSelected="1"' in members(dst)["xl/worksheets/sheet1.xml"].decode()

    # openpyxl: values, types, formats, links, chart
    wb = openpyxl.load_workbook(dst)
    ws = wb["Summary"]
    assert ws["A1"].value == "Pipeline summary" and ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A2"].font.b and ws["A2"].fill.fgColor.rgb == "FFD9E1F2"
    assert ws["A2"].border.bottom.style == "thin"
    assert ws["B3"].value == 12 and ws["B3"].number_format == "#,##0"
    assert ws["C3"].value == 1234.5 and ws["C3"].number_format == '"$"#,##0.00'
    assert ws["D3"].number_format == "0.0%"
    assert ws["A5"].value == dt.datetime(2024, 1, 31) and ws["A5"].number_format == "yyyy-mm-dd"
    assert ws["B5"].value == dt.datetime(2024, 2, 29, 13, 45)
    assert ws["A6"].value == dt.datetime(1900, 1, 15) and ws["A6"].is_date
    assert ws["B6"].value == dt.datetime(2030, 12, 31, 23, 59, 59)
    for ref, text in (("A7", "=SUM(A1)"), ("B7", "@x"), ("C7", "+1"), ("D7", "-2")):
        assert ws[ref].value == text and ws[ref].data_type == "s", ref
    assert ws["A8"].hyperlink.location == "Deals!A2"
    assert ws["B8"].hyperlink.target == "https://example.com/?q=1&r=2"
    assert ws["A9"].hyperlink.target == "mailto:someone@example.com"
    assert ws["A8"].font.u == "single"
    assert ws["B9"].font.color.rgb == "FF808080"
    assert ws["B10"].value is True and ws["C10"].value is False and ws["D10"].value is None
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["A"].width == 20
    assert len(ws._charts) == 1
    assert wb["Deals"]["B3"].value == "=SUM(B2)"

    # calamine: the reader sheetsync itself uses
    cal = CalamineWorkbook.from_path(str(dst))
    rows = cal.get_sheet_by_name("Summary").to_python()
    assert rows[2][:4] == ["Lead", 12, 1234.5, 0.25]
    assert rows[4][:2] == [dt.date(2024, 1, 31), dt.datetime(2024, 2, 29, 13, 45)]
    assert rows[5][0] == dt.date(1900, 1, 15)
    assert rows[6][:4] == ["=SUM(A1)", "@x", "+1", "-2"]
    assert cal.get_sheet_by_name("Deals").to_python()[1][0] == "Acme"


def test_second_run_with_same_content_changes_nothing(user_xlsx: Path, tmp_path: Path):
    first, second, third = tmp_path / "1.xlsx", tmp_path / "2.xlsx", tmp_path / "3.xlsx"
    splice(user_xlsx, first, [full_outsheet()])
    again = splice(first, second, [full_outsheet()])
    assert again.replaced_sheets == ["Summary"] and again.added_sheets == []
    assert again.changed_parts == []
    assert members(first) == members(second)

    changed = full_outsheet()
    changed.rows[2][3] = OutCell(0.3, "percent")  # a cell the chart does not show
    result = splice(second, third, [changed])
    assert result.changed_parts == ["xl/worksheets/sheet3.xml"]
    assert_untouched(second, third, result.changed_parts)


def test_styles_do_not_grow_after_the_user_resaves(user_xlsx: Path, tmp_path: Path):
    """A re-save respells styles.xml; our formats must still be found, not appended again."""
    first, resaved, second = tmp_path / "1.xlsx", tmp_path / "r.xlsx", tmp_path / "2.xlsx"
    splice(user_xlsx, first, [full_outsheet()])
    wb = openpyxl.load_workbook(first)
    wb.save(resaved)
    result = splice(resaved, second, [full_outsheet()])
    assert "xl/styles.xml" not in result.changed_parts
    assert inspect_workbook(second).sheets[-1].owned_kind == "summary"


def test_replacing_keeps_position_sheet_id_and_renames(user_xlsx: Path, tmp_path: Path):
    first, moved, second = tmp_path / "1.xlsx", tmp_path / "m.xlsx", tmp_path / "2.xlsx"
    splice(user_xlsx, first, [full_outsheet()])
    # the user moves our tab to the front and adds one of their own (openpyxl
    # re-indexes localSheetId on save, as Excel does)
    wb = openpyxl.load_workbook(first)
    wb.move_sheet("Summary", offset=-2)
    wb.create_sheet("Mine")
    wb.save(moved)
    info = inspect_workbook(moved)
    assert [(s.name, s.owned_kind) for s in info.sheets][0] == ("Summary", "summary")
    sheet_id = info.sheets[0].sheet_id
    part = info.sheets[0].part

    result = splice(moved, second, [full_outsheet(name="Pipeline summary")])
    assert result.replaced_sheets == ["Pipeline summary"]
    after = inspect_workbook(second)
    assert [s.name for s in after.sheets] == ["Pipeline summary", "Deals", "Notes", "Mine"]
    assert after.sheets[0].sheet_id == sheet_id and after.sheets[0].part == part
    assert after.sheets[0].owned_kind == "summary"
    assert workbook_xml(second).count(OWNED_MARKER_NAME) == 1
    assert openpyxl.load_workbook(second)["Pipeline summary"]["A3"].value == "Lead"
    assert_untouched(moved, second, result.changed_parts)


def test_user_tab_with_the_same_name_is_never_overwritten(user_xlsx: Path, tmp_path: Path):
    dst = tmp_path / "out.xlsx"
    with pytest.raises(OwnershipError) as err:
        splice(user_xlsx, dst, [full_outsheet(name="notes")])  # names are case-insensitive
    assert "'notes'" in str(err.value) and "[tabs]" in str(err.value)
    assert not dst.exists()


def test_remove_kinds_deletes_the_tab_and_its_parts(user_xlsx: Path, tmp_path: Path):
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    funnel = OutSheet("Funnel", "funnel", [["a", 1]])
    splice(user_xlsx, first, [full_outsheet(), funnel])
    assert [s.owned_kind for s in inspect_workbook(first).sheets] == [
        None,
        None,
        "summary",
        "funnel",
    ]
    result = splice(first, second, [funnel], remove_kinds=["summary"])
    assert result.removed_sheets == ["Summary"]
    info = inspect_workbook(second)
    assert [(s.name, s.owned_kind) for s in info.sheets] == [
        ("Deals", None),
        ("Notes", None),
        ("Funnel", "funnel"),
    ]
    names = set(members(second))
    assert not any(re.search(r"(chart2|drawing2|sheet3)\.xml", n) for n in names), names
    assert "xl/worksheets/sheet3.xml" not in names
    assert "/xl/worksheets/sheet3.xml" not in members(second)["[Content_Types].xml"].decode()
    xml = workbook_xml(second)
    assert re.search(rf'name="{OWNED_MARKER_NAME}" localSheetId="2"', xml)  # funnel moved up
    assert xml.count(OWNED_MARKER_NAME) == 1
    assert "xl/charts/chart1.xml" in names  # the user's chart stays
    assert_untouched(first, second, result.changed_parts)
    assert openpyxl.load_workbook(second).sheetnames == ["Deals", "Notes", "Funnel"]


def test_hidden_owned_tab(user_xlsx: Path, tmp_path: Path):
    dst = tmp_path / "out.xlsx"
    splice(user_xlsx, dst, [OutSheet("Ledger", "ledger", [["x"]], hidden=True)])
    assert re.search(
        r'<sheet name="Ledger" sheetId="3" state="hidden" r:id="rId\d+"/>', workbook_xml(dst)
    )
    assert openpyxl.load_workbook(dst)["Ledger"].sheet_state == "hidden"


def test_1904_date_system(tmp_path: Path):
    src = user_workbook(tmp_path / "mac.xlsx", date_1904=True)
    dst = tmp_path / "out.xlsx"
    rows = [[OutCell(dt.date(2024, 1, 31), "date"), dt.datetime(2001, 2, 3, 4, 5, 6)]]
    splice(src, dst, [OutSheet("Dates", "dates", rows)])
    assert inspect_workbook(dst).epoch1904
    sheet = members(dst)["xl/worksheets/sheet3.xml"].decode()
    assert "<v>43860</v>" in sheet  # 2024-01-31 counted from 1904-01-01
    ws = openpyxl.load_workbook(dst)["Dates"]
    assert ws["A1"].value == dt.datetime(2024, 1, 31)
    assert ws["B1"].value == dt.datetime(2001, 2, 3, 4, 5, 6)
    cal = CalamineWorkbook.from_path(str(dst)).get_sheet_by_name("Dates").to_python()
    assert cal[0][:2] == [dt.date(2024, 1, 31), dt.datetime(2001, 2, 3, 4, 5, 6)]


def test_text_that_xml_cannot_hold(user_xlsx: Path, tmp_path: Path):
    dst = tmp_path / "out.xlsx"
    text = "a\x00b\x0bc\x1fd <&> \"q\" 'x' _x0041_ tab\tnl\ncr\r end"
    splice(user_xlsx, dst, [OutSheet("T", "t", [[text, "\ud800lone", "  padded  "]])])
    cal = CalamineWorkbook.from_path(str(dst)).get_sheet_by_name("T").to_python()
    assert cal[0][0] == text  # Excel-style _xHHHH_ escapes decode back to the same text
    assert cal[0][1] == "\ufffdlone"
    assert cal[0][2] == "  padded  "
    assert openpyxl.load_workbook(dst)["T"]["C1"].value == "  padded  "


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.integers(min_value=-(10**14), max_value=10**14),
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_values_round_trip_through_calamine(tmp_path: Path, values: list) -> None:
    src = tmp_path / "src.xlsx"
    if not src.exists():
        user_workbook(src)
    dst = tmp_path / "out.xlsx"
    splice(src, dst, [OutSheet("Values", "values", [values])])
    got = CalamineWorkbook.from_path(str(dst)).get_sheet_by_name("Values").to_python()
    row = got[0] if got else []
    for i, value in enumerate(values):
        if isinstance(value, str):
            expected = re.sub("[\ud800-\udfff]", "\ufffd", value)
            assert (row[i] if i < len(row) else "") == expected
        elif isinstance(value, bool):
            assert row[i] is value
        else:
            assert row[i] == pytest.approx(value, rel=0, abs=0)


# --------------------------------------------------------------------------- odd packages


def minimal_xlsx(path: Path, **parts: str) -> Path:
    """A hand-made package, to control ids, prefixes and part names exactly."""
    defaults = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/worksheets/sheet3.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{NS_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<x:workbook xmlns:x="{NS_MAIN}" xmlns:rel="{NS_REL}"'
            ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15"'
            ' xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
            '<x:bookViews><x:workbookView activeTab="1"/></x:bookViews>'
            "<x:sheets>"
            '<x:sheet name="Alpha" sheetId="7" rel:id="rId9"/>'
            '<x:sheet name="Beta" sheetId="3" rel:id="rIdSS1"/>'
            "</x:sheets>"
            '<x:definedNames><x:definedName name="_xlnm.Print_Area" localSheetId="1">Beta!$A$1:$B$2</x:definedName></x:definedNames>'
            '<x:calcPr calcId="191029"/>'
            '<x:extLst><x:ext uri="{X}"><x15:workbookPr chartTrackingRefBase="1"/></x:ext></x:extLst>'
            "</x:workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId9" Type="{NS_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
            f'<Relationship Id="rIdSS1" Type="{NS_REL}/worksheet" Target="/xl/worksheets/sheet3.xml"/>'
            f'<Relationship Id="rId10" Type="{NS_REL}/worksheet" Target="worksheets/sheet7.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet2.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}">'
            '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
        ),
        "xl/worksheets/sheet3.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}">'
            '<sheetData><row r="1"><c r="A1"><v>2</v></c></row></sheetData></worksheet>'
        ),
        "xl/drawings/drawing1.xml": "<x/>",
        "docProps/app.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
            ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            '<HeadingPairs><vt:vector size="4" baseType="variant">'
            "<vt:variant><vt:lpstr>Arbeitsblätter</vt:lpstr></vt:variant><vt:variant><vt:i4>2</vt:i4></vt:variant>"
            "<vt:variant><vt:lpstr>Benannte Bereiche</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant>"
            "</vt:vector></HeadingPairs>"
            '<TitlesOfParts><vt:vector size="3" baseType="lpstr">'
            "<vt:lpstr>Alpha</vt:lpstr><vt:lpstr>Beta</vt:lpstr><vt:lpstr>Beta!Print_Area</vt:lpstr>"
            "</vt:vector></TitlesOfParts></Properties>"
        ),
    }
    defaults.update({k.replace("__", "/"): v for k, v in parts.items()})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in defaults.items():
            if body is not None:
                zf.writestr(name, body)
    return path


def test_fresh_ids_never_collide_and_prefixes_survive(tmp_path: Path):
    src = minimal_xlsx(tmp_path / "odd.xlsx")
    dst = tmp_path / "out.xlsx"
    result = splice(src, dst, [full_outsheet()])
    wb = workbook_xml(dst)
    # no styles part at all: a minimal one is created and linked
    assert "xl/styles.xml" in members(dst)
    rels = members(dst)["xl/_rels/workbook.xml.rels"].decode()
    ids = re.findall(r'Id="([^"]+)"', rels)
    assert len(ids) == len(set(ids)) and {"rId9", "rIdSS1", "rId10"} <= set(ids)
    # sheet2/sheet3 exist, sheet7 is a dangling target: the new part takes none of them
    new_sheet = re.search(r'<x:sheet name="Summary" sheetId="8" rel:id="(rId\d+)"/>', wb)
    assert new_sheet, wb
    target = re.search(rf'Id="{new_sheet.group(1)}" Type="[^"]+/worksheet" Target="([^"]+)"', rels)
    assert target and target.group(1) == "worksheets/sheet8.xml"
    assert "xl/drawings/drawing2.xml" in result.changed_parts  # drawing1 is taken
    assert 'mc:Ignorable="x15"' in wb and "<x15:workbookPr" in wb
    assert re.search(
        rf'<x:definedName name="{OWNED_MARKER_NAME}" localSheetId="2" hidden="1">"summary"</x:definedName>',
        wb,
    )
    assert '<x:workbookView activeTab="1"/>' in wb
    app = members(dst)["docProps/app.xml"].decode()
    assert "<vt:i4>3</vt:i4>" in app and '<vt:vector size="4" baseType="lpstr">' in app
    assert "<vt:lpstr>Beta</vt:lpstr><vt:lpstr>Summary</vt:lpstr><vt:lpstr>Beta!Print_Area" in app
    assert "Arbeitsblätter" in app
    info = inspect_workbook(dst)
    assert [(s.name, s.sheet_id, s.owned_kind) for s in info.sheets] == [
        ("Alpha", 7, None),
        ("Beta", 3, None),
        ("Summary", 8, "summary"),
    ]
    cal = CalamineWorkbook.from_path(str(dst))
    assert cal.get_sheet_by_name("Summary").to_python()[2][0] == "Lead"
    assert openpyxl.load_workbook(dst)["Summary"]["A3"].value == "Lead"
    again = splice(dst, tmp_path / "again.xlsx", [full_outsheet()])
    assert again.changed_parts == []


def test_removing_reindexes_user_names_and_active_tab(tmp_path: Path):
    src = minimal_xlsx(tmp_path / "odd.xlsx")
    first, moved, second = tmp_path / "1.xlsx", tmp_path / "m.xlsx", tmp_path / "2.xlsx"
    splice(src, first, [OutSheet("Ours", "ours", [["x"]])])
    # the user drags our tab to the front: Excel re-indexes every localSheetId
    wb = workbook_xml(first)
    sheets = re.search(r"<x:sheets>(.*)</x:sheets>", wb).group(1)
    alpha, beta, ours = re.findall(r"<x:sheet [^>]*/>", sheets)
    wb = wb.replace(sheets, ours + alpha + beta)
    wb = wb.replace('localSheetId="1">Beta', 'localSheetId="2">Beta')
    wb = wb.replace(
        f'name="{OWNED_MARKER_NAME}" localSheetId="2"',
        f'name="{OWNED_MARKER_NAME}" localSheetId="0"',
    )
    wb = wb.replace('activeTab="1"', 'activeTab="2"')
    app = members(first)["docProps/app.xml"].decode()
    app = app.replace(
        "<vt:lpstr>Alpha</vt:lpstr><vt:lpstr>Beta</vt:lpstr><vt:lpstr>Ours</vt:lpstr>",
        "<vt:lpstr>Ours</vt:lpstr><vt:lpstr>Alpha</vt:lpstr><vt:lpstr>Beta</vt:lpstr>",
    )
    rewrite_zip(first, {"xl/workbook.xml": wb.encode(), "docProps/app.xml": app.encode()})
    shutil.copy(first, moved)
    assert inspect_workbook(moved).sheets[0].owned_kind == "ours"

    result = splice(moved, second, [], remove_kinds=["ours"])
    assert result.removed_sheets == ["Ours"]
    wb = workbook_xml(second)
    assert 'localSheetId="1">Beta!$A$1:$B$2' in wb
    assert OWNED_MARKER_NAME not in wb
    assert '<x:workbookView activeTab="1"/>' in wb  # still Beta
    assert [s.name for s in inspect_workbook(second).sheets] == ["Alpha", "Beta"]
    app = members(second)["docProps/app.xml"].decode()
    assert "<vt:lpstr>Alpha</vt:lpstr><vt:lpstr>Beta</vt:lpstr><vt:lpstr>Beta!" in app


def test_calc_chain_entries_of_a_replaced_tab_are_dropped(tmp_path: Path):
    src = minimal_xlsx(tmp_path / "odd.xlsx")
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    splice(src, first, [OutSheet("Ours", "ours", [["x"]])])
    chain = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="{NS_MAIN}">'
        '<c r="A1" i="7"/><c r="A2"/><c r="B1" i="8"/><c r="B2"/><c r="C1" i="3"/></calcChain>'
    )
    rels = (
        members(first)["xl/_rels/workbook.xml.rels"]
        .decode()
        .replace(
            "</Relationships>",
            f'<Relationship Id="rIdCC" Type="{NS_REL}/calcChain" Target="calcChain.xml"/></Relationships>',
        )
    )
    rewrite_zip(first, {"xl/_rels/workbook.xml.rels": rels.encode()}, {"xl/calcChain.xml": chain})
    result = splice(first, second, [OutSheet("Ours", "ours", [["y"]])])
    assert "xl/calcChain.xml" in result.changed_parts
    assert (
        members(second)["xl/calcChain.xml"]
        .decode()
        .endswith('<c r="A1" i="7"/><c r="A2"/><c r="C1" i="3"/></calcChain>')
    )


def test_replacing_a_chart_reuses_names_and_drops_excel_extras(user_xlsx: Path, tmp_path: Path):
    """Excel adds chart style/colour parts to a chart it saves: they go with our chart."""
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    splice(user_xlsx, first, [full_outsheet()])
    chart_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2011/relationships/chartStyle" Target="style2.xml"/>'
        "</Relationships>"
    )
    rewrite_zip(
        first,
        {},
        {"xl/charts/_rels/chart2.xml.rels": chart_rels, "xl/charts/style2.xml": "<cs/>"},
    )
    no_chart = full_outsheet()
    no_chart.charts = []
    result = splice(first, second, [no_chart])
    names = set(members(second))
    assert not {"xl/charts/chart2.xml", "xl/charts/style2.xml", "xl/drawings/drawing2.xml"} & names
    assert "xl/charts/_rels/chart2.xml.rels" not in names
    assert "xl/worksheets/_rels/sheet3.xml.rels" in names  # still the hyperlinks
    assert "xl/charts/chart1.xml" in names and "xl/drawings/drawing1.xml" in names
    assert "drawing2" not in members(second)["[Content_Types].xml"].decode()
    assert_untouched(first, second, result.changed_parts)
    openpyxl.load_workbook(second)


# --------------------------------------------------------------------------- refusals


def test_refuses_files_that_are_not_workbooks(tmp_path: Path):
    text = tmp_path / "a.xlsx"
    text.write_text("name,amount\n")
    with pytest.raises(SourceError, match="not a zip|not an Excel"):
        inspect_workbook(text)
    with pytest.raises(SourceError, match="not found"):
        inspect_workbook(tmp_path / "missing.xlsx")
    ole = tmp_path / "enc.xlsx"
    ole.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le")
    )
    with pytest.raises(SourceError, match="password-protected"):
        inspect_workbook(ole)
    nowb = tmp_path / "nowb.xlsx"
    with zipfile.ZipFile(nowb, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
    with pytest.raises(SourceError, match="no workbook part"):
        inspect_workbook(nowb)


def test_refuses_protected_structure(user_xlsx: Path, tmp_path: Path):
    xml = workbook_xml(user_xlsx).replace(
        "<bookViews>", '<workbookProtection lockStructure="1"/><bookViews>'
    )
    rewrite_zip(user_xlsx, {"xl/workbook.xml": xml.encode()})
    with pytest.raises(UnsupportedWorkbookError, match="structure is protected"):
        splice(user_xlsx, tmp_path / "out.xlsx", [full_outsheet()])
    assert not (tmp_path / "out.xlsx").exists()


def test_refuses_signed_packages(user_xlsx: Path):
    rewrite_zip(user_xlsx, {}, {"_xmlsignatures/sig1.xml": "<Signature/>"})
    with pytest.raises(UnsupportedWorkbookError, match="digitally signed"):
        inspect_workbook(user_xlsx)


def test_refuses_entity_declarations(user_xlsx: Path):
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    rewrite_zip(user_xlsx, {"[Content_Types].xml": bomb.encode()})
    with pytest.raises(SourceError, match="document type declaration"):
        inspect_workbook(user_xlsx)


def test_bad_tab_names_are_configuration_errors(user_xlsx: Path, tmp_path: Path):
    for name in ("", "a" * 32, "Q1/Q2", "'quoted'"):
        with pytest.raises(ConfigError):
            splice(user_xlsx, tmp_path / "o.xlsx", [OutSheet(name, "k", [])])
    with pytest.raises(ConfigError):
        splice(user_xlsx, tmp_path / "o.xlsx", [OutSheet("A", "k1"), OutSheet("a", "k2")])
    assert not (tmp_path / "o.xlsx").exists()


@needs_corpus
@pytest.mark.parametrize(
    ("name", "error", "match"),
    [
        ("poi/spreadsheet__SimpleStrict.xlsx", UnsupportedWorkbookError, "Strict"),
        ("poi/spreadsheet__sample.strict.xlsx", UnsupportedWorkbookError, "Strict"),
        ("poi/xmldsign__hello-world-signed.xlsx", UnsupportedWorkbookError, "signed"),
        ("poi/xmldsign__ms-office-2010-signed.xlsx", UnsupportedWorkbookError, "signed"),
        (
            "poi/spreadsheet__workbookProtection_workbook_structure_protected.xlsx",
            UnsupportedWorkbookError,
            "structure is protected",
        ),
        ("poi/poifs__protect.xlsx", SourceError, "password-protected"),
        ("poi/spreadsheet__duplicate-filename.xlsx", SourceError, "appears twice"),
    ],
)
def test_corpus_refusals(name: str, error: type, match: str, tmp_path: Path):
    src = tmp_path / Path(name).name
    shutil.copy(CORPUS / name, src)
    with pytest.raises(error, match=match):
        splice(src, tmp_path / "out.xlsx", [full_outsheet()])
    assert not (tmp_path / "out.xlsx").exists()


@needs_corpus
def test_xlsm_keeps_its_macros(tmp_path: Path):
    src = tmp_path / "macros.xlsm"
    shutil.copy(CORPUS / "xlsxwriter" / "macro01.xlsm", src)
    dst = tmp_path / "out.xlsm"
    result = splice(src, dst, [full_outsheet()])
    assert inspect_workbook(dst).is_xlsm
    assert "xl/vbaProject.bin" not in result.changed_parts
    assert_untouched(src, dst, result.changed_parts)
    ct = members(dst)["[Content_Types].xml"].decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in ct
    wb = openpyxl.load_workbook(dst, keep_vba=True)
    assert wb["Summary"]["A3"].value == "Lead"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_the_result(user_xlsx: Path, tmp_path: Path):
    dst = tmp_path / "out.xlsx"
    splice(user_xlsx, dst, [full_outsheet()])
    outdir = tmp_path / "csv"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(outdir),
            str(dst),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (outdir / "out-Summary.csv").read_text()
    assert "Lead,12,1234.5,0.25" in text or "Lead,12," in text
    assert "=SUM(A1),@x,+1,-2" in text
    assert "2024-01-31" in text
