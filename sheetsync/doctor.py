"""``sheetsync doctor``: check everything a nightly run needs, change nothing.

Each check says what it looked at, whether it is fine, and, when it is not,
the fix.  Checks that cannot run because an earlier one failed (no source,
so no workbook to inspect) are reported as skipped rather than as failures,
so the first problem is the one to fix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .checks import Check
from .config import Config, config_for_entry, find_config, read_config_file, resolve_source
from .drafts.doctor import drafts_checks
from .errors import EXIT_DATA_ERRORS, EXIT_DRAFTS_FAILED, EXIT_USAGE, ConfigError, SheetsyncError

__all__ = ["EXTRA_CHECKS", "Check", "doctor_exit_code", "run_doctor"]


_ok = Check.ok
_fail = Check.fail
_skip = Check.skip


#: Extra checks other layers register (Google credentials, templates, IMAP):
#: each takes the configuration and the source string and returns checks.
EXTRA_CHECKS: list[Callable[[Config, str | None], list[Check]]] = []


def run_doctor(
    config: str | Path | None = None,
    source: str | None = None,
    *,
    as_of: dt.date | None = None,
    output: str | None = None,
) -> list[Check]:
    """Every check the night makes, in the order a person should fix them.

    The configuration is read exactly as ``sync`` reads it
    (:func:`~sheetsync.config.validate_for_night` runs at load time).  With
    no SOURCE and no ``[source]`` but ``[[sources]]`` entries (what ``sync
    --all`` syncs), every entry is checked, each line named after it.
    """
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
    if source is None and not (cfg.source.path or cfg.source.url) and cfg.sources:
        for entry in cfg.sources:
            try:
                sub_cfg, sub_src = config_for_entry(cfg, entry)
            except ConfigError as exc:
                checks.append(_fail(f"{entry.name}: configuration", exc, code=EXIT_USAGE))
                continue
            checks.extend(_named(entry.name, _pipeline_checks(sub_cfg, sub_src, as_of)))
        return checks
    try:
        src = resolve_source(cfg, source)
    except ConfigError as exc:
        checks.append(_fail("source", exc))
        src = None
    checks.extend(_pipeline_checks(cfg, src, as_of, output))
    return checks


def _named(name: str, checks: list[Check]) -> list[Check]:
    """The checks of one ``[[sources]]`` entry, each line led by the entry's name."""
    return [dataclasses.replace(c, name=f"{name}: {c.name}") for c in checks]


def _pipeline_checks(
    cfg: Config, src: str | None, as_of: dt.date | None = None, output: str | None = None
) -> list[Check]:
    """The checks of one pipeline: its source, the extra layers', its drafts."""
    checks: list[Check] = []
    if src is not None:
        checks.append(_ok("source", src))
    checked = None
    if src is not None:
        source_checks, checked = _source_checks(cfg, src, as_of, output)
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


def _source_checks(
    cfg: Config, src: str, as_of: dt.date | None = None, output: str | None = None
) -> tuple[list[Check], Any]:
    """The source's checks, and the checked pipeline (None when it cannot be read)."""
    from .jobs import check as check_job
    from .locking import lock_location

    out: list[Check] = []
    try:
        checked = check_job(src, cfg=cfg, as_of=as_of, output=output)
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
    if report.errors:
        out.append(
            Check.warn(
                "data",
                f"{len(report.errors)} error(s) in the data: the night writes the tabs, lists "
                "them in the Data Issues tab and exits 1",
                f"sheetsync check {shlex.quote(src)} lists them with their cells",
                EXIT_DATA_ERRORS,
            )
        )
    source = checked.source
    writable = getattr(source, "check_writable", None)
    if writable is None:
        out.append(_skip("write", "this kind of source has no write check"))
    else:
        try:
            out.append(_ok("write", writable()))
        except SheetsyncError as exc:
            out.append(_fail("write", exc))
    out.append(_tabs_check(cfg, source))
    where, problem = lock_location(src)
    if problem is None:
        out.append(_ok("lock", where))
    else:
        out.append(
            _fail(
                "lock",
                f"the lock {where} cannot be made: {problem}",
                "give this user write access to the workbook's folder, as the night's run needs",
            )
        )
    return out, checked


#: The tabs a sync writes: the ``[tabs]`` role and the kind its marker names.
_NIGHT_TABS = {
    "summary": "summary",
    "funnel": "funnel",
    "follow_ups": "follow-ups",
    "data_issues": "data-issues",
}


def _tabs_check(cfg: Config, source: Any) -> Check:
    """A tab the night would write whose name a person's tab (or another owned tab) has.

    The night stops on it with exit 2 (:class:`~sheetsync.errors.OwnershipError`,
    :func:`sheetsync.sources.base.place_tabs`) before writing: say so now.
    """
    from .config import SyncSettings, section_settings
    from .drafts.settings import draft_settings

    wanted = dict(_NIGHT_TABS)
    if section_settings(cfg, "sync", SyncSettings).history:
        wanted["history"] = "history"
    if "drafts" in cfg.sections and draft_settings(cfg).enabled:
        wanted["ledger"] = "ledger"
    try:
        owned = {name.casefold(): kind for name, kind in source.owned_tabs().items()}
        names = {name.casefold(): name for name in source.tab_names()}
    except SheetsyncError as exc:
        return _fail("tabs", exc)
    for role, kind in wanted.items():
        name = cfg.tabs[role]
        key = name.casefold()
        if key not in names:
            continue
        have = owned.get(key)
        if have is None:
            return _fail(
                "tabs",
                f"{source.name}: the tab {names[key]!r} was not made by sheetsync, and the "
                f"night writes its {kind!r} tab under that name (it would stop, exit 2)",
                f"rename that tab, or set another name for {role} in the [tabs] section of "
                "sheetsync.toml",
                code=EXIT_USAGE,
            )
        if have != kind:
            return _fail(
                "tabs",
                f"{source.name}: the tab {names[key]!r} is sheetsync's {have!r} tab, so it "
                f"cannot also hold the {kind!r} tab (the night would stop, exit 2)",
                "set different names in the [tabs] section of sheetsync.toml",
                code=EXIT_USAGE,
            )
    return _ok("tabs", "the tabs the night writes: " + ", ".join(cfg.tabs[r] for r in wanted))


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
    if codes:
        return EXIT_DRAFTS_FAILED
    # errors in the data: the night writes the tabs, lists them, and exits 1
    return max((c.exit_code for c in checks if c.status == "warn"), default=0)
