"""`sheetsync doctor` predicts the night: the same broken set-ups, the same exit codes as `sync`.

Each set-up is made for real (a workbook copied from the samples, a
sheetsync.toml, a Google Sheet in the loopback emulator, a mail port with
nothing listening); doctor runs first and must change nothing, then the
night's command runs on the very same files, and the two exit codes agree.
"""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from gsheets_emulator.fixtures import AS_OF, google_env

from sheetsync.cli import cli

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT / "sample_workbooks" / "clean_pipeline.xlsx"
TEAM = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
DAY = "2026-11-26"
ELENA = "elena@northwind-robotics.example"  # a rep of the team sample


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _imap(port: int, password_env: str = "SHEETSYNC_TEST_IMAP_PW") -> str:
    return (
        '[drafts]\nenabled = true\nsink = "imap"\n[drafts.imap]\n'
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\nuser = "{ELENA}"\n'
        f'password_env = "{password_env}"\ntimeout = 2\nretries = 1\n'
    )


def _person_tab(tmp: Path) -> None:
    """A tab a person made, named like the Summary tab sheetsync writes."""
    import openpyxl

    book = tmp / "team.xlsx"
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("sheetsync Summary")["A1"] = "my own notes"
    wb.save(book)


def _two_sources(tmp: Path, broken: bool) -> str:
    for team in ("east", "west"):
        (tmp / team).mkdir()
        shutil.copyfile(CLEAN, tmp / team / "pipeline.xlsx")
    west = "nowhere/pipeline.xlsx" if broken else "west/pipeline.xlsx"
    return (
        '[[sources]]\nname = "East"\npath = "east/pipeline.xlsx"\n'
        f'[[sources]]\nname = "West"\npath = "{west}"\n'
    )


# name: (workbook, sheetsync.toml text or a function of the folder, a change to the folder, exit)
SETUPS: dict[str, tuple[Path | None, str | Callable[[Path], str] | None, Callable | None, int]] = {
    "clean": (CLEAN, None, None, 0),
    "data errors": (TEAM, None, None, 1),
    "period quarterly": (CLEAN, '[metrics]\nperiod = "quarterly"\n', None, 2),
    "win rate window 0": (CLEAN, "[metrics]\nwin_rate_window_days = 0\n", None, 2),
    "max rows 0": (CLEAN, "[sync]\nmax_rows = 0\n", None, 2),
    "unknown finding code": (CLEAN, '[validation]\nignore = ["no-such-code"]\n', None, 2),
    "not TOML": (CLEAN, "[metrics\n", None, 2),
    "unknown drafts key": (CLEAN, "[drafts]\nenabeld = true\n", None, 2),
    "a person's tab named like an owned one": (CLEAN, None, _person_tab, 2),
    "workbook missing": (None, None, None, 3),
    "not a workbook": (None, None, lambda tmp: (tmp / "team.xlsx").write_bytes(b"PK no"), 3),
    "open in Excel": (CLEAN, None, lambda tmp: (tmp / "~$team.xlsx").write_bytes(b"x"), 3),
    "mail server down": (TEAM, lambda tmp: _imap(_unused_port()), None, 5),
    "mail password not set": (TEAM, lambda tmp: _imap(_unused_port(), "SHEETSYNC_UNSET"), None, 2),
    "sources all fine": (None, lambda tmp: _two_sources(tmp, False), None, 0),
    "sources, one missing": (None, lambda tmp: _two_sources(tmp, True), None, 3),
}


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _files(tmp: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(tmp)): p.read_bytes()
        for p in sorted(tmp.rglob("*"))
        if p.is_file() and "locks" not in p.parts
    }


@pytest.mark.parametrize("name", list(SETUPS))
def test_doctor_and_sync_agree_on_the_same_broken_setup(name, tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    monkeypatch.setenv("SHEETSYNC_TEST_IMAP_PW", "x")
    monkeypatch.delenv("SHEETSYNC_UNSET", raising=False)
    monkeypatch.chdir(tmp_path)
    book, toml, change, expected = SETUPS[name]
    if book is not None:
        shutil.copyfile(book, tmp_path / "team.xlsx")
    if toml is not None:
        text = toml(tmp_path) if callable(toml) else toml
        (tmp_path / "sheetsync.toml").write_text(text, encoding="utf-8")
    if change is not None:
        change(tmp_path)
    sources = name.startswith("sources")
    where = [] if sources else [str(tmp_path / "team.xlsx")]
    before = _files(tmp_path)
    doctor = _run("doctor", *where, "--as-of", DAY)
    assert _files(tmp_path) == before, "doctor changed a file"
    night = _run("sync", *(["--all"] if sources else where), "--as-of", DAY)
    assert (doctor.exit_code, night.exit_code) == (expected, expected), (
        doctor.output,
        night.output,
    )


def test_the_table_covers_every_exit_code_a_night_can_end_with():
    assert {s[3] for s in SETUPS.values()} == {0, 1, 2, 3, 5}
    assert len(SETUPS) >= 8


def test_doctor_checks_every_sources_entry_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sheetsync.toml").write_text(_two_sources(tmp_path, True), encoding="utf-8")
    res = _run("doctor", "--as-of", DAY, "--format", "json")
    assert res.exit_code == 3
    checks = [(c["name"], c["status"]) for c in json.loads(res.stdout)]
    assert ("East: read", "ok") in checks and ("East: write", "ok") in checks
    assert ("West: read", "fail") in checks
    assert not any(c[1] == "fail" and c[0].startswith("East") for c in checks)
    assert "no source given" not in res.stdout


def test_doctor_says_the_night_exits_1_for_data_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    book = tmp_path / "team.xlsx"
    shutil.copyfile(TEAM, book)
    res = _run("doctor", str(book), "--as-of", DAY)
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert (
        "warn  data           7 error(s) in the data: the night writes the tabs, lists them in "
        "the Data Issues tab and exits 1"
    ) in lines
    assert f"                     see: sheetsync check {book} lists them with their cells" in lines
    assert (
        lines[-1] == "everything a nightly run needs is in place; it will exit 1 (data: see above)"
    )
    quiet = _run("--quiet", "doctor", str(book), "--as-of", DAY)
    assert quiet.exit_code == 1 and quiet.stdout == ""
    assert quiet.stderr.splitlines()[0] == (
        "sheetsync: doctor: the night will exit 1, data: 7 error(s) in the data: the night "
        "writes the tabs, lists them in the Data Issues tab and exits 1"
    )


def test_doctor_predicts_exit_5_when_the_mail_server_is_down(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    monkeypatch.setenv("SHEETSYNC_TEST_IMAP_PW", "x")
    book = tmp_path / "team.xlsx"
    shutil.copyfile(TEAM, book)
    (tmp_path / "sheetsync.toml").write_text(_imap(_unused_port()), encoding="utf-8")
    res = _run("doctor", str(book), "--as-of", DAY, "--format", "json")
    assert res.exit_code == 5
    imap = [c for c in json.loads(res.stdout) if c["name"] == "imap" and c["status"] == "fail"]
    assert len(imap) == 1  # the other reps are not this mailbox's: skipped
    assert imap[0]["detail"].startswith(f"Elena Vasquez <{ELENA}>: ")
    assert "Connection refused" in imap[0]["detail"]


# --------------------------------------------------------------------------- Google


@pytest.fixture
def google(tmp_path, monkeypatch):
    yield from google_env(tmp_path, monkeypatch)


@pytest.mark.parametrize(("share", "expected"), [("writer", 1), ("reader", 3)])
def test_doctor_probes_google_write_access_and_agrees_with_sync(google, share, expected):
    sid = google.sample_sheet(share=share)
    before = google.emu.snapshot(sid)
    res = _run("doctor", f"gsheet:{sid}", "--as-of", AS_OF.isoformat(), "--format", "json")
    checks = {c["name"]: c for c in json.loads(res.stdout)}
    assert google.emu.snapshot(sid) == before, "doctor changed the sheet"
    probes = [e for e in google.emu.log if e.op == "spreadsheets.batchUpdate"]
    assert [e.status for e in probes] == [200 if share == "writer" else 403]
    if share == "writer":
        assert checks["write"]["status"] == "ok"
        assert checks["write"]["detail"].startswith(f"gsheet:{sid} can be updated")
    else:
        assert checks["write"]["status"] == "fail"
        assert (
            "may read this spreadsheet but not change it (403 PERMISSION_DENIED)"
            in (checks["write"]["detail"])
        )
        assert checks["write"]["fix"] == f"share the sheet with {google.email} as Editor"
    night = _run("sync", f"gsheet:{sid}", "--as-of", AS_OF.isoformat())
    assert (res.exit_code, night.exit_code) == (expected, expected), night.output


def test_the_emulator_refuses_an_empty_batch_update_as_google_does(google):
    """Why the probe is not ``{"requests": []}``: Google answers it with 400."""
    from sheetsync.sources.gsheets import GoogleSheetsSource

    src = GoogleSheetsSource(google.sample_sheet())
    answer, _ = src.client.batch_update(json.dumps({"requests": []}).encode())
    assert answer.status_code == 400
    assert answer.message == "Must specify at least one request."


@pytest.mark.parametrize(("output", "expected"), [(False, 2), (True, 0)])
def test_doctor_and_sync_agree_on_a_csv_with_and_without_output(
    tmp_path, monkeypatch, output, expected
):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    csv = tmp_path / "pipeline.csv"
    csv.write_text(
        "Deal,Company,Owner,Stage,Amount,Expected Close\n"
        "Pilot,Acme,Ana Lima,Proposal,1000,2026-12-15\n",
        encoding="utf-8",
    )
    extra = ["--output", str(tmp_path / "pipeline.xlsx")] if output else []
    doctor = _run("doctor", str(csv), "--as-of", DAY, *extra)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "locks") == ["pipeline.csv"]
    night = _run("sync", str(csv), "--as-of", DAY, *extra)
    assert (doctor.exit_code, night.exit_code) == (expected, expected), (
        doctor.output,
        night.output,
    )


def test_doctor_text_of_several_sources_lines_up_and_json_gives_each_exit_code(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sheetsync.toml").write_text(_two_sources(tmp_path, True), encoding="utf-8")
    res = _run("doctor", "--as-of", DAY)
    lines = res.stdout.splitlines()
    assert lines[0] == f"ok    configuration  {tmp_path / 'sheetsync.toml'}"
    assert lines[1] == f"ok    East: source   {tmp_path / 'east' / 'pipeline.xlsx'}"
    lock = tmp_path / "east" / ".~sheetsync.pipeline.xlsx.lock"
    assert f"ok    East: lock     {lock}" in lines
    assert f"FAIL  West: read     {tmp_path / 'nowhere' / 'pipeline.xlsx'}: file not found" in lines
    assert lines[-1] == "1 problem(s) to fix"
    checks = json.loads(_run("doctor", "--as-of", DAY, "--format", "json").stdout)
    assert {c["name"]: c["exit_code"] for c in checks if c["exit_code"]} == {"West: read": 3}
