"""Which drafts a run makes, and why the others are not made.

Input: the follow-up actions (``sheetsync.followups``), which already apply
the timing rules — reminder when the next appointment is 0..``reminder_days``
days ahead, follow-up when an appointment has passed with nothing logged
since or the last contact is more than ``follow_up_after_days`` ago, trial
offer for a stale deal at a presentation/demo stage without a trial.  Here:

* only ``appointment-reminder``, ``follow-up`` and ``trial-offer`` actions
  become emails to the prospect, and only the kinds in ``[drafts] kinds``;
  the other actions (overdue, stale, no next step, decision maker) are for
  the rep and appear in the digest;
* deals marked do-not-email, won or lost are skipped (with the reason);
* a deal with no readable contact email is a ``draft-no-email`` problem,
  pointing at the cell, and one whose rep has no email (and no
  ``[drafts] from_address``) a ``draft-no-sender`` problem;
* the rules decide per kind (each kind is due or not on its own); a draft
  the ledger already holds is ``already-drafted`` and takes no place; then a
  prospect gets at most one email per run, picked by :data:`PRIORITY`
  (reminder, then follow-up, then trial offer); the others are
  ``one-per-deal`` and drafted on a later run (their ledger event is
  unchanged, so they are still due);
* every rep with an email address gets a digest (``rep-digest``); the
  address comes from the deals' owner email column, else a Team or Quotas
  tab (:func:`owner_emails_from_grid`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sheetsync import parse as P
from sheetsync.columns import normalize_header
from sheetsync.followups import Action
from sheetsync.metrics import owner_key
from sheetsync.model import CellRef, Deal, Finding, Grid, Pipeline, Severity
from sheetsync.vocab.tabs import REP_ADDRESSES

from .clock import is_ahead
from .context import TEMPLATE_FOR, Sender
from .ledger import Ledger, digest_key, event_of
from .settings import DraftSettings

#: Action kinds that become an email to the prospect, most urgent first.
PROSPECT_KINDS: tuple[str, ...] = ("appointment-reminder", "follow-up", "trial-offer")

#: The order in which one prospect's due emails are picked, one per night:
#: a meeting ahead beats a follow-up, a follow-up beats an offer.
PRIORITY: tuple[str, ...] = PROSPECT_KINDS

PROBLEM_CODES: dict[str, str] = {
    "draft-no-email": "the deal's contact email is missing or not an address: no draft was made",
    "draft-no-sender": "the deal's rep has no email address (and no [drafts] from_address)",
    "draft-no-mailbox": "the rep's address is outside [drafts] mailbox_domains: no draft was made",
    "draft-language": "the deal's Language cell names no language with email templates: "
    "drafted in the team's language",
}


@dataclass(frozen=True, slots=True)
class Planned:
    """A draft to make: what, for whom, from whom, about which event."""

    kind: str
    key: str
    event: str
    template: str
    owner: str | None
    sender: Sender
    to: tuple[str, ...]
    to_name: str | None
    action: Action | None = None
    deal: Deal | None = None

    @property
    def mailbox(self) -> str:
        """The mailbox the draft goes to: always its sender's (the rep's own)."""
        return self.sender.email

    @property
    def label(self) -> str:
        if self.action is not None:
            return self.action.deal
        return self.owner or self.key


@dataclass(frozen=True, slots=True)
class Skipped:
    """A draft that was due but not made, and why (a stable ``reason`` code).

    Reasons: ``do-not-email``, ``closed`` (won or lost), ``meeting-passed``
    (a reminder for a meeting no longer ahead of the run), ``already-drafted``
    (the ledger has it; ``detail`` says when), ``one-per-deal`` (a more
    urgent email to the same prospect is drafted this run), ``limit``,
    ``no-owner-email`` (a digest for a rep without an address).
    """

    kind: str
    key: str
    deal: str
    owner: str | None
    reason: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Every field, by its name, in field order (the drafts JSON report)."""
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------- rep addresses

_OWNER_HEADERS = {normalize_header(h) for h in REP_ADDRESSES["owner"]}
_EMAIL_HEADERS = {normalize_header(h) for h in REP_ADDRESSES["email"]}


def owner_emails_from_grid(grid: Grid) -> dict[str, str]:
    """Rep name → email from a Team or Quotas tab (a header row with both columns).

    Returns an empty dict when the tab has no such header; a cell that is
    not an address is left out (validation is the deals tab's job).
    """
    for r in range(1, min(grid.height, 10) + 1):
        owner_col = email_col = None
        for c in range(1, grid.width + 1):
            h = normalize_header(grid.cell(r, c)) if isinstance(grid.cell(r, c), str) else ""
            if h in _OWNER_HEADERS and owner_col is None:
                owner_col = c
            elif h in _EMAIL_HEADERS and email_col is None:
                email_col = c
        if owner_col is None or email_col is None:
            continue
        out: dict[str, str] = {}
        for row in range(r + 1, grid.height + 1):
            name = P.parse_text(grid.cell(row, owner_col)).value
            parsed = P.parse_emails(grid.cell(row, email_col))
            if name and parsed.error is None and parsed.value:
                out.setdefault(name, parsed.value[0])
        return out
    return {}


def read_owner_emails(source: Any, tabs: Iterable[str | None]) -> dict[str, str]:
    """Rep emails from the first of ``tabs`` (e.g. Team, then Quotas) that has them.

    Owned tabs are never read; a tab that is missing is skipped.
    """
    names = source.tab_names()
    owned = source.owned_tabs()
    folded = {n.strip().casefold(): n for n in names}
    out: dict[str, str] = {}
    for wanted in tabs:
        if not wanted:
            continue
        tab = folded.get(wanted.strip().casefold())
        if tab is None or tab in owned:
            continue
        for name, email in owner_emails_from_grid(source.read(tab)).items():
            out.setdefault(name, email)
    return out


class Directory:
    """Who sends, and so whose mailbox: a rep's one address.

    In order: ``[drafts.mailboxes]`` (the administrator's word wins), the
    deal's owner email cell, the pipeline's owners, then a Team or Quotas
    tab.  With ``[drafts] mailbox_domains``, an address elsewhere is no
    address (:meth:`refused` says why).
    """

    def __init__(
        self,
        pipeline: Pipeline,
        extra: Mapping[str, str] | None,
        settings: DraftSettings,
    ) -> None:
        self.settings = settings
        self.configured = {
            k: addr for name, addr in settings.mailboxes.items() if (k := owner_key(name))
        }
        self.by_key: dict[str, tuple[str, str | None]] = {}
        for name, owner in pipeline.owners.items():
            k = owner_key(name)
            if k is not None and (k not in self.by_key or self.by_key[k][1] is None):
                self.by_key[k] = (owner.name, owner.email)
        for name, email in (extra or {}).items():
            k = owner_key(name)
            if k is None:
                continue
            if k not in self.by_key or self.by_key[k][1] is None:
                self.by_key[k] = (self.by_key.get(k, (" ".join(name.split()), None))[0], email)

    def owner_email(self, owner: str | None) -> str | None:
        """The rep's address (``[drafts.mailboxes]`` first), or None."""
        k = owner_key(owner)
        if k is not None and k in self.configured:
            return self.configured[k]
        return self.by_key[k][1] if k is not None and k in self.by_key else None

    def address_for(self, deal: Deal | None, owner: str | None) -> str | None:
        k = owner_key(owner)
        if k is not None and k in self.configured:
            return self.configured[k]
        return (deal.owner_email if deal is not None else None) or self.owner_email(owner)

    def refused(self, address: str) -> str | None:
        """Why ``address`` may not be a mailbox (outside ``mailbox_domains``), or None."""
        domains = [d.strip().lstrip("@").casefold() for d in self.settings.mailbox_domains]
        if not domains:
            return None
        domain = address.rpartition("@")[2].casefold()
        if domain in domains:
            return None
        return f"{address} is outside [drafts] mailbox_domains ({', '.join(domains)})"

    def sender_for(self, deal: Deal | None, owner: str | None) -> Sender | None:
        name = " ".join(owner.split()) if owner else ""
        email = self.address_for(deal, owner)
        if email:
            return Sender(name or email, email)
        if self.settings.from_address:
            return Sender(name or self.settings.from_address, self.settings.from_address)
        return None


# --------------------------------------------------------------------------- planning


def drafted_detail(done: Any) -> str:
    """When and where a ledger entry's draft was made, for a skip's detail."""
    return f"drafted at {done.created_at:%Y-%m-%d %H:%M} ({done.location or done.where})"


def _row_ref(pipeline: Pipeline, deal: Deal | None, action: Action, field: str) -> CellRef | None:
    if deal is not None and field in deal.cells:
        return deal.cells[field]
    return action.cell


def plan_prospect_drafts(
    pipeline: Pipeline,
    actions: Sequence[Action],
    settings: DraftSettings,
    directory: Directory,
    ledger: Ledger | None = None,
    moment: dt.datetime | None = None,
) -> tuple[list[Planned], list[Skipped], list[Finding]]:
    """The prospect emails due, one per prospect (before the limit is applied).

    Each kind is decided on its own; what ``ledger`` already holds is skipped
    as ``already-drafted`` *before* the one-per-prospect pick, so an email
    drafted on an earlier night never blocks another kind (:data:`PRIORITY`).
    With ``moment`` (the run's, :func:`~.clock.run_moment`), a reminder for a
    meeting no longer ahead is ``meeting-passed``: "see you at 9:00" at 18:33
    would embarrass the rep.
    """
    by_row = {d.row: d for d in pipeline.deals}
    wanted_owners = {owner_key(o) for o in settings.owners}
    planned: list[Planned] = []
    skipped: list[Skipped] = []
    problems: list[Finding] = []
    reported_no_email: set[int] = set()
    reported_no_sender: set[int] = set()
    per_deal: dict[tuple[int, str], Planned] = {}
    ordered = sorted(
        (a for a in actions if a.kind in PROSPECT_KINDS and a.kind in settings.kinds),
        key=lambda a: (PRIORITY.index(a.kind), a.row),
    )
    for a in ordered:
        if wanted_owners and owner_key(a.owner) not in wanted_owners:
            continue
        deal = by_row.get(a.row)

        def skip(reason: str, detail: str = "", a: Action = a) -> None:
            skipped.append(Skipped(a.kind, a.deal_key, a.deal, a.owner, reason, detail))

        if deal is not None and not deal.is_open:
            skip("closed", f"the deal is {deal.status}")
            continue
        if (
            moment is not None
            and a.kind == "appointment-reminder"
            and a.when is not None
            and not is_ahead(a.when, moment, settings.tzinfo)
        ):
            skip("meeting-passed", f"the meeting at {a.when:%Y-%m-%d %H:%M} has begun or passed")
            continue
        if deal is not None and deal.do_not_email:
            skip("do-not-email", "the deal is marked do not email")
            continue
        if not a.contact_email:
            if a.row not in reported_no_email:
                reported_no_email.add(a.row)
                raw = deal.raw.get("contact_email") if deal is not None else None
                if raw not in (None, "") and not (isinstance(raw, str) and not raw.strip()):
                    msg = f"no {a.kind} draft for {a.deal}: the contact email {raw!r} is not an address"
                else:
                    msg = f"no {a.kind} draft for {a.deal}: the deal has no contact email"
                ref = _row_ref(pipeline, deal, a, "contact_email")
                problems.append(
                    Finding.at(
                        "draft-no-email",
                        Severity.WARNING,
                        msg,
                        ref,
                        hint="write the contact's address, e.g. name@company.com",
                        field="contact_email",
                        value=raw,
                        deal=deal.id if deal is not None else None,
                        tab=pipeline.deals_tab,
                        row=a.row,
                    )
                )
            continue
        sender = directory.sender_for(deal, a.owner)
        if sender is None:
            if a.row not in reported_no_sender:
                reported_no_sender.add(a.row)
                field = (
                    "owner_email" if deal is not None and "owner_email" in deal.cells else "owner"
                )
                problems.append(
                    Finding.at(
                        "draft-no-sender",
                        Severity.WARNING,
                        f"no {a.kind} draft for {a.deal}: "
                        + (f"{a.owner} has no email address" if a.owner else "the deal has no rep"),
                        _row_ref(pipeline, deal, a, field),
                        hint="add the rep's email (an owner email column or a Team tab), "
                        "or set [drafts] from_address",
                        field=field,
                        deal=deal.id if deal is not None else None,
                        tab=pipeline.deals_tab,
                        row=a.row,
                    )
                )
            continue
        why = directory.refused(sender.email)
        if why is not None:
            if a.row not in reported_no_sender:
                reported_no_sender.add(a.row)
                problems.append(
                    Finding.at(
                        "draft-no-mailbox",
                        Severity.WARNING,
                        f"no {a.kind} draft for {a.deal}: {why}",
                        _row_ref(pipeline, deal, a, "owner_email"),
                        hint="fix the rep's address, or add the domain to [drafts] mailbox_domains",
                        field="owner_email",
                        value=sender.email,
                        deal=deal.id if deal is not None else None,
                        tab=pipeline.deals_tab,
                        row=a.row,
                    )
                )
            continue
        event = event_of(a)
        done = ledger.find(a.deal_key, a.kind, event) if ledger is not None else None
        if done is not None:
            skip("already-drafted", drafted_detail(done))
            continue
        first = per_deal.get((a.row, a.deal_key))
        if first is not None:
            skip("one-per-deal", f"a {first.kind} email to the same prospect is drafted this run")
            continue
        p = Planned(
            kind=a.kind,
            key=a.deal_key,
            event=event,
            template=TEMPLATE_FOR[a.kind],
            owner=a.owner,
            sender=sender,
            to=tuple(a.contact_email),
            to_name=a.contact_name,
            action=a,
            deal=deal,
        )
        per_deal[(a.row, a.deal_key)] = p
        planned.append(p)
    order = {id(a): i for i, a in enumerate(actions)}
    planned.sort(key=lambda p: order.get(id(p.action), len(order)))
    return planned, skipped, problems


def plan_digests(
    owners: Sequence[str],
    as_of: dt.date,
    settings: DraftSettings,
    directory: Directory,
    told: Collection[str | None] = (),
) -> tuple[list[Planned], list[Skipped], list[Finding]]:
    """One digest per rep with an email address, in the metrics' owner order.

    A rep without an address (or with one outside ``mailbox_domains``) gets
    no digest and a finding, unless one of that rep's deals was already
    reported for it (``told``: owner keys): every rep is told once, not twice.
    """
    if "rep-digest" not in settings.kinds:
        return [], [], []
    wanted = {owner_key(o) for o in settings.owners}
    planned: list[Planned] = []
    skipped: list[Skipped] = []
    problems: list[Finding] = []
    for owner in owners:
        if wanted and owner_key(owner) not in wanted:
            continue
        key = digest_key(owner)
        email = directory.owner_email(owner)
        why = directory.refused(email) if email else f"{owner} has no email"
        if why is not None:
            skipped.append(Skipped("rep-digest", key, owner, owner, "no-owner-email", why))
            if owner_key(owner) not in told:
                problems.append(
                    Finding(
                        "draft-no-mailbox" if email else "draft-no-sender",
                        Severity.WARNING,
                        f"no rep-digest draft for {owner}: {why}",
                        hint="add the rep's address (an owner email column, a Team tab or "
                        "[drafts.mailboxes])"
                        if not email
                        else "fix the rep's address, or add the domain to [drafts] mailbox_domains",
                        field="owner_email",
                        value=email,
                    )
                )
            continue
        planned.append(
            Planned(
                kind="rep-digest",
                key=key,
                event=as_of.isoformat(),
                template=TEMPLATE_FOR["rep-digest"],
                owner=owner,
                sender=Sender(owner, email),
                to=(email,),
                to_name=owner,
            )
        )
    return planned, skipped, problems
