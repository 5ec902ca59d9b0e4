"""Map a tab's header row to canonical fields.

Teams name their columns their own way ("Deal Stage", "Est. Budget", "Sales
Rep").  A header maps to a field by the configuration first, then by the
built-in synonyms below.  Matching ignores case, spacing and punctuation, so
``Est. Budget``, ``EST_BUDGET`` and ``est budget`` are one header.  The
synonym table is printed in the README; keep both in step
(``tests/test_docs.py`` checks).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import FIELDS, REQUIRED_FIELDS

#: Built-in header synonyms per canonical field, written as people write them.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": (
        "ID",
        "Deal ID",
        "Opportunity ID",
        "Opp ID",
        "Record ID",
        "Deal #",
        "Deal No",
        "Ref",
        "Reference",
    ),
    "deal": (
        "Deal",
        "Deal Name",
        "Opportunity",
        "Opportunity Name",
        "Deal Title",
        "Title",
        "Name",
        "Project",
    ),
    "company": (
        "Company",
        "Company Name",
        "Account",
        "Account Name",
        "Organization",
        "Organisation",
        "Customer",
        "Client",
    ),
    "contact_name": (
        "Contact",
        "Contact Name",
        "Contact Person",
        "Primary Contact",
        "Prospect Name",
    ),
    "contact_email": (
        "Contact Email",
        "Email",
        "E-mail",
        "Email Address",
        "Contact E-mail",
        "Prospect Email",
    ),
    "decision_maker": (
        "Decision Maker",
        "Decision Maker?",
        "DM",
        "DM Confirmed",
        "Decision Maker Confirmed",
        "Is Decision Maker",
    ),
    "owner": (
        "Owner",
        "Deal Owner",
        "Sales Rep",
        "Rep",
        "Salesperson",
        "Sales Person",
        "Sales Agent",
        "Agent",
        "Account Executive",
        "AE",
        "Assigned To",
        "Seller",
    ),
    "owner_email": ("Owner Email", "Rep Email", "Sales Rep Email", "Agent Email", "Seller Email"),
    "stage": (
        "Stage",
        "Deal Stage",
        "Pipeline Stage",
        "Sales Stage",
        "Opportunity Stage",
        "Status",
        "Phase",
    ),
    "amount": (
        "Amount",
        "Value",
        "Deal Value",
        "Deal Size",
        "Deal Amount",
        "Budget",
        "Est. Budget",
        "Estimated Budget",
        "Close Value",
        "Contract Value",
        "Revenue",
        "ACV",
    ),
    "probability": (
        "Probability",
        "Prob",
        "Probability %",
        "Win Probability",
        "Chance",
        "Likelihood",
        "Confidence",
    ),
    "created": (
        "Created",
        "Created Date",
        "Created On",
        "Date Created",
        "Opened",
        "Open Date",
        "Engage Date",
        "Start Date",
        "Lead Date",
    ),
    "close_date": (
        "Close Date",
        "Expected Close",
        "Expected Close Date",
        "Est. Close",
        "Closing Date",
        "Closed On",
        "Closed Date",
        "Target Close",
        "Decision Date",
    ),
    "next_appointment": (
        "Next Appointment",
        "Next Meeting",
        "Appointment",
        "Meeting",
        "Next Call",
        "Next Activity",
        "Next Follow-up",
        "Follow-up Date",
        "Next Contact",
    ),
    "last_contact": (
        "Last Contact",
        "Last Contact Date",
        "Last Contacted",
        "Last Touch",
        "Last Activity",
        "Last Activity Date",
    ),
    "trial": ("Trial", "Trial Offered", "Demo Offered", "Trial/Demo", "Free Trial"),
    "lost_reason": ("Lost Reason", "Reason Lost", "Loss Reason", "Why Lost"),
    "lost_stage": ("Lost At Stage", "Lost At", "Stage Lost", "Last Stage"),
    "do_not_email": (
        "Do Not Email",
        "Don't Email",
        "No Email",
        "Opt Out",
        "Email Opt Out",
        "Unsubscribed",
    ),
    "notes": ("Notes", "Note", "Comments", "Comment", "Remarks", "Next Step", "Next Steps"),
}

#: How many rows from the top to search for the header row.
HEADER_SCAN_ROWS = 30


def normalize_header(text: Any) -> str:
    """``Est. Budget`` → ``estbudget``; ``Deal #`` → ``dealnumber``."""
    s = str(text).casefold().replace("#", "number").replace("%", "percent")
    return re.sub(r"[\W_]+", "", s)


#: normalised header → (field, rank); a lower rank is a more specific name.
_SYNONYM_INDEX: dict[str, tuple[str, int]] = {}
for _f, _headers in SYNONYMS.items():
    for _rank, _h in enumerate(_headers):
        _SYNONYM_INDEX.setdefault(normalize_header(_h), (_f, _rank))
# A field's own name (contact_email) always maps too.
for _f in FIELDS:
    _SYNONYM_INDEX.setdefault(normalize_header(_f), (_f, 0))


@dataclass(slots=True)
class HeaderMap:
    """Where each canonical field sits in a tab.

    ``fields`` maps a field to its 1-based column; ``duplicates`` lists
    ``(field, column, first_column)`` for a second header claiming a field;
    ``unmapped`` keeps the other headers (column → text) for messages.
    """

    row: int
    fields: dict[str, int] = field(default_factory=dict)
    headers: dict[int, str] = field(default_factory=dict)
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    unmapped: dict[int, str] = field(default_factory=dict)

    def missing(self, required: Sequence[str] = REQUIRED_FIELDS) -> list[str]:
        return [f for f in required if f not in self.fields]


def map_headers(
    row_values: Sequence[Any],
    row_number: int,
    configured: Mapping[str, str] | None = None,
    synonyms: Mapping[str, tuple[str, int]] | None = None,
) -> HeaderMap:
    """Map one row of header cells to fields.

    ``configured`` (field → header text) wins over the synonyms; a configured
    field is never guessed from a synonym elsewhere in the row, so an explicit
    mapping cannot be overridden by accident.  ``synonyms`` defaults to the
    built-in table (normalised header → (field, rank)).

    When two headers claim one field, the more specific synonym wins ("Deal
    Stage" over "Status") and the other is left unmapped; the *same* header
    twice is ambiguous and recorded in ``duplicates``.
    """
    index = _SYNONYM_INDEX if synonyms is None else synonyms
    wanted = {normalize_header(h): f for f, h in (configured or {}).items()}
    configured_fields = set(wanted.values())
    hm = HeaderMap(row=row_number)
    ranks: dict[str, int] = {}
    for c, raw in enumerate(row_values, start=1):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        text = str(raw).strip()
        hm.headers[c] = text
        key = normalize_header(text)
        f = wanted.get(key)
        rank = -1
        if f is None:
            f, rank = index.get(key, (None, 0))
            if f in configured_fields:
                f = None
        if f is None:
            hm.unmapped[c] = text
            continue
        if f in hm.fields:
            if rank == ranks[f]:
                hm.duplicates.append((f, c, hm.fields[f]))
                continue
            if rank > ranks[f]:
                hm.unmapped[c] = text
                continue
            hm.unmapped[hm.fields[f]] = hm.headers[hm.fields[f]]
        hm.fields[f] = c
        ranks[f] = rank
    return hm


def find_header_row(
    rows: Sequence[Sequence[Any]],
    configured: Mapping[str, str] | None = None,
    required: Sequence[str] = REQUIRED_FIELDS,
    header_row: int | None = None,
) -> HeaderMap | None:
    """The header row of a tab: the first row (within the top 30) that maps
    every required field, preferring the one that maps the most fields.

    Title rows above the header ("Q4 pipeline — updated daily") are skipped
    because they map nothing.  ``header_row`` (1-based) forces a row.
    """
    if header_row is not None:
        if header_row > len(rows):
            return None
        hm = map_headers(rows[header_row - 1], header_row, configured)
        return hm if not hm.missing(required) else None
    best: HeaderMap | None = None
    for i, values in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        hm = map_headers(values, i, configured)
        if hm.missing(required):
            continue
        if best is None or len(hm.fields) > len(best.fields):
            best = hm
    return best


def synonyms_markdown() -> str:
    """The synonym table as Markdown (the README embeds this)."""
    lines = ["| field | headers recognised |", "|---|---|"]
    for f in FIELDS:
        lines.append(f"| `{f}` | " + ", ".join(SYNONYMS.get(f, ())) + " |")
    return "\n".join(lines)
