"""The owned tabs' layout: structure, links, charts, typed values, and a golden file.

The golden file ``tests/golden/tabs/team_pipeline.json`` is every OutSheet
built for ``sample_workbooks/team_pipeline.xlsx`` as of 2026-11-26 (generated
at 2026-11-26 02:00), one JSON row per sheet row, each cell with a type tag
(``t``), its value (``v``), style (``s``) and link (``l``).  After an
intended layout change, regenerate it and review the diff:

    SHEETSYNC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_tabs.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sheetsync import jobs
from sheetsync.config import DEFAULT_STAGES, DEFAULT_TABS, Config
from sheetsync.followups import Action, compute_followups
from sheetsync.metrics import compute_metrics
from sheetsync.model import FIELDS, CellRef, Deal, Finding, Pipeline, Report, Severity
from sheetsync.outsheet import OutCell, OutSheet
from sheetsync.tabs import (
    DATA_ISSUES_HEADER,
    FOLLOW_UP_HEADER,
    QUOTA_HEADER,
    STAGE_HEADER,
    build_tabs,
)

T = dt.date(2026, 11, 26)
GENERATED = dt.datetime(2026, 11, 26, 2, 0)
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
GOLDEN = ROOT / "tests" / "golden" / "tabs" / "team_pipeline.json"
STAGES = list(DEFAULT_STAGES)

NAMES = {
    "summary": "Our Summary",
    "funnel": "Our Funnel",
    "follow_ups": "To do",
    "data_issues": "Fix me",
}


# --------------------------------------------------------------------------- helpers


def value(cell: Any) -> Any:
    return cell.value if isinstance(cell, OutCell) else cell


def style(cell: Any) -> str | None:
    return cell.style if isinstance(cell, OutCell) else None


def at(sheet: OutSheet, row: int, col: int) -> Any:
    """The cell at a 1-based (row, col), None past the row's end."""
    r = sheet.rows[row - 1]
    return r[col - 1] if col <= len(r) else None


def find_row(sheet: OutSheet, first: Any) -> int:
    """The 1-based row whose first cell's value is ``first``."""
    for i, r in enumerate(sheet.rows, 1):
        if r and value(r[0]) == first:
            return i
    raise AssertionError(f"no row starts with {first!r} in {sheet.name}")


def cells(sheets: list[OutSheet]) -> Iterator[Any]:
    for s in sheets:
        for r in s.rows:
            yield from r


def by_kind(sheets: list[OutSheet]) -> dict[str, OutSheet]:
    return {s.kind: s for s in sheets}


def deal(key: str, stage: str, row: int, **kw: Any) -> Deal:
    st = next(s for s in STAGES if s.name == stage)
    d = Deal(row=row, key=key, id=key, stage=stage, stage_index=st.index, status=st.outcome, **kw)
    d.cells = {f: CellRef("Deals", row, i + 1) for i, f in enumerate(FIELDS)}
    return d


def build(
    p: Pipeline, report: Report | None = None, actions: list[Action] | None = None, **kw: Any
) -> list[OutSheet]:
    m = compute_metrics(p, T)
    if actions is None:
        actions = compute_followups(p, T)
    return build_tabs(
        p,
        m,
        actions,
        report or Report(p.source),
        names=kw.pop("names", DEFAULT_TABS),
        as_of=T,
        **kw,
    )


# --------------------------------------------------------------------------- golden rendering


def cell_json(cell: Any) -> dict[str, Any]:
    v, s, link = (
        (cell.value, cell.style, cell.link) if isinstance(cell, OutCell) else (cell, None, None)
    )
    if v is None:
        out: dict[str, Any] = {"t": "none"}
    elif isinstance(v, bool):
        out = {"t": "bool", "v": v}
    elif isinstance(v, int | float):
        out = {"t": type(v).__name__, "v": v}
    elif isinstance(v, str):
        out = {"t": "str", "v": v}
    elif isinstance(v, dt.datetime):
        out = {"t": "datetime", "v": v.isoformat()}
    elif isinstance(v, dt.date):
        out = {"t": "date", "v": v.isoformat()}
    else:
        raise AssertionError(f"unexpected value type {type(v).__name__}: {v!r}")
    if s is not None:
        out["s"] = s
    if link is not None:
        out["l"] = link
    return out


def render(sheets: list[OutSheet]) -> str:
    """Valid JSON, one line per sheet row, so a golden diff shows the rows that changed."""

    def line(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False)

    blocks = []
    for s in sheets:
        meta = {
            "name": s.name,
            "kind": s.kind,
            "freeze_rows": s.freeze_rows,
            "hidden": s.hidden,
            "col_widths": s.col_widths,
        }
        parts = [f"    {line(k)}: {line(v)}" for k, v in meta.items()]
        charts = ",\n".join(f"      {line(dataclasses.asdict(c))}" for c in s.charts)
        parts.append(f'    "charts": [\n{charts}\n    ]' if charts else '    "charts": []')
        rows = ",\n".join(f"      {line([cell_json(c) for c in r])}" for r in s.rows)
        parts.append(f'    "rows": [\n{rows}\n    ]')
        blocks.append("  {\n" + ",\n".join(parts) + "\n  }")
    return "[\n" + ",\n".join(blocks) + "\n]\n"


# --------------------------------------------------------------------------- the sample


def _sample_tabs(checked, metrics, actions, **options):
    """The owned tabs of the checked sample, as of T, with the default names."""
    return build_tabs(
        checked.pipeline, metrics, actions, checked.report, names=DEFAULT_TABS, as_of=T, **options
    )


@pytest.fixture(scope="module")
def sample():
    checked = jobs.check(str(SAMPLE), as_of=T, cfg=Config())
    metrics = compute_metrics(checked.pipeline, T)
    actions = compute_followups(checked.pipeline, T)
    sheets = _sample_tabs(checked, metrics, actions, generated_at=GENERATED)
    return checked, metrics, actions, sheets


def test_golden_file(sample):
    *_, sheets = sample
    text = render(sheets)
    if os.environ.get("SHEETSYNC_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), "no golden file: run with SHEETSYNC_UPDATE_GOLDEN=1 to create it"
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = json.loads(text)
    assert [s["name"] for s in got] == [s["name"] for s in expected]
    for g, e in zip(got, expected, strict=True):
        assert g == e, f"sheet {g['name']!r} differs from the golden file"


def test_a_capped_list_ends_with_how_many_more_and_a_whole_one_with_nothing(sample):
    checked, metrics, actions, _ = sample
    findings = checked.report.findings
    assert len(actions) > 2 and len(findings) > 2

    def ends(max_rows: int) -> tuple[Any, Any]:
        tabs = by_kind(_sample_tabs(checked, metrics, actions, max_rows=max_rows))
        return tabs["follow-ups"].rows[2:], tabs["data-issues"].rows[2:]

    follow_ups, issues = ends(2)
    assert len(follow_ups) == 3 and follow_ups[-1] == [
        OutCell(
            f"… and {len(actions) - 2:,} more follow-ups not listed here (the tab shows 2): "
            "run `sheetsync metrics --format json`",
            "muted",
        )
    ]
    assert len(issues) == 3 and issues[-1] == [
        OutCell(
            f"… and {len(findings) - 2:,} more findings not listed here (the tab shows 2): "
            "run `sheetsync check --format json`",
            "muted",
        )
    ]
    follow_ups, issues = ends(len(actions) + len(findings))
    assert (len(follow_ups), len(issues)) == (len(actions), len(findings))


def test_four_tabs_in_order_with_their_kinds_and_default_names(sample):
    *_, sheets = sample
    assert [s.kind for s in sheets] == ["summary", "funnel", "follow-ups", "data-issues"]
    assert [s.name for s in sheets] == [
        DEFAULT_TABS["summary"],
        DEFAULT_TABS["funnel"],
        DEFAULT_TABS["follow_ups"],
        DEFAULT_TABS["data_issues"],
    ]
    assert not any(s.hidden for s in sheets)


def test_names_come_from_the_names_mapping(sample):
    checked, metrics, actions, _ = sample
    sheets = build_tabs(checked.pipeline, metrics, actions, checked.report, names=NAMES, as_of=T)
    assert [s.name for s in sheets] == list(NAMES.values())
    partial = build_tabs(
        checked.pipeline, metrics, actions, checked.report, names={"funnel": "F"}, as_of=T
    )
    assert [s.name for s in partial] == [
        DEFAULT_TABS["summary"],
        "F",
        DEFAULT_TABS["follow_ups"],
        DEFAULT_TABS["data_issues"],
    ]


def test_summary_title_note_and_generated_row(sample):
    checked, metrics, actions, sheets = sample
    s = by_kind(sheets)["summary"]
    assert at(s, 2, 1) == OutCell("Pipeline summary — as of 2026-11-26 · period 2026-Q4", "title")
    note = at(s, 1, 1)  # the banner every owned tab starts with
    assert style(note) == "muted"
    assert note.value == (
        "Written by sheetsync from the 'Pipeline' tab on 2026-11-26 — edits here are replaced "
        "nightly (and reported), except the Done and Note columns of 'sheetsync Follow-ups'"
    )
    assert s.rows[2] == ["Generated", OutCell(GENERATED, "datetime")]
    # without generated_at: no wall clock anywhere, and two builds are identical
    a = build_tabs(checked.pipeline, metrics, actions, checked.report, names=DEFAULT_TABS, as_of=T)
    b = build_tabs(checked.pipeline, metrics, actions, checked.report, names=DEFAULT_TABS, as_of=T)
    assert render(a) == render(b)
    assert a[0].rows[2] == []
    assert not any(isinstance(value(c), dt.datetime) and value(c) == GENERATED for c in cells(a))


def test_summary_quota_table_holds_the_metrics_numbers(sample):
    _, metrics, _, sheets = sample
    s = by_kind(sheets)["summary"]
    header = find_row(s, "Owner")
    assert s.rows[header - 1] == [OutCell(h, "header") for h in QUOTA_HEADER]
    keys = [
        "quota",
        "won",
        "open_amount",
        "expected",
        "to_generate",
        "attainment",
        "coverage",
        "needed_coverage",
        "win_rate",
        "open_count",
    ]
    styles = ["currency"] * 5 + ["percent", "number", "number", "percent", "integer"]
    m = metrics.to_dict()
    for i, o in enumerate([*m["owners"], m["team"]]):
        row = s.rows[header + i]
        assert value(row[0]) == (o["owner"] or "Team")
        assert [value(c) for c in row[1:]] == [o[k] for k in keys]
        assert [style(c) for c in row[1:]] == styles
    # Marcus Chen, by hand from the metrics JSON: quota 250,000, won 95,300 → 38.12 %
    marcus = s.rows[find_row(s, "Marcus Chen") - 1]
    assert (value(marcus[1]), value(marcus[2]), value(marcus[6])) == (250000.0, 95300.0, 0.3812)


def test_quota_chart_series_are_the_owner_rows_of_the_quota_table(sample):
    _, metrics, _, sheets = sample
    s = by_kind(sheets)["summary"]
    chart = next(c for c in s.charts if c.kind == "column")
    header = find_row(s, "Owner")
    owners = [o.owner for o in metrics.owners]
    assert (chart.first_row, chart.last_row) == (header + 1, header + len(owners))
    assert chart.categories_col == 1
    assert [value(at(s, r, 1)) for r in range(chart.first_row, chart.last_row + 1)] == owners
    assert value(at(s, chart.last_row + 1, 1)) == "Team"  # the team row is not charted
    assert [(x.name, x.col) for x in chart.series] == [
        ("Won", 3),
        ("Expected", 5),
        ("Still to generate", 6),
    ]
    for x in chart.series:
        assert (x.first_row, x.last_row) == (chart.first_row, chart.last_row)
        assert value(at(s, header, x.col)) == x.name
        values = [value(at(s, r, x.col)) for r in range(x.first_row, x.last_row + 1)]
        assert all(isinstance(v, float) for v in values)
    won = [value(at(s, r, 3)) for r in range(chart.first_row, chart.last_row + 1)]
    assert won == [o.won for o in metrics.owners]


def test_stage_chart_points_at_the_summary_stage_table(sample):
    _, metrics, _, sheets = sample
    s = by_kind(sheets)["summary"]
    chart = next(c for c in s.charts if c.kind == "bar")
    header = find_row(s, "Stage")
    assert s.rows[header - 1] == [OutCell(h, "header") for h in STAGE_HEADER[:4]]
    rows = range(chart.first_row, chart.last_row + 1)
    assert chart.first_row == header + 1
    assert chart.categories_col == 1
    assert [value(at(s, r, 1)) for r in rows] == [x.name for x in metrics.stages]
    (series,) = chart.series
    assert (series.name, series.col, series.first_row, series.last_row) == (
        "Amount",
        3,
        chart.first_row,
        chart.last_row,
    )
    assert value(at(s, header, series.col)) == "Amount"
    assert [value(at(s, r, 3)) for r in rows] == [round(x.amount, 2) for x in metrics.stages]


def test_charts_sit_right_of_the_tables_and_do_not_overlap(sample):
    *_, sheets = sample
    s = by_kind(sheets)["summary"]
    assert len(s.charts) == 2
    widest = max(len(r) for r in s.rows)
    spans = []
    for c in s.charts:
        assert c.anchor_col > widest
        assert c.anchor_col > len(s.col_widths)
        for r in range(c.anchor_row, min(c.anchor_row + c.height, len(s.rows)) + 1):
            assert len(s.rows[r - 1]) < c.anchor_col
        spans.append(set(range(c.anchor_col, c.anchor_col + c.width)))
    assert not spans[0] & spans[1]


def test_summary_win_rate_block_and_signals(sample):
    _, metrics, _, sheets = sample
    s = by_kind(sheets)["summary"]
    m = metrics.to_dict()
    expect = {
        "Win rate (by count)": (m["win_rate"]["count"], "percent"),
        "Win rate (by value)": (m["win_rate"]["value"], "percent"),
        "Average deal size": (m["avg_deal_size"], "currency"),
        "Sales cycle (days)": (m["cycle_days"], "number"),
        "Sales velocity (per day)": (m["velocity"], "currency"),
        "Overdue deals": (len(m["overdue"]), "integer"),
        "Stale deals": (len(m["stale"]), "integer"),
        "No next step": (len(m["no_next_step"]), "integer"),
        "Undated open deals": (len(m["undated"]), "integer"),
    }
    for label, (v, st) in expect.items():
        cell = s.rows[find_row(s, label) - 1][1]
        assert (value(cell), style(cell)) == (v, st), label
    header = find_row(s, "Signal")
    assert [value(c) for c in s.rows[header - 1]] == ["Signal", "Owner", "Deals", "Message"]
    signal_rows = [r for r in s.rows[header:] if r and r[0] is not None]
    assert [(r[0], r[1], value(r[2]), r[3]) for r in signal_rows] == [
        (x.code, x.owner or "Team", len(x.deals), x.message) for x in metrics.signals
    ]
    text = [value(r[3]) for r in s.rows[header:] if r and r[0] is None]
    assert f"Advice: {metrics.signals[0].advice}" in text
    assert "Deals: " + ", ".join(metrics.signals[0].deals) in text


def test_funnel_stage_table_and_owner_matrix(sample):
    _, metrics, _, sheets = sample
    f = by_kind(sheets)["funnel"]
    header = find_row(f, "Stage")
    assert f.rows[header - 1] == [OutCell(h, "header") for h in STAGE_HEADER]
    m = metrics.to_dict()
    mix = {x["name"]: x for x in m["stages"]}
    for i, r in enumerate(m["reached"]):
        row = f.rows[header + i]
        x = mix.get(r["name"])
        assert value(row[0]) == r["name"]
        assert [value(c) for c in row[1:]] == [
            x and x["count"],
            x and x["amount"],
            x and x["weighted"],
            r["reached"],
            r["conversion"],
        ]
    won = f.rows[find_row(f, "Won") - 1]
    assert won[1:4] == [None, None, None]  # not an open stage
    assert value(won[4]) == metrics.reached[-1].reached
    mh = find_row(f, "Owner")
    assert [value(c) for c in f.rows[mh - 1]] == ["Owner", *mix, "Total"]
    team = f.rows[find_row(f, "Team") - 1]
    assert [value(c) for c in team[1:]] == [x["count"] for x in m["stages"]] + [
        sum(x["count"] for x in m["stages"])
    ]
    # the owner rows (and the deal with no owner) add up to the team row
    body = f.rows[mh : find_row(f, "Team") - 1]
    assert [value(r[0]) for r in body] == [o.owner for o in metrics.owners] + ["(no owner)"]
    totals = [sum(value(r[c]) for r in body) for c in range(1, len(team))]
    assert totals == [value(c) for c in team[1:]]


def test_follow_ups_one_row_per_action_with_a_link_to_its_cell(sample):
    _, _, actions, sheets = sample
    s = by_kind(sheets)["follow-ups"]
    assert s.freeze_rows == 2
    assert s.rows[1] == [OutCell(h, "header") for h in FOLLOW_UP_HEADER]
    assert len(s.rows) == 2 + len(actions)
    assert len(s.col_widths) == len(FOLLOW_UP_HEADER)
    col = {h: i for i, h in enumerate(FOLLOW_UP_HEADER)}
    for a, row in zip(actions, s.rows[2:], strict=True):
        assert len(row) == len(FOLLOW_UP_HEADER)
        assert row[col["Action"]] == a.kind
        assert row[col["Deal"]] == a.deal
        assert row[col["Why"]] == a.reason
        assert row[col["Cell"]] == OutCell(str(a.cell), "link", link=str(a.cell))
        assert row[col["Due"]] == OutCell(a.due, "date")
        assert row[col["Drafted at"]] is None
        assert row[col["Done"]] is None and row[col["Note"]] is None  # nothing typed yet
        assert row[col["Key"]] == OutCell(a.deal_key, "muted")
        if a.amount is None:
            assert row[col["Amount"]] is None
        else:
            assert row[col["Amount"]] == OutCell(a.amount, "currency")
    reminder = next(r for r in s.rows[2:] if r[col["Action"]] == "appointment-reminder")
    assert reminder[col["Cell"]].link == "Pipeline!N29"  # NW-1025's Next Meeting cell
    assert reminder[col["When"]] == OutCell(dt.datetime(2026, 11, 26, 11, 0), "datetime")
    # NW-1020 is do-not-email: listed, and the email says so
    dne = next(r for r in s.rows[2:] if r[col["Cell"]].link == "Pipeline!N24")
    assert dne[col["Email"]] == OutCell("ncosta@juniper-lane.example (do not email)", "muted")


def test_data_issues_one_row_per_finding_errors_first(sample):
    checked, *_, sheets = sample
    s = by_kind(sheets)["data-issues"]
    assert s.freeze_rows == 2
    assert s.rows[1] == [OutCell(h, "header") for h in DATA_ISSUES_HEADER]
    assert len(s.rows) == 2 + len(checked.report.findings)
    assert [r[0] for r in s.rows[2:]] == ["error"] * 7 + ["warning"] * 5
    first = s.rows[2]
    assert first == [
        "error",
        "unknown-stage",
        OutCell("Pipeline!I20", "link", link="Pipeline!I20"),
        "stage",
        "Negotation",
        "unknown stage 'Negotation'; did you mean 'Negotiation'?",
        "write 'Negotiation' (stages come from the Stages tab, [[stages]] in sheetsync.toml, "
        "or the default list)",
    ]
    negative = next(r for r in s.rows[2:] if r[1] == "negative-amount")
    assert negative[4] == OutCell(-4500.0, "number")
    past = next(r for r in s.rows[2:] if r[1] == "appointment-past")
    assert past[4] == OutCell(dt.datetime(2026, 11, 20, 10, 0), "datetime")
    missing = next(r for r in s.rows[2:] if r[1] == "missing-required")
    assert missing[4] is None  # the blank owner cell: empty, not ""


def test_data_issues_without_a_cell_and_without_findings():
    p = Pipeline(source="t.xlsx", deals_tab="Deals", deals=[], stages=STAGES)
    report = Report(
        "t.xlsx",
        [
            Finding("bad-settings-tab", Severity.WARNING, "no header", tab="Stages"),
            Finding("bad-quota", Severity.ERROR, "not an amount", tab="Quota's", row=3),
            Finding(
                "bad-stage-kind", Severity.WARNING, "odd kind", tab="My Stages", row=2, column="C"
            ),
            Finding("bad-rot-days", Severity.ERROR, "whole workbook"),
        ],
    )
    s = by_kind(build(p, report))["data-issues"]
    assert [r[:3] for r in s.rows[2:]] == [
        ["error", "bad-quota", "Quota's row 3"],
        ["error", "bad-rot-days", None],
        ["warning", "bad-settings-tab", "Stages"],
        ["warning", "bad-stage-kind", OutCell("'My Stages'!C2", "link", link="'My Stages'!C2")],
    ]
    assert s.rows[2][6] is None  # no hint: empty, not ""
    empty = by_kind(build(p))["data-issues"]
    assert empty.rows[2:] == [["No problems found"]]


# --------------------------------------------------------------------------- user text and absent values

EVIL = ['=HYPERLINK("http://evil","x")', "+1", "-1", "@SUM(A1)", "=1+1", "None"]


def evil_pipeline() -> tuple[Pipeline, Report]:
    deals = []
    for i, text in enumerate(EVIL):
        deals.append(
            deal(
                f"E{i}",
                "Appointment",
                row=i + 2,
                deal=text,
                company=text,
                contact_name=text,
                owner=text,
                decision_maker=False,
                next_appointment=dt.datetime(2026, 11, 27, 9, 0),
                close_date=dt.date(2026, 12, 20),
                amount=1000.0,
            )
        )
    report = Report(
        "t.xlsx",
        [
            Finding.at(
                "bad-amount",
                Severity.ERROR,
                f"amount: not an amount: {t!r}",
                CellRef("Deals", i + 2, 10),
                field="amount",
                value=t,
            )
            for i, t in enumerate(EVIL)
        ],
    )
    return Pipeline("t.xlsx", "Deals", deals, STAGES), report


def test_formula_looking_user_text_is_kept_as_the_exact_str():
    p, report = evil_pipeline()
    tabs = by_kind(build(p, report))
    fu = tabs["follow-ups"]
    col = {h: i for i, h in enumerate(FOLLOW_UP_HEADER)}
    for text in EVIL:
        rows = [r for r in fu.rows[2:] if r[col["Deal"]] == text]
        assert rows, text
        for r in rows:
            for name in ("Owner", "Deal", "Company", "Contact"):
                assert type(r[col[name]]) is str and r[col[name]] == text
    issues = tabs["data-issues"]
    assert [r[4] for r in issues.rows[2:]] == EVIL
    assert all(type(r[4]) is str for r in issues.rows[2:])
    summary = tabs["summary"]
    owner_cells = [r[0] for r in summary.rows if r and r[0] in EVIL]
    assert sorted(owner_cells) == sorted(EVIL)
    assert all(type(c) is str for c in owner_cells)


def sparse_pipeline() -> Pipeline:
    """Deals with almost nothing filled in: every absent value must be an empty cell."""
    deals = [
        deal("S1", "Lead", row=2, owner="Ana"),
        deal("S2", "Presentation", row=3, owner=None, trial=None),
        deal("S3", "Won", row=4, owner="Bo"),
        deal("S4", "Proposal", row=5, owner="Ana", last_contact=dt.date(2026, 10, 1)),
    ]
    return Pipeline("t.xlsx", "Deals", deals, STAGES)


def test_absent_values_are_none_never_the_text_none():
    for sheets in (build(sparse_pipeline()), build(evil_pipeline()[0])):
        for c in cells(sheets):
            v = value(c)
            if isinstance(c, OutCell):
                assert v is not None, c  # an empty cell is None itself, not OutCell(None)
            if isinstance(v, str) and v != "None":  # "None" is a deal's own name in EVIL
                assert "None" not in v, v
    tabs = by_kind(build(sparse_pipeline()))
    q = tabs["summary"]
    ana = q.rows[find_row(q, "Ana") - 1]
    assert ana[1] is None and ana[5] is None and ana[6] is None  # no quota: no progress ratios
    fu = tabs["follow-ups"]
    col = {h: i for i, h in enumerate(FOLLOW_UP_HEADER)}
    for r in fu.rows[2:]:
        assert r[col["Company"]] is None and r[col["Email"]] is None
        assert r[col["Amount"]] is None
    assert OutCell("(no owner)", "muted") in [r[0] for r in fu.rows[2:]]


def test_numbers_are_numbers_and_dates_are_dates(sample):
    *_, sheets = sample
    numeric = {"currency", "percent", "number", "integer"}
    for c in cells(sheets):
        if not isinstance(c, OutCell):
            assert c is None or isinstance(c, str | bool), c
            continue
        if c.style in numeric:
            assert isinstance(c.value, int | float) and not isinstance(c.value, bool), c
        elif c.style == "date":
            assert type(c.value) is dt.date, c
        elif c.style == "datetime":
            assert type(c.value) is dt.datetime, c
        elif c.style == "link":
            assert c.link == c.value
        else:
            assert isinstance(c.value, str), c


def test_no_actions_and_no_owners_still_lay_out():
    p = Pipeline("t.xlsx", "Deals", [], STAGES)
    tabs = by_kind(build(p, actions=[]))
    assert tabs["follow-ups"].rows[2:] == [[OutCell("Nothing to follow up today.", "muted")]]
    summary = tabs["summary"]
    # no owner: no quota chart; the stage chart still has its (empty) stages
    assert [c.kind for c in summary.charts] == ["bar"]
    assert value(summary.rows[find_row(summary, "Team") - 1][0]) == "Team"
