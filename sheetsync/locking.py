"""One run at a time per source: a lock every run shares, whoever and wherever it runs.

Two overlapping nightly runs on the same workbook would both read, both
compute and both write; the second rename would silently drop the first
run's work, and a run reading while another replaces the file can see a
half-replaced package.  A run that cannot take the lock stops at once with
:class:`~sheetsync.errors.LockedError` (exit 4) and says who holds it.

Where the lock lives decides who sees it, so it lives with the source:

* **A workbook (or CSV/ODS file)**: the lock file ``.~sheetsync.NAME.lock``
  beside it, in the same folder, so a cron job (no ``XDG_RUNTIME_DIR``), a
  person's login session, another user and another machine that mounts the
  folder all take the same lock.  It is an ``flock(2)`` lock, which the
  operating system releases when the process dies (a killed run leaves no
  stale lock); the file holds the holder's host, user, pid and start time
  (JSON) so the second run can say who it is.  The holder removes the file
  when it is done (while still holding the lock; a run that opened the old
  file checks, after locking, that its file is still the one at that path),
  so nothing is left beside the workbook.  On NFS, ``flock`` is emulated with
  POSIX byte-range locks since Linux 2.6.12 and needs a working lock
  manager (``lockd``/NLM, or NFSv4's built-in locking); a share mounted
  with ``nolock`` or ``local_lock=all`` keeps locks per machine, so two
  machines would not see each other's lock there.
* **A Google Sheet**: a lease kept in the spreadsheet itself
  (:mod:`.sources.gsheets_lease`), so two machines never write one sheet at
  once and a crashed run's lease expires.
* Anything else (an address sheetsync does not write): the per-user folder of
  before (``$SHEETSYNC_LOCK_DIR``, else ``$XDG_RUNTIME_DIR/sheetsync``, else
  ``~/.cache/sheetsync/locks``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FileSystemError, LockedError, SourceError
from .owner import owner_info

if TYPE_CHECKING:
    from .config import Config

log = logging.getLogger("sheetsync.locking")

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_PREFIX = ".~sheetsync."
LOCK_SUFFIX = ".lock"


def lock_dir() -> Path:
    """The per-user lock folder, for sources that are neither a file nor a Google Sheet."""
    env = os.environ.get("SHEETSYNC_LOCK_DIR")
    if env:
        return Path(env)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "sheetsync"
    return Path.home() / ".cache" / "sheetsync" / "locks"


def source_key(source: str) -> str:
    """A stable file name for a source: the same workbook by any path, one lock."""
    from .sources.registry import parse_sheet_id

    sheet_id = parse_sheet_id(source)
    if sheet_id:  # the URL and gsheet: forms of one sheet share a lock
        source = f"gsheet:{sheet_id}"
    elif not source.startswith(("http://", "https://")):
        with contextlib.suppress(OSError):
            source = str(Path(source).expanduser().resolve())
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", source)[-60:]
    return f"{slug}.{hashlib.sha256(source.encode()).hexdigest()[:16]}.lock"


def lock_path(source: str) -> Path | None:
    """The lock file beside a file source (symlinks resolved), None for other sources."""
    from .sources.registry import is_google_sheet

    if is_google_sheet(source) or source.startswith(("http://", "https://")):
        return None
    path = Path(source).expanduser()
    with contextlib.suppress(OSError):
        path = path.resolve()
    return path.with_name(f"{LOCK_PREFIX}{path.name}{LOCK_SUFFIX}")


def lock_location(source: str) -> tuple[str, str | None]:
    """Where a writing run of ``source`` locks, and why it could not (None: it can).

    For ``doctor``: a workbook's lock goes beside it, so its folder must take
    a new file; a Google Sheet's lease needs Editor access (the write check
    says so); other sources lock in :func:`lock_dir`.
    """
    from .sources.registry import is_google_sheet

    if is_google_sheet(source):
        from .sources.gsheets_lease import LEASE_KEY

        return f"in the spreadsheet (developer metadata {LEASE_KEY})", None
    path = lock_path(source)
    if path is not None and path.parent.is_dir():
        if os.access(path.parent, os.W_OK | os.X_OK):
            return str(path), None
        return str(path), f"the folder {path.parent} may not be written by this user"
    folder = lock_dir()
    return str(folder), None


@contextlib.contextmanager
def source_lock(
    source: str,
    *,
    cfg: Config | None = None,
    credentials: str | None = None,
    lease: bool = True,
) -> Iterator[Path | str]:
    """Hold the lock for ``source`` for the duration of the block.

    For a Google Sheet with ``cfg`` given and ``lease`` true (a run that
    writes), the lease in the spreadsheet; a dry run (``lease=False``) takes
    the local lock only, so a sheet shared as Viewer can still be dry-run.
    """
    from .sources.registry import is_google_sheet, parse_sheet_id

    if is_google_sheet(source) and cfg is not None and lease:
        sheet_id = parse_sheet_id(source)
        if sheet_id is not None:
            from .sources.gsheets_lease import sheet_lease

            with sheet_lease(sheet_id, cfg=cfg, credentials=credentials, name=source) as held:
                yield held
            return
    path = lock_path(source)
    if path is not None and path.parent.is_dir():
        try:
            fd = _take(path, source, like=path.with_name(source_name(path)))
        except FileSystemError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            # A folder this user may not write: this run cannot write the workbook
            # either (the write check says so); a copy (--output) or a dry run
            # only reads it, under the per-user lock.
            log.debug("no lock beside %s (%s): using the per-user lock folder", source, exc)
        else:
            with _held(fd, path) as held:
                yield held
            return
    folder = lock_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(
            f"cannot create the lock folder {folder} ({exc.strerror})",
            hint="set SHEETSYNC_LOCK_DIR to a writable folder",
        ) from None
    path = folder / source_key(source)
    with _held(_take(path, source, like=None), path) as held:
        yield held


def source_name(lock: Path) -> str:
    """The file name a lock file beside a workbook is for."""
    return lock.name[len(LOCK_PREFIX) : -len(LOCK_SUFFIX)]


def describe_holder(text: str) -> str:
    """The holder as a second run reports it: ``pid 123, user ana on host crm1, since …``."""
    text = text.strip()
    try:
        info = json.loads(text)
    except ValueError:
        info = None
    if not isinstance(info, dict):  # an older sheetsync wrote only its pid
        return f"pid {text}" if text else "another process"
    parts = [f"pid {info.get('pid', '?')}"]
    if info.get("user"):
        parts.append(f"user {info['user']}")
    if info.get("host"):
        parts.append(f"on host {info['host']}")
    if info.get("started"):
        parts.append(f"since {info['started']}")
    return ", ".join(parts)


def _take(path: Path, source: str, *, like: Path | None) -> int:
    """Open and lock ``path``; raise LockedError naming the holder when another run has it.

    The holder removes the file when it is done, so a run that opened the file
    just before may lock a file that is no longer there: it checks the inode
    it locked is the one at ``path`` and tries again otherwise (the usual
    lock-file protocol, as in ``flock(1)``'s users and systemd).
    """
    for _ in range(20):
        fd = _open_lock_file(path, source, like=like)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = describe_holder(os.pread(fd, 1000, 0).decode("utf-8", "replace"))
                os.close(fd)
                raise LockedError(
                    f"{source}: another sheetsync run is working on this source ({holder}); "
                    "this run stopped",
                    hint=f"wait for it to finish; overlapping runs would overwrite each other's "
                    f"work (the lock is {path})",
                ) from None
        try:
            here = os.stat(path)
        except FileNotFoundError:
            here = None
        mine = os.fstat(fd)
        if here is not None and (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino):
            return fd
        os.close(fd)  # the holder removed it meanwhile: lock the new one
    raise LockedError(
        f"{source}: the lock {path} keeps being replaced; this run stopped",
        hint="another program is removing sheetsync's lock file; run again",
    )


@contextlib.contextmanager
def _held(fd: int, path: Path) -> Iterator[Path]:
    """While held: the owner written in the file; after: the file removed, then unlocked."""
    try:
        with contextlib.suppress(OSError):  # read-only lock file: the lock still holds
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(owner_info()).encode(), 0)
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # while still locked: a waiter re-checks the inode
        os.close(fd)  # closing releases the lock


def _open_lock_file(path: Path, source: str, *, like: Path | None) -> int:
    """Open (creating) the lock file; beside a workbook, readable and writable like it."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            return os.open(path, os.O_RDWR)
        except PermissionError:  # another user's lock file we may only read: flock works
            try:
                return os.open(path, os.O_RDONLY)
            except OSError as exc:
                raise _lock_error(exc, path, source) from None
        except OSError as exc:
            raise _lock_error(exc, path, source) from None
    except OSError as exc:
        raise _lock_error(exc, path, source) from None
    if like is not None:  # every user who may write the workbook must be able to lock it
        _match_workbook(fd, like)
    return fd


def _match_workbook(fd: int, book: Path) -> None:
    """Give a new lock file the workbook's group and read/write bits (never exec)."""
    try:
        st = book.stat()
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fchown(fd, -1, st.st_gid)
    mode = stat.S_IMODE(st.st_mode) & 0o666 | stat.S_IRUSR | stat.S_IWUSR
    with contextlib.suppress(OSError):
        os.fchmod(fd, mode)


def _lock_error(exc: OSError, path: Path, source: str) -> SourceError:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        err = FileSystemError.from_os_error(exc, path, "cannot create the lock file")
        err.hint = f"sheetsync keeps its lock beside the workbook so every run sees it: {err.hint}"
        return err
    return FileSystemError.from_os_error(exc, path, "cannot open the lock file")
