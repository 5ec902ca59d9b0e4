"""One line of ``sheetsync doctor``'s report, the type every layer's checks return.

It lives below both doctors (:mod:`sheetsync.doctor`, which runs the checks,
and the layers' own, such as :mod:`sheetsync.drafts.doctor`), so a layer can
report a check without importing the module that collects them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import EXIT_SOURCE, SheetsyncError


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the doctor's report: what was looked at, its status, and the fix."""

    name: str
    status: str  # "ok", "fail", "skip", or "warn" (fine to run, but the night exits non-zero)
    detail: str
    fix: str = ""
    exit_code: int = 0

    def to_dict(self) -> dict[str, str | int]:
        """For ``doctor --format json``: ``exit_code`` is the night's, should this check fail."""
        return {
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "fix": self.fix,
            "exit_code": self.exit_code if self.status in ("fail", "warn") else 0,
        }

    @classmethod
    def ok(cls, name: str, detail: str) -> Check:
        return cls(name, "ok", detail)

    @classmethod
    def warn(cls, name: str, detail: str, fix: str, code: int) -> Check:
        """Nothing to repair in the set-up, but the night will exit ``code`` (data errors: 1)."""
        return cls(name, "warn", detail, fix, code)

    @classmethod
    def skip(cls, name: str, why: str) -> Check:
        return cls(name, "skip", why)

    @classmethod
    def fail(
        cls, name: str, exc: SheetsyncError | str, fix: str = "", code: int = EXIT_SOURCE
    ) -> Check:
        """A failed check from an error (its message, hint and exit code) or a text."""
        if isinstance(exc, SheetsyncError):
            return cls(name, "fail", exc.message, exc.hint or fix, exc.exit_code)
        return cls(name, "fail", exc, fix, code)
