"""``sheetsync doctor``: check everything a nightly run needs, change nothing.

Each check says what it looked at, whether it is fine, and, when it is not,
the fix.  Checks that cannot run because an earlier one failed (no source,
so no workbook to inspect) are reported as skipped rather than as failures,
so the first problem is the one to fix.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .checks import Check
from .config import Config, find_config, read_config_file, resolve_source
from .drafts.doctor import drafts_checks
from .errors import EXIT_DRAFTS_FAILED, EXIT_USAGE, ConfigError, SheetsyncError

__all__ = ["EXTRA_CHECKS", "Check", "doctor_exit_code", "run_doctor"]


_ok = Check.ok
_fail = Check.fail
_skip = Check.skip


#: Extra checks other layers register (Google credentials, templates, IMAP):
#: each takes the configuration and the source string and returns checks.
EXTRA_CHECKS: list[Callable[[Config, str | None], list[Check]]] = []


def run_doctor(config: str | Path | None = None, source: str | None = None) -> list[Check]:
    """Every check, in the order a person should fix them."""
    checks: list[Check] = []
    try:
        path = find_config(config, source)
        cfg = read_config_file(path) if path else Config()
        checks.append(
            _ok("configuration", str(path) if path else "no sheetsync.toml: defaults apply")
        )
    except ConfigError as exc:
        checks.append(_fail("configuration", exc, code=EXIT_USAGE))
        return checks
    try:
        src = resolve_source(cfg, source)
        checks.append(_ok("source", src))
    except ConfigError as exc:
        checks.append(_fail("source", exc))
        src = None
    checked = None
    if src is not None:
        source_checks, checked = _source_checks(cfg, src)
        checks.extend(source_checks)
    for extra in EXTRA_CHECKS:
        try:
            checks.extend(extra(cfg, src))
        except SheetsyncError as exc:
            checks.append(_fail(getattr(extra, "__name__", "check"), exc))
    # The drafts checks sign in to every rep's mailbox: they need the reps,
    # so they get the pipeline read above (None when it could not be read).
    try:
        checks.extend(drafts_checks(cfg, src, checked))
    except SheetsyncError as exc:
        checks.append(_fail("drafts", exc))
    return checks


def _source_checks(cfg: Config, src: str) -> tuple[list[Check], Any]:
    """The source's checks, and the checked pipeline (None when it cannot be read)."""
    from .jobs import check as check_job
    from .jobs import open_source
    from .locking import lock_dir

    out: list[Check] = []
    try:
        checked = check_job(src, cfg=cfg)
    except SheetsyncError as exc:
        out.append(_fail("read", exc))
        return out, None
    p = checked.pipeline
    report = checked.report
    out.append(
        _ok(
            "read",
            f"{len(p.deals)} deals in tab {p.deals_tab!r} (header row {p.header_row}); "
            f"{len(report.errors)} errors, {len(report.warnings)} warnings in the data",
        )
    )
    source = open_source(src, cfg)
    writable = getattr(source, "check_writable", None)
    if writable is None:
        out.append(_skip("write", "this kind of source has no write check"))
    else:
        try:
            out.append(_ok("write", writable()))
        except SheetsyncError as exc:
            out.append(_fail("write", exc))
    folder = lock_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise PermissionError
        out.append(_ok("lock folder", str(folder)))
    except OSError:
        out.append(
            _fail(
                "lock folder",
                f"{folder} is not writable",
                "set SHEETSYNC_LOCK_DIR to a writable folder",
            )
        )
    return out, checked


def doctor_exit_code(checks: list[Check]) -> int:
    """The exit code the night would end with, given these checks.

    A failure that stops the night (configuration 2, source 3, lock 4) wins
    over the drafts failing after the tabs were written (5): the night never
    gets that far.
    """
    codes = [c.exit_code for c in checks if c.status == "fail"]
    stopping = [c for c in codes if c != EXIT_DRAFTS_FAILED]
    if stopping:
        return max(stopping)
    return EXIT_DRAFTS_FAILED if codes else 0
