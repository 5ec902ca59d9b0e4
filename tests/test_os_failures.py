"""Operating-system failures are exit 3 with the path and the fix; permissions are kept.

Issue 16, items 2 and 3, provoked for real where the machine allows it: a
full disk is a small tmpfs, a read-only file system is a tmpfs remounted
read-only (both need root and a kernel that lets it mount), permission
denied is a second user's run (needs root to make that user).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from second_user import throwaway_user

from sheetsync import jobs
from sheetsync.cli import cli
from sheetsync.errors import FileSystemError

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT / "sample_workbooks" / "clean_pipeline.xlsx"
RUN_AS = Path(__file__).with_name("run_as.py")
AS_OF = ["--as-of", "2026-11-26"]


@pytest.fixture
def tmpfs():
    """Mount a small tmpfs of the size asked; unmounted afterwards. Needs root."""
    mounts: list[Path] = []

    def mount(size: str) -> Path:
        if os.geteuid() != 0:
            pytest.skip("needs root to mount a small tmpfs")
        point = Path(tempfile.mkdtemp(prefix="sheetsync-fs-", dir="/tmp"))
        res = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(point)],
            capture_output=True,
            text=True,
        )
        if res.returncode != 0:
            point.rmdir()
            pytest.skip(f"cannot mount a tmpfs here ({res.stderr.strip()})")
        mounts.append(point)
        return point

    yield mount
    for point in mounts:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)
        shutil.rmtree(point, ignore_errors=True)


@pytest.fixture
def other_user():
    """A throwaway user (uid, gid), removed afterwards; needs root."""
    with throwaway_user() as (_name, uid, gid):
        yield uid, gid


@pytest.fixture
def shared(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="sheetsync-shared-", dir="/tmp"))
    folder.chmod(0o777)
    locks = Path(tempfile.mkdtemp(prefix="sheetsync-locks-", dir="/tmp"))
    locks.chmod(0o777)  # the per-user lock folder, for a run that may not lock beside
    warm = tmp_path / "warm.xlsx"
    shutil.copyfile(CLEAN, warm)
    try:
        yield folder, warm, locks
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(locks, ignore_errors=True)


def run_as(uid: int, gid: int, warm: Path, locks: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(locks),
        "SHEETSYNC_LOCK_DIR": str(locks),
    }
    return subprocess.run(
        [sys.executable, str(RUN_AS), str(uid), str(gid), str(warm), "--", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=300,
    )


def sync(*args: str):
    return CliRunner().invoke(cli, ["sync", *args, *AS_OF])


# --------------------------------------------------------------------------- item 3


def test_a_full_disk_is_exit_3_naming_the_workbook_and_the_fix(tmpfs):
    disk = tmpfs("24k")  # the 9 kB workbook fits; its 20 kB successor beside it does not
    book = disk / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    before = book.read_bytes()
    res = sync(str(book))
    assert res.exit_code == 3, res.output
    assert f"{book}: writing the new workbook beside it: the disk is full (ENOSPC)" in res.stderr
    assert f"df -h {disk}" in res.stderr
    assert "internal error" not in res.stderr
    assert book.read_bytes() == before
    assert sorted(p.name for p in disk.iterdir()) == ["team.xlsx"]  # no temp, no lock left


def test_a_missing_output_folder_is_exit_3_before_any_work(tmp_path):
    book = tmp_path / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    res = sync(str(book), "--output", str(tmp_path / "missing" / "out.xlsx"))
    assert res.exit_code == 3, res.output
    assert f"{tmp_path / 'missing'}: the folder of --output does not exist" in res.stderr
    assert f"mkdir -p {tmp_path / 'missing'}" in res.stderr
    assert not (tmp_path / "missing").exists()


def test_a_read_only_file_system_is_exit_3_with_the_mount_to_fix(tmpfs):
    disk = tmpfs("1m")
    book = disk / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    res = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot remount read-only here ({res.stderr.strip()})")
    before = book.read_bytes()
    res = sync(str(book))
    assert res.exit_code == 3, res.output
    assert f"{book}: nothing was done: the file system is mounted read-only (EROFS)" in res.stderr
    assert f"findmnt -T {disk}" in res.stderr and "--output" in res.stderr
    assert book.read_bytes() == before
    # check and --output elsewhere still work: only the in-place write is refused
    assert CliRunner().invoke(cli, ["check", str(book)]).exit_code == 0


def test_permission_denied_for_a_normal_user_is_exit_3_before_any_work(other_user, shared):
    uid, gid = other_user
    folder, warm, locks = shared
    book = folder / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    book.chmod(0o644)  # root's; the other user may read it, not write it
    before = book.read_bytes()
    res = run_as(uid, gid, warm, locks, "sync", str(book), *AS_OF)
    assert res.returncode == 3, res.stderr
    assert f"{book}: sheetsync may not write the workbook: permission denied (EACCES)" in res.stderr
    assert "ls -ld" in res.stderr
    assert book.read_bytes() == before
    # mode 444 as that user (the case): refused too, as read-only
    book.chmod(0o444)
    os.chown(book, uid, gid)
    res = run_as(uid, gid, warm, locks, "sync", str(book), *AS_OF)
    assert res.returncode == 3 and "the workbook is read-only (mode 0444)" in res.stderr
    # a folder that user may not write: the new file cannot be made beside the old one
    book.chmod(0o666)
    folder.chmod(0o755)
    res = run_as(uid, gid, warm, locks, "sync", str(book), *AS_OF)
    assert res.returncode == 3, res.stderr
    assert "sheetsync may not create files in this folder" in res.stderr
    assert book.read_bytes() == before


def test_a_read_only_workbook_is_refused_even_for_root(tmp_path):
    book = tmp_path / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    book.chmod(0o444)
    before = book.read_bytes()
    res = sync(str(book))
    assert res.exit_code == 3
    assert "the workbook is read-only (mode 0444)" in res.stderr and "chmod u+w" in res.stderr
    assert book.read_bytes() == before
    assert not (tmp_path / ".sheetsync-backups").exists()
    res = CliRunner().invoke(cli, ["doctor", str(book)])
    assert res.exit_code == 3 and "read-only" in res.output  # doctor says the same


def test_an_os_error_anywhere_is_exit_3_and_a_bug_stays_70(tmp_path, monkeypatch):
    book = tmp_path / "team.xlsx"
    shutil.copyfile(CLEAN, book)

    def refuse(*a, **k):
        raise OSError(errno.EIO, "Input/output error", str(book))

    monkeypatch.setattr(jobs, "load_pipeline", refuse)
    res = CliRunner().invoke(cli, ["check", str(book)])
    assert res.exit_code == 3 and "input/output error" in res.stderr and "dmesg" in res.stderr

    def bug(*a, **k):
        raise ValueError("a bug")

    monkeypatch.setattr(jobs, "load_pipeline", bug)
    res = CliRunner().invoke(cli, ["check", str(book)])
    assert res.exit_code == 70 and "internal error" in res.stderr


@pytest.mark.parametrize(
    ("code", "words", "fix"),
    [
        (errno.ENOSPC, "the disk is full", "df -h /srv/sales"),
        (errno.EDQUOT, "the disk quota is used up", "quota"),
        (errno.ENOENT, "no such file or folder", "mkdir -p /srv/sales"),
        (errno.EACCES, "permission denied", "ls -ld /srv/sales /srv/sales/team.xlsx"),
        (errno.EROFS, "the file system is mounted read-only", "findmnt -T /srv/sales"),
    ],
)
def test_each_errno_names_the_path_and_its_fix(code, words, fix):
    err = FileSystemError.from_os_error(
        OSError(code, os.strerror(code)), "/srv/sales/team.xlsx", "replacing it"
    )
    assert err.exit_code == 3 and err.errno == code
    assert err.message.startswith(f"/srv/sales/team.xlsx: replacing it: {words}")
    assert fix in err.hint


# --------------------------------------------------------------------------- item 2


def test_a_replaced_workbook_keeps_owner_group_mode_and_extended_attributes(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to give the workbook another owner")
    folder = tmp_path / "sales"
    folder.mkdir()
    os.chown(folder, 12345, 23456)
    folder.chmod(0o2770)
    book = folder / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    os.chown(book, 12345, 23456)
    book.chmod(0o640)
    try:
        os.setxattr(book, "user.sheetsync-test", b"keep me")
        xattrs = True
    except OSError:
        xattrs = False  # the file system has no user attributes: the rest is still checked
    before = book.stat()
    res = sync(str(book))
    assert res.exit_code == 0, res.output
    after = book.stat()
    assert after.st_ino != before.st_ino  # replaced (renamed over), not rewritten in place
    assert (after.st_uid, after.st_gid) == (12345, 23456)
    assert stat.S_IMODE(after.st_mode) == 0o640
    if xattrs:
        assert os.getxattr(book, "user.sheetsync-test") == b"keep me"
    backups = folder / ".sheetsync-backups"
    st = backups.stat()
    assert (st.st_uid, st.st_gid) == (12345, 23456)
    assert stat.S_IMODE(st.st_mode) == 0o2770


def test_a_user_who_may_not_keep_the_owner_is_told_and_keeps_the_group(other_user, shared):
    uid, gid = other_user
    folder, warm, locks = shared
    book = folder / "team.xlsx"
    shutil.copyfile(CLEAN, book)
    os.chown(book, 0, gid)  # root's, shared with the user's group
    book.chmod(0o664)
    res = run_as(uid, gid, warm, locks, "sync", str(book), *AS_OF)
    assert res.returncode == 0, res.stderr
    st = book.stat()
    assert (st.st_uid, st.st_gid) == (uid, gid) and stat.S_IMODE(st.st_mode) == 0o664
    assert "could not keep the old one's owner" in res.stderr
