"""One run at a time per source: a lock that cron jobs can rely on.

Two overlapping nightly runs on the same workbook would both read, both
compute and both write; the second rename would silently drop the first
run's work.  A run that cannot take the lock stops at once with
:class:`~sheetsync.errors.LockedError` (exit 4) and says who holds it.

The lock is an ``fcntl`` lock on a file in a per-user folder
(``$SHEETSYNC_LOCK_DIR``, else ``$XDG_RUNTIME_DIR/sheetsync``, else
``~/.cache/sheetsync/locks``), named from the source, so it works the same
for a workbook path and a Google Sheet.  The operating system releases it
when the process dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from .errors import LockedError, SourceError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lock_dir() -> Path:
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


@contextlib.contextmanager
def source_lock(source: str) -> Iterator[Path]:
    """Hold the lock for ``source`` for the duration of the block."""
    folder = lock_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(
            f"cannot create the lock folder {folder} ({exc.strerror})",
            hint="set SHEETSYNC_LOCK_DIR to a writable folder",
        ) from None
    path = folder / source_key(source)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = (
                    os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                )
                raise LockedError(
                    f"{source}: another sheetsync run is working on this source (pid {holder}); this run stopped",
                    hint="wait for it to finish; overlapping runs would overwrite each other's work",
                ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing releases the lock
