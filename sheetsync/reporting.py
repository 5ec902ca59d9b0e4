"""Findings as text for people and JSON for machines (one renderer each)."""

from __future__ import annotations

import json
from typing import Any

from .model import Finding, Report
from .rows import rows_text


def _where(f: Finding, report: Report) -> str:
    return report.where(f) or (
        f"{f.tab}" + (f" row {f.row}" if f.row else "") if f.tab else "workbook"
    )


def _line(f: Finding, report: Report, width: int) -> list[str]:
    out = [f"  {_where(f, report):<{width}} {f.code:<27} {f.message}"]
    if f.hint:
        out.append(f"  {'':<{width}} {'':<27} → {f.hint}")
    return out


def report_text(report: Report, summary: str = "") -> str:
    """Findings grouped by severity, each in sheet order, with its cell and hint.

    The cells form a column 16 characters wide, wider when a cell's name is
    longer (``pipeline.csv:41:13``, a long tab name), so the codes line up.
    """
    errors, warnings = report.errors, report.warnings
    head = f"{report.source}: {_count(len(errors), 'error')}, {_count(len(warnings), 'warning')}"
    if summary:
        head += f" ({summary})"
    lines = [head]
    if report.notes:
        lines.append("")
        lines.extend(f"  note: {n}" for n in report.notes)
    if report.skipped:
        lines.append("")
        lines.append("Not counted as deals:")
        for s in report.skipped:
            rows = rows_text(s["rows"])
            example = f" ({s['example']!r})" if s.get("example") else ""
            lines.append(
                f"  {len(s['rows'])} {s['label']}{example}: row{'s' if len(s['rows']) != 1 else ''} {rows}"
            )
    width = max([16, *(len(_where(f, report)) for f in report.findings)])
    for title, group in (("Errors", errors), ("Warnings", warnings)):
        if not group:
            continue
        lines.append("")
        lines.append(f"{title}:")
        for f in group:
            lines.extend(_line(f, report, width))
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


def deals_summary(checked: Any) -> str:
    """``72 deals in tab 'Pipeline', as of 2026-11-26`` (a CSV file has no tabs to name)."""
    p = checked.pipeline
    where = "" if p.deals_tab in checked.report.file_tabs else f" in tab {p.deals_tab!r}"
    return f"{len(p.deals)} deals{where}, as of {checked.as_of.isoformat()}"


def deals_line(checked: Any) -> str:
    """``pipeline.xlsx: 72 deals in tab 'Pipeline', as of 2026-11-26``."""
    return f"{checked.source.name}: {deals_summary(checked)}"


def sync_text(done: Any, *, verbose: bool = False, today: Any = None) -> str:
    """What a sync found and wrote (or would write), for people.

    It leads with the answer (where each rep stands, the top coaching signal
    per rep, today's follow-up count: :mod:`sheetsync.standing`), then what
    is wrong in the data and which command lists it, then what was written
    and where to look.  ``verbose`` adds the package parts that changed.
    ``today`` (default: the real date) decides whether the ``check`` command
    shown needs ``--as-of``.
    """
    import datetime as dt

    from .standing import standing, standing_text

    w = done.write
    checked = done.checked
    report = checked.report
    lines = [deals_line(checked), ""]
    lines += standing_text(standing(done.metrics, done.actions, checked.config.team)).splitlines()
    lines.append("")
    as_of = "" if checked.as_of == (today or dt.date.today()) else f" --as-of {checked.as_of}"
    data = f"Data: {_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}"
    if report.findings:
        data += (
            f"; `sheetsync check {_arg(checked.source.name)}{as_of}` lists them with their cells"
        )
    lines.append(data)
    verb = "Would write" if w.dry_run else "Wrote"
    into = f" into {w.target}" if w.target != checked.source.name else ""
    # A CSV or OpenDocument file's tabs are copied into the new workbook first.
    copied = list(getattr(checked.source, "copied_tabs", ()))
    names = [*copied, *(s.name for s in done.sheets)]
    shown = [s.name for s in done.sheets]
    if copied:
        shown.insert(0, f"{', '.join(copied)} (the values of {checked.source.name})")
    all_new = bool(names) and set(w.added) == set(names)
    lines.append(f"{verb} {len(names)} {'new ' if all_new else ''}tabs{into}: " + ", ".join(shown))
    if w.added and not all_new:
        lines.append("  new tabs: " + ", ".join(w.added))
    if w.removed:
        lines.append("  removed tabs: " + ", ".join(w.removed))
    owned = getattr(done, "owned", None)  # what people typed into the owned tabs
    if owned is not None:
        lines += [f"  {line}" for line in owned.lines()]
    if verbose:
        lines.append(f"  parts changed: {len(w.changed_parts)} ({', '.join(w.changed_parts)})")
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
    else:
        summary = done.tabs.get("summary") or (done.sheets[0].name if done.sheets else "")
        where = getattr(checked.source, "url", None) or w.target
        lines.append("")
        lines.append(f"Open {where} and look at the tab {summary!r}.")
    return "\n".join(lines) + "\n"


def _arg(text: str) -> str:
    """``text`` as one shell word (quoted only when it needs to be)."""
    import shlex

    return shlex.quote(text)


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
