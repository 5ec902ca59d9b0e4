"""Findings as text for people and JSON for machines (one renderer each)."""

from __future__ import annotations

import json
from typing import Any

from .model import Finding, Report


def _line(f: Finding) -> list[str]:
    where = f.cell or (f"{f.tab}" + (f" row {f.row}" if f.row else "") if f.tab else "workbook")
    out = [f"  {where:<16} {f.code:<27} {f.message}"]
    if f.hint:
        out.append(f"  {'':<16} {'':<27} → {f.hint}")
    return out


def report_text(report: Report, summary: str = "") -> str:
    """Findings grouped by severity, each in sheet order, with its cell and hint."""
    errors, warnings = report.errors, report.warnings
    head = f"{report.source}: {_count(len(errors), 'error')}, {_count(len(warnings), 'warning')}"
    if summary:
        head += f" ({summary})"
    lines = [head]
    for title, group in (("Errors", errors), ("Warnings", warnings)):
        if not group:
            continue
        lines.append("")
        lines.append(f"{title}:")
        for f in group:
            lines.extend(_line(f))
    if not report.findings:
        lines.append("No problems found.")
    return "\n".join(lines) + "\n"


def report_json(report: Report, extra: dict[str, Any] | None = None) -> str:
    data = report.to_dict()
    if extra:
        data.update(extra)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def sync_text(done: Any) -> str:
    """What a sync wrote (or would write), for people."""
    w = done.write
    checked = done.checked
    p = checked.pipeline
    verb = "would write" if w.dry_run else "wrote"
    lines = [
        f"{checked.source.name}: {len(p.deals)} deals in tab {p.deals_tab!r}, as of {checked.as_of.isoformat()}",
        f"  {verb} {len(done.sheets)} tabs"
        + (f" into {w.target}" if w.target != checked.source.name else "")
        + ": "
        + ", ".join(s.name for s in done.sheets),
    ]
    if w.added:
        lines.append("  new tabs: " + ", ".join(w.added))
    if w.removed:
        lines.append("  removed tabs: " + ", ".join(w.removed))
    lines.append(f"  parts changed: {len(w.changed_parts)} ({', '.join(w.changed_parts)})")
    report = checked.report
    lines.append(
        f"  data: {_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}"
        + (" (listed in the data issues tab)" if report.findings else "")
    )
    lines.append(f"  follow-ups: {len(done.actions)}")
    h = getattr(done, "history", None)
    if h is not None:
        lines.append(
            f"  history: {h.skipped}"
            if h.skipped
            else f"  history: {h.appended} changes recorded ({len(h)} in the log)"
        )
    run = getattr(done, "drafts", None)
    if run is not None:
        counts = run.counts()
        lines.append(
            f"  drafts: {sum(counts.values())} "
            + ("to prepare" if run.dry_run else "prepared")
            + " ("
            + ", ".join(f"{n} {kind}" for kind, n in counts.items())
            + ")"
            + (f", {len(run.problems)} without an address" if run.problems else "")
        )
    if w.backup:
        lines.append(f"  previous version kept as {w.backup}")
    if w.dry_run:
        lines.append("  dry run: nothing was written")
    return "\n".join(lines) + "\n"


def summary_line(name: str, done: Any) -> str:
    """One line per pipeline for ``sync --all``."""
    r = done.checked.report
    status = "ok    " if r.valid else "errors"
    return (
        f"{status} {name}: {len(done.checked.pipeline.deals)} deals, {_count(len(r.errors), 'error')}, "
        f"{_count(len(r.warnings), 'warning')}, {len(done.actions)} follow-ups, "
        f"{len(done.write.changed_parts)} parts changed"
    )


_MARK = {"ok": "ok  ", "fail": "FAIL", "skip": "skip"}


def doctor_text(checks: Any) -> str:
    """The doctor's checks, one a line, with the fix under each failure."""
    lines = []
    for c in checks:
        lines.append(f"{_MARK[c.status]}  {c.name:<14} {c.detail}")
        if c.status == "fail" and c.fix:
            lines.append(f"      {'':<14} fix: {c.fix}")
    failed = sum(c.status == "fail" for c in checks)
    lines.append("")
    lines.append(
        "everything a nightly run needs is in place"
        if not failed
        else f"{failed} problem(s) to fix"
    )
    return "\n".join(lines) + "\n"
