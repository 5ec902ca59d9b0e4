"""What the file system must allow before sheetsync replaces a workbook, and what it keeps.

* :func:`refuse_unwritable` runs before any work: a workbook the running user
  may not write, in a folder it may not write (the new file is written
  beside it and renamed over it), or on a read-only file system stops the
  run with exit 3 naming the path and the fix.  A workbook whose mode has no
  write bit at all (``chmod 444``) is refused **for root too**: root may
  write anything, but somebody made that file read-only on purpose, and a
  nightly job run as root must not overrule them.
* :func:`keep_attributes` gives the new file the old one's owner, group,
  mode and extended attributes (POSIX ACLs are the ``system.posix_acl_*``
  attributes, so they come along), because ``rename(2)`` puts a new inode in
  place of the old one.
* :func:`make_backup_folder` creates ``.sheetsync-backups`` with the
  workbook folder's mode, owner and group, so the people who share the
  folder share its backups.
* :func:`office_lock` finds the owner files other programs keep beside an
  open workbook (Excel's ``~$NAME``, LibreOffice's ``.~lock.NAME#``), reads
  the user they name, and says when one is probably a leftover of a crash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import shlex
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import FileSystemError, SourceChangedError

log = logging.getLogger("sheetsync.files")


# --------------------------------------------------------------------------- may we write?


def refuse_unwritable(book: Path, *, output: Path | None = None) -> None:
    """Raise FileSystemError (exit 3) when the write this run would do cannot happen.

    ``output`` is ``--output``: then only its folder must exist and be
    writable (the workbook itself is only read).
    """
    if output is not None:
        folder = output.parent
        if not folder.is_dir():
            err = FileSystemError.from_os_error(
                OSError(errno.ENOENT, os.strerror(errno.ENOENT)),
                folder,
                "the folder of --output does not exist",
            )
            err.hint = f"create it first (`mkdir -p {shlex.quote(str(folder))}`) or fix the path"
            raise err
        _refuse_folder(output)
        if output.exists():
            _refuse_file(output)
        return
    if not book.exists():
        return  # missing: the read says so, with its own message
    _refuse_folder(book)
    _refuse_file(book)


def _refuse_file(book: Path) -> None:
    """The file itself: no write bit at all is a deliberate "leave it alone", even for root."""
    try:
        mode = stat.S_IMODE(book.stat().st_mode)
    except OSError:
        return
    if not mode & 0o222:
        raise FileSystemError(
            f"{book}: the workbook is read-only (mode {mode:04o}), "
            "so sheetsync will not replace it; nothing was done",
            hint=f"if sheetsync should update it, make it writable (`chmod u+w {shlex.quote(str(book))}`); "
            "to leave it alone, write a copy with --output",
            errno=errno.EACCES,
            path=str(book),
        )
    if not os.access(book, os.W_OK):
        raise _denied(book, "sheetsync may not write the workbook")


def _refuse_folder(target: Path) -> None:
    """The folder of ``target`` (the file to write) must take a new file and a rename."""
    folder = target.parent
    if _read_only_fs(folder):
        raise FileSystemError.from_os_error(
            OSError(errno.EROFS, os.strerror(errno.EROFS)), target, "nothing was done"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        err = _denied(
            target,
            f"sheetsync may not create files in this folder ({folder}; it writes the new "
            "workbook beside the old one, then renames it); nothing was done",
        )
        err.hint = (
            f"give the user that runs sheetsync write access to the folder "
            f"(see `ls -ld {shlex.quote(str(folder))}`), or write a copy elsewhere with --output"
        )
        raise err


def _denied(path: Path, doing: str) -> FileSystemError:
    return FileSystemError.from_os_error(
        OSError(errno.EACCES, os.strerror(errno.EACCES)), path, doing
    )


def _read_only_fs(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


# --------------------------------------------------------------------------- what we keep


def keep_attributes(st: os.stat_result, old: Path, new: Path) -> list[str]:
    """Give ``new`` the owner, group, mode and extended attributes of ``old`` (stat ``st``).

    Returns what could not be kept (for a warning): a user who is not root
    cannot give a file to another owner, nor set ``trusted.*`` attributes.
    """
    lost: list[str] = []
    if (st.st_uid, st.st_gid) != _owner(new):
        try:
            os.chown(new, st.st_uid, st.st_gid)
        except OSError:
            try:  # at least the group, which the owner may set to one of theirs
                os.chown(new, -1, st.st_gid)
                lost.append("owner")
            except OSError:
                lost.append("owner and group")
    os.chmod(new, stat.S_IMODE(st.st_mode))
    lost.extend(copy_xattrs(old, new))
    return lost


def _owner(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_uid, st.st_gid


def copy_xattrs(old: Path, new: Path) -> list[str]:
    """Copy every extended attribute; returns those the file system or user refused."""
    if not hasattr(os, "listxattr"):  # pragma: no cover - not Linux
        return []
    try:
        names = os.listxattr(old)
    except OSError:  # the file system has none (ENOTSUP) or we may not list them
        return []
    lost = []
    for name in names:
        try:
            os.setxattr(new, name, os.getxattr(old, name))
        except OSError:
            lost.append(f"extended attribute {name}")
    return lost


def make_backup_folder(folder: Path) -> None:
    """Create the backup folder like its parent (mode, owner, group); leave an existing one."""
    if folder.is_dir():
        return
    parent = folder.parent.stat()
    try:
        folder.mkdir()
    except FileExistsError:
        return
    with contextlib.suppress(OSError):
        os.chown(folder, parent.st_uid, parent.st_gid)
    with contextlib.suppress(OSError):
        os.chown(folder, -1, parent.st_gid)
    os.chmod(folder, stat.S_IMODE(parent.st_mode))


# --------------------------------------------------------------------------- other programs' locks


@dataclass(frozen=True, slots=True)
class OwnerFile:
    """An owner (lock) file another program keeps beside a workbook it has open."""

    path: Path
    program: str
    user: str
    age: dt.timedelta
    stale: bool

    def describe(self) -> str:
        who = f"it names {self.user}" if self.user else "it names no user"
        return f"{self.program} keeps {self.path.name} beside it ({who}; {_age(self.age)} old)"


def owner_files(book: Path) -> list[Path]:
    """Excel's ``~$NAME`` and LibreOffice's ``.~lock.NAME#`` beside ``book``, when there."""
    return [
        p
        for p in (book.with_name("~$" + book.name), book.with_name(f".~lock.{book.name}#"))
        if os.path.lexists(p)
    ]


def read_owner_file(path: Path, book: Path, *, stale_hours: float) -> OwnerFile:
    """Who the owner file names, how old it is, and whether it is probably stale.

    Probably stale: older than ``stale_hours`` *and* older than the workbook's
    last change (the program that wrote it saved nothing since).
    """
    try:
        st = path.stat()
        data = path.read_bytes()[:4096]
    except OSError:
        st, data = None, b""
    libre = path.name.startswith(".~lock.")
    user = libre_owner(data) if libre else excel_owner(data)
    now = dt.datetime.now(dt.UTC).timestamp()
    age = dt.timedelta(seconds=max(0.0, now - st.st_mtime)) if st else dt.timedelta(0)
    try:
        book_mtime = book.stat().st_mtime
    except OSError:
        book_mtime = now
    stale = st is not None and age > dt.timedelta(hours=stale_hours) and st.st_mtime < book_mtime
    return OwnerFile(path, "LibreOffice" if libre else "Excel", user, age, stale)


def excel_owner(data: bytes) -> str:
    """The user an Excel owner file (``~$NAME``) names.

    Not documented by Microsoft; LibreOffice, which reads and writes these
    files, describes them (``svl/source/misc/msodocumentlockfile.cxx``,
    ``MSODocumentLockFile::GetLockData``): one byte with the name's length
    (at most 52), the name in the Windows 8-bit code page, padding to
    offset 54 (Word) or 55 (Excel, PowerPoint), the length again as a
    2-byte word, then the name in UTF-16-LE.  The UTF-16 copy is preferred
    (it holds any name); the 8-bit one is the fallback.
    """
    if not data:
        return ""
    n = data[0]
    if not 0 < n <= 52:
        return ""
    for at in (55, 54):
        if len(data) >= at + 2 and data[at] == n and data[at + 1] == 0:
            raw = data[at + 2 : at + 2 + 2 * n]
            if len(raw) == 2 * n:
                with contextlib.suppress(UnicodeDecodeError):
                    return raw.decode("utf-16-le").strip()
    return data[1 : 1 + n].decode("cp1252", "replace").strip()


def libre_owner(data: bytes) -> str:
    """The user a LibreOffice lock file (``.~lock.NAME#``) names.

    The file is one entry of five comma-separated fields ending in ``;``,
    with ``\\``, ``,`` and ``;`` escaped by a backslash
    (``svl/source/misc/lockfilecommon.cxx``, ``GenerateOwnEntry`` and
    ``ParseEntry``): the name set in Tools › Options › User Data, the system
    login, the host, the time the document was opened (``DD.MM.YYYY HH:MM``)
    and the user profile's URL.  Reported as ``Name (login on host, since
    time)``, or the login when no name is set.
    """
    text = data.decode("utf-8", "replace")
    fields: list[str] = []
    cur: list[str] = []
    it = iter(text)
    for ch in it:
        if ch == "\\":
            cur.append(next(it, ""))
        elif ch in ",;":
            fields.append("".join(cur))
            cur = []
            if ch == ";":
                break
        else:
            cur.append(ch)
    else:
        if cur:
            fields.append("".join(cur))
    fields += [""] * (5 - len(fields))
    name, login, host, when = (f.strip() for f in fields[:4])
    detail = ", ".join(
        x
        for x in (
            f"{login} on {host}" if login and host else login or host,
            when and f"since {when}",
        )
        if x
    )
    who = name or login
    return f"{who} ({detail})" if who and detail and detail != login else who


def office_lock(book: Path, *, stale_hours: float) -> None:
    """Stop the run (exit 3, nothing written) when another program has ``book`` open."""
    for path in owner_files(book):
        owner = read_owner_file(path, book, stale_hours=stale_hours)
        app = "Excel" if owner.program == "Excel" else "LibreOffice"
        if owner.stale:
            raise SourceChangedError(
                f"{book}: the workbook looks open in {app}: {owner.describe()}; it is older than "
                f"[sync] stale_lock_hours = {stale_hours:g} and than the workbook's last change, "
                f"so it is probably left over from a crash; nothing was written",
                hint=f"if nobody has the workbook open, remove it: rm -- {shlex.quote(str(path))}",
            )
        raise SourceChangedError(
            f"{book}: the workbook is open in {app}: {owner.describe()}; nothing was written",
            hint=f"close the workbook in {app} and run again",
        )


def _age(age: dt.timedelta) -> str:
    s = int(age.total_seconds())
    if s < 120:
        return f"{s} seconds"
    if s < 7200:
        return f"{s // 60} minutes"
    if s < 2 * 86400:
        return f"{s // 3600} hours"
    return f"{s // 86400} days"


# --------------------------------------------------------------------------- before any work

#: Workbooks a sync or drafts run replaces in place (CSV and OpenDocument sources
#: are only read: their tabs go to a new workbook, see :mod:`.newbook`).
IN_PLACE_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


def preflight(source: str, *, output: str | None, stale_hours: float) -> None:
    """Before any work of a run that writes: refuse what the write would fail on.

    Called by :func:`sheetsync.jobs.sync` and ``drafts`` under the lock, so
    a read-only workbook, a folder that may not be written, a missing
    ``--output`` folder, or a workbook open in Excel or LibreOffice stops
    the run (exit 3) before the pipeline is read.  Google Sheets are checked
    by their lease (a Viewer cannot take it).
    """
    from .base import is_google_sheet

    if is_google_sheet(source) or source.startswith(("http://", "https://")):
        return
    book = Path(source).expanduser()
    if output:
        refuse_unwritable(book, output=Path(output).expanduser())
        return
    if book.suffix.lower() not in IN_PLACE_SUFFIXES or not book.exists():
        return
    office_lock(book, stale_hours=stale_hours)
    refuse_unwritable(book)
