"""One lock per source, shared by every run: beside a workbook, in a Google Sheet.

Issue 16, items 1 and 6: a cron run (no ``XDG_RUNTIME_DIR``) and a person's
run of another user take the same lock; two machines on one Google Sheet
never write at once and a crashed run's lease expires; Excel's and
LibreOffice's owner files stop the run, naming the user, the age, and when
stale the command that removes them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from gsheets_emulator.fixtures import AS_OF, google_env
from second_user import throwaway_user

from sheetsync import jobs
from sheetsync.cli import cli
from sheetsync.config import Config
from sheetsync.errors import LockedError
from sheetsync.locking import lock_location, lock_path, source_lock
from sheetsync.sources import gsheets_lease
from sheetsync.sources.filesafety import excel_owner, libre_owner
from sheetsync.sources.gsheets import GoogleSettings, SheetsClient
from sheetsync.sources.gsheets_lease import LEASE_ID, LEASE_KEY, Lease

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT / "sample_workbooks" / "clean_pipeline.xlsx"
RUN_AS = Path(__file__).with_name("run_as.py")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def other_user():
    """A throwaway user (name, uid, gid), removed afterwards; needs root."""
    with throwaway_user() as user:
        yield user


@pytest.fixture
def shared(tmp_path):
    """A folder every user may write (pytest's tmp_path is root's own, mode 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="sheetsync-shared-", dir="/tmp"))
    folder.chmod(0o777)
    book = folder / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    book.chmod(0o666)
    warm = tmp_path / "warm.xlsx"
    shutil.copyfile(CLEAN, warm)
    try:
        yield folder, book, warm
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _as_user(uid: int, gid: int, warm: Path, *args: str, env: dict[str, str]):
    return subprocess.Popen(
        [sys.executable, str(RUN_AS), str(uid), str(gid), str(warm), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd="/",
    )


# --------------------------------------------------------------------------- a workbook


def test_the_lock_lives_beside_the_workbook_whatever_the_environment(tmp_path, monkeypatch):
    book = tmp_path / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    monkeypatch.delenv("SHEETSYNC_LOCK_DIR", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    with source_lock(str(book)) as held:
        assert held == tmp_path / ".~sheetsync.team.xlsx.lock"
        info = json.loads(held.read_text())
        assert info["pid"] == os.getpid() and info["host"] and info["user"] and info["started"]
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # a login session's run
        with pytest.raises(LockedError) as err, source_lock(str(tmp_path / "." / "team.xlsx")):
            pass
        assert err.value.exit_code == 4
        assert f"pid {os.getpid()}" in err.value.message and info["user"] in err.value.message
    assert not held.exists()  # nothing is left beside the workbook
    assert lock_path(str(book)) == held
    assert lock_location(str(book)) == (str(held), None)
    assert lock_location("gsheet:" + "x" * 44)[0].startswith("in the spreadsheet")


def test_two_syncs_of_different_users_and_environments_share_one_lock(other_user, shared):
    name, uid, gid = other_user
    folder, book, warm = shared
    before = book.read_bytes()
    cron_env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(folder)}
    holder = _as_user(uid, gid, warm, "--hold", str(book), env=cron_env)  # no XDG_RUNTIME_DIR
    try:
        assert holder.stdout.readline().strip() == "held", holder.stderr.read()
        lock = folder / ".~sheetsync.team.xlsx.lock"
        assert lock.stat().st_uid == uid
        # root, from a login session (its own XDG_RUNTIME_DIR), syncs the same workbook
        res = subprocess.run(
            [sys.executable, "-m", "sheetsync", "sync", str(book), "--as-of", "2026-11-26"],
            capture_output=True,
            text=True,
            env={**cron_env, "HOME": "/root", "XDG_RUNTIME_DIR": str(folder)},
            cwd=ROOT,
        )
        assert res.returncode == 4, res.stderr
        assert f"pid {holder.pid}" in res.stderr and f"user {name}" in res.stderr
        assert book.read_bytes() == before  # intact: nothing was read half-replaced or written
    finally:
        holder.kill()
        holder.wait()
    # The other user's real sync, then root's, one after the other: both work.
    sync = _as_user(uid, gid, warm, "--", "sync", str(book), "--as-of", "2026-11-26", env=cron_env)
    out, err = sync.communicate(timeout=300)
    assert sync.returncode == 0, err
    assert book.read_bytes() != before
    assert CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-27"]).exit_code == 0


def test_two_syncs_started_together_one_runs_and_the_workbook_stays_whole(tmp_path):
    book = tmp_path / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    cmd = [sys.executable, "-m", "sheetsync", "sync", str(book), "--as-of", "2026-11-26"]
    runs = [
        subprocess.Popen(cmd, env=e, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        for e in (env, {**env, "XDG_RUNTIME_DIR": str(tmp_path)})
    ]
    codes = sorted(p.wait(timeout=300) for p in runs)
    errs = [p.stderr.read() for p in runs]
    assert codes in ([0, 0], [0, 4]), errs  # overlapping: one stops; else both in turn
    if codes == [0, 4]:
        assert any("another sheetsync run is working on this source" in e for e in errs)
    assert not any("damaged" in e for e in errs)
    assert jobs.check(str(book)).pipeline.deals  # the workbook reads whole
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []


# --------------------------------------------------------------------------- other programs' locks


def _excel_owner_file(user: str) -> bytes:
    """An Excel owner file as LibreOffice describes it (msodocumentlockfile.cxx)."""
    head = bytes([len(user)]) + user.encode("cp1252", "replace")
    head += b" " * (55 - len(head))
    tail = bytes([len(user), 0]) + user.encode("utf-16-le")
    data = head + tail
    return data + b" \x00" * ((165 - len(data)) // 2) + b" " * ((165 - len(data)) % 2)


def test_excel_and_libreoffice_owner_files_name_their_user():
    assert excel_owner(_excel_owner_file("Ana López")) == "Ana López"
    assert excel_owner(b"\x03Bob" + b" " * 51) == "Bob"  # no UTF-16 copy: the 8-bit name
    assert excel_owner(b"x") == ""
    text = "Ana López,ana,crm-laptop,03.12.2026 07:41,file:///home/ana/.config/libreoffice/4;"
    assert libre_owner(text.encode()) == "Ana López (ana on crm-laptop, since 03.12.2026 07:41)"
    assert (
        libre_owner(b",ana,crm\\,1,03.12.2026 07:41,x;")
        == "ana (ana on crm,1, since 03.12.2026 07:41)"
    )


@pytest.mark.parametrize("program", ["Excel", "LibreOffice"])
def test_an_open_workbook_stops_the_run_naming_the_user_and_age(tmp_path, program):
    book = tmp_path / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    if program == "Excel":
        owner = tmp_path / "~$team.xlsx"
        owner.write_bytes(_excel_owner_file("Ana López"))
    else:
        owner = tmp_path / ".~lock.team.xlsx#"
        owner.write_text("Ana López,ana,crm-laptop,03.12.2026 07:41,file:///x;", encoding="utf-8")
    before = book.read_bytes()
    res = CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-26"])
    assert res.exit_code == 3
    assert f"open in {program}" in res.stderr and "Ana López" in res.stderr
    assert "seconds old" in res.stderr and "probably" not in res.stderr
    assert f"close the workbook in {program}" in res.stderr
    assert book.read_bytes() == before


def test_a_stale_owner_file_is_reported_with_the_command_that_removes_it(tmp_path):
    book = tmp_path / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    owner = tmp_path / ".~lock.team.xlsx#"
    owner.write_text("Ana,ana,crm-laptop,01.12.2026 07:41,file:///x;", encoding="utf-8")
    two_days = time.time() - 2 * 86400
    os.utime(owner, (two_days, two_days))
    res = CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-26"])
    assert res.exit_code == 3
    assert "2 days old" in res.stderr and "probably left over from a crash" in res.stderr
    assert f"rm -- '{owner}'" in res.stderr
    # younger than the setting: not stale
    (tmp_path / "sheetsync.toml").write_text("[sync]\nstale_lock_hours = 72\n", encoding="utf-8")
    res = CliRunner().invoke(
        cli,
        ["sync", str(book), "--config", str(tmp_path / "sheetsync.toml"), "--as-of", "2026-11-26"],
    )
    assert res.exit_code == 3 and "probably" not in res.stderr
    # older than the setting but newer than the workbook's last change: not stale either
    os.utime(book, (two_days - 3600, two_days - 3600))
    res = CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-26"])
    assert res.exit_code == 3 and "probably" not in res.stderr
    owner.unlink()
    assert CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-26"]).exit_code == 0


# --------------------------------------------------------------------------- a Google Sheet


@pytest.fixture
def google(tmp_path, monkeypatch):
    yield from google_env(tmp_path, monkeypatch)


def _lease(sid: str, host: str, seconds: int = 600, monkeypatch=None) -> Lease:
    client = SheetsClient(sid, settings=GoogleSettings(), credentials=None, name=f"gsheet:{sid}")
    lease = Lease(client, name=f"gsheet:{sid}", seconds=seconds)
    if monkeypatch is not None:
        monkeypatch.setattr("socket.gethostname", lambda: host)
    return lease


def _stored(google, sid: str) -> list[dict]:
    return [m for m in google.emu.spreadsheet(sid).metadata if m["metadataKey"] == LEASE_KEY]


def test_a_sync_takes_the_lease_and_gives_it_back(google):
    sid = google.sample_sheet()
    seen = []
    google.emu.before("values.batchGet", lambda: seen.extend(_stored(google, sid)))
    jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    (held,) = seen
    assert held["metadataId"] == LEASE_ID and held["location"] == {"spreadsheet": True}
    value = json.loads(held["metadataValue"])
    assert set(value) == {"owner", "host", "pid", "expires", "run"} and value["pid"] == os.getpid()
    assert dt.datetime.fromisoformat(value["expires"]) > dt.datetime.now(dt.UTC)
    assert _stored(google, sid) == []  # given back


def test_a_second_machine_is_stopped_while_the_first_holds_the_lease(google, monkeypatch):
    sid = google.sample_sheet()
    first = _lease(sid, "crm-east", monkeypatch=monkeypatch)
    first.acquire()
    before = google.emu.snapshot(sid)
    try:
        monkeypatch.setattr("socket.gethostname", lambda: "crm-west")
        res = CliRunner().invoke(cli, ["sync", f"gsheet:{sid}", "--as-of", "2026-11-26"])
        assert res.exit_code == 4, res.output
        assert "another sheetsync run is working on this spreadsheet" in res.stderr
        assert "on host crm-east" in res.stderr and "until 20" in res.stderr
        after = google.emu.snapshot(sid)
        assert after["sheets"] == before["sheets"]  # the second machine wrote nothing
    finally:
        first.release()
    assert _stored(google, sid) == []
    res = CliRunner().invoke(cli, ["sync", f"gsheet:{sid}", "--as-of", "2026-11-26"])
    assert res.exit_code in (0, 1), res.output  # the sample has data errors: exit 1
    assert any(t.startswith("sheetsync ") for t in google.emu.titles(sid))


def test_two_machines_racing_for_the_lease_exactly_one_wins(google):
    sid = google.sample_sheet()
    leases = [_lease(sid, f"m{i}") for i in range(4)]
    start = threading.Barrier(len(leases))
    won, lost = [], []

    def take(lease: Lease) -> None:
        start.wait()
        try:
            lease.acquire()
            won.append(lease)
        except LockedError as exc:
            lost.append(exc)

    threads = [threading.Thread(target=take, args=(le,)) for le in leases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == 3
    (stored,) = _stored(google, sid)
    assert json.loads(stored["metadataValue"])["run"] == won[0].run
    won[0].release()


def test_an_expired_lease_of_a_crashed_run_is_taken_over(google):
    sid = google.sample_sheet()
    crashed = json.dumps(
        {
            "owner": "cron@crm-east",
            "host": "crm-east",
            "pid": 4242,
            "expires": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(),
            "run": "dead",
        }
    )
    google.emu.spreadsheet(sid).metadata.append(
        {
            "metadataId": LEASE_ID,
            "metadataKey": LEASE_KEY,
            "metadataValue": crashed,
            "location": {"spreadsheet": True},
            "visibility": "DOCUMENT",
        }
    )
    done = jobs.sync(f"gsheet:{sid}", as_of=AS_OF)
    assert done.write.added
    assert _stored(google, sid) == []


def test_a_run_that_lost_its_lease_does_not_write(google, monkeypatch):
    sid = google.sample_sheet()
    lease = _lease(sid, "slow-machine", seconds=600)
    lease.acquire()
    try:
        (stored,) = _stored(google, sid)  # another machine took it over after it expired
        value = json.loads(stored["metadataValue"]) | {"host": "crm-west", "run": "theirs"}
        stored["metadataValue"] = json.dumps(value)
        lease.expires = dt.datetime.now(dt.UTC)  # our clock says: renew before writing
        with pytest.raises(LockedError) as err:
            gsheets_lease.ensure_held(sid)
        assert "crm-west" in err.value.message
    finally:
        lease.release()
    assert len(_stored(google, sid)) == 1  # theirs stays


def test_renewal_pushes_the_expiry_forward(google):
    sid = google.sample_sheet()
    lease = _lease(sid, "m", seconds=600)
    lease.acquire()
    first = lease.current()
    time.sleep(1.1)
    lease.renew()
    second = lease.current()
    assert second.run == first.run and second.expires > first.expires
    lease.release()


def test_a_viewer_cannot_take_the_lease_but_may_dry_run(google):
    sid = google.sample_sheet(share="reader")
    res = CliRunner().invoke(cli, ["sync", f"gsheet:{sid}", "--as-of", "2026-11-26"])
    assert res.exit_code == 3
    assert "may read this spreadsheet but not change it" in res.stderr
    res = CliRunner().invoke(cli, ["sync", f"gsheet:{sid}", "--as-of", "2026-11-26", "--dry-run"])
    assert res.exit_code in (0, 1), res.output


def test_source_lock_without_a_configuration_keeps_the_local_lock_for_a_sheet(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    sid = "x" * 44
    with source_lock(f"gsheet:{sid}") as held:
        assert Path(held).parent == tmp_path / "locks"
    with source_lock(f"gsheet:{sid}", cfg=Config(), lease=False) as held:
        assert Path(held).parent == tmp_path / "locks"


def test_a_run_that_locked_a_just_removed_lock_file_locks_the_new_one(tmp_path, monkeypatch):
    from sheetsync import locking

    book = tmp_path / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    path = lock_path(str(book))
    real = locking._open_lock_file
    opened = []

    def first_the_removed_one(p, source, *, like):
        if not opened:  # opened just before the holder removed it
            fd = real(p, source, like=like)
            os.unlink(p)
            opened.append(fd)
            return fd
        opened.append(real(p, source, like=like))
        return opened[-1]

    monkeypatch.setattr(locking, "_open_lock_file", first_the_removed_one)
    fd = locking._take(path, str(book), like=book)
    try:
        assert len(opened) == 2 and fd == opened[1]
        assert os.fstat(fd).st_ino == path.stat().st_ino
    finally:
        os.close(fd)
        path.unlink()


def test_a_long_run_renews_its_lease_in_the_background(google):
    sid = google.sample_sheet()
    lease = _lease(sid, "m", seconds=3)  # renewed every second
    lease.acquire()
    try:
        first = json.loads(_stored(google, sid)[0]["metadataValue"])["expires"]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = json.loads(_stored(google, sid)[0]["metadataValue"])["expires"]
            if now != first:
                break
        assert now > first
    finally:
        lease.release()
    assert _stored(google, sid) == []


def test_two_machines_syncing_one_sheet_at_once_only_one_writes(google):
    sid = google.sample_sheet()
    google.emu.slow(1.5, op="values.batchGet")  # the first run to read is still reading…
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        try:
            outcomes.append(jobs.sync(f"gsheet:{sid}", as_of=AS_OF))
        except LockedError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stopped = [o for o in outcomes if isinstance(o, LockedError)]
    synced = [o for o in outcomes if not isinstance(o, LockedError)]
    assert len(stopped) == 1 and len(synced) == 1, outcomes
    assert stopped[0].exit_code == 4
    assert google.emu.api_counts()["values.batchGet"] == 1  # …so the second never read
    titles = google.emu.titles(sid)
    assert sorted(titles) == sorted(set(titles))  # one set of owned tabs, not two
    assert _stored(google, sid) == []
