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
    # A hidden tab (the record of what was written) is named apart: a person
    # looking for "sheetsync Written" among the tabs would not find it.
    hidden = [s.name for s in done.sheets if getattr(s, "hidden", False)]
    names = [*copied, *(s.name for s in done.sheets if s.name not in hidden)]
    shown = [s.name for s in done.sheets if s.name not in hidden]
    if copied:
        shown.insert(0, f"{', '.join(copied)} (the values of {checked.source.name})")
    also = (
        f"; and the hidden tab{'s' if len(hidden) > 1 else ''} {', '.join(hidden)}"
        if hidden
        else ""
    )
    all_new = bool(names) and set(w.added) == set(names) | set(hidden)
    if w.changed_parts or not names:
        lines.append(
            f"{verb} {len(names)} {'new ' if all_new else ''}tabs{into}: " + ", ".join(shown) + also
        )
    else:  # the workbook already holds exactly these tabs: "Wrote 5 tabs" would be untrue
        nothing = "Would change nothing" if w.dry_run else "Nothing changed"
        lines.append(
            f"{nothing}: the {len(names)} tabs{into} are up to date: " + ", ".join(shown) + also
        )
    if w.added and not all_new:
        lines.append("  new tabs: " + ", ".join(w.added))
    if w.removed:
        lines.append("  removed tabs: " + ", ".join(w.removed))
    owned = getattr(done, "owned", None)  # what people typed into the owned tabs
    if owned is not None:
        lines += [f"  {line}" for line in owned.lines()]
    if verbose:
        parts = f" ({', '.join(w.changed_parts)})" if w.changed_parts else ""
        lines.append(f"  parts changed: {len(w.changed_parts)}{parts}")
    h = getattr(done, "history", None)
    if h is not None:
        lines.append(f"  {history_text(h, len(checked.pipeline.deals))}")
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
            + (f"; then saving stopped: {run.error.message}" if run.error is not None else "")
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


def history_started(history: Any) -> int | None:
    """How many deals the first run's snapshot recorded, or None when the log had entries before.

    On the first night every deal enters the log (one row for the deal, one
    per tracked field): "338 changes" would describe a snapshot as churn.
    """
    if (
        not history.appended
        or history.skipped
        or history.base is not None
        or history.appended != len(history.changes)
    ):
        return None
    return len({c.deal_key for c in history.changes})


def history_text(h: Any, deals: int | None = None) -> str:
    """What tonight did to the stage history, in words that match what happened.

    The first night records a snapshot of every deal (a row per deal and per
    tracked field), which is not "338 changes": it says how many deals the
    history now starts from.  ``deals`` (the deals read) explains a smaller
    count: rows that repeat a deal's ID are one deal to the history.
    """
    if h.skipped:
        return f"history: {h.skipped}"
    started = history_started(h)
    if started is not None:
        same = (deals or 0) - started
        return f"history started: {_count(started, 'deal')} recorded" + (
            f" ({same} more {'rows repeat' if same != 1 else 'row repeats'} a deal's ID: "
            "the first is tracked)"
            if same > 0
            else ""
        )
    if not h.appended:
        return f"history: no changes since the last run ({len(h)} in the log)"
    return f"history: {_count(h.appended, 'change')} recorded ({len(h)} in the log)"


def _arg(text: str) -> str:
    """``text`` as one shell word (quoted only when it needs to be)."""
    import shlex

    return shlex.quote(text)


def summary_line(name: str, done: Any) -> str:
    """One line per pipeline for ``sync --all``."""
    r = done.checked.report
    run = getattr(done, "drafts", None)
    drafts_failed = run is not None and run.error is not None
    status = "drafts" if drafts_failed else ("ok    " if r.valid else "errors")
    return (
        f"{status} {name}: {len(done.checked.pipeline.deals)} deals, {_count(len(r.errors), 'error')}, "
        f"{_count(len(r.warnings), 'warning')}, {len(done.actions)} follow-ups, "
        f"{len(done.write.changed_parts)} parts changed"
        + (", drafts failed" if drafts_failed else "")
    )


_MARK = {"ok": "ok  ", "fail": "FAIL", "skip": "skip", "warn": "warn"}


def doctor_text(checks: Any) -> str:
    """The doctor's checks, one a line, with the fix under each failure."""
    lines = []
    width = max([14, *(len(c.name) for c in checks)])  # "East: lock folder" widens it
    for c in checks:
        lines.append(f"{_MARK[c.status]}  {c.name:<{width}} {c.detail}")
        if c.status in ("fail", "warn") and c.fix:
            lines.append(f"      {'':<{width}} {'fix' if c.status == 'fail' else 'see'}: {c.fix}")
    failed = sum(c.status == "fail" for c in checks)
    warned = [c for c in checks if c.status == "warn"]
    lines.append("")
    if failed:
        lines.append(f"{failed} problem(s) to fix")
    elif warned:
        lines.append(
            f"everything a nightly run needs is in place; it will exit {warned[0].exit_code} "
            f"({warned[0].name}: see above)"
        )
    else:
        lines.append("everything a nightly run needs is in place")
    return "\n".join(lines) + "\n"
