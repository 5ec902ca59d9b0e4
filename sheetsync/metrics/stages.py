"""Stage roles: which open stage is the appointment, the qualification, the presentation.

The coaching signals of ``specs/pipeline-metrics.md`` (section *Coaching
signals from the sales-pipeline method*) speak of "the appointment stage",
"past qualification" and "a presentation/demo stage"; the stale rule of
*Activity and follow-up* needs each stage's rot days.  This module says which
stage plays which role, so every caller (metrics, validation, follow-ups)
reads the same answer.

Definitions (looked up among the *open* stages only, so a lost stage called
"Disqualified" is never the qualification stage):

* appointment: the first stage with ``kind == "appointment"``; else the
  first whose name contains "appointment", "meeting" or "demo scheduled";
  else the second open stage (the first when there is only one);
* qualification: the *last* stage with ``kind == "qualification"`` or, with
  no kind, a name containing "qualif" ("past qualification" means past all
  of them); with none, the appointment stage stands in;
* presentation/demo: ``kind == "presentation"``, or no kind and a name
  containing "presentation", "demo" or "proposal" — except the stage chosen
  as appointment by its name ("Demo scheduled");
* rot days: the stage's own ``rot_days``, else ``default_rot_days``; 0 turns
  the stale rule off.
"""

from __future__ import annotations

from collections.abc import Sequence

from sheetsync.metrics.settings import MetricsSettings
from sheetsync.model import Deal, Outcome, Pipeline, Stage


def _open_stages(pipeline: Pipeline) -> list[Stage]:
    return sorted((s for s in pipeline.stages if s.outcome is Outcome.OPEN), key=lambda s: s.index)


def _name_has(stage: Stage, words: Sequence[str]) -> bool:
    name = " ".join(stage.name.casefold().split())
    return any(w in name for w in words)


_APPOINTMENT_WORDS = ("appointment", "meeting", "demo scheduled")


_PRESENTATION_WORDS = ("presentation", "demo", "proposal")


def appointment_stage(pipeline: Pipeline) -> Stage | None:
    """The appointment stage among the open stages (see the module notes)."""
    stages = _open_stages(pipeline)
    if not stages:
        return None
    for s in stages:
        if s.kind == "appointment":
            return s
    for s in stages:
        if s.kind is None and _name_has(s, _APPOINTMENT_WORDS):
            return s
    return stages[1] if len(stages) > 1 else stages[0]


def qualification_stage(pipeline: Pipeline) -> Stage | None:
    """The last open qualification stage; None when the pipeline has none."""
    found = [
        s
        for s in _open_stages(pipeline)
        if s.kind == "qualification" or (s.kind is None and _name_has(s, ("qualif",)))
    ]
    return found[-1] if found else None


def presentation_stages(pipeline: Pipeline) -> list[Stage]:
    """The open presentation/demo stages, in pipeline order."""
    appt = appointment_stage(pipeline)
    out = []
    for s in _open_stages(pipeline):
        if (
            s.kind == "presentation"
            or s.kind is None
            and _name_has(s, _PRESENTATION_WORDS)
            and s != appt
        ):
            out.append(s)
    return out


def _stage_of(pipeline: Pipeline, deal: Deal) -> Stage | None:
    return pipeline.stage_of(deal)


def rot_days_for(stage: Stage | None, settings: MetricsSettings) -> int:
    """Quiet days allowed at ``stage`` (0: never stale); the default when unset."""
    if stage is not None and stage.rot_days is not None:
        return stage.rot_days
    return settings.default_rot_days
