"""The drafts ledger: which draft was made, for what, when and where.

It is what makes "never the same draft twice" true.  A draft is identified
by (deal key, kind, event) where the *event* is what the email is about:

``appointment-reminder``
    the appointment's date and time: move the meeting and a new reminder is
    due; the same meeting gets one reminder, whichever day it is drafted.
``follow-up``
    the missed appointment's date and time, else the day the follow-up fell
    due (last contact + ``follow_up_after_days``): one follow-up per silence.
``trial-offer``
    the day the deal went stale (quiet since + rot days).
``rep-digest``
    the run date: one digest per rep per day (key ``owner:NAME``).

The ledger lives in the pipeline itself as an owned, hidden tab, so a cron
job on another machine sees what was drafted; :func:`ledger_from_grid`
reads it back and :meth:`Ledger.to_outsheet` lays it out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sheetsync.followups import Action
from sheetsync.metrics import owner_key
from sheetsync.model import Grid
from sheetsync.outsheet import OutCell, OutSheet

LEDGER_KIND = "ledger"

LEDGER_HEADER: tuple[str, ...] = (
    "Deal key",
    "Kind",
    "Event",
    "Deal",
    "Owner",
    "To",
    "Subject",
    "Created at",
    "Where",
    "Location",
    "Message-ID",
)

_FIELDS = (
    "key",
    "kind",
    "event",
    "deal",
    "owner",
    "to",
    "subject",
    "created_at",
    "where",
    "location",
    "message_id",
)


def digest_key(owner: str) -> str:
    """The ledger key of a rep's digest (owners match case- and space-insensitively)."""
    return f"owner:{owner_key(owner) or ''}"


def event_of(action: Action) -> str:
    """The event an action's draft is about, as ISO text (see the module notes)."""
    if action.kind in ("appointment-reminder", "follow-up") and action.when is not None:
        return action.when.isoformat(timespec="minutes")
    return action.due.isoformat()


def event_date(event: str) -> dt.date:
    return dt.date.fromisoformat(event[:10])


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One draft made: identity (key, kind, event), what it was, where it went."""

    key: str
    kind: str
    event: str
    deal: str
    owner: str | None
    to: str
    subject: str
    created_at: dt.datetime
    where: str
    location: str
    message_id: str

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.key, self.kind, self.event)


@dataclass(slots=True)
class Ledger:
    """Every draft made so far, oldest first; looked up by (key, kind, event)."""

    entries: list[LedgerEntry] = field(default_factory=list)
    _index: dict[tuple[str, str, str], LedgerEntry] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for e in self.entries:
            self._index.setdefault(e.identity, e)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[LedgerEntry]:
        return iter(self.entries)

    def find(self, key: str, kind: str, event: str) -> LedgerEntry | None:
        return self._index.get((key, kind, event))

    def add(self, entry: LedgerEntry) -> None:
        self.entries.append(entry)
        self._index.setdefault(entry.identity, entry)

    def copy(self) -> Ledger:
        return Ledger(list(self.entries))

    def drafted_at(self, action: Action) -> dt.datetime | None:
        """When the draft for ``action`` was made (None: not drafted), for the Follow-ups tab."""
        entry = self.find(action.deal_key, action.kind, event_of(action))
        return entry.created_at if entry is not None else None

    def to_outsheet(self, name: str) -> OutSheet:
        """The ledger as an owned, hidden tab (kind ``ledger``)."""
        rows: list[list[Any]] = [[OutCell(h, "header") for h in LEDGER_HEADER]]
        for e in self.entries:
            rows.append(
                [
                    e.key,
                    e.kind,
                    e.event,
                    e.deal,
                    e.owner,
                    e.to,
                    e.subject,
                    OutCell(e.created_at.replace(tzinfo=None), "datetime"),
                    e.where,
                    e.location,
                    e.message_id,
                ]
            )
        return OutSheet(
            name=name,
            kind=LEDGER_KIND,
            rows=rows,
            col_widths=[14.0, 20.0, 18.0, 28.0, 18.0, 32.0, 50.0, 17.0, 8.0, 50.0, 50.0],
            freeze_rows=1,
            hidden=True,
        )


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.isoformat(timespec="minutes")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _datetime(v: Any) -> dt.datetime | None:
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, str) and v.strip():
        try:
            return dt.datetime.fromisoformat(v.strip())
        except ValueError:
            return None
    return None


def ledger_from_grid(grid: Grid) -> Ledger:
    """Read a ledger tab back (by header names, so added columns do not break it).

    Rows that cannot be read (no key, kind or event) are left out rather
    than stopping the run: at worst one draft is made again.
    """
    header_row = None
    cols: dict[str, int] = {}
    wanted = {h.casefold(): f for h, f in zip(LEDGER_HEADER, _FIELDS, strict=True)}
    for r in range(1, min(grid.height, 5) + 1):
        found = {}
        for c in range(1, grid.width + 1):
            text = _text(grid.cell(r, c)).casefold()
            if text in wanted and wanted[text] not in found:
                found[wanted[text]] = c
        if {"key", "kind", "event"} <= set(found):
            header_row, cols = r, found
            break
    if header_row is None:
        return Ledger()
    entries = []
    for r in range(header_row + 1, grid.height + 1):
        values = {f: grid.cell(r, c) for f, c in cols.items()}
        key, kind = _text(values.get("key")), _text(values.get("kind"))
        event = _text(values.get("event"))
        if not (key and kind and event):
            continue
        created = _datetime(values.get("created_at")) or dt.datetime(1970, 1, 1)
        entries.append(
            LedgerEntry(
                key=key,
                kind=kind,
                event=event,
                deal=_text(values.get("deal")),
                owner=_text(values.get("owner")) or None,
                to=_text(values.get("to")),
                subject=_text(values.get("subject")),
                created_at=created,
                where=_text(values.get("where")),
                location=_text(values.get("location")),
                message_id=_text(values.get("message_id")),
            )
        )
    return Ledger(entries)


def read_ledger(source: Any, name: str | None = None) -> Ledger:
    """The ledger of a source: its owned tab of kind ``ledger`` (empty when none).

    ``name`` is the configured tab name; an owned ledger tab under another
    name (the configuration was renamed) is found by its kind.
    """
    owned: dict[str, str] = source.owned_tabs()
    tabs: Iterable[str] = [t for t, kind in owned.items() if kind == LEDGER_KIND]
    tabs = sorted(tabs, key=lambda t: t != name)
    for tab in tabs:
        return ledger_from_grid(source.read(tab))
    return Ledger()
