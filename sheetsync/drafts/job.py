"""The drafts use cases as library calls, for ``sheetsync drafts`` and ``sync``.

Called by :mod:`sheetsync.jobs` and never calling back into it (the
pipeline comes in already checked and analysed): :func:`drafts_done` is
``sheetsync drafts`` after the pipeline was read (:func:`sheetsync.jobs.drafts`
reads it), :func:`drafts_for_sync` the part ``sync`` runs when
``[drafts] enabled = true``, and :func:`run_text` what a person reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetsync.config import Config
from sheetsync.errors import ConfigError
from sheetsync.followups import Action
from sheetsync.metrics import Metrics
from sheetsync.sources.base import WriteResult

from .ledger import Ledger, read_ledger
from .rules import read_owner_emails
from .run import DraftRun, prepare_drafts
from .settings import DraftSettings, draft_settings
from .sinks import MailboxesFailed


def ledger_tab(cfg: Config) -> str:
    return cfg.tabs.get("ledger", "sheetsync Drafts Ledger")


def existing_ledger(checked: Any) -> Ledger:
    """The ledger already in the pipeline (empty when there is none yet)."""
    return read_ledger(checked.source, ledger_tab(checked.config))


def refuse_values_only(source: Any) -> None:
    """Stop before any draft is made when ``source`` cannot hold the ledger tab."""
    from sheetsync.sources.newbook import ValuesOnlySource

    if not isinstance(source, ValuesOnlySource):
        return
    raise ConfigError(
        f"{source.name}: {source.what} cannot hold the drafts ledger (the tab that records "
        "which drafts were made), so no draft was made",
        hint=f"sync it into a workbook first (sheetsync sync {source.name} --output "
        f"{source.suggested_output()}), then run sheetsync drafts on that workbook",
    )


def drafts_for_sync(
    checked: Any,
    metrics: Metrics,
    actions: Sequence[Action],
    settings: DraftSettings | None = None,
    *,
    out_dir: str | Path | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> DraftRun:
    """Prepare the drafts of a checked pipeline (reads its ledger and rep emails).

    ``checked`` is a :class:`sheetsync.jobs.Checked`.  With ``out_dir`` the
    drafts go to that folder as ``.eml`` files only; without it, to
    ``[drafts.imap]`` when configured, else to ``[drafts] out_dir``.
    """
    cfg = checked.config
    settings = settings or draft_settings(cfg)
    owner_emails = read_owner_emails(checked.source, [settings.team_tab, cfg.source.quotas_tab])
    return prepare_drafts(
        checked.pipeline,
        metrics,
        actions,
        checked.as_of,
        settings,
        existing_ledger(checked),
        out_dir=out_dir,
        limit=limit,
        dry_run=dry_run,
        now=now,
        owner_emails=owner_emails,
    )


@dataclass(slots=True)
class DraftsDone:
    """What ``sheetsync drafts`` did: the run, and the ledger tab written back."""

    checked: Any
    metrics: Metrics
    actions: list[Action]
    run: DraftRun
    write: WriteResult | None
    ledger_tab: str


def drafts_done(
    checked: Any,
    metrics: Metrics,
    actions: Sequence[Action],
    *,
    out_dir: str | Path | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> DraftsDone:
    """Prepare the drafts of an analysed pipeline and save the ledger tab.

    :func:`sheetsync.jobs.drafts` calls this under the source's lock with
    the actions ``sync`` computes (stage history included).  Only the
    ledger tab is written to the workbook, and only when drafts were saved;
    on a dry run nothing is written or saved anywhere.  When saving drafts
    stopped part-way (a mail server down), the ledger of what *was* saved
    is still written, then the error is raised.  When only some reps'
    mailboxes refused, the run is returned (its ``error`` says which, and
    the caller exits 3 after showing what was made).

    A CSV or ODS file cannot hold the ledger (an owned tab), and without the
    ledger every night would draft the same emails again: that is a
    :class:`ConfigError` (exit 2) before any draft is rendered or saved.
    """
    if not dry_run:
        refuse_values_only(checked.source)
    run = drafts_for_sync(
        checked, metrics, actions, out_dir=out_dir, limit=limit, dry_run=dry_run, now=now
    )
    name = ledger_tab(checked.config)
    written = None
    if not dry_run and run.drafts:
        written = checked.source.write([run.ledger.to_outsheet(name)])
    if run.error is not None and not isinstance(run.error, MailboxesFailed):
        raise run.error
    return DraftsDone(checked, metrics, list(actions), run, written, name)


def run_text(run: DraftRun, *, verbose: bool = True) -> str:
    """What a drafts run did, for people: counts per kind, then each draft and problem."""
    verb = "would prepare" if run.dry_run else "prepared"
    counts = run.counts()
    total = sum(counts.values())
    where = " and ".join(run.where) if run.where else "nowhere"
    lines = [
        f"drafts {verb}: {total} ("
        + ", ".join(f"{n} {kind}" for kind, n in counts.items())
        + f"){'' if run.dry_run else ' in ' + where}"
    ]
    if verbose:
        for d in run.drafts:
            lines.append(f"  {d.kind:<21} {d.deal} → {', '.join(d.to)}: {d.subject}")
            if d.location and not run.dry_run:
                lines.append(f"  {'':<21} {d.location}")
    reasons: dict[str, int] = {}
    for s in run.skipped:
        reasons[s.reason] = reasons.get(s.reason, 0) + 1
    if reasons:
        lines.append("  not drafted: " + ", ".join(f"{n} {r}" for r, n in sorted(reasons.items())))
    for f in run.problems:
        lines.append(f"  {f.cell or f.tab or ''} {f.code}: {f.message}".rstrip())
    for f in run.failed:
        lines.append(f"  not saved for {f.mailbox} ({f.not_saved} draft(s)): {f.message}")
        if f.hint:
            lines.append(f"    fix: {f.hint}")
    for w in run.warnings:
        lines.append(f"  warning: {w}")
    if run.dry_run:
        lines.append("  dry run: nothing was saved")
    if run.error is not None:
        lines.append(f"  stopped: {run.error.message}")
    return "\n".join(lines) + "\n"
