"""Which stage list a sheet uses when nobody said: sheetsync's, a CRM's default, or the team's words.

Without ``[[stages]]`` and without a Stages tab, the stage names in the deals
tab are matched against candidate lists:

1. sheetsync's default list (``config.DEFAULT_STAGES``);
2. the default pipelines of HubSpot, Pipedrive, Salesforce, Zoho CRM and
   Dynamics 365 (:mod:`sheetsync.vocab.pipelines`, each cited there), with
   their internal ids as aliases (``appointmentscheduled``);
3. the stage words teams write in German, French, Spanish, Portuguese and
   Thai (``Termin``, ``Angebot``, ``Gewonnen``…), in their usual order.

A CRM's list is taken when it names at least :data:`CRM_COVERAGE` of the
deals and more of them than sheetsync's own; the team's words make a list of
just the stages seen, in the usual pipeline order, with sheetsync's default
probability for each kind of stage.  Whatever is chosen is said in ``check``
and written out by ``sheetsync init``, so the team can adjust it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .model import Outcome, Stage, stage_key

__all__ = ["StageChoice", "choose_stage_list"]

#: Share of the deals a CRM's default list must name to be taken.
CRM_COVERAGE = 0.9

#: sheetsync's default probability and rot days per kind of stage (the default list's).
KIND_DEFAULTS: dict[str | None, tuple[float, int]] = {
    "prospecting": (0.05, 21),
    "qualification": (0.15, 14),
    "appointment": (0.30, 10),
    "presentation": (0.50, 10),
    "proposal": (0.70, 7),
    "negotiation": (0.85, 7),
}


@dataclass(slots=True)
class StageChoice:
    """The stage list chosen, why, and extra spellings that name its stages."""

    stages: list[Stage]
    source: str  # "default", "crm:hubspot", "language:de", "mixed"
    description: str
    aliases: dict[str, str] = field(default_factory=dict)  # stage_key → stage name
    coverage: float = 1.0


def _coverage(counts: Counter[str], keys: set[str]) -> float:
    total = sum(counts.values())
    if not total:
        return 1.0
    return sum(n for k, n in counts.items() if k in keys) / total


def _crm_lists():
    from .vocab.pipelines import pipelines

    for p in pipelines():
        stages: list[Stage] = []
        aliases: dict[str, str] = {}
        for i, s in enumerate(p.stages):
            prob = s.probability
            rot = KIND_DEFAULTS.get(s.kind, (None, None))[1]
            if prob is None and s.outcome is Outcome.OPEN:
                prob = KIND_DEFAULTS.get(s.kind, (None, None))[0]
            stages.append(
                Stage(s.name, i, prob, s.outcome, rot if s.outcome is Outcome.OPEN else 0, s.kind)
            )
            for a in s.aliases:
                aliases.setdefault(stage_key(a), s.name)
        if not any(s.outcome is Outcome.WON for s in stages):
            stages.append(Stage("Won", len(stages), 1.0, Outcome.WON, 0, None))
        if not any(s.outcome is Outcome.LOST for s in stages):
            stages.append(Stage("Lost", len(stages), 0.0, Outcome.LOST, 0, None))
        yield p, stages, aliases


def choose_stage_list(written: Sequence[str | None], default: Sequence[Stage]) -> StageChoice:
    """The stage list for a deals column holding ``written`` stage texts."""
    # one key per distinct spelling: a 100,000-deal column holds a dozen
    keys = {t: stage_key(t) for t in set(written) if t}
    counts: Counter[str] = Counter()
    for text, n in Counter(t for t in written if t).items():
        if keys[text]:
            counts[keys[text]] += n
    default_keys = {stage_key(s.name) for s in default}
    best = StageChoice(
        list(default),
        "default",
        "sheetsync's default stage list",
        {},
        _coverage(counts, default_keys),
    )
    if best.coverage >= 1.0 or not counts:
        return best
    for p, stages, aliases in _crm_lists():
        keys = {stage_key(s.name) for s in stages} | set(aliases)
        cov = _coverage(counts, keys)
        if cov >= CRM_COVERAGE and cov > best.coverage:
            best = StageChoice(
                stages,
                f"crm:{p.crm}",
                f"the default pipeline of {_CRM_NAMES.get(p.crm, p.crm)} ({p.name}), recognised from the stage names",
                aliases,
                cov,
            )
    if best.source != "default":
        return best
    seen = _from_language_words(counts, default)
    if seen is not None and seen.coverage > best.coverage:
        return seen
    return best


_CRM_NAMES = {
    "hubspot": "HubSpot",
    "pipedrive": "Pipedrive",
    "salesforce": "Salesforce",
    "zoho": "Zoho CRM",
    "dynamics365": "Microsoft Dynamics 365",
}


def _from_language_words(counts: Counter[str], default: Sequence[Stage]) -> StageChoice | None:
    """A list of the stages seen, ordered and typed by the language word lists."""
    from .vocab.pipelines import LOCALIZED_STAGES

    order = {k: i for i, k in enumerate(KIND_DEFAULTS)}
    known: dict[str, tuple[int, str, Outcome, str | None, str]] = {}
    for lang, words in LOCALIZED_STAGES.items():
        for pos, w in enumerate(words):
            known.setdefault(stage_key(w.name), (pos, w.name, w.outcome, w.kind, lang))
    for pos, s in enumerate(default):
        known.setdefault(stage_key(s.name), (pos * 100, s.name, s.outcome, s.kind, "en"))
    seen = [(known[k], n) for k, n in counts.items() if k in known]
    if not seen:
        return None
    languages = Counter(entry[4] for entry, _n in seen if entry[4] != "en")
    if not languages:
        return None

    def rank(entry) -> tuple[int, int]:
        outcome_rank = {Outcome.OPEN: 0, Outcome.WON: 1, Outcome.LOST: 2}[entry[2]]
        return (outcome_rank, order.get(entry[3], len(order)) if entry[2] is Outcome.OPEN else 0)

    seen.sort(key=lambda x: (rank(x[0]), x[0][0]))
    stages: list[Stage] = []
    for i, (entry, _n) in enumerate(seen):
        _pos, name, outcome, kind, _lang = entry
        prob, rot = KIND_DEFAULTS.get(kind, (None, 14))
        if outcome is Outcome.WON:
            prob, rot = 1.0, 0
        elif outcome is Outcome.LOST:
            prob, rot = 0.0, 0
        stages.append(Stage(name, i, prob, outcome, rot, kind))
    for outcome, name in ((Outcome.WON, "Won"), (Outcome.LOST, "Lost")):
        if not any(s.outcome is outcome for s in stages):
            stages.append(
                Stage(name, len(stages), 1.0 if outcome is Outcome.WON else 0.0, outcome, 0, None)
            )
    lang = languages.most_common(1)[0][0]
    keys = {stage_key(s.name) for s in stages}
    return StageChoice(
        stages,
        f"language:{lang}",
        f"the stages the sheet uses ({', '.join(s.name for s in stages)}), ordered and typed from {_LANG_NAMES.get(lang, lang)} stage words",
        {},
        _coverage(counts, keys),
    )


_LANG_NAMES = {"de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese", "th": "Thai"}
