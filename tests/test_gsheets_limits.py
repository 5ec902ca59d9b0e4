"""Google's limits, met at the sizes teams have: 1,000 to 50,000 deals, first night and later.

Over real HTTP to the emulator, which refuses what Google refuses (a body
over 10,485,760 bytes with Google's own answer, a spreadsheet over 10 million
cells, a cell over 50,000 characters, a tab over 18,278 columns).  Each sync
must pass every limit, keep its request bodies under ``[google]
max_request_bytes``, change the tabs the team sees only in its last request,
keep every owned tab's ``sheetId``, and size every owned tab to its content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time

import pytest
from gsheets_emulator import requests as emu_requests
from gsheets_emulator import server as emu_server
from gsheets_emulator.fixtures import (
    AS_OF,
    generated_tabs,
    google_env,
    sample_tabs,
    without_lease,
)
from gsheets_emulator.requests import add_chart

from sheetsync import jobs
from sheetsync.errors import RemoteError, SourceError
from sheetsync.sources.gsheets import GoogleSettings, GoogleSheetsSource
from sheetsync.sources.gsheets_write import STAGING_KEY

GOOGLE_BODY_LIMIT = 10_485_760
BUDGET = GoogleSettings().max_request_bytes


@pytest.fixture
def google(tmp_path, monkeypatch):
    without_lease(monkeypatch)  # these hooks and faults aim at the write's batchUpdates
    yield from google_env(tmp_path, monkeypatch)


def owned(google, sid):
    ss = google.emu.spreadsheet(sid)
    keys = {m["location"].get("sheetId"): m for m in google.emu.metadata(sid)}
    return [s for s in ss.sheets if s.id in keys and s.title.startswith("sheetsync ")]


def staging(google, sid):
    return [
        m["location"]["sheetId"]
        for m in google.emu.metadata(sid)
        if m["metadataKey"] == STAGING_KEY
    ]


def visible(google, sid) -> tuple:
    """What the team sees of sheetsync's tabs: every tab's properties, the owned tabs' cells."""
    emu = google.emu
    with emu.lock:
        ss = emu.spreadsheet(sid)
        hidden_stage = set(staging(google, sid))
        out = []
        for s in ss.sheets:
            if s.id in hidden_stage:
                continue
            props = s.props_json()
            digest = ""
            if s.title.startswith("sheetsync "):
                h = hashlib.sha1()
                for r in sorted(s.rows):
                    for c, cell in sorted(s.rows[r].items()):
                        h.update(repr((r, c, cell.uev, cell.fmt)).encode())
                digest = h.hexdigest()
            out.append((repr(props), digest, repr(s.charts)))
        return tuple(out)


def watch_writes(google, sid) -> list[tuple]:
    """The visible state just before each batchUpdate (the hook re-arms itself)."""
    seen: list[tuple] = []

    def hook() -> None:
        seen.append(visible(google, sid))
        google.emu.before("spreadsheets.batchUpdate", hook)

    google.emu.before("spreadsheets.batchUpdate", hook)
    return seen


def changed_deals(tabs, share: float, seed: int):
    """The same pipeline a night later with ``share`` of the deals moved on (stage, amount, close)."""
    rnd = random.Random(seed)
    stages = ["Qualified", "Appointment", "Presentation", "Proposal", "Negotiation", "Won", "Lost"]
    rows = [list(r) for r in tabs["Deals"]]
    for row in rows[1:]:
        if rnd.random() < share:
            row[7] = rnd.choice(stages)
            if rnd.random() < 0.3 and isinstance(row[8], float):
                row[8] += 250.0
            if rnd.random() < 0.3:
                row[11] = row[11] + dt.timedelta(days=10)
    return rows


def check_night(google, sid, before_ids, seen, counts, label):
    sizes = google.emu.body_sizes["spreadsheets.batchUpdate"]
    # every body under the budget (the emulator refuses Google's limit itself)
    assert max(sizes) <= BUDGET < GOOGLE_BODY_LIMIT, label
    # the visible tabs changed in the last request only
    assert len(seen) == counts["spreadsheets.batchUpdate"]
    assert all(s == seen[0] for s in seen), (
        f"{label}: a visible tab changed before the last request"
    )
    assert visible(google, sid) != seen[0]
    assert staging(google, sid) == []  # nothing left behind
    # sheet ids kept; tabs sized to their content
    tabs = owned(google, sid)
    for s in tabs:
        if s.title in before_ids:
            assert s.id == before_ids[s.title], f"{label}: {s.title} lost its sheetId"
        used_rows = max(s.rows, default=-1) + 1
        used_cols = max((max(r) for r in s.rows.values() if r), default=-1) + 1
        for chart in s.charts:  # a chart beside the tables is content too
            anchor = chart["position"]["overlayPosition"]["anchorCell"]
            used_rows = max(used_rows, anchor.get("rowIndex", 0) + 1)
            used_cols = max(used_cols, anchor.get("columnIndex", 0) + 1)
        assert s.ncols <= max(used_cols, 5), f"{label}: {s.title} padded to {s.ncols} columns"
        assert s.nrows <= max(used_rows, 2), f"{label}: {s.title} padded to {s.nrows} rows"
    assert google.emu.cell_count(sid) < 10_000_000
    return {s.title: s.id for s in tabs}


@pytest.mark.parametrize("n", [1_000, 5_000, 20_000, 50_000])
def test_first_night_and_a_changed_night_stay_within_googles_limits(google, n):
    tabs = generated_tabs(n)
    sid = google.sheet(tabs)
    started = time.monotonic()
    seen = watch_writes(google, sid)
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    counts1 = dict(google.emu.api_counts())
    sizes1 = list(google.emu.body_sizes["spreadsheets.batchUpdate"])
    ids = check_night(google, sid, {}, seen, counts1, f"{n} deals, first night")
    history_rows = next(s for s in owned(google, sid) if s.title == "sheetsync History").nrows
    assert history_rows == n + 1  # one compact row per deal, and the header

    google.emu.set_values(sid, "Deals", changed_deals(tabs, 0.03, seed=n))
    google.emu.reset_counts()
    seen = watch_writes(google, sid)
    second = jobs.sync(f"gsheet:{sid}", as_of=AS_OF + dt.timedelta(days=1))
    counts2 = dict(google.emu.api_counts())
    sizes2 = list(google.emu.body_sizes["spreadsheets.batchUpdate"])
    check_night(google, sid, ids, seen, counts2, f"{n} deals, next night")
    history = next(s for s in owned(google, sid) if s.title == "sheetsync History")
    assert second.history.appended > 0
    appended = next(s for s in second.sheets if s.kind == "history")
    assert history.nrows == history_rows + len(appended.rows)  # appended, not rewritten
    print(
        f"\n{n:,} deals: first night {counts1['spreadsheets.batchUpdate']} batchUpdates "
        f"(largest {max(sizes1):,} B, total {sum(sizes1):,} B), next night "
        f"{counts2['spreadsheets.batchUpdate']} (largest {max(sizes2):,} B, total "
        f"{sum(sizes2):,} B); {google.emu.cell_count(sid):,} cells; "
        f"{time.monotonic() - started:.1f} s"
    )


def test_a_run_that_dies_between_requests_leaves_last_nights_tabs_and_the_next_run_cleans_up(
    google,
):
    tabs = generated_tabs(3_000)
    sid = google.sheet(tabs)
    # A loaded machine may take seconds to answer: the nights that must work get a
    # generous timeout; only the night the service dies gives up soon (deadline 2 s).
    toml = google.tmp / "sheetsync.toml"
    toml.write_text(
        "[google]\nmax_request_bytes = 1000000\ndeadline = 60\ntimeout = 30\n"
        "initial_backoff = 0.05\nmax_backoff = 0.1\n",
        encoding="utf-8",
    )
    dying = google.tmp / "dying" / "sheetsync.toml"
    dying.parent.mkdir()
    dying.write_text(
        "[google]\nmax_request_bytes = 1000000\ndeadline = 2\ntimeout = 30\n"
        "initial_backoff = 0.05\nmax_backoff = 0.1\n",
        encoding="utf-8",
    )
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF, config=str(toml))
    ids = {s.title: s.id for s in owned(google, sid)}
    before = visible(google, sid)
    google.emu.set_values(sid, "Deals", changed_deals(tabs, 0.03, seed=1))
    google.emu.reset_counts()
    calls = []

    def die_after_two() -> None:  # the service stops answering after two requests
        calls.append(1)
        if len(calls) == 2:
            google.emu.fail(503, count=10_000, op="spreadsheets.batchUpdate")
        else:
            google.emu.before("spreadsheets.batchUpdate", die_after_two)

    google.emu.before("spreadsheets.batchUpdate", die_after_two)
    with pytest.raises(RemoteError):
        jobs.sync(f"gsheet:{sid}", as_of=AS_OF + dt.timedelta(days=1), config=str(dying))
    assert visible(google, sid) == before  # last night's tabs, as they were
    left = staging(google, sid)
    assert left and all(google.emu.spreadsheet(sid).sheet_by_id(i).props["hidden"] for i in left)
    # a reader never sees the staging tabs as the team's
    assert not set(GoogleSheetsSource(sid).tab_names()) & {
        google.emu.spreadsheet(sid).sheet_by_id(i).title for i in left
    }
    google.emu.clear_faults()
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF + dt.timedelta(days=1), config=str(toml))
    assert staging(google, sid) == []
    assert {s.title: s.id for s in owned(google, sid)} == ids
    assert done.history.appended > 0
    assert google.emu.api_counts()["spreadsheets.batchUpdate"] >= 3  # staged, then the swap


def test_a_persons_link_chart_and_formula_on_owned_tabs_survive_a_month_of_nights(google):
    tabs = sample_tabs()
    sid = google.sheet(tabs)
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    ss = google.emu.spreadsheet(sid)
    funnel = ss.sheet_by_title("sheetsync Funnel").id
    summary = ss.sheet_by_title("sheetsync Summary").id
    mine = google.emu.add_tab(sid, "My dashboard", [["see", f"#gid={summary}"]])
    google.emu.set_values(
        sid, "My dashboard", [["see", f"#gid={summary}", "='sheetsync Summary'!A1"]]
    )
    with google.emu.lock:
        add_chart(
            google.emu.spreadsheet(sid),
            {
                "chart": {
                    "spec": {
                        "basicChart": {
                            "chartType": "COLUMN",
                            "domains": [
                                {"domain": {"sourceRange": {"sources": [_col(funnel, 0)]}}}
                            ],
                            "series": [{"series": {"sourceRange": {"sources": [_col(funnel, 1)]}}}],
                        }
                    },
                    "position": {"overlayPosition": {"anchorCell": {"sheetId": mine}}},
                }
            },
            "test",
        )
    mine_before = [
        s for s in google.emu.snapshot(sid)["sheets"] if s["properties"]["sheetId"] == mine
    ]
    ids = {s.title: s.id for s in owned(google, sid)}
    for night in range(1, 31):
        rows = [list(r) for r in tabs["Pipeline"]]
        row = rows[4 + night % 60]
        row[8] = "Proposal" if night % 2 else "Negotiation"
        google.emu.set_values(sid, "Pipeline", rows)
        jobs.sync(f"gsheet:{sid}", as_of=AS_OF + dt.timedelta(days=night))
    assert {s.title: s.id for s in owned(google, sid)} == ids
    after = [s for s in google.emu.snapshot(sid)["sheets"] if s["properties"]["sheetId"] == mine]
    assert after == mine_before  # the person's tab, its link, formula and chart untouched
    chart = after[0]["charts"][0]
    source = chart["spec"]["basicChart"]["series"][0]["series"]["sourceRange"]["sources"][0]
    assert google.emu.spreadsheet(sid).sheet_by_id(source["sheetId"]).title == "sheetsync Funnel"
    assert google.emu.values(sid, "sheetsync Summary")[1][0].startswith("Pipeline summary")


def _col(sheet_id: int, col: int) -> dict:
    return {
        "sheetId": sheet_id,
        "startRowIndex": 3,
        "endRowIndex": 10,
        "startColumnIndex": col,
        "endColumnIndex": col + 1,
    }


def test_owned_tabs_are_sized_to_their_content(google):
    sid = google.sample_sheet()
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    ss = google.emu.spreadsheet(sid)
    for out in done.sheets:
        sheet = ss.sheet_by_title(out.name)
        width = max(max((len(r) for r in out.rows), default=0), len(out.col_widths))
        for chart in out.charts:
            width = max(width, chart.anchor_col)
        assert sheet.ncols <= width, (out.name, sheet.ncols, width)
        assert sheet.nrows == max(
            len(out.rows), out.freeze_rows + 1, *(c.anchor_row for c in out.charts)
        )
    assert ss.sheet_by_title("sheetsync History").ncols == 5


def test_charts_sheetsync_made_are_replaced_and_a_persons_are_kept(google):
    sid = google.sample_sheet()
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    ss = google.emu.spreadsheet(sid)
    summary = ss.sheet_by_title("sheetsync Summary")
    ours = [c["chartId"] for c in summary.charts]
    with google.emu.lock:
        add_chart(
            google.emu.spreadsheet(sid),
            {
                "chart": {
                    "spec": {"title": "mine", "basicChart": {"chartType": "COLUMN"}},
                    "position": {"overlayPosition": {"anchorCell": {"sheetId": summary.id}}},
                }
            },
            "test",
        )
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF + dt.timedelta(days=1))
    charts = google.emu.spreadsheet(sid).sheet_by_title("sheetsync Summary").charts
    assert [c["spec"].get("title") for c in charts].count("mine") == 1
    assert len(charts) == len(ours) + 1 and not set(ours) & {c["chartId"] for c in charts}


# --------------------------------------------------------------------------- errors


def test_a_request_google_finds_too_large_is_reported_as_such(google, monkeypatch):
    sid = google.sheet(generated_tabs(1_000))
    monkeypatch.setattr(emu_server, "MAX_BODY", 1_000_000)  # as if Google lowered its limit
    with pytest.raises(SourceError) as err:
        jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    msg = err.value.message
    assert "Google refused a request of" in msg and "as too large" in msg
    assert "Request payload size exceeds the limit: 10485760 bytes." in msg
    assert "should not happen" in msg and "max_request_bytes = 8,000,000" in msg
    assert "probably changed" not in msg and "nothing the team sees was changed" in msg
    assert "report" in err.value.hint and "lower [google] max_request_bytes" in err.value.hint
    assert err.value.exit_code == 3


def test_other_refusals_say_what_google_said_and_never_guess(google):
    sid = google.sample_sheet()
    google.emu.fail(400, op="spreadsheets.batchUpdate")
    with pytest.raises(SourceError) as err:
        jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    msg = err.value.message
    assert "Google Sheets refused the update (400 INVALID_ARGUMENT: Error)" in msg
    assert "probably" not in msg and "changed while" not in msg
    assert "--debug" in err.value.hint and "report" in err.value.hint


def test_the_cell_limit_is_named_with_what_to_do(google, monkeypatch):
    sid = google.sample_sheet()
    monkeypatch.setattr(emu_requests, "MAX_CELLS", google.emu.cell_count(sid) + 100)
    with pytest.raises(SourceError) as err:
        jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    assert "Google's limit of 10,000,000 cells" in err.value.message
    assert "history_max_cells" in err.value.hint and "empty ones too" in err.value.hint


# --------------------------------------------------------------------------- gspread


def test_requests_go_through_gspreads_http_client_under_sheetsyncs_retries(google):
    from google.auth.transport.requests import AuthorizedSession
    from gspread.http_client import HTTPClient

    sid = google.sample_sheet()
    src = GoogleSheetsSource(sid)
    google.emu.fail(503, count=2, op="spreadsheets.get")
    src.client.retrier.policy = src.client.retrier.policy.__class__(
        timeout=5, deadline=10, base_delay=0.01, max_delay=0.02
    )
    assert "Pipeline" in src.tab_names()
    assert isinstance(src.client.http, HTTPClient)
    assert isinstance(src.client.http.session, AuthorizedSession)
    assert src.client.retrier.last.attempts == 3  # sheetsync's retries, not gspread's


def test_a_key_where_gspread_keeps_it_is_found(google, monkeypatch):
    from gspread import auth

    sid = google.sample_sheet()
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS")
    gspread_dir = google.tmp / "gspread-config"
    gspread_dir.mkdir()
    monkeypatch.setattr(
        auth, "DEFAULT_SERVICE_ACCOUNT_FILENAME", gspread_dir / "service_account.json"
    )
    monkeypatch.setattr(
        auth, "DEFAULT_AUTHORIZED_USER_FILENAME", gspread_dir / "authorized_user.json"
    )
    with pytest.raises(SourceError) as err:
        jobs.check(f"gsheet:{sid}", as_of=AS_OF)
    assert str(gspread_dir / "service_account.json") in err.value.hint
    (gspread_dir / "service_account.json").write_text(google.key_path.read_text("utf-8"), "utf-8")
    assert len(jobs.check(f"gsheet:{sid}", as_of=AS_OF).pipeline.deals) == 72
