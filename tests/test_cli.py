"""The command line: exact output, exit codes, one-line failures."""

from __future__ import annotations

import subprocess
import sys

from builders import HEADER, deal_row, make_workbook
from click.testing import CliRunner

from sheetsync import __version__
from sheetsync.cli import cli, main


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_version():
    res = invoke("--version")
    assert res.exit_code == 0
    assert res.output == f"sheetsync, version {__version__}\n"


def test_clean_workbook_exits_0_with_exact_text(tmp_path):
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": [HEADER, deal_row()]})
    res = invoke("check", str(p), "--as-of", "2026-11-26")
    assert res.exit_code == 0
    assert res.output == (
        f"{p}: 0 errors, 0 warnings (1 deals in tab 'Deals', as of 2026-11-26)\nNo problems found.\n"
    )


def test_warnings_only_exit_0_errors_exit_1(tmp_path):
    warn = make_workbook(
        tmp_path / "w.xlsx", {"Deals": [HEADER, deal_row({"Decision Maker?": "no"})]}
    )
    res = invoke("check", str(warn), "--as-of", "2026-11-26")
    assert res.exit_code == 0
    assert res.output.splitlines()[2:] == [
        "Warnings:",
        "  Deals!E2         decision-maker-unconfirmed  deal 'Widget rollout' is at Proposal but the decision maker is not confirmed",
        "                                               → confirm you are talking to the person who can buy, then mark it yes",
    ]
    err = make_workbook(tmp_path / "e.xlsx", {"Deals": [HEADER, deal_row({"Deal Stage": "Nope"})]})
    assert invoke("check", str(err), "--as-of", "2026-11-26").exit_code == 1


def test_missing_file_exits_3_with_one_line_and_hint(tmp_path):
    res = invoke("check", str(tmp_path / "nope.xlsx"))
    assert res.exit_code == 3
    assert res.output == (
        f"sheetsync: {tmp_path / 'nope.xlsx'}: file not found\n"
        "  hint: check the path (or [source] path in sheetsync.toml)\n"
    )
    assert "Traceback" not in res.output


def test_not_a_workbook_exits_3(tmp_path):
    p = tmp_path / "p.xlsx"
    p.write_text("name,stage\n", encoding="utf-8")
    res = invoke("check", str(p))
    assert res.exit_code == 3
    assert "not an Excel workbook" in res.output


def test_bad_config_exits_2(tmp_path):
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": [HEADER, deal_row()]})
    (tmp_path / "sheetsync.toml").write_text("[source]\nbogus = 1\n", encoding="utf-8")
    res = invoke("check", str(p))
    assert res.exit_code == 2
    assert "unknown key 'bogus'" in res.output and "sheetsync.toml" in res.output


def test_bad_option_exits_2():
    assert invoke("check", "x.xlsx", "--as-of", "yesterday").exit_code == 2
    assert invoke("check", "x.xlsx", "--format", "xml").exit_code == 2
    assert invoke("no-such-command").exit_code == 2


def test_debug_shows_the_traceback(tmp_path):
    res = invoke("--debug", "check", str(tmp_path / "nope.xlsx"))
    assert res.exit_code == 3
    assert "Traceback" in res.output


def test_main_returns_exit_code(tmp_path):
    assert main(["check", str(tmp_path / "nope.xlsx")]) == 3
    assert main(["--version"]) == 0


def test_python_dash_m_runs_the_same_command(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "sheetsync", "check", str(tmp_path / "nope.xlsx")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 3
    assert out.stdout == ""
    assert out.stderr.startswith("sheetsync: ")
    assert "Traceback" not in out.stderr


# --------------------------------------------------------------------------- logs for cron and collectors

TEAM = (
    __import__("pathlib").Path(__file__).resolve().parents[1]
    / "sample_workbooks"
    / "team_pipeline.xlsx"
)


def _team(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    book = tmp_path / "team.xlsx"
    shutil.copyfile(TEAM, book)
    return book


def _data_errors_line(book):
    return (
        f"sheetsync: {book}: the data has 7 error(s); run `sheetsync check {book}` to list them\n"
    )


def test_quiet_check_with_errors_prints_one_line_on_stderr(tmp_path, monkeypatch):
    book = _team(tmp_path, monkeypatch)
    res = invoke("--quiet", "check", str(book), "--as-of", "2026-11-26")
    assert res.exit_code == 1
    assert res.stdout == ""
    assert res.stderr == _data_errors_line(book)


def test_quiet_metrics_and_sync_with_errors_print_one_line_on_stderr(tmp_path, monkeypatch):
    book = _team(tmp_path, monkeypatch)
    for command in ("metrics", "sync"):
        res = invoke("--quiet", command, str(book), "--as-of", "2026-11-26")
        assert res.exit_code == 1, command
        assert res.stdout == ""
        assert res.stderr == _data_errors_line(book), command


def test_quiet_success_prints_nothing_at_all(tmp_path):
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": [HEADER, deal_row()]})
    res = invoke("--quiet", "check", str(p), "--as-of", "2026-11-26")
    assert (res.exit_code, res.stdout, res.stderr) == (0, "", "")


def test_quiet_doctor_with_a_problem_prints_one_line_and_its_fix(tmp_path, monkeypatch):
    book = _team(tmp_path, monkeypatch)
    (tmp_path / ("~$" + book.name)).write_bytes(b"x")  # open in Excel
    res = invoke("--quiet", "doctor", str(book))
    assert res.exit_code == 3
    assert res.stdout == ""
    first, hint = res.stderr.splitlines()
    assert first.startswith("sheetsync: doctor: 1 problem(s) to fix; first, write: ")
    assert "open in Excel" in first
    assert hint.startswith("  hint: ")


def test_every_json_line_has_ts_level_event_and_source(tmp_path, monkeypatch):
    import datetime as dt
    import json

    book = _team(tmp_path, monkeypatch)
    runs = [
        invoke("--log-format", "json", "sync", str(book), "--as-of", "2026-11-26"),
        invoke("--log-format", "json", "check", str(book), "--as-of", "2026-11-26"),
        invoke("--log-format", "json", "--quiet", "check", str(book), "--as-of", "2026-11-26"),
        invoke("--log-format", "json", "check", str(tmp_path / "missing.xlsx")),
        invoke("--log-format", "json", "check", "--config", str(tmp_path / "nope.toml")),
        invoke("--log-format", "json", "sync", str(book), "--no-such-option"),
    ]
    lines = [json.loads(line) for r in runs for line in r.stderr.splitlines()]
    assert {x["event"] for x in lines} >= {"sync.done", "tabs", "drafts", "history", "error"}
    for x in lines:
        assert list(x)[:4] == ["ts", "level", "event", "source"], x
        assert dt.datetime.fromisoformat(x["ts"]).utcoffset() is not None
        assert x["level"] in ("debug", "info", "warning", "error")
    assert {x["source"] for x in lines if x["event"] != "error"} == {str(book)}
    missing, no_config, usage = (x for x in lines if x["event"] == "error")
    assert missing["source"] == str(tmp_path / "missing.xlsx") and missing["exit_code"] == 3
    assert no_config["source"] is None and no_config["exit_code"] == 2  # no source named yet
    assert "--no-such-option" in usage["message"] and usage["exit_code"] == 2
    assert runs[-1].exit_code == 2 and runs[-1].stdout == ""


def test_a_second_sync_says_nothing_changed_not_wrote(tmp_path, monkeypatch):
    book = _team(tmp_path, monkeypatch)
    first = invoke("sync", str(book), "--as-of", "2026-11-26", "--verbose")
    assert first.exit_code == 1
    assert (
        "  history started: 71 deals recorded (1 more row repeats a deal's ID: the first is "
        "tracked)\n" in first.stdout
    )
    second = invoke("sync", str(book), "--as-of", "2026-11-26", "--verbose")
    assert second.exit_code == 1
    tail = second.stdout.split("lists them with their cells\n")[1]
    assert tail == (
        "Nothing changed: the 4 tabs are up to date: sheetsync Summary, sheetsync Funnel, "
        "sheetsync Follow-ups, sheetsync Data Issues; and the hidden tabs sheetsync History, "
        "sheetsync Written\n"
        "  parts changed: 0\n"
        "  history: no changes since the last run (338 in the log)\n"
        "\n"
        f"Open {book} and look at the tab 'sheetsync Summary'.\n"
    )
    dry = invoke("sync", str(book), "--as-of", "2026-11-26", "--dry-run")
    assert "Would change nothing: the 4 tabs are up to date: sheetsync Summary," in dry.stdout


# --------------------------------------------------------------------------- start-up (issue 13)

_PROBE = """
import json, sys
from sheetsync.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted(sys.modules)]))
"""

#: What a run on a workbook needs none of unless sheetsync.toml asks for drafts or Google.
_NOT_NEEDED = ("jinja2", "imaplib", "google", "gspread", "msal", "requests")
_NOT_NEEDED_OWN = (
    "sheetsync.sources.gsheets",
    "sheetsync.drafts.templates",
    "sheetsync.drafts.imap",
    "sheetsync.drafts.gmail",
    "sheetsync.drafts.graph",
    "sheetsync.drafts.run",
    "sheetsync.drafts.google_auth",
    "sheetsync.drafts.microsoft_auth",
)


def _modules(cwd, *args):
    import json
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), "SHEETSYNC_LOCK_DIR": str(cwd / "locks")}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    code, modules = json.loads(out.stdout.splitlines()[-1])
    return code, modules


def _heavy(modules):
    return sorted(
        m for m in modules if m.split(".")[0] in _NOT_NEEDED or m.startswith(_NOT_NEEDED_OWN)
    )


def test_check_metrics_and_sync_of_a_workbook_import_no_google_mail_or_template_module(
    tmp_path,
):
    import shutil

    shutil.copyfile(TEAM, tmp_path / "team.xlsx")
    for command in ("check", "metrics", "sync"):
        code, modules = _modules(tmp_path, "--quiet", command, "team.xlsx", "--as-of", "2026-11-26")
        assert code == 1, command  # the sample's data errors: it did run
        assert _heavy(modules) == [], command
        assert "sheetsync.pipeline" in modules


def test_drafts_in_the_configuration_load_the_template_module(tmp_path):
    import shutil

    shutil.copyfile(TEAM, tmp_path / "team.xlsx")
    (tmp_path / "sheetsync.toml").write_text("[drafts]\nenabled = true\n", encoding="utf-8")
    code, modules = _modules(tmp_path, "--quiet", "sync", "team.xlsx", "--as-of", "2026-11-26")
    assert code == 1
    assert "jinja2" in modules and "sheetsync.drafts.templates" in modules


def test_a_backfilled_sync_is_quiet_on_stderr_and_says_why_the_history_waits(tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    book = tmp_path / "clean.xlsx"
    shutil.copyfile(
        Path(__file__).resolve().parents[1] / "sample_workbooks" / "clean_pipeline.xlsx", book
    )
    assert invoke("sync", str(book), "--as-of", "2026-11-26").exit_code == 0
    res = invoke("sync", str(book), "--as-of", "2026-11-20")
    assert res.exit_code == 0 and res.stderr == ""
    assert (
        "  history: stage history not recorded: the run's as-of (2026-11-20 00:00:00) is before "
        "the last recorded change (2026-11-26 00:00:00); a backfilled run does not rewrite the "
        "history\n"
    ) in res.stdout
