"""The one exception hierarchy of sheetsync.

Every error a user can see is a :class:`SheetsyncError`.  Each class carries the
process exit code the CLI maps it to, so that the mapping lives in one place
(here) and the CLI only reads ``exc.exit_code``.  Messages say *where* (file,
tab, cell) and *what to do*; the optional ``hint`` holds the "what to do" part
when it reads better on its own line.

Exit codes, the same for every command:

==== =========================================================
0    success, no errors (warnings allowed)
1    the data has errors (validation findings of severity error)
2    usage or configuration error (bad option, bad TOML, tab clash)
3    the source cannot be read or written (missing, corrupt, locked…), or
     the operating system refused a file operation (disk full, no such
     folder, permission denied, read-only file system): :class:`FileSystemError`
4    another run holds the lock for this source
70   a bug in sheetsync (an exception no class here describes); the CLI says
     "internal error … report it"
==== =========================================================
"""

from __future__ import annotations

import errno as _errno
import os as _os
from pathlib import Path as _Path

from .owner import user_name

EXIT_OK = 0
EXIT_DATA_ERRORS = 1
EXIT_USAGE = 2
EXIT_SOURCE = 3
EXIT_LOCKED = 4


class SheetsyncError(Exception):
    """Base of every error sheetsync reports to a user."""

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class ConfigError(SheetsyncError):
    """The configuration file or an option is wrong (exit 2)."""

    exit_code = EXIT_USAGE


class OwnershipError(SheetsyncError):
    """A tab sheetsync would write already exists and a person made it (exit 2)."""

    exit_code = EXIT_USAGE


class SourceError(SheetsyncError):
    """The source cannot be read or written: missing, corrupt, encrypted… (exit 3)."""

    exit_code = EXIT_SOURCE


class UnsupportedWorkbookError(SourceError):
    """The workbook is readable but cannot be changed safely (signed, strict…)."""


class SourceChangedError(SourceError):
    """The source changed on disk (or is open in Excel) while we worked."""


class RemoteError(SourceError):
    """A remote service (Google Sheets, IMAP) failed after bounded retries."""


class LockedError(SheetsyncError):
    """Another sheetsync run holds the lock for this source (exit 4)."""

    exit_code = EXIT_LOCKED


class TemplateError(ConfigError):
    """An email template has a syntax error or uses an unknown variable."""


#: errno → (what happened, what to do with ``{path}``/``{folder}`` filled in).
#: The errno names are POSIX's (IEEE Std 1003.1, <errno.h>); the advice is ours.
_OS_ADVICE: dict[int, tuple[str, str]] = {
    _errno.ENOSPC: (
        "the disk is full",
        "free some space on the disk that holds {folder} (see `df -h {folder}`), then run again",
    ),
    _errno.EDQUOT: (
        "the disk quota is used up",
        "free some space in your quota on {folder} (see `quota -s`), then run again",
    ),
    _errno.ENOENT: (
        "no such file or folder",
        "check the path; create the folder first (`mkdir -p {folder}`) if it should exist",
    ),
    _errno.ENOTDIR: (
        "a part of the path is a file, not a folder",
        "check the path {path}",
    ),
    _errno.EACCES: (
        "permission denied",
        "give the user that runs sheetsync ({user}) write access to {path} and its folder "
        "(see `ls -ld {folder} {path}`), or run it as the file's owner",
    ),
    _errno.EPERM: (
        "operation not permitted",
        "give the user that runs sheetsync ({user}) write access to {path} and its folder "
        "(see `ls -ld {folder} {path}`; an immutable file shows `i` in `lsattr {path}`)",
    ),
    _errno.EROFS: (
        "the file system is mounted read-only",
        "remount the file system that holds {folder} read-write (see `findmnt -T {folder}`), "
        "or write a copy elsewhere with --output",
    ),
    _errno.EISDIR: ("is a folder", "give the path of a file, not of the folder {path}"),
    _errno.ENAMETOOLONG: ("the file name is too long", "use a shorter path than {path}"),
    _errno.EMFILE: (
        "too many open files",
        "raise the open-files limit (`ulimit -n`) of the job that runs sheetsync",
    ),
    _errno.EIO: (
        "an input/output error (the disk or network share failed)",
        "check the disk or the network share that holds {folder} (see `dmesg`), then run again",
    ),
    _errno.ETXTBSY: (
        "the file is busy",
        "close the program that holds {path} open, then run again",
    ),
}


class FileSystemError(SourceError):
    """The operating system refused a file operation (exit 3), with the errno's fix.

    Made from an :class:`OSError` by :meth:`from_os_error`, so a full disk, a
    missing folder, a permission or a read-only file system is a clear line
    naming the path and the fix, never an "internal error" (exit 70).
    """

    def __init__(
        self, message: str, *, hint: str | None = None, errno: int | None = None, path: str = ""
    ) -> None:
        super().__init__(message, hint=hint)
        self.errno = errno
        self.path = path

    @classmethod
    def from_os_error(
        cls, exc: OSError, path: str | _os.PathLike[str] | None = None, doing: str = ""
    ) -> FileSystemError:
        """The error to report for ``exc``, raised while ``doing`` something to ``path``.

        ``path`` defaults to the one the operating system names (``exc.filename``).
        """
        where = str(path if path is not None else (exc.filename or "a file"))
        folder = str(_Path(where).parent) if where != "a file" else "."
        known = _OS_ADVICE.get(exc.errno or 0)
        what = known[0] if known else (exc.strerror or type(exc).__name__)
        hint = (
            known[1].format(path=where, folder=folder, user=user_name())
            if known
            else "check the file and its folder, then run again"
        )
        name = _errno.errorcode.get(exc.errno or 0, "")
        message = f"{where}: {doing + ': ' if doing else ''}{what}" + (f" ({name})" if name else "")
        return cls(message, hint=hint, errno=exc.errno, path=where)


#: ``sheetsync sync``: the tabs were written, but the drafts failed (the mail
#: server or API down, a rep's mailbox refused); see jobs.partial_exit_code.
EXIT_DRAFTS_FAILED = 5
