"""The owned tabs as layout: metrics, actions and findings → :class:`OutSheet` values.

Pure and deterministic: the same inputs give the same sheets (the wall clock
appears only as the ``generated_at`` a caller passes).  Backends write the
result; nothing here knows XML or Sheets requests.

Rules every tab follows
-----------------------
* Numbers are numbers, styled ``currency``, ``percent`` (rates as fractions),
  ``number`` or ``integer``; dates are ``date``/``datetime`` values with the
  matching style; an absent value is ``None`` (an empty cell), never text.
* The metric numbers are taken from :meth:`Metrics.to_dict`, so every number
  on the tabs is the one the metrics JSON shows (amounts rounded to 2
  decimals, rates and ratios to 4); of the lists of deals (overdue, stale…)
  the tabs show only the counts, so those are counted, not converted.
* Text copied from the user's cells (deal names, companies, stages, values in
  findings…) goes in as a plain ``str``; backends always write a ``str`` as
  text, never as a formula, so nothing here escapes it.
* Links to the pipeline's cells are internal references (``Pipeline!I20``).
* Every tab starts with the same :func:`banner` line (who wrote it, when,
  and that only the Follow-ups' Done and Note columns survive the night).

Tabs (``kind``, and the role in ``[tabs]`` that names it)
---------------------------------------------------------
``summary`` (role ``summary``)
    Title, then the quota
    table (one row per owner, then Team), win rate / deal size / cycle /
    velocity and the follow-up counts, the open deals by stage, and the
    coaching signals.  Two native charts to the right of the tables: quota
    progress per owner (columns Won, Expected, Still to generate) and the
    open pipeline by stage (bars over the stage amounts).
``funnel`` (role ``funnel``)
    The stage table (open deals, amount, weighted, reached, conversion), then
    the open deals per owner and stage.
``follow-ups`` (role ``follow_ups``)
    One row per :class:`~sheetsync.followups.Action`, header frozen; its
    Done and Note cells are the team's, kept by (Key, Action) from the last
    run (:mod:`sheetsync.owned_edits`).
``data-issues`` (role ``data_issues``)
    One row per finding, errors first, header frozen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from itertools import chain, islice
from typing import Any

from sheetsync.config import DEFAULT_TABS
from sheetsync.followups import Action
from sheetsync.history import HistorySummary, history_rows
from sheetsync.metrics import Metrics, _Memo, open_stage_counts, owner_key
from sheetsync.model import Finding, Pipeline, Report, Severity
from sheetsync.outsheet import ChartSeries, ChartSpec, OutCell, OutSheet, Style

Row = list[Any]

#: The lists of deals in :class:`Metrics` whose length the summary shows.
DEAL_LISTS = ("overdue", "stale", "no_next_step", "undated")

#: The roles :func:`build_tabs` lays out, with the ``OutSheet.kind`` of each.
ROLES: dict[str, str] = {
    "summary": "summary",
    "funnel": "funnel",
    "follow_ups": "follow-ups",
    "data_issues": "data-issues",
}

QUOTA_HEADER: tuple[str, ...] = (
    "Owner",
    "Quota",
    "Won",
    "Open pipeline",
    "Expected",
    "Still to generate",
    "Attainment",
    "Coverage",
    "Needed coverage",
    "Win rate",
    "Open deals",
)

STAGE_HEADER: tuple[str, ...] = (
    "Stage",
    "Deals",
    "Amount",
    "Weighted",
    "Reached",
    "Conversion to next",
)

FOLLOW_UP_HEADER: tuple[str, ...] = (
    "Owner",
    "Action",
    "Deal",
    "Company",
    "Contact",
    "Email",
    "Stage",
    "Amount",
    "Due",
    "When",
    "Why",
    "Cell",
    "Drafted at",
    "Done",
    "Note",
    "Key",
)

#: The Follow-ups columns that are the team's (1-based): what is typed there is
#: kept from night to night for the same deal and action (:mod:`sheetsync.owned_edits`).
DONE_COL = FOLLOW_UP_HEADER.index("Done") + 1
NOTE_COL = FOLLOW_UP_HEADER.index("Note") + 1
KEY_COL = FOLLOW_UP_HEADER.index("Key") + 1
EDITABLE_COLS: tuple[int, ...] = (DONE_COL, NOTE_COL)

DATA_ISSUES_HEADER: tuple[str, ...] = (
    "Severity",
    "Code",
    "Cell",
    "Field",
    "Value",
    "Problem",
    "Fix",
)

NO_OWNER = "(no owner)"
TEAM = "Team"

#: Where the summary's charts sit: to the right of the widest table (11
#: columns) with one column to spare, side by side, from the quota title row.
CHART_COL = len(QUOTA_HEADER) + 2
CHART_WIDTH = 8
CHART_HEIGHT = 15


# --------------------------------------------------------------------------- cells


def _styled(value: Any, style: Style) -> OutCell | None:
    """``value`` with ``style``, or None (an empty cell) when there is no value."""
    return None if value is None else OutCell(value, style)


def _money(value: float | None) -> OutCell | None:
    return _styled(value, "currency")


def _pct(value: float | None) -> OutCell | None:
    return _styled(value, "percent")


def _num(value: float | None) -> OutCell | None:
    return _styled(value, "number")


def _int(value: int | None) -> OutCell | None:
    return _styled(value, "integer")


def _header(names: Sequence[str]) -> Row:
    return [OutCell(n, "header") for n in names]


def _title(text: str) -> Row:
    return [OutCell(text, "title")]


def _bold(text: str) -> Row:
    return [OutCell(text, "bold")]


def _muted(text: str) -> OutCell:
    return OutCell(text, "muted")


def _value(value: Any) -> Any:
    """A value read from a cell, typed for an OutSheet (text stays the exact ``str``)."""
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return OutCell(value, "datetime")
    if isinstance(value, dt.date):
        return OutCell(value, "date")
    if isinstance(value, int | float):
        return OutCell(value, "number")
    if isinstance(value, str):
        return value
    return str(value)


def _link(target: str | None) -> OutCell | None:
    return None if target is None else OutCell(target, "link", link=target)


def banner(as_of: dt.date, follow_ups: str, deals_tab: str | None = None) -> str:
    """The line at the top of every visible owned tab: who wrote it and what survives.

    The same text on every tab (only the tab names vary with ``[tabs]``), so
    a person who lands on any of them learns the rule: the tab is replaced
    nightly, what is typed in it is reported in the next run's summary, and
    only the Done and Note columns of the Follow-ups tab are kept.
    """
    where = f" from the '{deals_tab}' tab" if deals_tab else ""
    return (
        f"Written by sheetsync{where} on {as_of.isoformat()} — edits here are replaced "
        f"nightly (and reported), except the Done and Note columns of '{follow_ups}'"
    )


def _banner_row(text: str) -> Row:
    return [_muted(text)]


# --------------------------------------------------------------------------- summary


def _quota_row(p: Mapping[str, Any]) -> Row:
    team = p["owner"] is None
    return [
        OutCell(TEAM, "bold") if team else p["owner"],
        _money(p["quota"]),
        _money(p["won"]),
        _money(p["open_amount"]),
        _money(p["expected"]),
        _money(p["to_generate"]),
        _pct(p["attainment"]),
        _num(p["coverage"]),
        _num(p["needed_coverage"]),
        _pct(p["win_rate"]),
        _int(p["open_count"]),
    ]


def _rates_rows(pipeline: Pipeline) -> list[Row]:
    """Which exchange rates made the amounts above, so a person can redo them by hand.

    Only when some amount was converted: a sheet in one currency needs no
    such lines.  Each says the rate, where it came from (``[[rates]]`` or
    the Rates tab, with its cell) and how many amounts it converted, with
    their total as written.
    """
    if not pipeline.rates_used:
        return []
    rows: list[Row] = [
        [
            "Amounts in",
            pipeline.currency,
            _muted("amounts in other currencies converted at these rates:"),
        ]
    ]
    for r in pipeline.rates_used:
        rows.append(
            [
                f"Rate {r.currency}",
                OutCell(r.rate, "number"),
                _muted(
                    f"1 {r.currency} = {r.rate:g} {r.team_currency} ({r.source}); "
                    f"{r.count} amount{'s' if r.count != 1 else ''} converted, "
                    f"{r.written_total:,.2f} {r.currency} as written"
                ),
            ]
        )
    return rows


def _summary(
    name: str,
    pipeline: Pipeline,
    m: Mapping[str, Any],
    as_of: dt.date,
    generated_at: dt.datetime | None,
    history: HistorySummary | None = None,
    banner_text: str = "",
    typed: Sequence[str] = (),
) -> OutSheet:
    period = m["period"]
    rows: list[Row] = [
        _banner_row(banner_text),
        _title(f"Pipeline summary — as of {as_of.isoformat()} · period {period['label']}"),
        ["Generated", OutCell(generated_at, "datetime")] if generated_at is not None else [],
        [],
    ]

    # quota table: one row per owner, then the team
    rows.append(_bold(f"Quota progress — {period['label']} ({period['start']} to {period['end']})"))
    rows.append(_header(QUOTA_HEADER))
    first_owner = len(rows) + 1
    rows += [_quota_row(o) for o in m["owners"]]
    last_owner = len(rows)
    rows.append(_quota_row(m["team"]))
    if m["team"].get("net_gap") is not None:
        rows.append(
            [
                "Net team gap",
                None,
                None,
                None,
                None,
                _money(m["team"]["net_gap"]),
                _muted(
                    "team quota − won − expected; the Team row's still to generate "
                    "adds up each rep's own gap, so one rep's surplus hides no one's gap"
                ),
            ]
        )
    rows += _rates_rows(pipeline)
    rows.append([])

    # win rate, deal size, cycle, velocity, and the follow-up counts
    w = m["win_rate"]
    rows.append(_bold("Win rate and velocity"))
    rows += [
        [
            "Win rate (by count)",
            _pct(w["count"]),
            _muted(
                f"{w['won']} won, {w['lost']} lost among the deals closed in the last "
                f"{w['window_days']} days"
            ),
        ],
        ["Win rate (by value)", _pct(w["value"]), _muted("won amount ÷ closed amount")],
        ["Average deal size", _money(m["avg_deal_size"]), _muted("won deals in the same days")],
        ["Sales cycle (days)", _num(m["cycle_days"]), _muted("created → won, on average")],
        [
            "Sales velocity (per day)",
            _money(m["velocity"]),
            _muted("open deals × average deal size × win rate ÷ sales cycle"),
        ],
        ["Overdue deals", _int(m["overdue"]), _muted("open, expected close date passed")],
        ["Stale deals", _int(m["stale"]), _muted("quiet longer than their stage allows")],
        ["No next step", _int(m["no_next_step"]), _muted("no appointment planned")],
        [
            "Undated open deals",
            _int(m["undated"]),
            _muted("no expected close date: not in the forecast"),
        ],
        [],
    ]

    # open deals by stage: also the funnel chart's data
    rows.append(_bold("Open deals by stage"))
    rows.append(_header(STAGE_HEADER[:4]))
    first_stage = len(rows) + 1
    rows += [
        [s["name"], _int(s["count"]), _money(s["amount"]), _money(s["weighted"])]
        for s in m["stages"]
    ]
    last_stage = len(rows)
    rows.append([])

    # coaching signals: the message on the first line, advice and deals below it
    rows.append(_bold("Signals"))
    rows.append(_header(("Signal", "Owner", "Deals", "Message")))
    if not m["signals"]:
        rows.append([_muted("No signal fired.")])
    for s in m["signals"]:
        rows.append(
            [
                s["code"],
                s["owner"] if s["owner"] is not None else TEAM,
                _int(len(s["deals"])),
                s["message"],
            ]
        )
        rows.append([None, None, None, _muted(f"Advice: {s['advice']}")])
        if s["deals"]:
            rows.append([None, None, None, _muted("Deals: " + ", ".join(s["deals"]))])

    if history is not None:
        rows += [[], *history_rows(history)]

    if typed:  # what people typed into the owned tabs since the last run
        rows += [[], _bold("Typed into sheetsync's tabs since the last run")]
        rows += [[_muted(line)] for line in typed]

    charts: list[ChartSpec] = []
    if last_owner >= first_owner:
        charts.append(
            ChartSpec(
                title=f"Quota progress — {period['label']}",
                kind="column",
                categories_col=1,
                first_row=first_owner,
                last_row=last_owner,
                series=tuple(
                    ChartSeries(QUOTA_HEADER[col - 1], first_owner, last_owner, col)
                    for col in (3, 5, 6)  # Won, Expected, Still to generate
                ),
                anchor_row=5,
                anchor_col=CHART_COL,
                width=CHART_WIDTH,
                height=CHART_HEIGHT,
            )
        )
    if last_stage >= first_stage:
        charts.append(
            ChartSpec(
                title="Open pipeline by stage",
                kind="bar",
                categories_col=1,
                first_row=first_stage,
                last_row=last_stage,
                series=(ChartSeries("Amount", first_stage, last_stage, 3),),
                anchor_row=5,
                anchor_col=CHART_COL + (CHART_WIDTH + 1) * len(charts),
                width=CHART_WIDTH,
                height=CHART_HEIGHT,
            )
        )
    return OutSheet(
        name=name,
        kind=ROLES["summary"],
        rows=rows,
        col_widths=[26.0] + [15.0] * (len(QUOTA_HEADER) - 1),
        charts=charts,
    )


# --------------------------------------------------------------------------- funnel


def _funnel(
    name: str, pipeline: Pipeline, m: Mapping[str, Any], as_of: dt.date, banner_text: str = ""
) -> OutSheet:
    rows: list[Row] = [
        _banner_row(banner_text),
        _title(f"Funnel — as of {as_of.isoformat()}"),
        [
            _muted(
                "Deals, Amount and Weighted: the open deals at each stage now. "
                "Reached: every deal that got at least that far (won deals reach every stage, "
                "lost deals the stage they were lost at). "
                "Conversion to next: reached at the next stage ÷ reached here."
            )
        ],
        [],
        _header(STAGE_HEADER),
    ]
    mix = {s["name"]: s for s in m["stages"]}
    for r in m["reached"]:
        s = mix.get(r["name"])
        rows.append(
            [
                r["name"],
                _int(s["count"]) if s else None,
                _money(s["amount"]) if s else None,
                _money(s["weighted"]) if s else None,
                _int(r["reached"]),
                _pct(r["conversion"]),
            ]
        )
    rows.append([])

    # open deals per owner and stage (deals at an unknown stage are left out, as above)
    stage_names = [s["name"] for s in m["stages"]]
    rows.append(_bold("Open deals by owner and stage"))
    rows.append(_header(["Owner", *stage_names, "Total"]))
    # counted in one pass (the amounts of stage_mix are not shown here)
    keys: _Memo[str | None, str | None] = _Memo(owner_key)
    by_owner = open_stage_counts(pipeline, lambda d: keys[d.owner])
    none = [0] * len(stage_names)

    def count_row(label: Any, counts: Sequence[int]) -> Row:
        return [label, *(_int(c) for c in counts), _int(sum(counts))]

    for o in m["owners"]:
        rows.append(count_row(o["owner"], by_owner.get(owner_key(o["owner"]), none)))
    unowned = by_owner.get(None, none)
    if any(unowned):
        rows.append(count_row(_muted(NO_OWNER), unowned))
    rows.append(count_row(OutCell(TEAM, "bold"), [s["count"] for s in m["stages"]]))
    return OutSheet(
        name=name,
        kind=ROLES["funnel"],
        rows=rows,
        col_widths=[26.0] + [15.0] * max(len(STAGE_HEADER) - 1, len(stage_names) + 1),
    )


# --------------------------------------------------------------------------- follow-ups


def _email(a: Action) -> Any:
    if not a.contact_email:
        return None
    text = ", ".join(a.contact_email)
    if not a.emailable:
        return _muted(f"{text} (do not email)")
    return text


def _more_row(shown: int, total: int, what: str, command: str) -> Row:
    return [
        _muted(
            f"… and {total - shown:,} more {what} not listed here (the tab shows {shown:,}): run `{command}`"
        )
    ]


def _list_end(shown: int, total: int, empty: Any, what: str, command: str) -> list[Row]:
    """The rows that close a list ``max_rows`` may cut (the follow-ups, the data issues).

    ``empty`` alone when there is nothing to list; when the cap left some
    out, a row saying how many and which command lists them all; else none.
    """
    if not total:
        return [[empty]]
    if shown < total:
        return [_more_row(shown, total, what, command)]
    return []


def _follow_ups(
    name: str,
    actions: Sequence[Action],
    max_rows: int | None = None,
    drafted_at: Callable[[Action], dt.datetime | None] | None = None,
    banner_text: str = "",
    marks: Mapping[tuple[str, str], tuple[Any, Any]] | None = None,
    protect: bool = False,
) -> OutSheet:
    """The follow-up list; ``marks`` are the Done and Note cells kept from the last run.

    ``marks`` maps (deal key, action kind) — the Key and Action columns — to
    the (Done, Note) values as the team typed them; they are written back in
    the row of the same action, wherever the list now puts it.
    """
    rows: list[Row] = [_banner_row(banner_text), _header(FOLLOW_UP_HEADER)]
    marks = marks or {}
    shown = actions if max_rows is None else actions[:max_rows]
    for a in shown:
        done, note = marks.get((a.deal_key, a.kind), (None, None))
        rows.append(
            [
                a.owner if a.owner is not None else _muted(NO_OWNER),
                a.kind,
                a.deal,
                a.company,
                a.contact_name,
                _email(a),
                a.stage,
                _money(a.amount),
                OutCell(a.due, "date"),
                _styled(a.when, "datetime"),
                a.reason,
                _link(str(a.cell) if a.cell is not None else None),
                _styled(drafted_at(a), "datetime") if drafted_at is not None else None,
                _value(done),
                _value(note),
                _muted(a.deal_key),
            ]
        )
    rows += _list_end(
        len(shown),
        len(actions),
        _muted("Nothing to follow up today."),
        "follow-ups",
        "sheetsync metrics --format json",
    )
    return OutSheet(
        name=name,
        kind=ROLES["follow_ups"],
        rows=rows,
        col_widths=[
            18.0,
            22.0,
            28.0,
            26.0,
            20.0,
            32.0,
            14.0,
            14.0,
            12.0,
            17.0,
            90.0,
            14.0,
            17.0,
            10.0,
            40.0,
            14.0,
        ],  # fmt: skip
        freeze_rows=2,
        protected=protect,
        editable_cols=EDITABLE_COLS,
        editable_from_row=3,
    )


# --------------------------------------------------------------------------- data issues


def _where(f: Finding, report: Report) -> Any:
    """A link to the finding's cell; its tab and row as text when it has no cell.

    A finding in a CSV file reads ``pipeline.csv:20:9`` (where to fix it) and
    links to the cell of the copy in this workbook.
    """
    if f.cell is not None:
        shown = report.where(f) or f.cell
        return OutCell(shown, "link", link=f.cell)
    if f.tab is not None and f.row is not None:
        return f"{f.tab} row {f.row}"
    return f.tab


def _data_issues(
    name: str, report: Report, max_rows: int | None = None, banner_text: str = ""
) -> OutSheet:
    rows: list[Row] = [_banner_row(banner_text), _header(DATA_ISSUES_HEADER)]
    # errors first, then the rest; only the first max_rows are taken (and all counted)
    findings = report.findings
    ordered = chain(
        (f for f in findings if f.severity is Severity.ERROR),
        (f for f in findings if f.severity is not Severity.ERROR),
    )
    shown = list(ordered if max_rows is None else islice(ordered, max_rows))
    for f in shown:
        rows.append(
            [
                str(f.severity),
                f.code,
                _where(f, report),
                f.field,
                _value(f.value),
                f.message,
                f.hint or None,
            ]
        )
    rows += _list_end(
        len(shown), len(findings), "No problems found", "findings", "sheetsync check --format json"
    )
    return OutSheet(
        name=name,
        kind=ROLES["data_issues"],
        rows=rows,
        col_widths=[10.0, 26.0, 14.0, 16.0, 22.0, 70.0, 70.0],
        freeze_rows=2,
    )


# --------------------------------------------------------------------------- entry point


def build_tabs(
    pipeline: Pipeline,
    metrics: Metrics,
    actions: Sequence[Action],
    report: Report,
    *,
    names: Mapping[str, str],
    as_of: dt.date,
    generated_at: dt.datetime | None = None,
    history: HistorySummary | None = None,
    max_rows: int | None = None,
    drafted_at: Callable[[Action], dt.datetime | None] | None = None,
    marks: Mapping[tuple[str, str], tuple[Any, Any]] | None = None,
    typed: Sequence[str] = (),
    protect: bool = False,
) -> list[OutSheet]:
    """The four owned tabs: summary, funnel, follow-ups and data issues, in that order.

    ``names`` maps a role (``summary``, ``funnel``, ``follow_ups``,
    ``data_issues``, as in :data:`sheetsync.config.DEFAULT_TABS`) to the tab's
    name; a role it leaves out gets its default name.  ``actions`` are listed
    in the order given (``compute_followups`` sorts them).  ``max_rows``
    caps the follow-up and data-issue lists (errors first), ending them with
    a row that says how many more there are and which command lists them:
    a tab of 100,000 rows helps nobody and costs every nightly run.

    Every tab starts with the same :func:`banner` line.  ``marks`` are the
    Follow-ups' Done and Note cells kept from the last run (see
    :mod:`sheetsync.owned_edits`); ``typed`` the lines saying what was typed
    into the owned tabs since then, listed at the end of the summary.
    ``protect`` asks the backend to protect every tab without a password,
    the Done and Note cells left editable (``[sync] protect_owned_tabs``).
    """
    tab = {**DEFAULT_TABS, **names}
    # the tabs show how many deals each list has, not the deals: counted, not turned into dicts
    m = metrics.to_dict(deal_lists=False)
    m.update({name: len(getattr(metrics, name)) for name in DEAL_LISTS})
    text = banner(as_of, tab["follow_ups"], pipeline.deals_tab)
    sheets = [
        _summary(tab["summary"], pipeline, m, as_of, generated_at, history, text, typed),
        _funnel(tab["funnel"], pipeline, m, as_of, text),
        _follow_ups(tab["follow_ups"], actions, max_rows, drafted_at, text, marks, protect),
        _data_issues(tab["data_issues"], report, max_rows, text),
    ]
    for s in sheets:
        s.protected = protect
    return sheets
