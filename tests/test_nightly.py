"""Cron-safe operation: one run per source, quiet output, JSON log lines."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.cli import cli
from sheetsync.locking import source_lock

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def book(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    p = tmp_path / "team.xlsx"
    shutil.copyfile(ROOT / "sample_workbooks" / "clean_pipeline.xlsx", p)
    return p


def test_second_overlapping_run_exits_4_and_writes_nothing(book, tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from sheetsync.locking import source_lock\n"
            "with source_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(30)",
            str(book),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={
            "SHEETSYNC_LOCK_DIR": str(tmp_path / "locks"),
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
        },
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = book.read_bytes()
        res = CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-26"])
        assert res.exit_code == 4
        assert f"pid {holder.pid}" in res.output
        assert book.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    # The lock dies with its holder: the next run proceeds.
    assert CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-26"]).exit_code == 0


def test_lock_is_per_source(book, tmp_path):
    other = tmp_path / "other.xlsx"
    shutil.copyfile(book, other)
    with source_lock(str(book)):
        assert CliRunner().invoke(cli, ["sync", str(other), "--as-of", "2026-11-26"]).exit_code == 0


def test_quiet_prints_nothing_on_success(book):
    res = CliRunner().invoke(cli, ["--quiet", "sync", str(book), "--as-of", "2026-11-26"])
    assert res.exit_code == 0
    assert res.output == ""


def test_json_log_lines_on_stderr(book):
    res = CliRunner().invoke(
        cli, ["--log-format", "json", "sync", str(book), "--as-of", "2026-11-26"]
    )
    assert res.exit_code == 0
    lines = [json.loads(line) for line in res.stderr.splitlines()]
    done = next(line for line in lines if line["event"] == "sync.done")
    assert done["level"] == "info" and done["deals"] == 24 and done["errors"] == 0
    assert {"ts", "message", "source", "seconds"} <= set(done)


def test_json_failure_is_one_json_line(tmp_path):
    res = CliRunner().invoke(cli, ["--log-format", "json", "check", str(tmp_path / "missing.xlsx")])
    assert res.exit_code == 3
    (line,) = res.stderr.splitlines()
    data = json.loads(line)
    assert (
        data["event"] == "error" and data["exit_code"] == 3 and "file not found" in data["message"]
    )
    assert data["hint"]


def test_as_of_makes_runs_reproducible(book, tmp_path):
    copy = tmp_path / "copy.xlsx"
    shutil.copyfile(book, copy)
    for p in (book, copy):
        assert CliRunner().invoke(cli, ["sync", str(p), "--as-of", "2026-11-26"]).exit_code == 0
        time.sleep(0.01)
    assert book.read_bytes() == copy.read_bytes()


def test_sync_all_runs_every_pipeline_and_reports_failures(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    for team in ("east", "west"):
        (tmp_path / team).mkdir()
        shutil.copyfile(
            ROOT / "sample_workbooks" / "clean_pipeline.xlsx", tmp_path / team / "pipeline.xlsx"
        )
    (tmp_path / "sheetsync.toml").write_text(
        """
[[sources]]
name = "East"
path = "east/pipeline.xlsx"
[[sources]]
name = "Broken"
path = "nowhere/pipeline.xlsx"
[[sources]]
name = "West"
path = "west/pipeline.xlsx"
""",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        cli,
        ["sync", "--all", "--config", str(tmp_path / "sheetsync.toml"), "--as-of", "2026-11-26"],
    )
    assert res.exit_code == 3
    out = res.stdout.splitlines()
    assert out[0].startswith("ok     East: 24 deals, 0 errors, 0 warnings")
    assert out[1].startswith("ok     West: 24 deals")
    assert out[2] == "2 of 3 pipelines synced, 1 failed"
    assert "FAILED Broken:" in res.stderr and "file not found" in res.stderr
    for team in ("east", "west"):
        assert (tmp_path / team / ".sheetsync-backups").is_dir()


def test_sync_all_without_sources_is_a_config_error(tmp_path):
    (tmp_path / "sheetsync.toml").write_text("", encoding="utf-8")
    res = CliRunner().invoke(cli, ["sync", "--all", "--config", str(tmp_path / "sheetsync.toml")])
    assert res.exit_code == 2
    assert "[[sources]]" in res.output


def test_sources_entry_with_its_own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    shutil.copyfile(ROOT / "sample_workbooks" / "crm_export.xlsx", tmp_path / "crm_export.xlsx")
    shutil.copyfile(ROOT / "sample_workbooks" / "crm_export.toml", tmp_path / "crm_export.toml")
    (tmp_path / "all.toml").write_text(
        '[[sources]]\nname = "CRM"\npath = "crm_export.xlsx"\nconfig = "crm_export.toml"\n',
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        cli, ["sync", "--all", "--config", str(tmp_path / "all.toml"), "--as-of", "2026-11-26"]
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("ok     CRM: 40 deals")


def test_doctor_all_good(book):
    res = CliRunner().invoke(cli, ["doctor", str(book)])
    assert res.exit_code == 0, res.output
    names = [line.split()[1] for line in res.stdout.splitlines() if line.startswith("ok")]
    assert names == ["configuration", "source", "read", "write", "tabs", "lock"]
    assert res.stdout.rstrip().endswith("everything a nightly run needs is in place")


def test_doctor_changes_nothing_and_names_the_fix(book):
    (book.parent / ("~$" + book.name)).write_bytes(b"x")
    before = book.read_bytes()
    res = CliRunner().invoke(cli, ["doctor", str(book), "--format", "json"])
    assert res.exit_code == 3
    checks = {c["name"]: c for c in json.loads(res.stdout)}
    assert checks["write"]["status"] == "fail"
    assert "open in Excel" in checks["write"]["detail"] and checks["write"]["fix"]
    assert book.read_bytes() == before
    assert not (book.parent / ".sheetsync-backups").exists()


def test_doctor_bad_configuration_exits_2(book):
    (book.parent / "sheetsync.toml").write_text("[source]\nnope = 1\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["doctor", str(book)])
    assert res.exit_code == 2
    assert res.stdout.startswith("FAIL  configuration")
    assert "fix: known keys here" in res.stdout


# --------------------------------------------------------------------------- partial success

TEAM = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
ELENA = "elena@northwind-robotics.example"  # a rep of the team sample


def _imap_config(folder: Path, port: int) -> None:
    (folder / "sheetsync.toml").write_text(
        '[drafts]\nenabled = true\nsink = "imap"\n[drafts.imap]\n'
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\nuser = "{ELENA}"\n'
        'password_env = "SHEETSYNC_TEST_IMAP_PW"\ntimeout = 2\nretries = 1\n',
        encoding="utf-8",
    )


def _unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stopped_dovecot_port() -> int:
    from services.dovecot import dovecot_or_skip, start_dovecot

    dovecot_or_skip()
    srv = start_dovecot(tls=False, users=(ELENA,))
    port = srv.port
    srv.stop()  # the real server, gone: what a night with the mail server down sees
    return port


@pytest.mark.parametrize("down", [_unused_port, _stopped_dovecot_port], ids=["unused", "dovecot"])
def test_mail_server_down_still_shows_the_written_tabs_and_exits_5(tmp_path, monkeypatch, down):
    from sheetsync.sources.excel import ExcelSource

    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    monkeypatch.setenv("SHEETSYNC_TEST_IMAP_PW", "x")
    book = tmp_path / "team.xlsx"
    shutil.copyfile(TEAM, book)
    port = down()
    _imap_config(tmp_path, port)
    res = CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-26"])
    assert res.exit_code == 5, res.output
    out = res.stdout.splitlines()
    assert out[0] == f"{book}: 72 deals in tab 'Pipeline', as of 2026-11-26"
    assert "Wrote 4 new tabs: sheetsync Summary, sheetsync Funnel, sheetsync Follow-ups, " in (
        res.stdout
    )
    drafts = next(line for line in out if line.startswith("  drafts: "))
    assert drafts.startswith("  drafts: 0 prepared (") and "; then saving stopped: " in drafts
    assert f"127.0.0.1:{port}" in drafts and "Connection refused" in drafts
    assert res.stderr.splitlines()[0].startswith(
        f"sheetsync: {book}: the tabs were written, but the drafts failed (0 saved): imap://"
    )
    assert res.stderr.splitlines()[1] == (
        "  hint: check the host, port and network; the drafts not yet saved are made on the "
        "next run"
    )
    assert set(ExcelSource(book).owned_tabs().values()) >= {"summary", "ledger", "history"}
    # The log has one line per part, each with its status.
    res = CliRunner().invoke(
        cli, ["--log-format", "json", "sync", str(book), "--as-of", "2026-11-27"]
    )
    assert res.exit_code == 5
    lines = [json.loads(line) for line in res.stderr.splitlines()]
    parts = {x["event"]: x for x in lines if x["event"] in ("tabs", "drafts", "history")}
    assert [x["event"] for x in lines if x["event"] in parts] == ["tabs", "drafts", "history"]
    assert parts["tabs"]["status"] == "written" and parts["tabs"]["level"] == "info"
    assert parts["drafts"]["status"] == "failed" and parts["drafts"]["level"] == "error"
    assert parts["drafts"]["error"] == "RemoteError" and parts["drafts"]["saved"] == 0
    assert parts["history"]["status"] == "recorded"
    assert all(x["source"] == str(book) for x in parts.values())


def test_sync_all_reports_a_drafts_failure_per_pipeline_and_exits_5(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    monkeypatch.setenv("SHEETSYNC_TEST_IMAP_PW", "x")
    shutil.copyfile(TEAM, tmp_path / "team.xlsx")
    _imap_config(tmp_path, _unused_port())
    with (tmp_path / "sheetsync.toml").open("a", encoding="utf-8") as f:
        f.write('[[sources]]\nname = "Team"\npath = "team.xlsx"\n')
    res = CliRunner().invoke(
        cli,
        ["sync", "--all", "--config", str(tmp_path / "sheetsync.toml"), "--as-of", "2026-11-26"],
    )
    assert res.exit_code == 5, res.output
    assert res.stdout.splitlines() == [
        "drafts Team: 72 deals, 7 errors, 5 warnings, 51 follow-ups, "
        + res.stdout.split("follow-ups, ")[1].split(" parts")[0]
        + " parts changed, drafts failed",
        "1 of 1 pipelines synced",
    ]
    assert "the tabs were written, but the drafts failed (0 saved)" in res.stderr
