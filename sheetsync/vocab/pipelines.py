"""Default pipelines of the CRMs whose exports teams paste into a sheet.

A deals tab exported from a CRM keeps that CRM's stage names (or, from an
API dump, its internal stage ids such as HubSpot's ``closedwon``).  Knowing
the default lists lets sheetsync put the stages in pipeline order, give them
their default probabilities and outcomes, and say "this is HubSpot's default
sales pipeline" instead of asking the team to type a ``[[stages]]`` block.

Every :class:`CrmPipeline` (one table of ``pipelines.toml`` beside this
module: plain data, the citations as comments) cites its source.  What could
not be confirmed:

- **HubSpot**: the seven stages, their probabilities and internal ids are
  confirmed; of the localized labels only the German and French ones there
  were found (HubSpot's machine-translated help pages and public code that
  maps German labels to the ids).  Spanish and Portuguese labels for the
  open stages were not found.  A UI export writes the label; an API or
  integration dump writes the internal id, so both are aliases.
- **Pipedrive**: the five stage names are confirmed by two independent
  public sources (one writes "Meeting Scheduled" for "Demo Scheduled", kept
  as an alias); Pipedrive sets every stage's probability to 100 % until an
  admin changes it (support.pipedrive.com), which is a display default and
  not a forecast, so the probabilities are ``None``.  The default
  pipeline's own name and the localized stage names were not found.
  Pipedrive has no won/lost *stages*: the outcome lives in the
  ``Deal - Status`` column (open / won / lost, also "deleted").
- **Salesforce**: names and probabilities of the standard ``StageName``
  picklist are confirmed; ``shared/specs/pipeline-metrics.md`` lists
  "SuiteCRM / Salesforce classic" with SuiteCRM's probabilities (20, 25,
  30, 40, 50, 65, 80), which are not Salesforce's.  Localized stage labels
  were not found.
- **Zoho CRM**: names and probabilities confirmed by several public code
  bases agreeing with Zoho's help pages; one Zoho partner page also lists a
  "Perception Analysis" stage that no other source has, so it is left out.
- **Dynamics 365 Sales**: the Sales Stage option set (Qualify, Develop,
  Propose, Close) and the Status / Status Reason options are confirmed from
  Microsoft's entity reference.  Dynamics has no stage probabilities (the
  Probability column is typed per opportunity) and the outcome is the Status
  column, never the stage: "Close" is an *open* stage.  The text the
  "Pipeline Phase" column holds for the default process (often seen as
  "3-Propose") was not confirmed and is not an alias here.
- **monday.com sales CRM**: no public description of the default Deals
  board stages was found; there is no monday pipeline rather than an
  invented one.

:data:`LOCALIZED_STAGES` lists stage names sales teams commonly write in
German, French, Spanish, Portuguese and Thai.  They are ordinary words of
each language, not any CRM's default list; where a localized CRM page or
help text uses the word, it is cited beside the list.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ..model import Outcome
from .words import normalize_word

#: Stage kinds (``sheetsync.config.STAGE_KINDS`` is this list).
KINDS: tuple[str, ...] = (
    "prospecting",
    "qualification",
    "appointment",
    "presentation",
    "proposal",
    "negotiation",
)


@dataclass(frozen=True, slots=True)
class CrmStage:
    """One default stage: its label, other spellings (internal ids, localized
    labels), default probability in [0, 1] (``None`` when the CRM has none),
    outcome and kind (``None`` when no kind fits)."""

    name: str
    aliases: tuple[str, ...] = ()
    probability: float | None = None
    outcome: Outcome = Outcome.OPEN
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class CrmPipeline:
    """A CRM's default pipeline, stages in pipeline order.

    ``outcome_column`` names the export column that carries won/lost when the
    stages do not (Pipedrive, Dynamics); then no stage is won or lost.
    """

    crm: str
    name: str
    citation: tuple[str, ...]
    stages: tuple[CrmStage, ...]
    outcome_column: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def outcome_in_stage(self) -> bool:
        """True when the stage list itself holds the won and lost stages."""
        return self.outcome_column is None

    def stage(self, name: str) -> CrmStage | None:
        """The stage called ``name`` or one of its aliases (case, spacing and
        dashes ignored)."""
        key = normalize_stage(name)
        for s in self.stages:
            if key in (normalize_stage(n) for n in (s.name, *s.aliases)):
                return s
        return None


#: Stage names compare like words: case, spacing, hyphens and dashes ignored.
normalize_stage = normalize_word


WON, LOST, OPEN = Outcome.WON, Outcome.LOST, Outcome.OPEN

# --------------------------------------------------------------------------- the CRMs


def _stage(table: dict[str, Any]) -> CrmStage:
    return CrmStage(
        table["name"],
        tuple(table.get("aliases", ())),
        table.get("probability"),
        Outcome(table["outcome"]),
        table.get("kind"),
    )


def _load() -> dict[str, tuple[CrmPipeline, ...]]:
    """The pipelines of ``pipelines.toml`` (beside this module): one table per CRM."""
    text = resources.files(__package__).joinpath("pipelines.toml").read_text(encoding="utf-8")
    return {
        crm: (
            CrmPipeline(
                crm=crm,
                name=t["name"],
                citation=tuple(t["citation"]),
                stages=tuple(_stage(s) for s in t["stages"]),
                outcome_column=t.get("outcome_column"),
                notes=tuple(t.get("notes", ())),
            ),
        )
        for crm, t in tomllib.loads(text).items()
    }


#: Every default pipeline, by CRM key (one list each today; "monday": no
#: confirmed default list, see the module docstring).
PIPELINES: dict[str, tuple[CrmPipeline, ...]] = _load()
((HUBSPOT,), (PIPEDRIVE,), (SALESFORCE,), (ZOHO,), (DYNAMICS365,)) = PIPELINES.values()


#: CRM outcome columns: value (as written in exports) → outcome.
STATUS_VALUES: dict[str, dict[str, Outcome]] = {
    # Pipedrive Deal - Status; "deleted" deals are neither and are listed
    # in the en ambiguous words instead.
    "pipedrive": {"Open": OPEN, "Won": WON, "Lost": LOST},
    # Dynamics Status (statecode) and Status Reason (statuscode).
    "dynamics365": {
        "Open": OPEN,
        "Won": WON,
        "Lost": LOST,
        "In Progress": OPEN,
        "On Hold": OPEN,
        "Canceled": LOST,
        "Out-Sold": LOST,
    },
}


@dataclass(frozen=True, slots=True)
class LocalStage:
    """A stage name teams write in a language: its outcome and kind."""

    name: str
    outcome: Outcome = Outcome.OPEN
    kind: str | None = None


def _st(outcome: Outcome, kind: str | None, *names: str) -> tuple[LocalStage, ...]:
    return tuple(LocalStage(n, outcome, kind) for n in names)


#: Common stage names per language, roughly in pipeline order.  Ordinary
#: words of each language, not a CRM's default list (see module docstring).
LOCALIZED_STAGES: dict[str, tuple[LocalStage, ...]] = {
    "de": (
        *_st(OPEN, "prospecting", "Lead", "Neu", "Erstkontakt", "Kaltakquise"),
        *_st(OPEN, "qualification", "Qualifiziert", "Qualifizierung"),
        *_st(OPEN, "appointment", "Termin", "Termin vereinbart", "Ersttermin"),
        *_st(OPEN, "presentation", "Präsentation", "Demo"),
        *_st(OPEN, "proposal", "Angebot", "Angebot erstellt", "Angebot versendet"),
        *_st(OPEN, "negotiation", "Verhandlung", "In Verhandlung"),
        # "Gewonnen"/"Verloren": HubSpot de "Abgeschlossen und gewonnen/verloren".
        *_st(WON, None, "Gewonnen", "Auftrag", "Auftrag erhalten", "Abgeschlossen und gewonnen"),
        *_st(LOST, None, "Verloren", "Abgesagt", "Abgeschlossen und verloren"),
    ),
    "fr": (
        *_st(OPEN, "prospecting", "Prospect", "Prospection", "Nouveau"),
        *_st(OPEN, "qualification", "Qualification", "Qualifié"),
        *_st(OPEN, "appointment", "Rendez-vous", "RDV", "Rendez-vous pris"),
        *_st(OPEN, "presentation", "Présentation", "Démo", "Démonstration"),
        *_st(OPEN, "proposal", "Proposition", "Devis", "Devis envoyé", "Offre"),
        *_st(OPEN, "negotiation", "Négociation"),
        # HubSpot fr help: "Fermé gagné", "Fermé perdu".
        *_st(WON, None, "Gagné", "Gagnée", "Signé", "Fermé gagné"),
        *_st(LOST, None, "Perdu", "Perdue", "Fermé perdu"),
    ),
    "es": (
        *_st(OPEN, "prospecting", "Prospecto", "Prospección", "Nuevo"),
        *_st(OPEN, "qualification", "Calificado", "Cualificado", "Calificación"),
        *_st(OPEN, "appointment", "Cita", "Reunión", "Cita agendada"),
        *_st(OPEN, "presentation", "Presentación", "Demostración"),
        *_st(OPEN, "proposal", "Propuesta", "Cotización", "Presupuesto", "Propuesta enviada"),
        *_st(OPEN, "negotiation", "Negociación"),
        # HubSpot es help: "Cierre ganado", "Cierre perdido"; also "Cerrado ganado".
        *_st(WON, None, "Ganado", "Ganada", "Cierre ganado", "Cerrado ganado"),
        *_st(LOST, None, "Perdido", "Perdida", "Cierre perdido", "Cerrado perdido"),
    ),
    "pt": (
        *_st(OPEN, "prospecting", "Prospecção", "Prospeção", "Novo"),
        *_st(OPEN, "qualification", "Qualificado", "Qualificação"),
        *_st(OPEN, "appointment", "Reunião", "Reunião agendada", "Visita"),
        *_st(OPEN, "presentation", "Apresentação", "Demonstração"),
        *_st(OPEN, "proposal", "Proposta", "Orçamento", "Proposta enviada"),
        *_st(OPEN, "negotiation", "Negociação", "Em negociação"),
        *_st(WON, None, "Ganho", "Ganha", "Fechado ganho", "Vendido"),
        *_st(LOST, None, "Perdido", "Perdida", "Fechado perdido"),
    ),
    "th": (
        *_st(OPEN, "prospecting", "ลูกค้าใหม่", "ลีด", "ลูกค้าเป้าหมาย"),
        *_st(OPEN, "qualification", "คัดกรองแล้ว", "ผ่านการคัดกรอง"),
        *_st(OPEN, "appointment", "นัดหมาย", "นัดพบ", "นัดหมายแล้ว"),
        *_st(OPEN, "presentation", "นำเสนอ", "นำเสนอสินค้า", "เดโม"),
        *_st(OPEN, "proposal", "เสนอราคา", "ส่งใบเสนอราคา"),
        *_st(OPEN, "negotiation", "เจรจาต่อรอง", "ต่อรองราคา"),
        # prosoftcrm.in.th / crmtothai.com: "ปิดการขายได้ (Close Won)",
        # "ปิดการขายไม่ได้ (Close Lost)".
        *_st(WON, None, "ปิดการขายได้", "ชนะ"),
        *_st(LOST, None, "ปิดการขายไม่ได้", "แพ้"),
    ),
}

LOCALIZED_STAGE_CITATIONS: dict[str, tuple[str, ...]] = {
    "de": (
        "https://knowledge.hubspot.com/de/crm-deals/set-up-and-customize-your-deal-pipelines-and-deal-stages",
    ),
    "fr": (
        "https://knowledge.hubspot.com/fr/deals/set-up-and-customize-your-deal-pipelines-and-deal-stages",
    ),
    "es": ("https://knowledge.hubspot.com/es/object-settings/set-up-and-customize-pipelines",),
    "pt": (
        "https://knowledge.hubspot.com/pt/object-settings/set-up-and-customize-your-deal-pipelines-and-deal-stages",
    ),
    "th": (
        "http://www.prosoftcrm.in.th/ArticleInfo.aspx?ArticleTypeID=1991&ArticleID=5953",
        "http://www.crmtothai.com/Articles/Index/240",
    ),
}


def pipelines(crm: str | None = None) -> tuple[CrmPipeline, ...]:
    """The default pipelines of one CRM, or of all when ``crm`` is None."""
    if crm is None:
        return tuple(p for ps in PIPELINES.values() for p in ps)
    return PIPELINES.get(crm, ())


def find_stage(name: str) -> list[tuple[CrmPipeline, CrmStage]]:
    """Every default pipeline stage called ``name`` (or an alias), in CRM order."""
    found: list[tuple[CrmPipeline, CrmStage]] = []
    for p in pipelines():
        s = p.stage(name)
        if s is not None:
            found.append((p, s))
    return found


def iter_stage_names(p: CrmPipeline) -> Iterator[tuple[str, CrmStage]]:
    """Each label and alias of ``p`` with the stage it names."""
    for s in p.stages:
        yield s.name, s
        for a in s.aliases:
            yield a, s
