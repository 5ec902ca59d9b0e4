"""check, metrics and sync against a Google Sheet, over real HTTP to the loopback emulator.

The sheet is seeded from the same grids as ``sample_workbooks/team_pipeline.xlsx``
(read with the Excel backend), so every answer can be compared with Excel's:
same findings, same metrics, same owned tabs, same refusal to touch a
person's tab, and a constant number of API requests per run.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from click.testing import CliRunner
from gsheets_emulator.fixtures import (
    AS_OF,
    SAMPLE,
    generated_tabs,
    google_env,
    sample_tabs,
    without_lease,
)

from sheetsync import jobs
from sheetsync.cli import cli
from sheetsync.errors import OwnershipError
from sheetsync.sources.gsheets import OWNED_KEY, RUN_KEY, GoogleSettings, GoogleSheetsSource

OUTPUT_TABS = [
    "sheetsync Summary",
    "sheetsync Funnel",
    "sheetsync Follow-ups",
    "sheetsync Data Issues",
]
EPOCH = dt.datetime(1899, 12, 30)


@pytest.fixture
def google(tmp_path, monkeypatch):
    yield from google_env(tmp_path, monkeypatch)


def excel_value(value):
    """A value as it reads back from Google (dates as serial numbers)."""
    if isinstance(value, dt.datetime):
        return (value - EPOCH).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - EPOCH.date()).days)
    return value


def comparable(finding: dict) -> dict:
    """A finding with a date-cell value as its serial (Google reads dates as serials)."""
    out = dict(finding)
    value = out.get("value")
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return out
        if "T" in value:
            out["value"] = round(excel_value(parsed), 6)
        else:
            out["value"] = excel_value(parsed.date())
    elif isinstance(value, float):
        out["value"] = round(value, 6)
    return out


# --------------------------------------------------------------------------- same behaviour as Excel


def test_check_finds_the_same_problems_in_the_same_cells(google):
    sid = google.sample_sheet()
    on_google = jobs.check(f"gsheet:{sid}", as_of=AS_OF)
    on_excel = jobs.check(str(SAMPLE), as_of=AS_OF)
    g = on_google.report.to_dict()
    e = on_excel.report.to_dict()
    assert [(f["code"], f["cell"]) for f in g["findings"]] == [
        (f["code"], f["cell"]) for f in e["findings"]
    ]
    assert [comparable(f) for f in g["findings"]] == [comparable(f) for f in e["findings"]]
    assert g["counts"] == e["counts"] == {"error": 7, "warning": 5}
    assert on_google.pipeline.deals_tab == "Pipeline"
    assert len(on_google.pipeline.deals) == len(on_excel.pipeline.deals) == 72
    assert google.emu.api_counts() == {"spreadsheets.get": 1, "values.batchGet": 1}


def test_metrics_json_is_the_same_as_excel(google):
    sid = google.sample_sheet()
    _, on_google = jobs.metrics(f"gsheet:{sid}", as_of=AS_OF)
    _, on_excel = jobs.metrics(str(SAMPLE), as_of=AS_OF)
    assert json.dumps(on_google.to_dict(), sort_keys=True) == json.dumps(
        on_excel.to_dict(), sort_keys=True
    )


def test_every_url_form_reads_the_same_sheet(google):
    sid = google.sample_sheet()
    for source in (
        f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid=0",
        f"https://docs.google.com/spreadsheets/d/{sid}",
        f"https://docs.google.com/spreadsheets/d/{sid}/edit?usp=sharing",
    ):
        checked = jobs.check(source, as_of=AS_OF)
        assert len(checked.pipeline.deals) == 72
        assert checked.pipeline.source == source


def _owned_values(google, sid, title):
    return google.emu.values(sid, title)


def _expected_values(sheet):
    """An OutSheet's rows as the Sheets API returns them (UNFORMATTED, serial dates)."""
    rows = []
    for row in sheet.rows:
        out = []
        for item in row:
            value = getattr(item, "value", item)
            value = excel_value(value)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out.append("" if value is None else value)
        while out and out[-1] == "":
            out.pop()
        rows.append(out)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _close(a, b):
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) < 1e-6
    return a == b


def test_sync_writes_the_owned_tabs_typed_formatted_and_marked(google):
    sid = google.sample_sheet()
    person_tabs = google.emu.titles(sid)
    before = google.emu.snapshot(sid)["sheets"]
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    assert google.emu.api_counts() == {  # the lease: a batchUpdate in, a search, one out
        "spreadsheets.get": 1,
        "values.batchGet": 1,
        "spreadsheets.batchUpdate": 1 + 2,
        "developerMetadata.search": 1,
    }
    titles = google.emu.titles(sid)
    assert titles[: len(person_tabs)] == person_tabs
    assert titles[len(person_tabs) :] == [s.name for s in done.sheets]
    assert done.write.added == [s.name for s in done.sheets]
    # the team's tabs are untouched
    after = google.emu.snapshot(sid)["sheets"]
    assert after[: len(before)] == before
    # every owned tab carries the marker, by sheet id, with its kind
    ss = google.emu.spreadsheet(sid)
    markers = {
        (m["location"]["sheetId"], m["metadataKey"]): m.get("metadataValue")
        for m in google.emu.metadata(sid)
    }
    for out in done.sheets:
        sheet = ss.sheet_by_title(out.name)
        assert markers[(sheet.id, OWNED_KEY)] == out.kind
        assert (sheet.id, RUN_KEY) in markers
        assert _close(_owned_values(google, sid, out.name), _expected_values(out)), out.name
    # the metric numbers on the summary are the JSON's
    team = done.metrics.to_dict()["team"]
    summary = google.emu.values(sid, "sheetsync Summary")
    team_row = next(r for r in summary if r and r[0] == "Team")
    assert team_row[1] == pytest.approx(team["quota"])
    assert team_row[2] == pytest.approx(team["won"])


def test_cells_are_typed_numbers_dates_links_and_formats(google):
    sid = google.sample_sheet()
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    ss = google.emu.spreadsheet(sid)
    pipeline_gid = ss.sheet_by_title("Pipeline").id
    # Data Issues: the banner, a header row, then links to the cells
    banner = google.emu.cell(sid, "sheetsync Data Issues", 1, 1)
    assert banner["userEnteredValue"]["stringValue"].startswith("Written by sheetsync")
    header = google.emu.cell(sid, "sheetsync Data Issues", 2, 1)
    assert header["userEnteredFormat"]["textFormat"]["bold"] is True
    assert "backgroundColorStyle" in header["userEnteredFormat"]
    link = google.emu.cell(sid, "sheetsync Data Issues", 3, 3)
    assert link["userEnteredValue"] == {"stringValue": "Pipeline!I20"}
    assert (
        link["userEnteredFormat"]["textFormat"]["link"]["uri"] == f"#gid={pipeline_gid}&range=I20"
    )
    assert ss.sheet_by_title("sheetsync Data Issues").props["gridProperties"]["frozenRowCount"] == 2
    # Summary: currency and percent cells are numbers with number formats
    summary = ss.sheet_by_title("sheetsync Summary")
    formats = {
        (c.fmt or {}).get("numberFormat", {}).get("type")
        for row in summary.rows.values()
        for c in row.values()
        if c.uev and "numberValue" in c.uev
    }
    assert {"CURRENCY", "PERCENT"} <= formats
    currency = next(
        c
        for row in summary.rows.values()
        for c in row.values()
        if (c.fmt or {}).get("numberFormat", {}).get("type") == "CURRENCY"
    )
    assert currency.fmt["numberFormat"]["pattern"] == '"$"#,##0.00'
    # two native charts over the summary's own cells
    assert [c["spec"]["basicChart"]["chartType"] for c in summary.charts] == ["COLUMN", "BAR"]
    for chart in summary.charts:
        sources = [
            s
            for d in chart["spec"]["basicChart"]["domains"]
            for s in d["domain"]["sourceRange"]["sources"]
        ]
        sources += [
            s
            for d in chart["spec"]["basicChart"]["series"]
            for s in d["series"]["sourceRange"]["sources"]
        ]
        assert {s["sheetId"] for s in sources} == {summary.id}
    # series are named from the header row above the data
    assert all(c["spec"]["basicChart"]["headerCount"] == 1 for c in summary.charts)
    # hidden owned tabs (the history) stay hidden
    for out in done.sheets:
        assert bool(ss.sheet_by_title(out.name).props.get("hidden")) == out.hidden
    # column widths in pixels
    assert summary.col_meta[0]["pixelSize"] == 26 * 7 + 5
    # dates are serial numbers with a date format (follow-ups "Due" column)
    follow = ss.sheet_by_title("sheetsync Follow-ups")
    date_cells = [
        c
        for row in follow.rows.values()
        for c in row.values()
        if (c.fmt or {}).get("numberFormat", {}).get("type") in ("DATE", "DATE_TIME")
    ]
    assert date_cells and all("numberValue" in c.uev for c in date_cells if c.uev)
    # no formula anywhere in what sheetsync wrote
    for out in done.sheets:
        sheet = ss.sheet_by_title(out.name)
        assert not any(
            c.uev and "formulaValue" in c.uev for row in sheet.rows.values() for c in row.values()
        )


def test_text_starting_with_equals_stays_text(google):
    tabs = sample_tabs()
    pipeline = tabs["Pipeline"]
    header_row = next(i for i, r in enumerate(pipeline) if "Deal Stage" in [str(v) for v in r])
    amount_col = [str(v) for v in pipeline[header_row]].index("Est. Budget")
    deal_col = [str(v) for v in pipeline[header_row]].index("Deal")
    pipeline[header_row + 1][amount_col] = '=HYPERLINK("http://evil.example","click")'
    pipeline[header_row + 2][deal_col] = "=1+1"
    sid = google.sheet(tabs)
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    ss = google.emu.spreadsheet(sid)
    written = []
    for out in done.sheets:
        sheet = ss.sheet_by_title(out.name)
        for row in sheet.rows.values():
            for c in row.values():
                assert not (c.uev and "formulaValue" in c.uev)
                if c.uev and str(c.uev.get("stringValue", "")).startswith("="):
                    written.append(c.uev["stringValue"])
    assert '=HYPERLINK("http://evil.example","click")' in written
    issues = google.emu.values(sid, "sheetsync Data Issues")
    assert any(r[4:5] == ['=HYPERLINK("http://evil.example","click")'] for r in issues)


def test_second_sync_replaces_only_the_owned_tabs(google):
    sid = google.sample_sheet()
    first = jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    ss = google.emu.spreadsheet(sid)
    first_ids = {s.name: ss.sheet_by_title(s.name).id for s in first.sheets}
    person_before = [
        s for s in google.emu.snapshot(sid)["sheets"] if s["properties"]["title"] not in first_ids
    ]
    google.emu.reset_counts()
    second = jobs.sync(f"gsheet:{sid}", as_of=AS_OF + dt.timedelta(days=1))
    assert google.emu.api_counts() == {  # the lease: a batchUpdate in, a search, one out
        "spreadsheets.get": 1,
        "values.batchGet": 1,
        "spreadsheets.batchUpdate": 1 + 2,
        "developerMetadata.search": 1,
    }
    assert second.write.replaced == [s.name for s in second.sheets]
    assert second.write.added == []
    titles = google.emu.titles(sid)
    assert sorted(titles) == sorted(set(titles))
    ss = google.emu.spreadsheet(sid)
    for s in second.sheets:  # replaced in place: a person's #gid= link still works
        assert ss.sheet_by_title(s.name).id == first_ids[s.name]
    person_after = [
        s for s in google.emu.snapshot(sid)["sheets"] if s["properties"]["title"] not in first_ids
    ]
    assert person_after == person_before
    # three markers per owned tab (kind, run, chart ids), last night's run marker replaced
    assert len(google.emu.metadata(sid)) == 3 * len(second.sheets)
    # the history read back from Google had nothing to complain about
    assert not [f for f in second.checked.report.findings if f.code.startswith("history")]


def test_a_persons_tab_with_an_owned_name_stops_the_run(google, monkeypatch):
    without_lease(monkeypatch)  # counts the write's own requests
    tabs = sample_tabs()
    tabs["sheetsync Summary"] = [["my own notes"]]
    sid = google.sheet(tabs)
    before = google.emu.snapshot(sid)
    with pytest.raises(OwnershipError) as err:
        jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    assert err.value.exit_code == 2
    assert "sheetsync Summary" in err.value.message
    assert google.emu.snapshot(sid) == before
    assert "spreadsheets.batchUpdate" not in google.emu.api_counts()


def test_ownership_is_the_marker_not_the_name(google):
    sid = google.sample_sheet()
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    # a person renames sheetsync's summary tab; the next run finds it by its marker
    ss = google.emu.spreadsheet(sid)
    ss.sheet_by_title("sheetsync Summary").props["title"] = "Old summary"
    src = GoogleSheetsSource(sid)
    assert src.owned_tabs()["Old summary"] == "summary"
    second = jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    assert "sheetsync Summary" in second.write.replaced
    assert "Old summary" not in google.emu.titles(sid)


def test_dry_run_writes_nothing(google):
    sid = google.sample_sheet()
    before = google.emu.snapshot(sid)
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF, dry_run=True)
    assert done.write.dry_run and done.write.added
    assert google.emu.snapshot(sid) == before
    assert "spreadsheets.batchUpdate" not in google.emu.api_counts()


def test_a_configured_deals_tab_reads_only_the_tabs_it_needs(google):
    tabs = sample_tabs()
    tabs["Big archive"] = [["x"] * 20 for _ in range(3000)]
    sid = google.sheet(tabs)
    (google.tmp / "sheetsync.toml").write_text(
        f'[source]\nurl = "gsheet:{sid}"\ndeals_tab = "Pipeline"\n', encoding="utf-8"
    )
    checked = jobs.check(config=str(google.tmp / "sheetsync.toml"), as_of=AS_OF)
    assert len(checked.pipeline.deals) == 72
    batch = [entry for entry in google.emu.log if entry.op == "values.batchGet"]
    assert len(batch) == 1 and "Big+archive" not in batch[0].path


# --------------------------------------------------------------------------- request budget


@pytest.mark.parametrize("n", [10, 1_000])  # larger: tests/test_gsheets_limits.py
def test_requests_stay_few_and_every_body_under_the_budget(google, monkeypatch, n):
    without_lease(monkeypatch)  # counts the write's own requests
    sid = google.sheet(generated_tabs(n))
    started = time.monotonic()
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    first = dict(google.emu.api_counts())
    first_sizes = google.emu.body_sizes["spreadsheets.batchUpdate"]
    google.emu.reset_counts()
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF + dt.timedelta(days=1))
    second = dict(google.emu.api_counts())
    second_sizes = google.emu.body_sizes["spreadsheets.batchUpdate"]
    print(
        f"\n{n} deals: first sync {first} (largest body {max(first_sizes):,} B), "
        f"second sync {second} (largest {max(second_sizes):,} B) "
        f"({time.monotonic() - started:.1f} s)"
    )
    budget = GoogleSettings().max_request_bytes
    for counts, sizes in ((first, first_sizes), (second, second_sizes)):
        assert counts["spreadsheets.get"] == counts["values.batchGet"] == 1
        assert max(sizes) <= budget
        # as few bodies as the bytes need, plus the final swap when staged
        assert counts["spreadsheets.batchUpdate"] <= 1 + -(-sum(sizes) // budget) + 1
    if n <= 1_000:  # small sheets: everything in one atomic request
        assert first["spreadsheets.batchUpdate"] == second["spreadsheets.batchUpdate"] == 1


# --------------------------------------------------------------------------- the command line


def test_cli_exit_codes_for_a_google_sheet(google):
    sid = google.sample_sheet()
    runner = CliRunner()
    res = runner.invoke(
        cli, ["check", f"gsheet:{sid}", "--as-of", AS_OF.isoformat(), "--format", "json"]
    )
    assert res.exit_code == 1, res.output
    assert json.loads(res.stdout)["counts"] == {"error": 7, "warning": 5}
    res = runner.invoke(
        cli,
        [
            "metrics",
            f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid=0",
            "--as-of",
            AS_OF.isoformat(),
        ],
    )
    assert res.exit_code == 1
    res = runner.invoke(cli, ["sync", f"gsheet:{sid}", "--as-of", AS_OF.isoformat()])
    assert res.exit_code == 1, res.output
    assert "sheetsync Summary" in res.stdout
    assert "sheetsync Summary" in google.emu.titles(sid)


def test_cli_ownership_clash_exits_2(google):
    tabs = sample_tabs()
    tabs["sheetsync Funnel"] = [["mine"]]
    sid = google.sheet(tabs)
    res = CliRunner().invoke(cli, ["sync", f"gsheet:{sid}", "--as-of", AS_OF.isoformat()])
    assert res.exit_code == 2
    assert "sheetsync Funnel" in res.stderr
    assert google.emu.values(sid, "sheetsync Funnel") == [["mine"]]


def test_authorized_user_credentials_work_without_a_prompt(google, monkeypatch):
    info = google.emu.add_authorized_user("ann@northwind.example")
    path = google.tmp / "authorized_user.json"
    path.write_text(json.dumps(info), encoding="utf-8")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    sid = google.emu.create_spreadsheet("Ann's", owner="ann@northwind.example", tabs=sample_tabs())
    checked = jobs.check(f"gsheet:{sid}", as_of=AS_OF)
    assert len(checked.pipeline.deals) == 72
    # the file google-auth-oauthlib's flow saves (Credentials.to_json()) has no "type"
    del info["type"]
    path.write_text(json.dumps(info), encoding="utf-8")
    assert len(jobs.check(f"gsheet:{sid}", as_of=AS_OF).pipeline.deals) == 72
