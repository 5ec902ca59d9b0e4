"""CSV exports: encodings and delimiters found, cells named file.csv:row:column, sync to a new workbook."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from builders import HEADER, deal_row, make_workbook
from click.testing import CliRunner

from sheetsync import jobs
from sheetsync.cli import cli
from sheetsync.errors import ConfigError, FileSystemError, OwnershipError, SourceError
from sheetsync.sources.csvfile import CsvSettings, CsvSource, detect_delimiter, detect_encoding

AS_OF = dt.date(2026, 11, 26)

ROWS = [
    ["Deal ID", "Deal", "Company", "Sales Rep", "Deal Stage", "Est. Budget", "Expected Close"],
    ["D1", "Fräsmaschine", "Müller GmbH", "Zoë Ng", "Proposal", "12500", "2026-12-15"],
    ["D2", "Café fit-out", "Señor Café", "Zoë Ng", "Negotation", "8000", "2026-12-20"],
    ["D3", "Robot arm", "Acme; Inc.", "Ann", "Lead", "about 20k", "2026-12-01"],
]


def write_csv(path: Path, rows, *, delimiter=",", encoding="utf-8", bom=b"", newline="\r\n"):
    def field(v: str) -> str:
        if any(ch in v for ch in (delimiter, '"', "\n", "\r")):
            return '"' + v.replace('"', '""') + '"'
        return v

    text = newline.join(delimiter.join(field(v) for v in row) for row in rows) + newline
    path.write_bytes(bom + text.encode(encoding))
    return path


def invoke(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "encoding,bom,expected",
    [
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),  # Excel: "CSV UTF-8 (Comma delimited)"
        ("utf-8", b"", "utf-8"),
        ("cp1252", b"", "cp1252"),  # Excel: "CSV (Comma delimited)" on a Western Windows
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),  # Excel: "Unicode Text"
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
    ],
)
def test_the_encoding_is_found_and_the_text_read_right(tmp_path, encoding, bom, expected):
    p = write_csv(tmp_path / "p.csv", ROWS, encoding=encoding, bom=bom)
    assert detect_encoding(p.read_bytes()) == expected
    src = CsvSource(p)
    grid = src.read("p")
    assert grid.rows[0][0] == "Deal ID"  # no BOM glued to the first header
    assert grid.rows[1][1:3] == ["Fräsmaschine", "Müller GmbH"]
    assert grid.rows[2][2] == "Señor Café"


def test_bytes_windows_1252_leaves_undefined_are_read_as_latin_1(tmp_path):
    data = "Deal,Sales Rep,Deal Stage\nÉtude\x81,Ann,Lead\n".encode("latin-1")
    (tmp_path / "p.csv").write_bytes(data)
    assert detect_encoding(data) == "latin-1"
    assert CsvSource(tmp_path / "p.csv").read("p").rows[1][0] == "Étude\x81"


def test_the_euro_sign_of_a_windows_export_is_a_euro_sign(tmp_path):
    data = "Deal;Sales Rep;Deal Stage;Est. Budget\nX;Ann;Lead;1.200 €\n".encode("cp1252")
    (tmp_path / "p.csv").write_bytes(data)
    assert CsvSource(tmp_path / "p.csv").read("p").rows[1][3] == "1.200 €"


def test_a_configured_encoding_wins(tmp_path):
    p = write_csv(
        tmp_path / "p.csv",
        [["Deal", "Sales Rep", "Deal Stage"], ["Сделка", "Иван", "Lead"]],
        encoding="cp1251",
    )
    assert CsvSource(p, settings=CsvSettings(encoding="cp1251")).read("p").rows[1][0] == "Сделка"
    with pytest.raises(SourceError, match="not utf-8 text") as info:
        CsvSource(p, settings=CsvSettings(encoding="utf-8")).read("p")
    assert "[csv] encoding" in info.value.hint


def test_an_unknown_encoding_or_delimiter_setting_is_a_configuration_error(tmp_path):
    p = write_csv(tmp_path / "p.csv", ROWS)
    (tmp_path / "sheetsync.toml").write_text('[csv]\nencoding = "klingon"\n', encoding="utf-8")
    res = invoke("check", p)
    assert res.exit_code == 2
    assert "[csv]" in res.stderr and "klingon" in res.stderr
    (tmp_path / "sheetsync.toml").write_text('[csv]\ndelimiter = ";;"\n', encoding="utf-8")
    assert invoke("check", p).exit_code == 2


# --------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_found(tmp_path, delimiter):
    p = write_csv(tmp_path / "p.csv", ROWS, delimiter=delimiter)
    assert detect_delimiter(p.read_text(encoding="utf-8")) == delimiter
    grid = CsvSource(p).read("p")
    assert [len(r) for r in grid.rows] == [7, 7, 7, 7]
    assert grid.rows[3][2] == "Acme; Inc."


def test_semicolons_win_over_the_decimal_commas_they_exist_for():
    text = (
        "Deal;Sales Rep;Deal Stage;Est. Budget\nA;Ann;Lead;1200,50\nB;Bob;Lead;300\nC;Cy;Won;4,5\n"
    )
    assert detect_delimiter(text) == ";"


def test_a_single_column_file_reads_as_one_column():
    assert detect_delimiter("Deal\nA\nB\n") == ","


def test_excels_sep_line_is_obeyed_and_kept_as_row_1(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("sep=|\nDeal|Sales Rep|Deal Stage\nA, B and C|Ann|Lead\n", encoding="utf-8")
    grid = CsvSource(p).read("p")
    assert grid.rows == [
        ["sep=|"],
        ["Deal", "Sales Rep", "Deal Stage"],
        ["A, B and C", "Ann", "Lead"],
    ]
    checked = jobs.check(str(p), as_of=AS_OF)
    assert checked.pipeline.header_row == 2
    assert [d.deal for d in checked.pipeline.deals] == ["A, B and C"]


def test_a_configured_delimiter_wins(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("Deal,Sales Rep,Deal Stage\n", encoding="utf-8")
    assert CsvSource(p, settings=CsvSettings(delimiter="tab")).read("p").rows == [
        ["Deal,Sales Rep,Deal Stage"]
    ]


# --------------------------------------------------------------------------- positions


def test_findings_are_named_file_row_column(tmp_path):
    p = write_csv(tmp_path / "export.csv", ROWS, delimiter=";", bom=codecs.BOM_UTF8)
    res = invoke("check", p, "--as-of", "2026-11-26")
    assert res.exit_code == 1
    assert res.stdout.splitlines()[:5] == [
        f"{p}: 2 errors, 0 warnings (3 deals, as of 2026-11-26)",
        "",
        "Errors:",
        f"  {p}:3:5 unknown-stage               unknown stage 'Negotation'; did you mean 'Negotiation'?",
        f"  {'':<{len(str(p)) + 4}} {'':<27} → write 'Negotiation' (stages come from the Stages tab, "
        "[[stages]] in sheetsync.toml, or the default list)",
    ]
    assert f"  {p}:4:6 bad-amount " in res.stdout
    data = json.loads(invoke("check", p, "--as-of", "2026-11-26", "--format", "json").stdout)
    cells = {f["code"]: (f["cell"], f["tab"], f["row"], f["column"]) for f in data["findings"]}
    assert cells["unknown-stage"] == (f"{p}:3:5", "export", 3, "E")


def test_rows_are_records_so_a_line_break_in_a_cell_does_not_shift_them(tmp_path):
    rows = [ROWS[0], ["D1", "Two\nlines", "X", "Ann", "Lead", "5", "2026-12-01"], ROWS[2]]
    p = write_csv(tmp_path / "p.csv", rows)
    checked = jobs.check(str(p), as_of=AS_OF)
    (f,) = [f for f in checked.report.findings if f.code == "unknown-stage"]
    assert checked.report.where(f) == f"{p}:3:5"  # the third record, on the fourth line
    assert checked.pipeline.deals[0].deal == "Two\nlines"


def test_metrics_read_a_csv(tmp_path):
    p = write_csv(tmp_path / "p.csv", ROWS)
    res = invoke("metrics", p, "--as-of", "2026-11-26", "--format", "json")
    data = json.loads(res.stdout)
    assert [o["owner"] for o in data["owners"]] == ["Ann", "Zoë Ng"]
    zoe = data["owners"][1]
    assert zoe["open_amount"] == 20500.0  # 12,500 + 8,000 (its stage mistyped, still open)
    assert data["team"]["open_count"] == 3


# --------------------------------------------------------------------------- what is not a CSV


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04rest-of-a-zip", "this is a workbook (a zip package), not a CSV file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "old Excel workbook (.xls)"),
        (b"Deal,Stage\nA\x00,B\n", "not a text file"),
    ],
)
def test_what_is_not_csv_text_exits_3_saying_what_it_is(tmp_path, content, message):
    p = tmp_path / "p.csv"
    p.write_bytes(content)
    res = invoke("check", p)
    assert res.exit_code == 3
    assert message in res.stderr
    assert "Traceback" not in res.output


def test_a_missing_csv_file_says_so(tmp_path):
    res = invoke("check", tmp_path / "nope.csv")
    assert res.exit_code == 3
    assert res.stderr.startswith(f"sheetsync: {tmp_path / 'nope.csv'}: file not found\n")


# --------------------------------------------------------------------------- sync


def test_sync_without_output_is_refused_with_the_option_to_add(tmp_path, monkeypatch):
    p = write_csv(tmp_path / "pipeline.csv", ROWS)
    before = digest(p)
    monkeypatch.chdir(tmp_path)
    res = invoke("sync", "pipeline.csv", "--as-of", "2026-11-26")
    assert res.exit_code == 2
    assert res.stdout == ""
    assert res.stderr == (
        "sheetsync: pipeline.csv: a CSV file cannot hold sheetsync's tabs, so sync writes them "
        "into a new workbook\n"
        "  hint: add --output FILE.xlsx, e.g. sheetsync sync pipeline.csv --output pipeline.xlsx "
        "(a workbook with the deals and sheetsync's tabs; pipeline.csv stays as it is)\n"
    )
    assert digest(p) == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["pipeline.csv"]


def test_sync_with_output_writes_the_deals_and_the_owned_tabs(tmp_path):
    rows = [*ROWS, ["D4", '=HYPERLINK("x")', "007", "Ann", "Won", "3.5", "2026-11-02"]]
    p = write_csv(tmp_path / "pipeline.csv", rows)
    before = digest(p)
    out = tmp_path / "pipeline.xlsx"
    res = invoke("sync", p, "--as-of", "2026-11-26", "--output", out)
    assert res.exit_code == 1, res.output
    assert digest(p) == before
    assert (
        f"Wrote 5 new tabs into {out}: pipeline (the values of {p}), sheetsync Summary"
        in res.stdout
    )
    assert res.stdout.splitlines()[-1] == f"Open {out} and look at the tab 'sheetsync Summary'."
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [
        "pipeline",
        "sheetsync Summary",
        "sheetsync Funnel",
        "sheetsync Follow-ups",
        "sheetsync Data Issues",
        "sheetsync History",
        "sheetsync Written",
    ]
    copy = wb["pipeline"]
    assert [c.value for c in copy[1]] == ROWS[0]
    assert copy["F2"].value == 12500 and copy["F5"].value == 3.5  # plain numbers are numbers
    assert copy["C5"].value == "007" and copy["C5"].data_type == "s"  # a leading zero stays text
    assert copy["B5"].value == '=HYPERLINK("x")' and copy["B5"].data_type == "s"  # never a formula
    assert copy["F4"].value == "about 20k"
    issues = wb["sheetsync Data Issues"]
    found = {r[1].value: r[2] for r in issues.iter_rows(min_row=3) if r[1].value}
    assert found["unknown-stage"].value == f"{p}:3:5"  # where to fix it
    assert found["unknown-stage"].hyperlink.location == "pipeline!E3"  # the copy's cell
    # The workbook is a pipeline of its own: check reads the copy.
    again = jobs.check(str(out), as_of=AS_OF)
    assert again.pipeline.deals_tab == "pipeline" and len(again.pipeline.deals) == 4


def test_the_next_run_updates_the_same_workbook_and_keeps_a_persons_tab(tmp_path):
    p = write_csv(tmp_path / "pipeline.csv", ROWS)
    out = tmp_path / "pipeline.xlsx"
    first = jobs.sync(str(p), as_of=AS_OF, output=str(out))
    assert first.history.appended > 0
    # Someone adds a tab of their own to the workbook sheetsync made.
    wb = openpyxl.load_workbook(out)
    wb.create_sheet("My notes")["A1"] = "call Zoë"
    wb.save(out)
    moved = [ROWS[0], ROWS[1][:4] + ["Negotiation"] + ROWS[1][5:], *ROWS[2:]]
    write_csv(p, moved)
    second = jobs.sync(str(p), as_of=AS_OF + dt.timedelta(days=1), output=str(out))
    assert second.history.appended == 1  # D1 moved on; the log carried over from the workbook
    assert second.write.backup and Path(second.write.backup).exists()
    wb = openpyxl.load_workbook(out)
    assert "My notes" in wb.sheetnames and wb["My notes"]["A1"].value == "call Zoë"
    assert wb["pipeline"]["E2"].value == "Negotiation"
    assert wb.sheetnames.count("pipeline") == 1


def test_an_output_workbook_sheetsync_did_not_make_is_never_written(tmp_path):
    p = write_csv(tmp_path / "pipeline.csv", ROWS)
    theirs = make_workbook(tmp_path / "team.xlsx", {"Deals": [HEADER, deal_row()]})
    before = digest(theirs)
    res = invoke("sync", p, "--as-of", "2026-11-26", "--output", theirs)
    assert res.exit_code == 2
    assert "sheetsync did not make it from pipeline.csv" in res.stderr
    assert digest(theirs) == before
    other = write_csv(tmp_path / "other.csv", ROWS)
    out = tmp_path / "other.xlsx"
    jobs.sync(str(other), as_of=AS_OF, output=str(out))
    made = digest(out)
    with pytest.raises(OwnershipError, match="holds the deals of other.csv"):
        jobs.sync(str(p), as_of=AS_OF, output=str(out))
    assert digest(out) == made


def test_output_must_be_an_xlsx_in_a_folder_that_exists(tmp_path):
    p = write_csv(tmp_path / "pipeline.csv", ROWS)
    with pytest.raises(ConfigError, match=r"must end in \.xlsx"):
        jobs.sync(str(p), as_of=AS_OF, output=str(tmp_path / "out.ods"))
    with pytest.raises(FileSystemError, match="does not exist") as err:  # issue 16: exit 3
        jobs.sync(str(p), as_of=AS_OF, output=str(tmp_path / "no" / "out.xlsx"))
    assert err.value.exit_code == 3


def test_a_dry_run_with_output_writes_nothing(tmp_path):
    p = write_csv(tmp_path / "pipeline.csv", ROWS)
    res = invoke("sync", p, "--as-of", "2026-11-26", "--output", tmp_path / "o.xlsx", "--dry-run")
    assert res.exit_code == 1
    assert "dry run: nothing was written" in res.stdout
    assert sorted(x.name for x in tmp_path.iterdir()) == ["pipeline.csv"]


def test_doctor_says_a_csv_is_read_and_how_sync_writes(tmp_path):
    p = write_csv(tmp_path / "pipeline.csv", ROWS)
    out = tmp_path / "pipeline.xlsx"
    res = invoke("doctor", p, "--output", out)
    assert (
        f"ok    write          {p} is a CSV file sheetsync only reads; sync writes {out}"
    ) in res.stdout
    # without --output the night's sync stops (exit 2): so does the doctor, with the fix
    res = invoke("doctor", p)
    assert res.exit_code == 2
    assert f"FAIL  write          {p}: a CSV file cannot hold sheetsync's tabs" in res.stdout
    assert f"fix: add --output FILE.xlsx, e.g. sheetsync sync {p} --output {out}" in res.stdout
