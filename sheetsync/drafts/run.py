"""One drafts run: plan, check the templates, render everything, then save.

The order is what makes a run safe to repeat and safe to fail:

1. the templates are preflighted: a broken template stops the run before
   anything is rendered;
2. every draft due is planned (:mod:`sheetsync.drafts.rules`); the ledger
   removes those already made and ``limit`` caps the rest;
3. every draft is rendered in memory: a template that fails on one deal's
   data stops the run before anything is saved;
4. only then are drafts saved, one by one, each recorded in the ledger as
   soon as it is saved.  A sink that fails (IMAP down) stops the saving;
   the drafts saved so far stay recorded and :attr:`DraftRun.error` says
   what failed, so the caller can still write the ledger.

Nothing is ever sent: drafts are files or IMAP drafts for a person to
review.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from sheetsync.errors import RemoteError, SheetsyncError, TemplateError
from sheetsync.followups import Action
from sheetsync.metrics import Metrics, owner_key
from sheetsync.model import Finding, Pipeline, Severity

from .context import TITLES, digest_context, prospect_context
from .eml import BadAddress, EmlDirSink, build_message, file_name, header_text, message_id
from .imap import ImapSink
from .ledger import Ledger, LedgerEntry, event_date
from .rules import Directory, Planned, Skipped, plan_digests, plan_prospect_drafts
from .settings import DraftSettings, ImapSettings
from .templates import TemplateSet, preflight, render_file


class DraftSink(Protocol):
    """Where drafts go: a folder of ``.eml`` files, an IMAP Drafts folder…"""

    #: ``eml`` or ``imap``: recorded in the ledger's Where column.
    kind: str

    @property
    def where(self) -> str:
        """The folder path or the IMAP URL, for people and the ledger."""
        ...

    def open(self) -> None: ...

    def put(self, draft: Draft) -> str:
        """Save one draft; return where it is (file path or folder name)."""
        ...

    def close(self) -> None: ...


@dataclass(slots=True)
class Draft:
    """A rendered draft and, once saved, where it went."""

    kind: str
    key: str
    event: str
    deal: str
    owner: str | None
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None
    message: EmailMessage
    message_id: str
    message_date: dt.datetime
    file_name: str
    as_of: dt.date
    row: int | None = None
    locations: list[str] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        return " | ".join(self.locations) if self.locations else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "event": self.event,
            "deal": self.deal,
            "owner": self.owner,
            "to": list(self.to),
            "subject": self.subject,
            "message_id": self.message_id,
            "file_name": self.file_name,
            "row": self.row,
            "location": self.location,
        }


@dataclass(slots=True)
class DraftRun:
    """What a drafts run made, skipped and could not do.

    ``drafts`` were saved (or, on a dry run, would be); ``skipped`` were due
    but not made (:class:`~sheetsync.drafts.rules.Skipped` says why);
    ``problems`` are findings about the data (``draft-no-email``,
    ``draft-no-sender``); ``ledger`` is the input ledger plus the drafts
    saved; ``error`` is set when saving stopped part-way (the ledger still
    holds what was saved: write it).
    """

    as_of: dt.date
    dry_run: bool
    drafts: list[Draft] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    warnings: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    error: SheetsyncError | None = None

    def counts(self) -> dict[str, int]:
        """Drafts per kind, every kind listed (0 included), in a stable order."""
        out = dict.fromkeys(TITLES_ORDER, 0)
        for d in self.drafts:
            out[d.kind] = out.get(d.kind, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "where": list(self.where),
            "counts": self.counts(),
            "drafts": [d.to_dict() for d in self.drafts],
            "skipped": [s.to_dict() for s in self.skipped],
            "problems": [f.to_dict() for f in self.problems],
            "warnings": list(self.warnings),
            "error": str(self.error) if self.error else None,
        }


TITLES_ORDER: tuple[str, ...] = ("appointment-reminder", "follow-up", "trial-offer", "rep-digest")


def _domain(settings: DraftSettings, sender_email: str) -> str:
    return settings.message_id_domain or sender_email.rpartition("@")[2] or "sheetsync.invalid"


def _render(
    ts: TemplateSet, template: str, context: Mapping[str, Any], what: str
) -> tuple[str, str, str | None]:
    info = ts.info(template)
    try:
        subject = render_file(ts, info.parts["subject"].name, context)
        text = render_file(ts, info.parts["txt"].name, context)
        html = render_file(ts, info.parts["html"].name, context) if "html" in info.parts else None
    except TemplateError as exc:
        raise TemplateError(f"{exc.message} (rendering {what})", hint=exc.hint) from None
    subject = header_text(subject)
    if not subject:
        raise TemplateError(
            f"{info.parts['subject'].path}: the subject is empty (rendering {what})",
            hint="make sure the subject template always writes something",
        )
    return subject, text, html


def _make(
    p: Planned,
    ts: TemplateSet,
    context: Mapping[str, Any],
    settings: DraftSettings,
    as_of: dt.date,
    now: dt.datetime,
) -> Draft:
    what = f"{p.kind} for {p.label}"
    subject, text, html = _render(ts, p.template, context, what)
    mid = message_id((p.key, p.kind, p.event, ",".join(p.to)), _domain(settings, p.sender.email))
    msg = build_message(
        subject=subject,
        text=text,
        html=html,
        sender=p.sender,
        to=p.to,
        to_name=p.to_name,
        date=now,
        msg_id=mid,
        extra_headers=[("X-Sheetsync-Kind", p.kind)],
    )
    name_key = p.key if p.kind != "rep-digest" else f"digest-{p.owner or p.key}"
    return Draft(
        kind=p.kind,
        key=p.key,
        event=p.event,
        deal=p.label,
        owner=p.owner,
        to=p.to,
        subject=subject,
        text=text,
        html=html,
        message=msg,
        message_id=mid,
        message_date=now,
        file_name=file_name(name_key, p.kind, event_date(p.event)),
        as_of=as_of,
        row=p.action.row if p.action is not None else None,
    )


def _sinks(
    settings: DraftSettings,
    out_dir: str | Path | None,
    imap: ImapSettings | ImapSink | None,
    sinks: Sequence[DraftSink] | None,
) -> list[DraftSink]:
    chosen: list[DraftSink] = list(sinks or [])
    if out_dir is not None:
        chosen.append(EmlDirSink(out_dir))
    if imap is not None:
        chosen.append(imap if isinstance(imap, ImapSink) else ImapSink(imap))
    if not chosen:
        if settings.imap is not None:
            chosen.append(ImapSink(settings.imap))
        else:
            chosen.append(EmlDirSink(settings.out_dir))
    return chosen


def _where_for_rep(sinks: Sequence[DraftSink], as_of: dt.date) -> str:
    parts = []
    for s in sinks:
        if isinstance(s, EmlDirSink):
            parts.append(str(s.root / as_of.isoformat()))
        elif isinstance(s, ImapSink):
            parts.append(f"your {s.s.folder} folder")
        else:
            parts.append(s.where)
    return " and ".join(parts)


def prepare_drafts(
    pipeline: Pipeline,
    metrics: Metrics,
    actions: Sequence[Action],
    as_of: dt.date,
    settings: DraftSettings,
    ledger: Ledger | None = None,
    *,
    out_dir: str | Path | None = None,
    imap: ImapSettings | ImapSink | None = None,
    sinks: Sequence[DraftSink] | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    owner_emails: Mapping[str, str] | None = None,
    templates: TemplateSet | None = None,
) -> DraftRun:
    """Plan, check, render and save the drafts due on ``as_of`` (see the module notes).

    Where drafts go: the ``sinks`` given, plus an ``.eml`` folder for
    ``out_dir`` and an IMAP folder for ``imap``; with none of these,
    ``[drafts.imap]`` when configured, else ``[drafts] out_dir``.
    ``limit`` (default ``[drafts] limit``; 0 none) caps the new drafts;
    ``now`` is the clock (Date header, ledger); ``owner_emails`` adds rep
    addresses read from a Team/Quotas tab (:func:`read_owner_emails`).

    Raises :class:`TemplateError` (nothing rendered or saved) when a template
    is broken; sink failures are reported in :attr:`DraftRun.error`.
    """
    now = now or dt.datetime.now().astimezone()
    if now.tzinfo is None:
        now = now.astimezone()
    limit = settings.limit if limit is None else limit
    ts = templates or TemplateSet(settings)
    preflight(ts)

    chosen = _sinks(settings, out_dir, imap, sinks)
    run = DraftRun(as_of=as_of, dry_run=dry_run, ledger=(ledger or Ledger()).copy())
    run.where = [s.where for s in chosen]

    directory = Directory(pipeline, owner_emails, settings)
    planned, skipped, problems = plan_prospect_drafts(pipeline, actions, settings, directory)
    run.skipped += skipped
    run.problems += problems
    m = metrics.to_dict()
    digests, digest_skips = plan_digests(
        [o["owner"] for o in m["owners"]], as_of, settings, directory
    )
    run.skipped += digest_skips

    budget = [limit or -1]

    def admit(p: Planned) -> bool:
        done = run.ledger.find(p.key, p.kind, p.event)
        if done is not None:
            run.skipped.append(
                Skipped(
                    p.kind,
                    p.key,
                    p.label,
                    p.owner,
                    "already-drafted",
                    f"drafted at {done.created_at:%Y-%m-%d %H:%M} ({done.location or done.where})",
                )
            )
            return False
        if budget[0] == 0:
            run.skipped.append(
                Skipped(p.kind, p.key, p.label, p.owner, "limit", f"--limit {limit}")
            )
            return False
        budget[0] -= 1
        return True

    drafts: list[Draft] = []
    for p in planned:
        if not admit(p):
            continue
        assert p.action is not None
        stage = pipeline.stage(p.action.stage)
        ctx = prospect_context(p.action, p.deal, stage, p.sender, as_of, settings)
        try:
            drafts.append(_make(p, ts, ctx, settings, as_of, now))
        except BadAddress as exc:
            run.problems.append(_bad_address(pipeline, p, str(exc)))

    notes = {d.row: d.notes for d in pipeline.deals if d.notes}
    quotas = {owner_key(o["owner"]): o for o in m["owners"]}
    actions_of: dict[str | None, list[Action]] = {}
    for a in actions:
        actions_of.setdefault(owner_key(a.owner), []).append(a)
    where_text = _where_for_rep(chosen, as_of)
    for p in digests:
        if not admit(p):
            continue
        k = owner_key(p.owner)
        mine = actions_of.get(k, [])
        made = [
            {
                "kind": d.kind,
                "title": TITLES.get(d.kind, d.kind),
                "deal": d.deal,
                "to": ", ".join(d.to),
                "subject": d.subject,
            }
            for d in drafts
            if owner_key(d.owner) == k
        ]
        ctx = digest_context(
            p.sender,
            mine,
            quotas.get(k),
            m["period"],
            as_of,
            settings,
            notes=notes,
            drafts=made,
            drafts_where=where_text,
        )
        try:
            drafts.append(_make(p, ts, ctx, settings, as_of, now))
        except BadAddress as exc:
            run.problems.append(_bad_address(pipeline, p, str(exc)))

    if dry_run:
        run.drafts = drafts
        return run

    created = now.astimezone().replace(tzinfo=None, microsecond=0)
    opened: list[DraftSink] = []
    try:
        for sink in chosen:
            sink.open()
            opened.append(sink)
            run.warnings += getattr(sink, "warnings", [])
        for d in drafts:
            for sink in chosen:
                d.locations.append(sink.put(d))
            run.drafts.append(d)
            run.ledger.add(
                LedgerEntry(
                    key=d.key,
                    kind=d.kind,
                    event=d.event,
                    deal=d.deal,
                    owner=d.owner,
                    to=", ".join(d.to),
                    subject=d.subject,
                    created_at=created,
                    where="+".join(s.kind for s in chosen),
                    location=" | ".join(
                        loc if isinstance(s, EmlDirSink) else s.where
                        for s, loc in zip(chosen, d.locations, strict=True)
                    ),
                    message_id=d.message_id,
                )
            )
    except SheetsyncError as exc:
        run.error = exc
    except OSError as exc:
        run.error = RemoteError(f"saving drafts failed: {exc}")
    finally:
        for sink in opened:
            with contextlib.suppress(Exception):  # closing must not hide what happened
                sink.close()
    return run


def _bad_address(pipeline: Pipeline, p: Planned, detail: str) -> Finding:
    """An address the parser accepted but a header cannot hold, as a problem item."""
    deal = p.deal
    code = "draft-no-email" if p.kind != "rep-digest" else "draft-no-sender"
    field = "contact_email" if p.kind != "rep-digest" else "owner_email"
    ref = deal.cells.get(field) if deal is not None and field in deal.cells else None
    return Finding.at(
        code,
        Severity.WARNING,
        f"no {p.kind} draft for {p.label}: {detail}",
        ref,
        hint="fix the address in the sheet",
        field=field,
        deal=deal.id if deal is not None else None,
        tab=pipeline.deals_tab if deal is not None else None,
        row=deal.row if deal is not None else None,
    )
