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
3    the source cannot be read or written (missing, corrupt, locked…)
4    another run holds the lock for this source
==== =========================================================
"""

from __future__ import annotations

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


#: ``sheetsync sync``: the tabs were written, but the drafts failed (the mail
#: server or API down, a rep's mailbox refused); see jobs.partial_exit_code.
EXIT_DRAFTS_FAILED = 5
