"""Issue 9, item 13: the corpus of real layouts gives the numbers worked out by hand.

Each folder of ``tests/realworld/cases`` holds a sheet laid out the way a CRM
export or a team in another country writes it, and ``expected.json`` with
what a careful person computes from its rows (the arithmetic is in its
``why``).  ``check`` and ``metrics`` run on every one through the library,
with the case's as-of date, and must agree: the exit code's class, each
rep's won / expected / still to generate, the team's totals and net gap, the
deals per stage, and the findings as (code, cell) pairs, with the fix text
the issue asks for.  The books are committed; ``tests/realworld/generate.py``
makes them and must make the same ones again.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sheetsync import jobs
from sheetsync.errors import EXIT_DATA_ERRORS, EXIT_OK, SheetsyncError

HERE = Path(__file__).resolve().parent / "realworld"
CASES = HERE / "cases"
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "expected.json").is_file())

#: Every problem issue 9 names, as the tag the case that proves it carries.
#: Deleting the case (or its tag) fails ``test_every_issue_9_problem_has_a_case``.
ISSUE_9_PROBLEMS = frozenset(
    {
        "eu-thousands",  # 12.500 is twelve thousand five hundred
        "mixed-currency",  # $ € £ in one column, no rate: findings, never added
        "mixed-currency-rates",  # the same with [[rates]]: converted
        "cover-tab",  # a cover tab with Owner/Stage headers before the pipeline
        "excel-table-total-row",
        "hand-totals-row",
        "status-column",  # Pipedrive's won/lost/open beside the stage
        "buddhist-era",  # 26/12/2569
        "thai-digits",
        "thai-month-names",
        "probability-percent",  # Probability (%) holding 1, 50, 80
        "opt-out",  # Unsubscribed / do not email!
        "formula-not-calculated",
        "formula-evaluated",
        "headers-de",
        "headers-fr",
        "headers-es",
        "headers-pt",
        "headers-th",
        "team-gap",  # one rep's surplus never hides another's gap
        "ambiguous-number",  # a column of 12.500 alone: asked, naming the setting
        "mio-euro",  # 1,5 Mio. €
        "million-words",  # 1.2 million
        "lan-multiplier",  # 1.2 ล้าน
        "baht-suffix",  # 1,500,000 บาท
        "implausible-date",
        "two-candidate-tabs",  # exit 2 naming both tabs and deals_tab
        "crm-hubspot",
        "crm-pipedrive",
        "crm-salesforce",
        "crm-zoho",
        "crm-dynamics365",
        "crm-monday",
        # the leftovers the corpus found
        "two-digit-buddhist-year",  # 3 พ.ย. 69 = 2569 BE, or asked naming [parse] calendar
        "ambiguous-year",
        "quotas-tab-de",
        "quotas-tab-fr",
        "quotas-tab-es",
        "quotas-tab-pt",
        "quotas-tab-th",
        "header-multiplier",  # Betrag (Tsd. €): read multiplied, said once
        "builtin-currency-format",  # Excel's formats 5-8 name no currency
        "unnamed-currency",
    }
)
#: Sheets written by hand in each language: at least three each (the brief).
LANGUAGES = ("de", "fr", "es", "pt", "th")


def load(case_dir: Path) -> dict[str, Any]:
    return json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))


def money(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_check_and_metrics_give_the_hand_worked_numbers(case_dir):
    exp = load(case_dir)
    as_of = dt.date.fromisoformat(exp["as_of"])
    book = str(case_dir / exp["book"])
    if exp["exit"] == 2:
        with pytest.raises(SheetsyncError) as info:
            jobs.check(book, as_of=as_of)
        assert info.value.exit_code == 2
        said = f"{info.value.message} {info.value.hint or ''}"
        for text in exp["error_mentions"]:
            assert text in said, said
        return

    checked, m = jobs.metrics(book, as_of=as_of)
    report, pipeline = checked.report, checked.pipeline
    exit_code = EXIT_OK if report.valid else EXIT_DATA_ERRORS
    found = sorted([f.code, report.where(f)] for f in report.findings)
    assert (exit_code, found) == (exp["exit"], sorted(exp["findings"])), [
        (f.code, report.where(f), f.message) for f in report.findings
    ]
    for code, words in exp.get("fixes", {}).items():
        for f in (f for f in report.findings if f.code == code):
            said = f"{f.message} {f.hint}"
            for word in words:
                assert word.lower() in said.lower(), (code, word, said)

    if "deals_tab" in exp:
        assert pipeline.deals_tab == exp["deals_tab"]
    assert dict(Counter(d.stage for d in pipeline.deals)) == exp["stages"]

    owners = {
        q.owner: {
            "won": money(q.won),
            "expected": money(q.expected),
            "to_generate": money(q.to_generate),
        }
        for q in m.owners
    }
    assert owners == {o: {k: money(v) for k, v in n.items()} for o, n in exp["owners"].items()}
    t = m.team
    team = {
        "won": money(t.won),
        "expected": money(t.expected),
        "to_generate": money(t.to_generate),
        "net_gap": money(t.net_gap),
    }
    assert team == {k: money(v) for k, v in exp["team"].items()}

    if "skipped_rows" in exp:
        assert sorted(r for s in report.skipped for r in s["rows"]) == exp["skipped_rows"]
    if "do_not_email_rows" in exp:
        assert [d.row for d in pipeline.deals if d.do_not_email] == exp["do_not_email_rows"]
    for text in exp.get("notes_mention", []):
        assert any(text in n for n in report.notes), report.notes
    if "currency" in exp:
        assert pipeline.currency == exp["currency"]
    if "rates_used" in exp:
        assert sorted(r.currency for r in pipeline.rates_used) == exp["rates_used"]


def test_the_corpus_has_forty_cases_and_three_sheets_per_language():
    assert len(CASE_DIRS) >= 40
    groups = Counter(load(p)["group"] for p in CASE_DIRS)
    assert all(groups[lang] >= 3 for lang in LANGUAGES), groups
    crms = {t for p in CASE_DIRS for t in load(p)["problems"] if t.startswith("crm-")}
    assert {
        "crm-hubspot",
        "crm-pipedrive",
        "crm-salesforce",
        "crm-zoho",
        "crm-dynamics365",
        "crm-monday",
    } <= crms


def test_every_issue_9_problem_has_a_case():
    tags = {t for p in CASE_DIRS for t in load(p)["problems"]}
    assert sorted(ISSUE_9_PROBLEMS - tags) == []


def test_every_case_says_how_its_numbers_were_worked_out():
    for p in CASE_DIRS:
        exp = load(p)
        assert len(exp["why"]) > 80, p.name
        assert (p / exp["book"]).is_file(), p.name


# --------------------------------------------------------------------------- regenerating


def _generator():
    spec = importlib.util.spec_from_file_location("realworld_generate", HERE / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = mod  # its dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def cell_values(path: Path) -> Any:
    """What a book holds, cell by cell (an .xlsx zip also stores when it was saved)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path)  # formulas as written, not calculated values
        out = {}
        for ws in wb.worksheets:
            out[ws.title] = [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()]
            out[ws.title + " tables"] = sorted(
                (t.name, t.ref, t.totalsRowCount) for t in ws.tables.values()
            )
        return out
    if suffix == ".ods":
        with zipfile.ZipFile(path) as zf:
            return zf.read("content.xml")
    return path.read_bytes()  # a CSV file is its text: byte for byte


def test_regenerating_gives_the_same_expectations_and_cells(tmp_path):
    made = _generator().generate(tmp_path)
    assert sorted(p.name for p in made) == [p.name for p in CASE_DIRS]
    for new in made:
        old = CASES / new.name
        assert sorted(f.name for f in new.iterdir()) == sorted(f.name for f in old.iterdir()), (
            new.name
        )
        for name in ("expected.json", "sheetsync.toml"):
            if (new / name).exists():
                assert (new / name).read_bytes() == (old / name).read_bytes(), (new.name, name)
        book = load(old)["book"]
        assert cell_values(new / book) == cell_values(old / book), new.name
