"""The use cases as library calls: what the CLI runs, callable from Python.

Each job takes plain arguments, returns plain data and raises only
:class:`~sheetsync.errors.SheetsyncError`.  Nothing here prints.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import (
    Config,
    SyncSettings,
    config_for_entry,
    load_config,
    resolve_source,
    section_settings,
    validate_for_night,
)
from .errors import EXIT_DRAFTS_FAILED, EXIT_SOURCE, ConfigError, SheetsyncError
from .followups import Action, FollowUpSettings, compute_followups
from .history import KIND as HISTORY_KIND
from .history import (
    History,
    HistorySummary,
    record,
    skipped_finding,
    stage_history_for_metrics,
    summarize,
)
from .history.rollup import roll_up, row_budget
from .locking import source_lock
from .logs import event, log_source
from .metrics import Metrics, MetricsSettings, compute_metrics
from .model import Pipeline, Report
from .notes import reading_notes
from .outsheet import OutSheet
from .owned_edits import OwnedEdits, read_owned_edits, written_sheet
from .pipeline import load_pipeline
from .reporting import history_started
from .sources.base import Source, WriteOptions, WriteResult
from .sources.filesafety import preflight
from .sources.owned import formats_for_locale
from .tabs import build_tabs
from .validate import validate

if TYPE_CHECKING:  # the drafts load only for a configuration that makes them
    from .drafts.job import DraftsDone
    from .drafts.run import DraftRun


@contextlib.contextmanager
def _batch_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for one job.

    A job allocates hundreds of thousands of small objects (a deal, cell
    positions, findings per row) that live until it ends; the collector
    would scan them again and again (about a quarter of a 100k-row sync).
    Nothing a job makes needs cycle collection meanwhile; the previous
    state is restored after.

    A large job's objects are then handed to the collector's oldest
    generation (``gc.freeze`` and at once ``gc.unfreeze``: two list moves,
    no scan) instead of being left young: re-enabled on a million young
    objects, the collector's next young collection would scan them all (a
    quarter of a second at 100k deals) only to find them alive, and a
    process that ends after its job (the nightly run) would pay that for
    nothing.  The oldest generation is collected rarely, so the next job
    collects it in full before it starts (see :func:`_collect_handed_over`):
    the earlier job's cycles are freed then, and nothing stays frozen.
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        _collect_handed_over()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _hand_over_young()
            gc.enable()


#: Young objects above which a job's leftovers skip the young collection (see _batch_gc).
_HAND_OVER_AT = 250_000
#: Objects moved to the oldest generation by jobs since the last full collection.
_handed_over = 0


def _hand_over_young() -> None:
    """Move everything tracked to the oldest generation, when the job left many young objects.

    Left alone when a caller froze objects of its own: ``gc.unfreeze`` would
    release theirs too.
    """
    global _handed_over
    young = gc.get_count()[0]
    if young >= _HAND_OVER_AT and gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
        _handed_over += young


def _collect_handed_over() -> None:
    """One full collection of what earlier jobs moved past the young collections, if any."""
    global _handed_over
    if _handed_over:
        _handed_over = 0
        gc.collect()


def open_source(
    source: str, cfg: Config, credentials: str | None = None, output: str | None = None
) -> Source:
    """The backend for a source string: a Google Sheet, a CSV or OpenDocument file, a workbook.

    ``output`` is the workbook a sync writes (``--output``); see
    :func:`sheetsync.sources.registry.open_source`.
    """
    from .sources.registry import open_source as _open

    return _open(source, cfg, credentials=credentials, output=output)


@dataclass(slots=True)
class Checked:
    """A pipeline read and judged: what ``check`` returns and later jobs build on."""

    config: Config
    source: Source
    pipeline: Pipeline
    report: Report
    as_of: dt.date


def check(
    source: str | None = None,
    *,
    config: str | Path | None = None,
    as_of: dt.date | None = None,
    cfg: Config | None = None,
    credentials: str | None = None,
    output: str | None = None,
) -> Checked:
    """Read a pipeline and report every problem in it, in one pass.

    ``credentials`` (a Google key file) wins over ``[google] credentials``.
    ``output`` is the workbook a sync will write (it matters to CSV and
    OpenDocument sources, whose state tabs live there).
    """
    with _batch_gc():
        return _check(source, config, as_of, cfg, credentials, output)


def _check(
    source: str | None,
    config: str | Path | None,
    as_of: dt.date | None,
    cfg: Config | None,
    credentials: str | None = None,
    output: str | None = None,
) -> Checked:
    cfg = validate_for_night(cfg) if cfg is not None else load_config(config, source)
    src_name = resolve_source(cfg, source)
    with log_source(src_name):
        return _check_named(src_name, cfg, as_of, credentials, output)


def _check_named(
    src_name: str, cfg: Config, as_of: dt.date | None, credentials: str | None, output: str | None
) -> Checked:
    src = open_source(src_name, cfg, credentials, output)
    as_of = as_of or dt.date.today()
    loaded = load_pipeline(src, cfg, as_of)
    report = validate(loaded.pipeline, as_of, loaded.findings, cfg.validation)
    report.file_tabs = dict(getattr(src, "file_tabs", {}))  # a CSV's cells: file.csv:row:col
    report.notes = reading_notes(loaded.pipeline, report, src_name)
    report.skipped = [s.to_dict() | {"label": s.label} for s in loaded.pipeline.skipped]
    return Checked(cfg, src, loaded.pipeline, report, as_of)


def metrics(
    source: str | None = None,
    *,
    config: str | Path | None = None,
    as_of: dt.date | None = None,
    cfg: Config | None = None,
    credentials: str | None = None,
) -> tuple[Checked, Metrics]:
    """Read a pipeline and compute every metric (nothing is written)."""
    with _batch_gc():
        checked = check(source, config=config, as_of=as_of, cfg=cfg, credentials=credentials)
        return checked, analyse(checked).metrics


@dataclass(slots=True)
class Synced:
    """What a sync computed and wrote (or, on a dry run, would write)."""

    checked: Checked
    metrics: Metrics
    actions: Sequence[Action]
    sheets: list[OutSheet]
    write: WriteResult
    tabs: dict[str, str] = field(default_factory=dict)
    history: History | None = None
    drafts: DraftRun | None = None
    #: what people typed into the owned tabs since the last run (kept or reported)
    owned: OwnedEdits = field(default_factory=OwnedEdits)


def sync(
    source: str | None = None,
    *,
    config: str | Path | None = None,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    output: str | None = None,
    cfg: Config | None = None,
    credentials: str | None = None,
) -> Synced:
    """Check the pipeline, compute metrics and follow-ups, write the owned tabs.

    Only tabs sheetsync made (known by the marker it wrote) are replaced; a
    person's tab with the same name stops the run before anything is written.
    When the tabs were written but the drafts failed (the mail server down),
    this returns, and :func:`partial_failure` of the result is the drafts'
    error (the CLI exits :func:`partial_exit_code` of it, 5).
    """
    cfg = cfg or load_config(config, source)
    src_name = resolve_source(cfg, source)
    with (
        source_lock(src_name, cfg=cfg, credentials=credentials, lease=not dry_run),
        log_source(src_name),
        _batch_gc(),
    ):
        if not dry_run:
            preflight(
                src_name,
                output=output,
                stale_hours=section_settings(cfg, "sync", SyncSettings).stale_lock_hours,
            )
        return _sync_locked(src_name, cfg, as_of, dry_run, output, credentials)


@dataclass(slots=True)
class Analysis:
    """Everything computed from a checked pipeline: what ``metrics`` prints and ``sync`` writes."""

    metrics: Metrics
    actions: Sequence[Action]
    history: History
    history_summary: HistorySummary


def load_history(src: Source, name: str) -> History:
    """The recorded stage history: the owned tab of kind "history" (``name`` first), else empty."""
    owned = src.owned_tabs()
    tab = (
        name
        if owned.get(name) == HISTORY_KIND
        else next((t for t, k in owned.items() if k == HISTORY_KIND), None)
    )
    return History() if tab is None else History.from_grid(src.read(tab))


def analyse(checked: Checked) -> Analysis:
    """Record tonight's changes in the history (in memory), then compute metrics and follow-ups.

    The history is stamped at the as-of date's midnight, so replaying a day
    writes the same log; ``metrics`` runs this too (writing nothing), so it
    shows what ``sync`` would write.
    """
    with _batch_gc():
        return _analyse(checked)


def _analyse(checked: Checked) -> Analysis:
    cfg = checked.config
    metrics_settings = section_settings(cfg, "metrics", MetricsSettings)
    history_tab = cfg.tabs["history"]
    if section_settings(cfg, "sync", SyncSettings).history:
        history = record(
            load_history(checked.source, history_tab),
            checked.pipeline,
            dt.datetime.combine(checked.as_of, dt.time()),
        )
    else:
        history = History()
    stage_hist = stage_history_for_metrics(history, checked.pipeline, checked.as_of)
    summary = summarize(history, checked.pipeline, checked.as_of)
    result = compute_metrics(checked.pipeline, checked.as_of, metrics_settings, history=stage_hist)
    result = dataclasses.replace(result, history=summary.to_dict())
    actions = compute_followups(
        checked.pipeline,
        checked.as_of,
        section_settings(cfg, "followups", FollowUpSettings),
        metrics_settings,
        history=stage_hist,
    )
    extra = list(history.problems)
    if (f := skipped_finding(history, history_tab)) is not None:
        extra.append(f)
    if extra:
        checked.report.findings.extend(extra)
    return Analysis(result, actions, history, summary)


def _sync_locked(
    src_name: str,
    cfg: Config,
    as_of: dt.date | None,
    dry_run: bool,
    output: str | None,
    credentials: str | None = None,
) -> Synced:
    started = time.monotonic()
    checked = check(src_name, as_of=as_of, cfg=cfg, credentials=credentials, output=output)
    sync_settings = section_settings(cfg, "sync", SyncSettings)
    analysis = analyse(checked)
    result, actions = analysis.metrics, analysis.actions
    names = {role: cfg.tabs[role] for role in ("summary", "funnel", "follow_ups", "data_issues")}
    # what people typed into the owned tabs: read before anything replaces them
    owned = read_owned_edits(checked.source, names["follow_ups"])
    if owned.marks:  # nothing typed, nothing to keep (and no need to make every action)
        owned.keep_for(actions, sync_settings.max_rows)
    _log_owned_edits(owned, src_name)
    draft_run = None
    drafts_settings = _drafts_settings(cfg)
    if drafts_settings is not None and drafts_settings.enabled:
        from .drafts.job import drafts_for_sync

        draft_run = drafts_for_sync(
            checked, result, not_done(actions, owned), drafts_settings, dry_run=dry_run
        )
        ledger = draft_run.ledger
        checked.report.findings.extend(draft_run.problems)  # listed in the Data Issues tab
    else:
        ledger = _existing_ledger(checked)
    sheets = build_tabs(
        checked.pipeline,
        result,
        actions,
        checked.report,
        names=names,
        as_of=checked.as_of,
        history=analysis.history_summary,
        max_rows=sync_settings.max_rows,
        drafted_at=ledger.drafted_at,
        marks=owned.cells(),
        typed=owned.lines(),
        protect=sync_settings.protect_owned_tabs,
    )
    if draft_run is not None:
        sheets.append(draft_run.ledger.to_outsheet(cfg.tabs["ledger"]))
        names["ledger"] = cfg.tabs["ledger"]
    history = analysis.history
    if sync_settings.history:
        budget = row_budget(sync_settings)
        rolled = roll_up(history, budget)
        if rolled.rolled or rolled.over_budget:
            event(
                "history.rollup",
                rolled.message(budget),
                level=30 if rolled.over_budget else 20,
                source=src_name,
                rolled=rolled.rolled,
                rows_before=rolled.rows_before,
                rows_after=rolled.rows_after,
            )
        history = rolled.history
        sheets.append(history.to_outsheet(cfg.tabs["history"]))
        names["history"] = cfg.tabs["history"]
    sheets.append(written_sheet(sheets))  # what the next run compares the tabs with
    source_obj = checked.source
    if hasattr(source_obj, "backups"):
        source_obj.backups = sync_settings.backups
    formats = formats_for_locale(
        cfg.team.locale, sync_settings.currency_format, sync_settings.date_format
    )
    written = source_obj.write(
        sheets, WriteOptions(dry_run=dry_run, output=output, formats=formats)
    )
    report = checked.report
    event(
        "sync.done",
        f"{src_name}: {'dry run, ' if dry_run else ''}{len(written.changed_parts)} parts changed, "
        f"{len(report.errors)} errors, {len(report.warnings)} warnings in the data",
        source=src_name,
        deals=len(checked.pipeline.deals),
        errors=len(report.errors),
        warnings=len(report.warnings),
        follow_ups=len(actions),
        changed_parts=len(written.changed_parts),
        dry_run=dry_run,
        seconds=round(time.monotonic() - started, 3),
    )
    _log_parts(src_name, written, draft_run, history if sync_settings.history else None)
    # The tabs (and the ledger of the drafts that were saved) are written: a drafts
    # failure does not hide that; the caller shows the summary, then the failure
    # (:func:`partial_failure`), and exits with the code that says which part failed.
    return Synced(checked, result, actions, sheets, written, names, history, draft_run, owned)


def not_done(actions: Sequence[Action], owned: OwnedEdits) -> Sequence[Action]:
    """The actions to draft emails for: those the team has not marked Done in Follow-ups.

    A Done mark means the rep dealt with it (called, met, wrote by hand), so
    no draft is made for it; the action stays listed, with its mark, while it
    is due.  The drafts ledger still stops a second draft of one not marked.
    """
    if not owned.done:
        return actions
    return [a for a in actions if not owned.is_done(a)]


def _log_owned_edits(owned: OwnedEdits, src_name: str) -> None:
    """One log line per kind of thing found typed into the owned tabs (none when nothing was)."""
    if owned.dropped or owned.unlisted:
        event(
            "tabs.notes_dropped",
            "; ".join(owned.lines()[: bool(owned.dropped) + bool(owned.unlisted)]),
            source=src_name,
            dropped=[{"deal": m.deal, "kind": m.kind} for m in owned.dropped],
            unlisted=[{"deal": m.deal, "kind": m.kind} for m in owned.unlisted],
        )
    if owned.typed:
        event(
            "tabs.typed",
            f"{src_name}: {len(owned.typed)} cells typed into sheetsync's tabs since the last "
            "run; replaced now (the summary lists them)",
            level=30,
            source=src_name,
            cells=[t.line() for t in owned.typed[:100]],
        )


def _drafts_settings(cfg: Config) -> Any:
    """``[drafts]`` as sync uses it, or None without the section (drafts off, nothing imported)."""
    if "drafts" not in cfg.sections:
        return None
    from .drafts.settings import draft_settings

    return draft_settings(cfg)


def _existing_ledger(checked: Checked) -> Any:
    """The drafts ledger already in the source (its Drafted at dates), read only if it is there."""
    from .drafts.ledger import LEDGER_KIND, Ledger, read_ledger

    if LEDGER_KIND not in checked.source.owned_tabs().values():
        return Ledger()
    return read_ledger(checked.source, checked.config.tabs.get("ledger"))


def _log_parts(
    src_name: str, written: WriteResult, draft_run: DraftRun | None, history: History | None
) -> None:
    """One log line per part of a sync (events ``tabs``, ``drafts``, ``history``).

    A log collector then sees which part of a night worked without parsing
    the summary: ``status`` is ``written``, ``unchanged`` or ``dry-run`` for
    the tabs; ``saved``, ``failed``, ``dry-run`` or ``off`` for the drafts;
    ``recorded``, ``started``, ``skipped`` or ``off`` for the history.
    """
    if written.dry_run:
        tabs_status = "dry-run"
    else:
        tabs_status = "written" if written.changed_parts else "unchanged"
    event(
        "tabs",
        f"{src_name}: tabs {tabs_status} ({len(written.changed_parts)} parts changed)",
        source=src_name,
        status=tabs_status,
        changed_parts=len(written.changed_parts),
        added=list(written.added),
    )
    if draft_run is None:
        event("drafts", f"{src_name}: drafts off", source=src_name, status="off")
    else:
        counts = draft_run.counts()
        made = sum(counts.values())
        if draft_run.error is not None:
            err = draft_run.error
            tabs = "would be written" if written.dry_run else "were written"
            event(
                "drafts",
                f"{src_name}: the tabs {tabs}, but the drafts failed ({made} saved): {err.message}",
                level=40,
                source=src_name,
                status="failed",
                saved=made,
                error=type(err).__name__,
                hint=err.hint or "",
            )
        else:
            status = "dry-run" if draft_run.dry_run else "saved"
            event(
                "drafts",
                f"{src_name}: {made} drafts {status}",
                source=src_name,
                status=status,
                saved=made,
            )
    if history is None:
        event("history", f"{src_name}: history off", source=src_name, status="off")
    elif history.skipped:  # a backfill, on purpose: a warning in the Data Issues tab, not cron's
        event("history", f"{src_name}: {history.skipped}", source=src_name, status="skipped")
    else:
        started = history_started(history)
        event(
            "history",
            f"{src_name}: history started: {started} deals recorded"
            if started is not None
            else f"{src_name}: {history.appended} changes recorded",
            source=src_name,
            status="started" if started is not None else "recorded",
            appended=history.appended,
            entries=len(history),
            **({"deals": started} if started is not None else {}),
        )


def partial_failure(synced: Synced) -> SheetsyncError | None:
    """The drafts' failure of a sync whose tabs were written (None when the drafts went well)."""
    run = synced.drafts
    return run.error if run is not None else None


def partial_exit_code(exc: SheetsyncError) -> int:
    """The exit code of a sync whose tabs were written but whose drafts failed.

    A mail server or API that is down, or a rep's mailbox that refused, is
    :data:`~sheetsync.errors.EXIT_DRAFTS_FAILED` (5: the tabs are fine, the
    drafts are not), so cron tells this apart from a source that cannot be
    read (3).  A drafts configuration error (a password variable not set, a
    broken template) keeps its own code, 2: the fix is in sheetsync.toml.
    """
    return EXIT_DRAFTS_FAILED if exc.exit_code == EXIT_SOURCE else exc.exit_code


def drafts(
    source: str | None = None,
    *,
    config: str | Path | None = None,
    as_of: dt.date | None = None,
    out_dir: str | Path | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    cfg: Config | None = None,
    credentials: str | None = None,
) -> DraftsDone:
    """Check the pipeline, prepare the drafts due, and save the ledger tab.

    The actions are those ``sync`` computes (:func:`analyse`, stage history
    included), under the same per-source lock; see
    :func:`sheetsync.drafts.job.drafts_done` for what is written.
    """
    from .drafts.job import drafts_done

    cfg = cfg or load_config(config, source)
    src_name = resolve_source(cfg, source)
    with (
        source_lock(src_name, cfg=cfg, credentials=credentials, lease=not dry_run),
        log_source(src_name),
    ):
        if not dry_run:
            preflight(
                src_name,
                output=None,
                stale_hours=section_settings(cfg, "sync", SyncSettings).stale_lock_hours,
            )
        checked = check(src_name, as_of=as_of, cfg=cfg, credentials=credentials)
        analysis = analyse(checked)
        owned = read_owned_edits(checked.source, cfg.tabs["follow_ups"])
        owned.keep_for(analysis.actions)
        return drafts_done(
            checked,
            analysis.metrics,
            not_done(analysis.actions, owned),
            out_dir=out_dir,
            limit=limit,
            dry_run=dry_run,
            now=now,
        )


@dataclass(slots=True)
class SourceOutcome:
    """How one pipeline of ``sync --all`` went: a result, or the error that stopped it."""

    name: str
    source: str
    synced: Synced | None = None
    error: SheetsyncError | None = None

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return self.error.exit_code
        assert self.synced is not None
        failed = partial_failure(self.synced)
        if failed is not None:
            return partial_exit_code(failed)
        return 0 if self.synced.checked.report.valid else 1


def sync_all(
    *,
    config: str | Path | None = None,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    cfg: Config | None = None,
) -> list[SourceOutcome]:
    """Sync every ``[[sources]]`` pipeline; a failure in one does not stop the others."""
    cfg = cfg or load_config(config, None)
    if not cfg.sources:
        raise ConfigError(
            f"{cfg.where('[[sources]]')}: no pipelines listed for --all",
            hint="list each team's pipeline as a [[sources]] entry with a name and a path or url",
        )
    outcomes = []
    for entry in cfg.sources:
        try:
            sub_cfg, source = config_for_entry(cfg, entry)
            outcomes.append(
                SourceOutcome(
                    entry.name, source, sync(source, as_of=as_of, dry_run=dry_run, cfg=sub_cfg)
                )
            )
        except SheetsyncError as exc:
            event(
                "sync.failed",
                f"{entry.name}: {exc.message}",
                level=40,
                source=entry.source,
                error=type(exc).__name__,
            )
            outcomes.append(SourceOutcome(entry.name, entry.source, error=exc))
    return outcomes


@dataclass(slots=True)
class Initialised:
    """What ``sheetsync init`` proposed and where it wrote it."""

    checked: Checked
    target: Path
    proposal: Any
    dry_run: bool = False


def init(
    source: str,
    *,
    output: str | Path | None = None,
    as_of: dt.date | None = None,
    credentials: str | None = None,
    dry_run: bool = False,
) -> Initialised:
    """Read ``source`` with the defaults and write a commented ``sheetsync.toml`` proposal.

    The sheet is read as ``check`` reads it without a configuration (a
    configuration file beside it is ignored: the proposal is made from the
    sheet alone).  When two tabs look like the deals tab, the best one is
    proposed and the other named.  The file is never overwritten.
    """
    from .pipeline import rank_deals_tabs
    from .proposal import default_target, propose, write_proposal

    target = Path(output) if output else default_target(source)
    if target.exists() and not dry_run:
        raise ConfigError(
            f"{target}: already exists; sheetsync init never overwrites a file",
            hint="pass --output OTHER.toml, or delete the file first",
        )
    cfg = Config()
    other_tabs: list[str] = []
    src = open_source(source, cfg, credentials)
    names = src.tab_names()
    owned = src.owned_tabs()
    skip = {cfg.source.stages_tab, cfg.source.quotas_tab, cfg.source.rates_tab}
    ranked = rank_deals_tabs(src, cfg, names, owned, skip)
    if len(ranked) > 1:
        cfg.source.deals_tab = ranked[0][2].name
        other_tabs = [r[2].name for r in ranked[1:3]]
    checked = _check(source, None, as_of, cfg, credentials)
    p = checked.pipeline
    headers = {
        f: str(checked.source.read(p.deals_tab).cell(ref.row, ref.col)).strip()
        for f, ref in p.columns.items()
    }
    stages_tab = cfg.source.stages_tab
    from_tab = any(t.strip().casefold() == stages_tab.casefold() for t in names if t not in owned)
    proposal = propose(
        p,
        checked.report,
        headers,
        source=source,
        cfg=cfg,
        stages_from_tab=from_tab,
        other_tabs=other_tabs,
    )
    if not dry_run:
        write_proposal(proposal.text, target)
    return Initialised(checked, target, proposal, dry_run)
