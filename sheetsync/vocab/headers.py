"""Header names per CRM export and per language, field by field.

Each :class:`HeaderSource` (one table of ``headers.toml`` beside this module:
plain data, the citations as comments) maps a canonical field to the headers
that source writes for it, **most specific first** (the order :mod:`sheetsync.columns`
uses to rank synonyms).  Matching is done by ``columns.normalize_header``,
which ignores case, spacing and punctuation (``Deal - Title`` = ``deal
title``), so one spelling per normalized form is enough.

``headers`` holds what a cited source shows; ``unconfirmed`` holds headers
believed to be right but not found in any source consulted (use them only
with that in mind).  What could not be confirmed, source by source:

- **HubSpot**: labels come from a live account's property list and
  HubSpot's help; the association columns ("Associated Company", "Associated
  Contact") only from public code that reads HubSpot exports.  What an
  associated-contact cell holds (a name, or "Name (email)") was not checked.
- **Pipedrive**: no Pipedrive page lists the export columns; they come from
  public code that reads Pipedrive deal exports (several independent ones
  agree on ``Deal - Title``, ``Deal - Value``, ``Deal - Status``, ``Deal -
  Won time`` …) and from Pipedrive's API field names.  Exports in another UI
  language were not found (Pipedrive calls deals "Tratos" in Spanish and
  "Negócios" in Portuguese, so their prefix is probably localized).
- **Salesforce**: labels are the field labels of the Opportunity object;
  a report column may be prefixed by its object in some report types
  (``Opportunity: Amount``) — not checked.  "Amount Currency" (the column a
  multi-currency export adds) was not found in a source.
- **Zoho CRM**: standard fields from Zoho's help; "Reason For Loss",
  "Currency" and "Email Opt Out" not confirmed for deal exports.
- **Dynamics 365**: display names from Microsoft's entity reference; a view
  export may rename columns.  German, French … display names not found.
- **monday.com**: no source for the Deals board template was found; every
  header there is unconfirmed.
- **Languages** (de, fr, es, pt, th): the words teams write, from knowledge
  of each language; localized CRM labels found in help pages are cited next
  to the list.  ``en`` adds English names for the four new fields only
  (the rest is ``columns.SYNONYMS``).

Thai note: ``columns.normalize_header`` drops Thai vowel and tone marks
(they are Unicode category Mn, which ``\\W`` matches), so ``มูลค่า``
normalizes to ``มลคา``.  Matching still works (both sides lose the same
marks) but two words that differ only in marks would collide; the tests
check that none of these lists do.

:data:`CONFLICTS` lists headers that mean different fields in different
sources, each with how a column's values tell them apart.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

from ..model import FIELDS
from . import CRM_SOURCES, LANGUAGE_SOURCES

#: The fields this vocabulary knows: the model's, plus the four the outcome
#: work adds (``status`` won/lost/open, the dates won and lost, and a
#: per-deal currency).
NEW_FIELDS: tuple[str, ...] = ("status", "won_time", "lost_time", "currency")
#: The drafts' per-deal fields (where to meet, how to greet, which language).
DRAFT_FIELDS: tuple[str, ...] = ("meeting_place", "salutation", "language")
CANONICAL_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(FIELDS + NEW_FIELDS))


@dataclass(frozen=True, slots=True)
class HeaderSource:
    """One source's headers: field → headers, most specific first."""

    key: str
    label: str
    kind: str  # "crm" or "language"
    citations: tuple[str, ...]
    headers: Mapping[str, tuple[str, ...]]
    unconfirmed: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()

    def for_field(self, name: str, *, include_unconfirmed: bool = False) -> tuple[str, ...]:
        """Headers for one field (confirmed first)."""
        got = self.headers.get(name, ())
        if include_unconfirmed:
            got = got + self.unconfirmed.get(name, ())
        return got


def _ro(d: dict[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(d)


# --------------------------------------------------------------------------- sources


def _source(key: str, table: dict[str, Any]) -> HeaderSource:
    return HeaderSource(
        key=key,
        label=table["label"],
        kind=table["kind"],
        citations=tuple(table["citations"]),
        headers=_ro({name: tuple(hs) for name, hs in table["headers"].items()}),
        unconfirmed=_ro({name: tuple(hs) for name, hs in table.get("unconfirmed", {}).items()}),
        notes=tuple(table.get("notes", ())),
    )


def _load() -> dict[str, HeaderSource]:
    """The sources of ``headers.toml`` (beside this module): one table each."""
    text = resources.files(__package__).joinpath("headers.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    if tuple(data) != CRM_SOURCES + LANGUAGE_SOURCES:
        raise ValueError(f"headers.toml holds {tuple(data)}, not {CRM_SOURCES + LANGUAGE_SOURCES}")
    return {key: _source(key, table) for key, table in data.items()}


#: Every source, CRM exports first, then languages.
HEADER_SOURCES: dict[str, HeaderSource] = _load()
HUBSPOT, PIPEDRIVE, SALESFORCE, ZOHO, DYNAMICS365, MONDAY = (
    HEADER_SOURCES[key] for key in CRM_SOURCES
)
EN, DE, FR, ES, PT, TH = (HEADER_SOURCES[key] for key in LANGUAGE_SOURCES)


#: Headers that together identify an export (a header row holding all of a
#: source's signature is that CRM's export, so its own ranks apply: ranks of
#: different sources are not comparable).  Pipedrive prefixes every deal
#: column with ``Deal - ``.
SIGNATURE_HEADERS: dict[str, tuple[str, ...]] = {
    "hubspot": ("Record ID", "Deal Name", "Deal Stage", "Deal owner"),
    "pipedrive": ("Deal - Title", "Deal - Stage", "Deal - Owner"),
    "salesforce": ("Opportunity Name", "Opportunity Owner", "Probability (%)"),
    "zoho": ("Deal Name", "Deal Owner", "Closing Date"),
    "dynamics365": ("Topic", "Potential Customer", "Est. Revenue"),
}


# --------------------------------------------------------------------------- booleans


@dataclass(frozen=True, slots=True)
class BooleanStatus:
    """A status column holding TRUE/FALSE: what each value says.

    Meanings: ``won``, ``lost``, ``open``, ``closed`` (won or lost),
    ``not won`` (open or lost), ``not lost`` (open or won).  Two columns
    together decide: Won=TRUE → won; Won=FALSE and Closed=TRUE → lost;
    Closed=FALSE → open.
    """

    header: str
    source: str
    if_true: str
    if_false: str
    citation: str


BOOLEAN_STATUS_HEADERS: tuple[BooleanStatus, ...] = (
    # Salesforce OpportunityStage/Opportunity: IsWon label "Won", IsClosed label "Closed".
    BooleanStatus("Won", "salesforce", "won", "not won", SALESFORCE.citations[2]),
    BooleanStatus("Closed", "salesforce", "closed", "open", SALESFORCE.citations[2]),
    # HubSpot hs_is_closed_won "Is Closed Won", hs_is_closed_lost "Is closed
    # lost", hs_is_closed "Is Deal Closed?".
    BooleanStatus("Is Closed Won", "hubspot", "won", "not won", HUBSPOT.citations[0]),
    BooleanStatus("Is closed lost", "hubspot", "lost", "not lost", HUBSPOT.citations[0]),
    BooleanStatus("Is Deal Closed?", "hubspot", "closed", "open", HUBSPOT.citations[0]),
    BooleanStatus("Is Won", "en", "won", "not won", "common English, no source"),
    BooleanStatus("Is Closed", "en", "closed", "open", "common English, no source"),
    BooleanStatus("Closed Won?", "en", "won", "not won", "common English, no source"),
)

BOOLEAN_MEANINGS: tuple[str, ...] = ("won", "lost", "open", "closed", "not won", "not lost")

#: Headers whose YES means "may be emailed" (the opposite polarity of
#: ``do_not_email``).  They are deliberately *not* mapped: reading one as a
#: do-not-email column would block everyone who agreed and email everyone who
#: refused.  A column with one of these headers should be a finding that
#: names the ``[columns]`` setting, or be read with its polarity flipped.
OPT_IN_HEADERS: dict[str, tuple[str, ...]] = {
    # Dynamics shows the "allow" form only as values (Allow / Do Not Allow).
    "en": (
        "Email Opt In",
        "Email Opt-In",
        "Allow Email",
        "Allow Emails",
        "Marketing Consent",
        "Subscribed",
    ),
    "de": (
        "E-Mail erlaubt",
        "Einwilligung",
        "Werbeeinwilligung",
        "Newsletter-Einwilligung",
        "Opt-In",
    ),
    "fr": ("E-mail autorisé", "Consentement", "Accepte les e-mails", "Opt-in"),
    "es": ("Acepta correos", "Consentimiento", "Permite correos"),
    "pt": ("Aceita e-mail", "Consentimento", "Permite e-mail"),
    "th": ("ยินยอมรับอีเมล", "รับอีเมล", "ยินยอม"),
}


# --------------------------------------------------------------------------- conflicts


@dataclass(frozen=True, slots=True)
class Conflict:
    """A header (normalized as ``columns.normalize_header`` does) that means
    different fields in different sources, and how the column's values tell
    which one it is here."""

    header: str
    fields: tuple[str, ...]
    seen_in: tuple[str, ...]
    how_to_tell: str


CONFLICTS: tuple[Conflict, ...] = (
    Conflict(
        "Status",
        ("stage", "status"),
        (
            "columns.SYNONYMS (stage)",
            "pipedrive Deal - Status",
            "dynamics365 Status",
            "hand-made sheets",
        ),
        "If every non-blank value is an outcome word (won / lost / open in any language, "
        "words.OUTCOME_WORDS) the column is status; if the values are stage names (or more "
        "than three distinct values) it is stage.  When another column is already the stage, "
        "Status is status.  Dynamics: Status is always status (Open/Won/Lost).",
    ),
    Conflict(
        "Statut",
        ("stage", "status"),
        ("fr hand-made sheets",),
        "As 'Status': outcome words (Gagné/Perdu/En cours) → status; stage names → stage.",
    ),
    Conflict(
        "Estado",
        ("stage", "status"),
        ("es hand-made sheets", "Pipedrive es UI (unconfirmed)"),
        "As 'Status': Ganado/Perdido/Abierto → status; stage names → stage.",
    ),
    Conflict(
        "Situação",
        ("stage", "status"),
        ("pt hand-made sheets",),
        "As 'Status': Ganho/Perdido/Em andamento → status; stage names → stage.",
    ),
    Conflict(
        "สถานะ",
        ("stage", "status"),
        ("th hand-made sheets", "prosoftcrm.com: 'สถานะของโอกาสการขาย (Opportunity Stage)'"),
        "As 'Status': ชนะ/แพ้/ปิดการขายได้ → status; stage names (นัดหมาย, เสนอราคา …) → stage.",
    ),
    Conflict(
        "Name",
        ("deal", "contact_name", "owner"),
        ("columns.SYNONYMS (deal)", "monday item name", "hand-made sheets"),
        "If another column is already the deal, Name is the contact.  Person-like values "
        "(two or three capitalized words, no digits, often repeating across rows for the "
        "same company) → contact_name; titles with products, numbers or dashes → deal.  "
        "Values matching the names in the Quotas tab → owner.",
    ),
    Conflict(
        "Owner",
        ("owner",),
        ("dynamics365 Owner", "Salesforce Account Owner", "HubSpot Contact owner / Company owner"),
        "Same field, different object: prefer the deal's owner header (Opportunity Owner, "
        "Deal owner) and leave Account Owner / Contact owner / Company owner unmapped.  A bare "
        "Owner is the deal owner unless a more specific owner column exists.",
    ),
    Conflict(
        "Contact",
        ("contact_name", "contact_email", "last_contact"),
        ("columns.SYNONYMS (contact_name)", "dynamics365 Contact", "hand-made sheets"),
        "By values: e-mail addresses → contact_email; dates → last_contact; names → contact_name.",
    ),
    Conflict(
        "Value",
        ("amount", "probability"),
        ("columns.SYNONYMS (amount)", "monday Deal Value / Forecast Value"),
        "Money (currency symbols or codes, values mostly above 100) → amount; values all in "
        "0..1 or 0..100 with a '%' → probability.  Weighted amounts (Forecast Value, "
        "Weighted amount, Expected Revenue) are neither and stay unmapped.",
    ),
    Conflict(
        "Wert",
        ("amount", "probability"),
        ("de hand-made sheets",),
        "As 'Value': money → amount; percentages → probability.",
    ),
    Conflict(
        "Closed",
        ("status", "close_date"),
        ("salesforce Closed (IsClosed, boolean)", "hand-made sheets (a date)"),
        "TRUE/FALSE or yes/no values → status boolean (closed, not won/lost by itself); "
        "dates → close_date.",
    ),
    Conflict(
        "Won",
        ("status", "won_time"),
        ("salesforce Won (IsWon, boolean)", "hand-made sheets (a date)"),
        "TRUE/FALSE or yes/no values → status boolean; dates → won_time; money → no field "
        "(a won amount is the amount of a won deal).",
    ),
    Conflict(
        "Close Date",
        ("close_date", "won_time", "lost_time"),
        ("hubspot Close Date", "salesforce Close Date", "pipedrive Deal - Closed on"),
        "For open deals it is the expected close date; for won or lost deals HubSpot and "
        "Salesforce hold the actual date there, so with a status column a closed deal's close "
        "date is its won or lost time (unless a won_time/lost_time column exists).",
    ),
    Conflict(
        "Actual Close Date",
        ("won_time", "lost_time"),
        ("dynamics365 Actual Close Date",),
        "The date the deal was closed: won_time when Status is Won, lost_time when Lost; "
        "blank for open deals.",
    ),
    Conflict(
        "Next Step",
        ("notes", "next_appointment"),
        (
            "columns.SYNONYMS (notes)",
            "salesforce / hubspot / zoho Next Step (text)",
            "hand-made sheets",
        ),
        "Text (what to do next) → notes; dates (when the next step is due) → next_appointment.",
    ),
    Conflict(
        "Last Activity",
        ("last_contact", "notes"),
        (
            "columns.SYNONYMS (last_contact)",
            "salesforce Last Activity (date)",
            "hubspot Last Activity (a reference, not a date)",
        ),
        "Dates → last_contact; anything else (HubSpot writes an activity reference) → unmapped.",
    ),
    Conflict(
        "Email",
        ("contact_email", "owner_email"),
        ("columns.SYNONYMS (contact_email)", "hand-made sheets"),
        "Addresses that repeat for every row of one owner and share the team's domain → "
        "owner_email; otherwise contact_email.",
    ),
    Conflict(
        "Reason",
        ("lost_reason", "status"),
        ("hubspot Closed Won Reason / Closed Lost Reason", "dynamics365 Status Reason"),
        "Status Reason (Dynamics) holds In Progress / On Hold / Won / Canceled / Out-Sold → "
        "status; a reason filled only on lost deals → lost_reason; Closed Won Reason → unmapped.",
    ),
    Conflict(
        "Decision Maker?",
        ("decision_maker",),
        ("dynamics365 Decision Maker? (process checkbox)",),
        "Dynamics writes 'completed' / 'mark complete' instead of yes / no: completed = yes.",
    ),
    Conflict(
        "Probability",
        ("probability",),
        (
            "hubspot Deal probability (0..1)",
            "dynamics365 Probability (0..100)",
            "salesforce Probability (%)",
        ),
        "Same field, different scales: a column with any value above 1 is in percent "
        "(issue 9 item 7); HubSpot writes fractions.",
    ),
)


# --------------------------------------------------------------------------- accessors


def source(key: str) -> HeaderSource:
    """One source by key (``KeyError`` names the known keys)."""
    try:
        return HEADER_SOURCES[key]
    except KeyError:
        raise KeyError(
            f"unknown header source {key!r}; known: {', '.join(HEADER_SOURCES)}"
        ) from None


def iter_headers(*, include_unconfirmed: bool = False) -> Iterator[tuple[str, str, int, str, bool]]:
    """Every (source, field, rank, header, confirmed), rank 0 = most specific."""
    for s in HEADER_SOURCES.values():
        for f, hs in s.headers.items():
            for rank, h in enumerate(hs):
                yield s.key, f, rank, h, True
        if include_unconfirmed:
            for f, hs in s.unconfirmed.items():
                base = len(s.headers.get(f, ()))
                for rank, h in enumerate(hs, start=base):
                    yield s.key, f, rank, h, False


def conflict(header: str, normalize: Callable[[str], str]) -> Conflict | None:
    """The conflict entry for ``header``, spellings compared with
    ``normalize`` (pass ``columns.normalize_header``; this module does not
    import the reading code)."""
    key = normalize(header)
    for c in CONFLICTS:
        if normalize(c.header) == key:
            return c
    return None


# --------------------------------------------------------------------------- the Quotas tab

#: Headers of a Quotas tab (one row per rep and period) in each language, for
#: the two fields only that tab has: the quota itself and its period.  The
#: rep column uses each language's ``owner`` headers above and the email
#: column its ``owner_email`` ones, so one vocabulary names a rep everywhere.
#: The words are the ones sales teams write for a sales target (German
#: "Soll", "Quote", "Umsatzziel"; French "Objectif"; Spanish "Cuota",
#: "Meta"; Portuguese "Meta", "Cota"; Thai "เป้า", "เป้าหมาย", "เป้ายอดขาย"),
#: from knowledge of each language: no CRM page lists a quota export's
#: localized headers (HubSpot's "Ziele"/"Objectifs" pages name the feature,
#: not columns).  Most specific first, as everywhere in this module.
QUOTA_HEADERS: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "de": _ro(
            {
                "quota": ("Umsatzziel", "Vertriebsziel", "Zielvorgabe", "Quote", "Soll", "Ziel"),
                "period": ("Zeitraum", "Periode", "Quartal", "Monat", "Jahr"),
            }
        ),
        "fr": _ro(
            {
                "quota": ("Objectif de vente", "Objectif CA", "Objectif", "Quota"),
                "period": ("Période", "Trimestre", "Mois", "Année"),
            }
        ),
        "es": _ro(
            {
                "quota": ("Cuota de ventas", "Meta de ventas", "Cuota", "Meta", "Objetivo"),
                "period": ("Período", "Periodo", "Trimestre", "Mes", "Año"),
            }
        ),
        "pt": _ro(
            {
                "quota": ("Meta de vendas", "Cota de vendas", "Meta", "Cota", "Objetivo"),
                "period": ("Período", "Trimestre", "Mês", "Ano"),
            }
        ),
        "th": _ro(
            {
                "quota": ("เป้ายอดขาย", "ยอดเป้าหมาย", "เป้าหมาย", "เป้า"),
                "period": ("ช่วงเวลา", "งวด", "ไตรมาส", "เดือน", "ปี"),
            }
        ),
    }
)


#: What teams call the Quotas tab in the five languages (the tab's name, not a
#: header); used only when ``[source] quotas_tab`` is left at ``Quotas`` and no
#: tab has that name, and only for a tab whose header row names a rep and a
#: quota (so a deals tab called "Ziele" is never taken for it).
QUOTA_TAB_NAMES: tuple[str, ...] = (
    "Quoten",
    "Vertriebsziele",
    "Umsatzziele",
    "Ziele",
    "Objectifs",
    "Cuotas",
    "Metas",
    "Objetivos",
    "Cotas",
    "เป้าหมาย",
    "เป้ายอดขาย",
    "เป้า",
)


def quota_headers(field: str) -> Iterator[str]:
    """Every language's Quotas-tab headers for ``field`` (``owner``, ``email``,
    ``period``, ``quota``), languages in :data:`HEADER_SOURCES` order."""
    for key, tab in QUOTA_HEADERS.items():
        if field in ("owner", "email"):
            yield from HEADER_SOURCES[key].for_field("owner" if field == "owner" else "owner_email")
        else:
            yield from tab.get(field, ())
