"""One drafts run: plan, check the templates, render everything, then save.

The order is what makes a run safe to repeat and safe to fail:

1. the templates are preflighted: a broken template stops the run before
   anything is rendered;
2. every draft due is planned (:mod:`sheetsync.drafts.rules`); the ledger
   removes those already made and ``limit`` caps the rest;
3. every draft is rendered in memory: a template that fails on one deal's
   data stops the run before anything is saved;
4. only then are drafts saved, one by one, each recorded in the ledger as
   soon as it is saved, each in its rep's own mailbox
   (:attr:`Draft.mailbox`).  A mailbox that refuses (sign-in, permission,
   quota: :class:`~.sinks.MailboxError`) stops that rep's drafts only;
   anything else (the service down past its deadline, the run's
   ``[drafts] deadline``) stops the saving.  The drafts saved so far stay
   recorded and :attr:`DraftRun.error` says what failed, so the caller can
   still write the ledger.

The same code path serves every sink (:mod:`.sinks`): the same message
bytes, the same ledger, the same never-twice rule.  Every draft made or not
made is one log line (events ``drafts.made``, ``drafts.skipped``,
``drafts.mailbox-failed``).  Nothing is ever sent: drafts are files or
drafts in a mailbox, for a person to review.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sheetsync.errors import RemoteError, SheetsyncError, TemplateError
from sheetsync.followups import Action
from sheetsync.logs import event
from sheetsync.metrics import Metrics, owner_key
from sheetsync.model import Finding, Pipeline, Severity

from .clock import run_moment
from .context import TITLES, digest_context, prospect_context
from .eml import BadAddress, EmlDirSink, build_message, file_name, header_text, message_id
from .imap import ImapSink
from .languages import deal_language, team_language
from .ledger import Ledger, LedgerEntry, event_date
from .rules import (
    Directory,
    Planned,
    Skipped,
    drafted_detail,
    plan_digests,
    plan_prospect_drafts,
)
from .settings import DraftSettings, GmailSettings, ImapSettings
from .sinks import Deadline, DraftSink, MailboxError, MailboxesFailed
from .templates import TemplateSet, preflight, render_file

__all__ = ["Draft", "DraftRun", "DraftSink", "MailboxFailure", "make_sink", "prepare_drafts"]


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
    mailbox: str = ""
    row: int | None = None
    locations: list[str] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        return " | ".join(self.locations) if self.locations else None

    def to_dict(self) -> dict[str, Any]:
        """The fields of :data:`REPORTED` (the drafts JSON report), ``to`` as a list."""
        out = {name: getattr(self, name) for name in REPORTED}
        out["to"] = list(self.to)
        return out


#: What the drafts JSON report says of each draft, in this order (not the
#: message itself, nor its text: they are in the saved draft).
REPORTED: tuple[str, ...] = (
    "kind",
    "key",
    "event",
    "deal",
    "owner",
    "to",
    "subject",
    "message_id",
    "file_name",
    "mailbox",
    "row",
    "location",
)


@dataclass(frozen=True, slots=True)
class MailboxFailure:
    """A rep's mailbox that refused this run: why, the fix, and how many drafts wait."""

    mailbox: str
    message: str
    hint: str
    not_saved: int

    def to_dict(self) -> dict[str, Any]:
        """Every field, by its name, in field order (the drafts JSON report)."""
        return dataclasses.asdict(self)


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
    failed: list[MailboxFailure] = field(default_factory=list)

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
            "failed_mailboxes": [f.to_dict() for f in self.failed],
            "error": str(self.error) if self.error else None,
        }


TITLES_ORDER: tuple[str, ...] = ("appointment-reminder", "follow-up", "trial-offer", "rep-digest")


def _domain(settings: DraftSettings, sender_email: str) -> str:
    return settings.message_id_domain or sender_email.rpartition("@")[2] or "sheetsync.invalid"


def _render(
    ts: TemplateSet, template: str, context: Mapping[str, Any], what: str
) -> tuple[str, str, str | None]:
    if "language" in context:  # a prospect email: its deal's language set
        ts = ts.for_language(str(context["language"]))
    elif context.get("kind") == "rep-digest":  # a digest context without one: the team's
        ts = ts.for_language(team_language(ts.settings.locale))
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
        mailbox=p.mailbox,
        row=p.action.row if p.action is not None else None,
    )


def make_sink(settings: DraftSettings) -> DraftSink:
    """The sink ``[drafts] sink`` names (``eml``, ``imap``, ``gmail``, ``graph``)."""
    kind = settings.sink_kind
    if kind == "imap":
        assert settings.imap is not None
        return ImapSink(settings.imap, gmail=settings.gmail, graph=settings.graph)
    if kind == "gmail":
        from .gmail import GmailSink

        return GmailSink(settings.gmail or GmailSettings())
    if kind == "graph":
        from .graph import GraphSink

        assert settings.graph is not None
        return GraphSink(settings.graph)
    return EmlDirSink(settings.out_dir)


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
        chosen.append(make_sink(settings))
    return chosen


#: Where a rep finds the drafts (``drafts_in``) → the English words (``drafts_where``).
WHERE_WORDS: dict[str, str] = {
    "files": "the email files sheetsync prepared for you",
    "mailbox": "your Drafts folder",
}


def _places_for_rep(sinks: Sequence[DraftSink]) -> list[str]:
    """Where a rep finds the drafts, as codes (``files``, ``mailbox``) each template words.

    Never a server path: the rep cannot open it.
    """
    return list(dict.fromkeys("files" if isinstance(s, EmlDirSink) else "mailbox" for s in sinks))


def _where_for_rep(sinks: Sequence[DraftSink], as_of: dt.date) -> str:
    """Where a rep finds the drafts, in English words (custom templates' ``drafts_where``)."""
    return " and ".join(WHERE_WORDS[p] for p in _places_for_rep(sinks))


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
    ``out_dir`` and an IMAP folder for ``imap``; with none of these, the
    ``[drafts] sink`` (:func:`make_sink`).
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
    moment = run_moment(as_of, now, settings.tzinfo)
    planned, skipped, problems = plan_prospect_drafts(
        pipeline, actions, settings, directory, run.ledger, moment
    )
    run.skipped += skipped
    run.problems += problems
    m = metrics.to_dict()
    by_row = {d.row: d for d in pipeline.deals}
    told = {
        owner_key(by_row[f.row].owner)
        for f in problems
        if f.code in ("draft-no-sender", "draft-no-mailbox") and f.row in by_row
    }
    digests, digest_skips, digest_problems = plan_digests(
        [o["owner"] for o in m["owners"]], as_of, settings, directory, told
    )
    run.skipped += digest_skips
    run.problems += digest_problems

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
                    drafted_detail(done),
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
        language, bad_language = deal_language(p.deal, settings.locale)
        if bad_language is not None:
            run.problems.append(bad_language)
        ctx = prospect_context(
            p.action, p.deal, stage, p.sender, as_of, settings, moment, language=language
        )
        try:
            drafts.append(_make(p, ts, ctx, settings, as_of, now))
        except BadAddress as exc:
            run.problems.append(_bad_address(pipeline, p, str(exc)))

    notes = {d.row: d.notes for d in pipeline.deals if d.notes}
    last_contact = {d.row: d.last_contact for d in pipeline.deals if d.last_contact}
    quotas = {owner_key(o["owner"]): o for o in m["owners"]}
    actions_of: dict[str | None, list[Action]] = {}
    for a in actions:
        actions_of.setdefault(owner_key(a.owner), []).append(a)
    where_text = _where_for_rep(chosen, as_of)
    places = _places_for_rep(chosen)
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
                "row": d.row,
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
            drafts_in=places,
            last_contact=last_contact,
        )
        try:
            drafts.append(_make(p, ts, ctx, settings, as_of, now))
        except BadAddress as exc:
            run.problems.append(_bad_address(pipeline, p, str(exc)))

    if dry_run:
        run.drafts = drafts
        return run
    _save(run, drafts, chosen, settings, now)
    for sk in run.skipped:
        _log_skip(sk)
    return run


def _save(
    run: DraftRun,
    drafts: Sequence[Draft],
    chosen: Sequence[DraftSink],
    settings: DraftSettings,
    now: dt.datetime,
) -> None:
    """Save each draft in every sink, recording it in the ledger as soon as it is saved."""
    created = now.astimezone().replace(tzinfo=None, microsecond=0)
    deadline = Deadline(settings.deadline)
    opened: list[DraftSink] = []
    failed: dict[str, MailboxError] = {}
    waiting: dict[str, int] = {}

    def skip(d: Draft, reason: str, detail: str) -> None:
        run.skipped.append(Skipped(d.kind, d.key, d.deal, d.owner, reason, detail))

    try:
        for sink in chosen:
            sink.open(deadline)
            opened.append(sink)
            run.warnings += getattr(sink, "warnings", [])
        for d in drafts:
            box = d.mailbox.casefold()
            if box in failed:
                skip(d, "mailbox-failed", f"{d.mailbox}: {failed[box].message}")
                waiting[box] = waiting.get(box, 0) + 1
                continue
            refusals = [r for s in chosen if (r := _refuses(s, d)) is not None]
            if refusals:
                skip(d, "other-mailbox", refusals[0])
                continue
            try:
                for sink in chosen:
                    d.locations.append(sink.put(d))
            except MailboxError as exc:
                failed[box] = exc
                waiting[box] = waiting.get(box, 0) + 1
                skip(d, "mailbox-failed", f"{d.mailbox}: {exc.message}")
                event(
                    "drafts.mailbox-failed",
                    f"{d.mailbox}: {exc.message}" + (f" (fix: {exc.hint})" if exc.hint else ""),
                    level=logging.ERROR,
                    mailbox=d.mailbox,
                    owner=d.owner,
                    hint=exc.hint,
                )
                d.locations.clear()
                continue
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
                    location=" | ".join(d.locations),
                    message_id=d.message_id,
                )
            )
            event(
                "drafts.made",
                f"{d.kind} for {d.deal} in {d.mailbox or 'the folder'}: {d.location}",
                kind=d.kind,
                deal=d.key,
                owner=d.owner,
                mailbox=d.mailbox,
                location=d.location,
                message_id=d.message_id,
            )
    except SheetsyncError as exc:
        run.error = exc
    except OSError as exc:
        run.error = RemoteError(f"saving drafts failed: {exc}")
    finally:
        for sink in opened:
            with contextlib.suppress(Exception):  # closing must not hide what happened
                sink.close()
    run.failed = [
        MailboxFailure(box_exc.mailbox, box_exc.message, box_exc.hint or "", waiting.get(box, 0))
        for box, box_exc in failed.items()
    ]
    if run.failed and run.error is None:
        names = ", ".join(f.mailbox for f in run.failed)
        first = run.failed[0]
        run.error = MailboxesFailed(
            f"the drafts of {len(run.failed)} mailbox(es) were not saved ({names}): "
            f"{first.message}",
            hint=first.hint or "see the lines above; the other reps' drafts were saved",
        )


def _refuses(sink: DraftSink, draft: Draft) -> str | None:
    refuses = getattr(sink, "refuses", None)
    return refuses(draft) if refuses is not None else None


def _log_skip(s: Skipped) -> None:
    event(
        "drafts.skipped",
        f"no {s.kind} for {s.deal}: {s.reason}" + (f" ({s.detail})" if s.detail else ""),
        kind=s.kind,
        deal=s.key,
        owner=s.owner,
        reason=s.reason,
    )


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
