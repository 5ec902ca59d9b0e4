"""Faults a nightly Google Sheets run meets, injected at the emulator over real HTTP.

Rate limiting (429 with Retry-After), 5xx bursts, dropped connections, slow
answers past the timeout, a sheet edited between our read and our write,
and every way access can be refused: each run either succeeds after bounded
retries or stops with exit 3 and a message saying what to do, within the
configured deadline, leaving the sheet as it was.
"""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from gsheets_emulator.fixtures import AS_OF, google_env, without_lease

from sheetsync import jobs
from sheetsync.cli import cli
from sheetsync.errors import RemoteError, SourceChangedError, SourceError
from sheetsync.sources import registry
from sheetsync.sources.gsheets import GoogleSettings, GoogleSheetsSource

OWNED = ["sheetsync Summary", "sheetsync Funnel", "sheetsync Follow-ups", "sheetsync Data Issues"]


@pytest.fixture
def google(tmp_path, monkeypatch):
    without_lease(monkeypatch)  # these faults and hooks aim at the write's batchUpdate
    yield from google_env(tmp_path, monkeypatch)


def fast_retries(google, *, deadline: float = 3, timeout: float = 1) -> str:
    """A sheetsync.toml with short timeouts (the [google] section), returned as a path."""
    path = google.tmp / "sheetsync.toml"
    path.write_text(
        f"[google]\ndeadline = {deadline}\ntimeout = {timeout}\ninitial_backoff = 0.05\nmax_backoff = 0.2\n",
        encoding="utf-8",
    )
    return str(path)


def statuses(google, op: str | None = None) -> list[int]:
    return [e.status for e in google.emu.log if e.op != "token" and (op is None or e.op == op)]


def owned_titles(google, sid: str) -> list[str]:
    return [t for t in google.emu.titles(sid) if t.startswith("sheetsync ")]


# --------------------------------------------------------------------------- rate limits and 5xx


def test_a_429_storm_that_clears_is_ridden_out(google):
    sid = google.sample_sheet()
    google.emu.fail(429, count=4, retry_after="0")
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF, config=fast_retries(google))
    assert done.write.added
    assert statuses(google).count(429) == 4
    assert set(OWNED) <= set(owned_titles(google, sid))


def test_retry_after_is_honoured(google):
    sid = google.sample_sheet()
    google.emu.fail(429, count=1, op="values.batchGet", retry_after="1")
    started = time.monotonic()
    jobs.check(f"gsheet:{sid}", as_of=AS_OF, config=fast_retries(google))
    assert time.monotonic() - started >= 1.0


def test_a_429_storm_that_does_not_clear_stops_within_the_deadline(google):
    sid = google.sample_sheet()
    before = google.emu.snapshot(sid)
    google.emu.fail(429, count=10**6, retry_after="0.2")
    started = time.monotonic()
    with pytest.raises(RemoteError) as err:
        jobs.sync(f"gsheet:{sid}", as_of=AS_OF, config=fast_retries(google, deadline=3))
    elapsed = time.monotonic() - started
    assert elapsed < 3 + 1 + 0.5
    assert err.value.exit_code == 3
    assert "Google Sheets answered 429 (rate limit)" in err.value.message
    assert "times over" in err.value.message and "deadline" in err.value.message
    assert "quota" in (err.value.hint or "")
    assert google.emu.snapshot(sid) == before


def test_a_429_storm_on_the_write_leaves_the_sheet_as_it_was(google):
    sid = google.sample_sheet()
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    before = google.emu.snapshot(sid)
    google.emu.fail(429, count=10**6, op="spreadsheets.batchUpdate", retry_after="0.1")
    res = CliRunner().invoke(
        cli,
        [
            "sync",
            f"gsheet:{sid}",
            "--as-of",
            AS_OF.isoformat(),
            "--config",
            fast_retries(google, deadline=2),
        ],
    )
    assert res.exit_code == 3, res.output
    assert "429 (rate limit)" in res.stderr and "writing sheetsync's tabs" in res.stderr
    assert "Traceback" not in res.stderr
    assert google.emu.snapshot(sid) == before


def test_5xx_bursts_are_retried(google):
    sid = google.sample_sheet()
    google.emu.fail(500, op="spreadsheets.get")
    google.emu.fail(502, op="values.batchGet")
    google.emu.fail(503, count=2, op="spreadsheets.batchUpdate")
    google.emu.fail(504, op="spreadsheets.batchUpdate")
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF, config=fast_retries(google))
    assert done.write.added
    assert statuses(google, "spreadsheets.batchUpdate") == [503, 503, 504, 200]
    assert sorted(statuses(google)) == sorted([500, 502, 503, 503, 504, 200, 200, 200])


def test_5xx_that_persists_is_named(google):
    sid = google.sample_sheet()
    google.emu.fail(503, count=10**6)
    with pytest.raises(RemoteError) as err:
        jobs.check(f"gsheet:{sid}", as_of=AS_OF, config=fast_retries(google, deadline=1))
    assert "503 (unavailable)" in err.value.message


# --------------------------------------------------------------------------- connections and timeouts


def test_a_connection_dropped_mid_answer_is_retried(google):
    sid = google.sample_sheet()
    google.emu.drop(op="values.batchGet")
    checked = jobs.check(f"gsheet:{sid}", as_of=AS_OF, config=fast_retries(google))
    assert len(checked.pipeline.deals) == 72
    assert google.emu.api_counts()["values.batchGet"] == 2


def test_a_write_whose_answer_was_lost_is_not_applied_twice(google):
    """The batchUpdate went through but the answer was cut off: the retry is refused
    (the tabs exist now) and sheetsync recognises its own run's marker."""
    sid = google.sample_sheet()
    google.emu.drop(op="spreadsheets.batchUpdate", apply=True)
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF, config=fast_retries(google))
    assert done.write.added == [s.name for s in done.sheets]
    titles = google.emu.titles(sid)
    assert len(titles) == len(set(titles))
    assert len(google.emu.metadata(sid)) == 3 * len(done.sheets)
    assert statuses(google, "spreadsheets.batchUpdate")[-1] == 400


def test_a_slow_answer_past_the_timeout_is_retried(google):
    sid = google.sample_sheet()
    google.emu.slow(3, op="values.batchGet")
    started = time.monotonic()
    checked = jobs.check(f"gsheet:{sid}", as_of=AS_OF, config=fast_retries(google, timeout=1))
    assert len(checked.pipeline.deals) == 72
    assert 1 <= time.monotonic() - started < 3
    assert google.emu.api_counts()["values.batchGet"] == 2


def test_a_slow_write_past_the_timeout_is_recognised(google):
    sid = google.sample_sheet()
    google.emu.slow(2, op="spreadsheets.batchUpdate", apply=True)
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF, config=fast_retries(google, timeout=1))
    assert done.write.added
    titles = google.emu.titles(sid)
    assert len(titles) == len(set(titles))


def test_a_service_that_never_answers_in_time_stops_within_the_deadline(google):
    sid = google.sample_sheet()
    google.emu.slow(5, count=100, op="spreadsheets.get", apply=False)
    started = time.monotonic()
    with pytest.raises(RemoteError) as err:
        jobs.check(
            f"gsheet:{sid}", as_of=AS_OF, config=fast_retries(google, deadline=2.5, timeout=1)
        )
    assert time.monotonic() - started < 2.5 + 1 + 0.5
    assert "did not answer within" in err.value.message
    google.emu.clear_faults()


# --------------------------------------------------------------------------- edits while we work


def test_a_tab_added_between_read_and_write_is_not_clobbered(google):
    sid = google.sample_sheet()
    before = google.emu.snapshot(sid)
    google.emu.before(
        "spreadsheets.batchUpdate",
        lambda: google.emu.add_tab(sid, "sheetsync Summary", [["my plan"]]),
    )
    with pytest.raises(SourceChangedError) as err:
        jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    assert err.value.exit_code == 3
    assert "nothing was written" in err.value.message
    after = google.emu.snapshot(sid)
    assert [
        s for s in after["sheets"] if s["properties"]["title"] != "sheetsync Summary"
    ] == before["sheets"]
    assert google.emu.values(sid, "sheetsync Summary") == [["my plan"]]
    assert google.emu.titles(sid).count("sheetsync Summary") == 1
    assert after["metadata"] == before["metadata"] == []


def test_a_renamed_owned_tab_and_a_new_persons_tab_between_read_and_write(google):
    sid = google.sample_sheet()
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF)

    def person_edits() -> None:
        ss = google.emu.spreadsheet(sid)
        ss.sheet_by_title("sheetsync Summary").props["title"] = "Summary (old)"
        google.emu.add_tab(sid, "sheetsync Summary", [["mine now"]])

    google.emu.before("spreadsheets.batchUpdate", person_edits)
    with pytest.raises(SourceChangedError):
        jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    assert google.emu.values(sid, "sheetsync Summary") == [["mine now"]]
    assert "Summary (old)" in google.emu.titles(sid)


# --------------------------------------------------------------------------- access


def test_a_sheet_not_shared_names_the_account_to_share_with(google):
    sid = google.sample_sheet(share=None)
    with pytest.raises(SourceError) as err:
        jobs.check(f"gsheet:{sid}", as_of=AS_OF)
    assert err.value.exit_code == 3
    assert google.email in err.value.message
    assert f"share the sheet with {google.email}" in err.value.hint
    res = CliRunner().invoke(
        cli,
        [
            "check",
            f"https://docs.google.com/spreadsheets/d/{sid}/edit",
            "--as-of",
            AS_OF.isoformat(),
        ],
    )
    assert res.exit_code == 3
    assert google.email in res.stderr and "403" in res.stderr


def test_a_viewer_can_check_but_sync_says_to_share_as_editor(google):
    sid = google.sample_sheet(share="reader")
    before = google.emu.snapshot(sid)
    assert len(jobs.check(f"gsheet:{sid}", as_of=AS_OF).pipeline.deals) == 72
    with pytest.raises(SourceError) as err:
        jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    assert "not change it" in err.value.message and "nothing was written" in err.value.message
    assert f"share the sheet with {google.email} as Editor" == err.value.hint
    assert google.emu.snapshot(sid) == before


def test_a_wrong_id_says_to_check_the_url(google):
    res = CliRunner().invoke(cli, ["check", "gsheet:1NoSuchSpreadsheetXXXXXXXXXXXXXXXXXXXXXXXXXX"])
    assert res.exit_code == 3
    assert "no spreadsheet with id" in res.stderr and "404" in res.stderr
    assert "check the URL" in res.stderr


def test_no_credentials_anywhere_says_where_to_put_them(google, monkeypatch):
    sid = google.sample_sheet()
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS")
    res = CliRunner().invoke(cli, ["check", f"gsheet:{sid}"])
    assert res.exit_code == 3
    assert "no Google credentials" in res.stderr and "--credentials" in res.stderr
    assert google.emu.api_counts() == {}


def test_a_missing_or_broken_key_file(google, monkeypatch):
    sid = google.sample_sheet()
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(google.tmp / "nope.json"))
    res = CliRunner().invoke(cli, ["check", f"gsheet:{sid}"])
    assert res.exit_code == 3 and "credentials file not found" in res.stderr
    broken = google.tmp / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(broken))
    res = CliRunner().invoke(cli, ["check", f"gsheet:{sid}"])
    assert res.exit_code == 3 and "not JSON" in res.stderr
    half = google.tmp / "half.json"
    half.write_text(
        json.dumps({"type": "service_account", "client_email": "x@y"}), encoding="utf-8"
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(half))
    res = CliRunner().invoke(cli, ["check", f"gsheet:{sid}"])
    assert res.exit_code == 3 and "incomplete or damaged" in res.stderr


def test_refused_credentials(google):
    sid = google.sample_sheet()
    google.emu.revoke(google.email)
    res = CliRunner().invoke(cli, ["check", f"gsheet:{sid}"])
    assert res.exit_code == 3
    assert "Google refused the credentials" in res.stderr
    assert "invalid_grant" in res.stderr
    assert google.emu.api_counts() == {}


def test_an_expired_token_is_refreshed_once(google):
    sid = google.sample_sheet()
    src = GoogleSheetsSource(sid)
    src.tab_names()
    google.emu.tokens.clear()  # Google forgot the token (expired, revoked session)
    src._tabs = None
    assert "Pipeline" in src.tab_names()
    assert [e.status for e in google.emu.log if e.op == "spreadsheets.get"] == [200, 401, 200]


# --------------------------------------------------------------------------- credentials precedence


def test_credentials_precedence(google, monkeypatch):
    sid = google.sample_sheet()
    other = google.tmp / "other-key.json"
    other.write_text(google.key_path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(google.tmp / "missing.json"))
    # --credentials wins over the environment
    cfg = jobs.load_config(None, None)
    src = registry.open_source(f"gsheet:{sid}", cfg, credentials=str(other))
    assert "Pipeline" in src.tab_names()
    # [google] credentials (relative to sheetsync.toml) wins over the environment
    toml = google.tmp / "conf" / "sheetsync.toml"
    toml.parent.mkdir()
    (toml.parent / "key.json").write_text(
        google.key_path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    toml.write_text('[google]\ncredentials = "key.json"\n', encoding="utf-8")
    checked = jobs.check(f"gsheet:{sid}", config=str(toml), as_of=AS_OF)
    assert len(checked.pipeline.deals) == 72
    settings = GoogleSettings.from_config(checked.config)
    assert settings.credentials == str(toml.parent / "key.json")


def test_a_typo_in_the_google_section_is_a_config_error(google):
    sid = google.sample_sheet()
    toml = google.tmp / "sheetsync.toml"
    toml.write_text("[google]\ndeadlne = 10\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", f"gsheet:{sid}", "--config", str(toml)])
    assert res.exit_code == 2
    assert "deadlne" in res.stderr
    toml.write_text("[google]\ntimeout = 0\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", f"gsheet:{sid}", "--config", str(toml)])
    assert res.exit_code == 2 and "timeout" in res.stderr
