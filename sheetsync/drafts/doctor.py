"""``sheetsync doctor`` checks for the drafts: settings, templates, and every rep's mailbox.

Run by :func:`sheetsync.doctor.run_doctor` with the pipeline it read (the
reps come from it: owner email column, Team tab, ``[drafts.mailboxes]``).
For a mailbox sink each rep's sign-in and Drafts folder are checked, and
nothing is written: Gmail ``users.getProfile`` and ``drafts.list``, Graph
``GET …/mailFolders/drafts``, IMAP ``LOGIN``/``AUTHENTICATE`` and ``LIST``
(the folder is looked for, never created).  A failure names the rep's
mailbox, what was refused and the administrator's step that fixes it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sheetsync.checks import Check
from sheetsync.errors import EXIT_DRAFTS_FAILED, EXIT_SOURCE, SheetsyncError


def drafts_checks(cfg: Any, src: str | None, checked: Any = None) -> list[Check]:
    """The drafts lines of the doctor's report (skipped when ``[drafts]`` is absent)."""
    from .settings import draft_settings
    from .templates import TemplateSet, preflight

    if "drafts" not in cfg.sections:
        return [Check.skip("drafts", "no [drafts] section: no email drafts are prepared")]
    out: list[Check] = []
    try:
        settings = draft_settings(cfg)
    except SheetsyncError as exc:
        return [Check.fail("drafts settings", exc)]
    enabled = "enabled in sync" if settings.enabled else "`sheetsync drafts` only (enabled = false)"
    out.append(Check.ok("drafts settings", f"{enabled}; drafts go to {_where(settings)}"))
    try:
        ts = TemplateSet(settings)
        preflight(ts)
        custom = [n for n in ts.names() if ts.info(n).custom]
        detail = f"{len(ts.names())} templates pass the preflight" + (
            f" ({', '.join(custom)} from {ts.custom_dir})" if custom else " (all built in)"
        )
        out.append(Check.ok("templates", detail))
    except SheetsyncError as exc:
        out.append(Check.fail("templates", exc))
    if settings.mailbox_sink:
        boxes = mailbox_checks(cfg, settings, checked)
        if settings.enabled:  # sync makes the drafts: its tabs are written, then it exits 5
            boxes = [_as_sync_would_exit(c) for c in boxes]
        out.extend(boxes)
    return out


def _as_sync_would_exit(check: Check) -> Check:
    """A mailbox failure as the night's ``sync`` exits for it: 5, the tabs written, not 3.

    So the doctor's exit code predicts the night's (jobs.partial_exit_code).
    """
    if check.status == "fail" and check.exit_code == EXIT_SOURCE:
        return dataclasses.replace(check, exit_code=EXIT_DRAFTS_FAILED)
    return check


def _where(settings: Any) -> str:
    kind = settings.sink_kind
    if kind == "eml":
        return f".eml files in {settings.out_dir}"
    if kind == "imap":
        imap = settings.imap
        who = "each rep's mailbox" if imap.per_rep else imap.user
        return f"IMAP {imap.host}:{imap.effective_port} ({who}, {imap.auth})"
    if kind == "gmail":
        return "each rep's Gmail (Gmail API)"
    return "each rep's Outlook mailbox (Microsoft Graph)"


def reps(cfg: Any, settings: Any, checked: Any) -> list[tuple[str, str | None]]:
    """(rep, address or None) for every rep of the pipeline that drafts are made for."""
    from sheetsync.metrics import owner_key

    from .rules import Directory, read_owner_emails

    extra = read_owner_emails(checked.source, [settings.team_tab, cfg.source.quotas_tab])
    directory = Directory(checked.pipeline, extra, settings)
    wanted = {owner_key(o) for o in settings.owners}
    names = list(checked.pipeline.owners) + [
        n for n in settings.mailboxes if n not in checked.pipeline.owners
    ]
    out: list[tuple[str, str | None]] = []
    seen: set[str | None] = set()
    for name in names:
        k = owner_key(name)
        if k in seen or (wanted and k not in wanted):
            continue
        seen.add(k)
        address = directory.owner_email(name)
        if address and directory.refused(address):
            address = None
        out.append((name, address))
    return out


def mailbox_checks(cfg: Any, settings: Any, checked: Any) -> list[Check]:
    """Each rep's sign-in and Drafts folder, read-only."""
    from .run import make_sink

    kind = settings.sink_kind
    try:
        sink = make_sink(settings)
        per_rep = _per_rep(sink)
    except SheetsyncError as exc:
        return [Check.fail(kind, exc)]
    if checked is None:
        if per_rep:
            return [
                Check.skip(kind, "the pipeline could not be read, so there are no reps to check")
            ]
        return [_one(sink, kind, None, None)]
    out = []
    for name, address in reps(cfg, settings, checked):
        if address is None:
            out.append(
                Check.fail(
                    kind,
                    f"{name} has no usable address: no drafts for {name}",
                    "add the rep's address (an owner email column, a Team tab or "
                    "[drafts.mailboxes])",
                )
            )
            continue
        if not per_rep:
            own = _own(sink)
            if own and own.casefold() != address.casefold():
                out.append(Check.skip(kind, f"{name} <{address}>: not this sink's mailbox ({own})"))
                continue
        out.append(_one(sink, kind, name, address))
    if not out:
        out.append(Check.skip(kind, "no reps in the pipeline"))
    return out


def _per_rep(sink: Any) -> bool:
    if sink.kind == "imap":
        return bool(sink.per_rep)
    return bool(sink.tokens.per_mailbox)


def _own(sink: Any) -> str | None:
    if sink.kind == "imap":
        return sink.s.user or None
    if sink.kind == "gmail":
        return sink.own_mailbox()
    return sink.tokens.own_mailbox()


def _one(sink: Any, kind: str, name: str | None, address: str | None) -> Check:
    who = f"{name} <{address}>" if name else (address or "the mailbox")
    try:
        return Check.ok(kind, f"{who}: {sink.check(address)}")
    except SheetsyncError as exc:
        return Check(kind, "fail", f"{who}: {exc.message}", exc.hint or "", exc.exit_code)
