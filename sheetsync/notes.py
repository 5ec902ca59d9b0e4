"""What ``check`` says once, above the findings.

Two kinds of lines: how the sheet was read where it could have been read
otherwise (the amount column's decimal mark, a Buddhist-era date column, a
CRM's stage list recognised, a percent column), so a finance person can
redo the numbers the same way; and advice that fixes many findings at once
(a sheet whose stages are mostly unknown needs a stage list, not forty
corrections).
"""

from __future__ import annotations

from collections import Counter

from .model import Pipeline, Report

__all__ = ["UNKNOWN_STAGE_NOTE_AT", "reading_notes"]

#: Unknown-stage findings from which check advises a stage list once, at the top.
UNKNOWN_STAGE_NOTE_AT = 5

_LABELS = {
    "numbers": "amounts",
    "amount_scale": "amounts",
    "stages": "stages",
    "probability": "probability",
    "created": "created",
    "close_date": "close date",
    "last_contact": "last contact",
    "won_time": "won time",
    "lost_time": "lost time",
    "next_appointment": "next appointment",
}


def reading_notes(pipeline: Pipeline, report: Report, source: str) -> list[str]:
    """The lines ``check`` prints once, in a stable order."""
    notes: list[str] = []
    for key, text in pipeline.reading.items():
        notes.append(f"{_LABELS.get(key, key)}: {text}")
    if pipeline.rates_used:
        for r in pipeline.rates_used:
            notes.append(
                f"currency: {r.count} amount{'s' if r.count != 1 else ''} in {r.currency} converted "
                f"at 1 {r.currency} = {r.rate:g} {r.team_currency} ({r.source})"
            )
    if pipeline.deals and not {"close_date", "won_time", "lost_time"} & set(pipeline.columns):
        # no number is wrong here, but every quota number is empty: say why, once
        notes.append(
            f"close date: no column of tab {pipeline.deals_tab!r} is read as the close date, so no "
            "won deal counts toward a quota period and no open deal is forecast; if one holds it, "
            'name it in sheetsync.toml: [columns] close_date = "its header"'
        )
    unknown = [f for f in report.findings if f.code == "unknown-stage"]
    if len(unknown) >= UNKNOWN_STAGE_NOTE_AT:
        names = Counter(str(f.value).strip() for f in unknown)
        shown = ", ".join(repr(n) for n, _ in names.most_common(5))
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        notes.append(
            f"{len(unknown)} deals have stages that are not in the stage list ({shown}{more}): "
            f"run `sheetsync init {source}` to propose a stage list from the sheet, "
            "or list the stages in [[stages]] in sheetsync.toml (or a Stages tab)"
        )
    return notes
