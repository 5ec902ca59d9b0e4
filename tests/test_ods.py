"""OpenDocument spreadsheets: a LibreOffice user's pipeline reads like the same workbook in Excel.

``tests/fixtures/team_pipeline.ods`` is ``sample_workbooks/team_pipeline.xlsx``
opened and saved by LibreOffice 7.4 (``soffice --headless --convert-to ods``):
a real LibreOffice file, with its settings, styles, thumbnail and the
Dashboard's chart.  The other files are built here, element by element, to
pin each rule of the OpenDocument table schema.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync import jobs
from sheetsync.cli import cli
from sheetsync.errors import ConfigError, SourceError
from sheetsync.sources.ods import OdsSource, read_content, read_ods

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "team_pipeline.ods"
SAMPLE = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
AS_OF = dt.date(2026, 11, 26)

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "{extra}</manifest:manifest>"
)


def content_xml(tables: str, *, pretty: bool = False) -> str:
    doc = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {NAMESPACES} '
        f'office:version="1.3"><office:body><office:spreadsheet>{tables}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    return doc.replace("><", ">\n  <") if pretty else doc


def make_ods(
    path: Path,
    tables: str,
    *,
    pretty: bool = False,
    mimetype: str = "application/vnd.oasis.opendocument.spreadsheet",
    manifest_extra: str = "",
) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first: ODF 1.3 part 2 §3.3
        zf.writestr("content.xml", content_xml(tables, pretty=pretty), zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", MANIFEST.format(extra=manifest_extra))
    return path


def s(text: str, **attrs: str) -> str:
    """A string cell."""
    extra = "".join(f' {k.replace("__", ":").replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<table:table-cell office:value-type="string"{extra}><text:p>{text}</text:p></table:table-cell>'


def n(value: float, shown: str | None = None, kind: str = "float", **attrs: str) -> str:
    extra = "".join(f' {k.replace("__", ":").replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<table:table-cell office:value-type="{kind}" office:value="{value}"{extra}>'
        f"<text:p>{shown or value}</text:p></table:table-cell>"
    )


def d(iso: str) -> str:
    return f'<table:table-cell office:value-type="date" office:date-value="{iso}"><text:p>{iso}</text:p></table:table-cell>'


def row(*cells: str, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>{''.join(cells)}</table:table-row>"


def table(name: str, *rows: str) -> str:
    return f'<table:table table:name="{name}">{"".join(rows)}</table:table>'


HEADER = row(*(s(h) for h in ("Deal", "Sales Rep", "Deal Stage", "Est. Budget", "Expected Close")))


# --------------------------------------------------------------------------- a LibreOffice file


def test_a_libreoffice_file_checks_exactly_like_the_workbook_it_was_saved_from():
    xlsx = CliRunner().invoke(cli, ["check", str(SAMPLE), "--as-of", "2026-11-26"])
    ods = CliRunner().invoke(cli, ["check", str(FIXTURE), "--as-of", "2026-11-26"])
    assert ods.exit_code == xlsx.exit_code == 1
    assert ods.stdout.replace(str(FIXTURE), "SRC") == xlsx.stdout.replace(str(SAMPLE), "SRC")


def test_a_libreoffice_file_has_the_same_metrics_as_the_workbook():
    _, from_xlsx = jobs.metrics(str(SAMPLE), as_of=AS_OF)
    _, from_ods = jobs.metrics(str(FIXTURE), as_of=AS_OF)
    assert from_ods.to_dict() == from_xlsx.to_dict()


def test_calamine_and_the_exact_reader_agree_on_a_libreoffice_file():
    fast, how = read_ods(FIXTURE)
    assert how == "calamine"
    with zipfile.ZipFile(FIXTURE) as zf, zf.open("content.xml") as fh:
        exact = read_content(fh, str(FIXTURE))
    src = OdsSource(FIXTURE)
    assert src.data_tabs() == list(exact) == ["Pipeline", "Dashboard", "Notes", "Stages", "Quotas"]
    for tab in exact:
        assert src.read_data(tab).rows == _trim(exact[tab]) == _trim(fast[tab]), tab


def _trim(rows):
    from sheetsync.sources.ods import _trim as trim

    return trim(rows)


# --------------------------------------------------------------------------- the schema, rule by rule

EVERYTHING = table(
    "Deals",
    '<table:table-column table:number-columns-repeated="6"/>',
    "<table:table-header-rows>" + HEADER + "</table:table-header-rows>",
    "<table:table-row-group><table:table-row-group>",
    row(
        s("Same deal"),
        '<table:table-cell office:value-type="string" table:number-columns-repeated="2"><text:p>Ann</text:p></table:table-cell>',
        n(1200.5, "1.200,50 €", "currency", office__currency="EUR"),
        d("2026-12-15"),
        repeat=3,
    ),
    "</table:table-row-group>",
    "<text:soft-page-break/>",
    row(
        '<table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>merged</text:p></table:table-cell>',
        "<table:covered-table-cell/>",
        n(0.4, "40%", "percentage"),
        '<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>',
        d("2026-11-27T14:30:00"),
        '<table:table-cell table:number-columns-repeated="3"/>',
        n(7),
    ),
    "</table:table-row-group>",
    row(
        '<table:table-cell office:value-type="string"><office:annotation><dc:creator>Ann</dc:creator>'
        "<text:p>a comment, not the cell</text:p></office:annotation>"
        '<text:p>line one</text:p><text:p>a <text:s/>b<text:s text:c="2"/>c '
        '<text:span>span</text:span> <text:a xlink:href="https://x.example">link</text:a></text:p>'
        "</table:table-cell>",
        '<table:table-cell table:formula="of:=&quot;ab&quot;&amp;&quot;c&quot;" '
        'office:value-type="string" office:string-value="abc"><text:p>abc</text:p></table:table-cell>',
        '<table:table-cell office:value-type="time" office:time-value="PT14H30M00S"><text:p>14:30</text:p></table:table-cell>',
    ),
    row('<table:table-cell table:number-columns-repeated="1024"/>', repeat=1048000),
)

EXPECTED = [
    ["Deal", "Sales Rep", "Deal Stage", "Est. Budget", "Expected Close"],
    ["Same deal", "Ann", "Ann", 1200.5, dt.date(2026, 12, 15)],
    ["Same deal", "Ann", "Ann", 1200.5, dt.date(2026, 12, 15)],
    ["Same deal", "Ann", "Ann", 1200.5, dt.date(2026, 12, 15)],
    ["merged", "", 0.4, True, dt.datetime(2026, 11, 27, 14, 30), "", "", "", 7.0],
    ["line one\na  b  c span link", "abc", dt.time(14, 30)],
]


def test_repeats_merges_groups_and_typed_values_follow_the_schema(tmp_path):
    p = make_ods(tmp_path / "t.ods", EVERYTHING)
    src = OdsSource(p)
    assert src.read_data("Deals").rows == EXPECTED
    assert src.reader == "calamine"  # nothing here that calamine reads differently
    with zipfile.ZipFile(p) as zf, zf.open("content.xml") as fh:
        assert _trim(read_content(fh, str(p))["Deals"]) == EXPECTED


@pytest.mark.parametrize(
    "cell,value",
    [
        (
            '<table:table-cell office:value-type="string"><text:p>a<text:tab/>b</text:p></table:table-cell>',
            "a\tb",
        ),
        (
            '<table:table-cell office:value-type="string"><text:p>ann@x.example<text:line-break/>'
            "bob@y.example</text:p></table:table-cell>",
            "ann@x.example\nbob@y.example",
        ),
        (
            '<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" '
            'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>',
            "#DIV/0!",
        ),
        (
            '<table:table-cell office:value-type="time" office:time-value="PT36H00M00S"><text:p>36:00</text:p></table:table-cell>',
            dt.timedelta(hours=36),
        ),
    ],
)
def test_what_calamine_would_lose_is_read_by_the_exact_reader(tmp_path, cell, value):
    p = make_ods(tmp_path / "t.ods", table("Deals", HEADER, row(s("X"), cell)))
    src = OdsSource(p)
    assert src.read_data("Deals").rows[1] == ["X", value]
    assert src.reader == "exact"


def test_a_formula_error_in_the_amount_is_a_finding_not_a_missing_amount(tmp_path):
    err = (
        '<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" '
        'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
    )
    p = make_ods(
        tmp_path / "t.ods", table("Deals", HEADER, row(s("X"), s("Ann"), s("Proposal"), err))
    )
    report = jobs.check(str(p), as_of=AS_OF).report
    assert [(f.code, f.cell, f.value) for f in report.findings if f.field == "amount"] == [
        ("bad-amount", "Deals!D2", "#DIV/0!")
    ]


def test_white_space_between_elements_is_read_too(tmp_path):
    p = make_ods(tmp_path / "t.ods", EVERYTHING, pretty=True)
    src = OdsSource(p)
    rows = src.read_data("Deals").rows
    assert rows[:5] == EXPECTED[:5]
    assert src.reader == "exact"  # calamine refuses such a file


def test_a_flat_fods_file_is_read(tmp_path):
    p = tmp_path / "t.fods"
    flat = content_xml(EVERYTHING).replace("office:document-content", "office:document")
    p.write_text(flat, encoding="utf-8")
    assert OdsSource(p).read_data("Deals").rows == EXPECTED
    checked = jobs.check(str(p), as_of=AS_OF)
    assert len(checked.pipeline.deals) == 5


def test_a_row_repeated_past_a_million_is_refused(tmp_path):
    p = make_ods(tmp_path / "t.ods", table("Deals", HEADER, row(s("x"), repeat=2_000_000)))
    with (
        zipfile.ZipFile(p) as zf,
        zf.open("content.xml") as fh,
        pytest.raises(SourceError, match="longer than 1,048,576 rows"),
    ):
        read_content(fh, str(p))


def test_tables_nested_in_a_cell_are_not_rows_of_the_sheet(tmp_path):
    inner = table("inner", row(s("not a deal")))
    cell = f'<table:table-cell office:value-type="string"><text:p>outer</text:p>{inner}</table:table-cell>'
    p = make_ods(tmp_path / "t.ods", table("Deals", HEADER, row(cell, s("Ann"), s("Lead"))))
    with zipfile.ZipFile(p) as zf, zf.open("content.xml") as fh:
        assert read_content(fh, str(p)) == {"Deals": [EXPECTED[0], ["outer", "Ann", "Lead"]]}


# --------------------------------------------------------------------------- what is not readable


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (
            {
                "manifest_extra": '<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry>'
            },
            "the spreadsheet is password-protected",
        ),
        (
            {"mimetype": "application/vnd.oasis.opendocument.text"},
            "an OpenDocument text, not a spreadsheet",
        ),
    ],
)
def test_protected_or_wrong_kind_files_exit_3_saying_why(tmp_path, kwargs, message):
    p = make_ods(tmp_path / "t.ods", table("Deals", HEADER), **kwargs)
    res = CliRunner().invoke(cli, ["check", str(p)])
    assert res.exit_code == 3
    assert message in res.stderr


def test_a_file_that_is_not_a_package_says_so(tmp_path):
    p = tmp_path / "t.ods"
    p.write_bytes(b"Deal,Stage\n")
    res = CliRunner().invoke(cli, ["check", str(p)])
    assert res.exit_code == 3
    assert (
        "not an OpenDocument spreadsheet (an .ods file is a zip package; this is not)" in res.stderr
    )


# --------------------------------------------------------------------------- sync


def test_sync_of_an_ods_without_output_is_refused_with_the_option_to_add(tmp_path, monkeypatch):
    shutil.copyfile(FIXTURE, tmp_path / "team.ods")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["sync", "team.ods", "--as-of", "2026-11-26"])
    assert res.exit_code == 2
    assert res.stderr == (
        "sheetsync: team.ods: an OpenDocument spreadsheet cannot hold sheetsync's tabs, so sync "
        "writes them into a new workbook\n"
        "  hint: add --output FILE.xlsx, e.g. sheetsync sync team.ods --output team.xlsx "
        "(a workbook with the deals and sheetsync's tabs; team.ods stays as it is)\n"
    )
    assert sorted(x.name for x in tmp_path.iterdir()) == ["team.ods"]


def test_sync_of_an_ods_writes_every_tab_and_the_owned_ones(tmp_path):
    src = tmp_path / "team.ods"
    shutil.copyfile(FIXTURE, src)
    out = tmp_path / "team.xlsx"
    done = jobs.sync(str(src), as_of=AS_OF, output=str(out))
    assert src.read_bytes() == FIXTURE.read_bytes()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:5] == ["Pipeline", "Dashboard", "Notes", "Stages", "Quotas"]
    assert wb.sheetnames[5:] == [s.name for s in done.sheets]
    assert wb["Pipeline"]["J5"].value == 27500  # a number stays a number
    assert wb["Pipeline"]["L5"].is_date
    # The new workbook reads like the file it came from: same deals, stages, quotas.
    again = jobs.metrics(str(out), as_of=AS_OF)[1].to_dict()
    assert again == json.loads(json.dumps(done.metrics.to_dict()))


def test_an_ods_tab_excel_cannot_name_is_refused_before_writing(tmp_path):
    long = "Pipeline of the whole sales team 2026"
    p = make_ods(tmp_path / "t.ods", table(long, HEADER, row(s("X"), s("Ann"), s("Lead"))))
    with pytest.raises(ConfigError, match=re.escape(f"the tab {long!r} cannot be copied")):
        jobs.sync(str(p), as_of=AS_OF, output=str(tmp_path / "t.xlsx"))
    assert not (tmp_path / "t.xlsx").exists()


def test_currency_cells_keep_their_currency_and_are_never_added_together(tmp_path):
    # LibreOffice writes R$ 10.000,00 as value 10000 with office:currency="BRL":
    # a USD cell beside it is another currency, not 5,000 more reais
    header = row(*(s(h) for h in ("Deal", "Sales Rep", "Deal Stage", "Est. Budget")))
    path = make_ods(
        tmp_path / "p.ods",
        table(
            "Funil",
            header,
            row(
                s("A"),
                s("Ana"),
                s("Won"),
                n(10000, "R$ 10.000,00", "currency", office__currency="BRL"),
            ),
            row(
                s("B"),
                s("Ana"),
                s("Won"),
                n(5000, "US$ 5.000,00", "currency", office__currency="USD"),
            ),
            row(
                s("C"),
                s("Ben"),
                s("Won"),
                n(8000, "R$ 8.000,00", "currency", office__currency="BRL"),
            ),
        ),
    )
    checked = jobs.check(str(path), as_of=AS_OF)
    assert [d.currency for d in checked.pipeline.deals] == ["BRL", "USD", "BRL"]
    assert [d.amount for d in checked.pipeline.deals] == [10000.0, None, 8000.0]
    assert [(f.code, f.cell) for f in checked.report.findings] == [("mixed-currency", "Funil!D3")]
