"""``sheetsync doctor`` checks for the drafts: settings, templates, IMAP login.

Registered by the lead in :data:`sheetsync.doctor.EXTRA_CHECKS`; each check
changes nothing (the IMAP check logs in and looks for the folder, it does
not create it).
"""

from __future__ import annotations

from typing import Any

from sheetsync.checks import Check
from sheetsync.errors import SheetsyncError


def drafts_checks(cfg: Any, src: str | None, checked: Any = None) -> list[Check]:
    """The drafts lines of the doctor's report (skipped when ``[drafts]`` is absent)."""
    from .imap import ImapSink
    from .settings import draft_settings
    from .templates import TemplateSet, preflight

    if "drafts" not in cfg.sections:
        return [Check("drafts", "skip", "no [drafts] section: no email drafts are prepared")]
    out: list[Check] = []
    try:
        settings = draft_settings(cfg)
    except SheetsyncError as exc:
        return [Check("drafts settings", "fail", exc.message, exc.hint or "", exc.exit_code)]
    where = "IMAP " + settings.imap.where if settings.imap else f".eml files in {settings.out_dir}"
    enabled = "enabled in sync" if settings.enabled else "`sheetsync drafts` only (enabled = false)"
    out.append(Check("drafts settings", "ok", f"{enabled}; drafts go to {where}"))
    try:
        ts = TemplateSet(settings)
        preflight(ts)
        custom = [n for n in ts.names() if ts.info(n).custom]
        detail = f"{len(ts.names())} templates pass the preflight" + (
            f" ({', '.join(custom)} from {ts.custom_dir})" if custom else " (all built in)"
        )
        out.append(Check("templates", "ok", detail))
    except SheetsyncError as exc:
        out.append(Check("templates", "fail", exc.message, exc.hint or "", exc.exit_code))
    if settings.imap is not None:
        try:
            out.append(Check("imap", "ok", ImapSink(settings.imap).check()))
        except SheetsyncError as exc:
            out.append(Check("imap", "fail", exc.message, exc.hint or "", exc.exit_code))
    return out
