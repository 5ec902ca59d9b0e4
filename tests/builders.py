"""Small workbooks built in a test's tmp_path, so each test shows its own data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from sheetsync.config import DEFAULT_STAGES

#: The 15 columns of a generated pipeline, shared by the benchmarks (``bench/``) and
#: the Google tests' fixture: a real team's headers, none of them sheetsync's field names.
GENERATED_HEADER = [
    "Deal ID",
    "Deal",
    "Company",
    "Contact",
    "Contact Email",
    "Decision Maker?",
    "Sales Rep",
    "Deal Stage",
    "Est. Budget",
    "Probability",
    "Created",
    "Expected Close",
    "Next Meeting",
    "Last Contact",
    "Notes",
]
#: The default stage list, in pipeline order (the one sheetsync applies without a Stages tab).
STAGES = [s.name for s in DEFAULT_STAGES]


def make_workbook(
    path: Path,
    tabs: dict[str, Sequence[Sequence[Any]]],
    *,
    date1904: bool = False,
) -> Path:
    """Write ``tabs`` (name → rows from A1) with real date cells for dates."""
    wb = xlsxwriter.Workbook(str(path), {"date_1904": date1904, "strings_to_numbers": False})
    wb.set_properties({"created": dt.datetime(2026, 1, 1)})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    dt_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, rows in tabs.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, dt_fmt)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write(r, c, v)
    wb.close()
    return path


HEADER = [
    "Deal ID",
    "Deal",
    "Company",
    "Contact Email",
    "Decision Maker?",
    "Sales Rep",
    "Deal Stage",
    "Est. Budget",
    "Created",
    "Expected Close",
    "Next Meeting",
    "Lost Reason",
]


def deal_row(overrides: dict[str, Any] | None = None, **kw: Any) -> list[Any]:
    """A row under :data:`HEADER` with sensible, clean defaults.

    Override by header (``{"Decision Maker?": "no"}``) or by keyword with
    underscores for spaces (``Deal_Stage="Won"``).
    """
    base = {
        "Deal ID": "D1",
        "Deal": "Widget rollout",
        "Company": "Acme",
        "Contact Email": "ann@acme.example",
        "Decision Maker?": "yes",
        "Sales Rep": "Ann",
        "Deal Stage": "Proposal",
        "Est. Budget": 10000,
        "Created": dt.date(2026, 9, 1),
        "Expected Close": dt.date(2026, 12, 15),
        "Next Meeting": dt.datetime(2026, 11, 27, 10, 0),
        "Lost Reason": None,
    }
    base.update(overrides or {})
    for k, v in kw.items():
        base[k.replace("_", " ")] = v
    return [base[h] for h in HEADER]
