"""Proof over the corpus: sync into real Excel-made workbooks loses nothing.

For every workbook in ``../shared/excel-corpus/`` that can be changed safely,
a small deals tab is added to a copy (by the same splice, marked as a test
fixture), then ``sync`` runs and the result is checked:

- every part but the owned sheets and the sheet/style listings is
  byte-identical to the copy before the sync;
- python-calamine (always) and openpyxl (when it could open the original)
  open the result and read the right metric values from the summary tab;
- a second run, a day later, changes only owned parts.

Workbooks refused (Strict, signed, protected structure, damaged…) must be
refused with a SheetsyncError and left untouched.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from corpus import corpus_files, require_corpus
from python_calamine import CalamineWorkbook

from sheetsync import jobs
from sheetsync.config import config_from_dict
from sheetsync.errors import SheetsyncError
from sheetsync.outsheet import OutCell, OutSheet
from sheetsync.sources.excel import sniff
from sheetsync.sources.xlsx import inspect_workbook, splice

pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 11, 26)
LISTING = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "docProps/app.xml",
    "xl/styles.xml",
}
DEALS_TAB = "SS Test Deals"
DEALS = [
    ["Deal ID", "Deal", "Owner", "Stage", "Amount", "Created", "Close Date"],
    ["T1", "=evil()", "Ann", "Won", 1000.0, dt.date(2026, 9, 1), dt.date(2026, 10, 20)],
    ["T2", "Beta", "Ann", "Proposal", 2000.0, dt.date(2026, 9, 5), dt.date(2026, 12, 10)],
    ["T3", "Gamma", "Bob", "Won", 500.0, dt.date(2026, 8, 1), dt.date(2026, 11, 2)],
    ["T4", "Delta", "Bob", "Lost", 700.0, dt.date(2026, 7, 1), dt.date(2026, 10, 1)],
    ["T5", "Epsilon", "Bob", "Lead", 300.0, dt.date(2026, 11, 1), dt.date(2026, 12, 20)],
]
TEAM_WON = 1500.0  # T1 + T3: won in 2026-Q4, on or before the as-of date
CONFIG = {
    "source": {
        "deals_tab": DEALS_TAB,
        "stages_tab": "__no stages tab__",
        "quotas_tab": "__no quotas tab__",
    },
    "quotas": [
        {"owner": "Ann", "period": "2026-Q4", "quota": 5000},
        {"owner": "Bob", "period": "2026-Q4", "quota": 4000},
    ],
    "sync": {"backups": 0},
}


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def summary_team_won(rows) -> float | None:
    for r in rows:
        if r and r[0] == "Team":
            return r[2]
    return None


def test_sync_over_every_corpus_workbook(tmp_path, capsys):
    require_corpus()
    cfg_data = CONFIG
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    fixture = [
        OutSheet(
            DEALS_TAB,
            "test-deals",
            rows=[[OutCell(v) if not isinstance(v, str) else v for v in r] for r in DEALS],
        )
    ]
    for i, path in enumerate(corpus_files()):
        work = tmp_path / f"{i}{path.suffix}"
        original = path.read_bytes()
        try:
            sniff(path)  # what every run does first: checksums, encryption…
            inspect_workbook(path)
        except SheetsyncError as exc:
            outcomes[f"refused: {type(exc).__name__}"] += 1
            # sync must refuse it too, leaving it untouched
            shutil.copyfile(path, work)
            try:
                jobs.sync(str(work), as_of=AS_OF, cfg=config_from_dict(cfg_data))
                failures.append(f"{path.name}: inspect refused it but sync wrote it")
            except SheetsyncError:
                pass
            if work.read_bytes() != original:
                failures.append(f"{path.name}: refused, yet changed")
            work.unlink()
            continue
        before: dict[str, bytes] = {}
        try:
            splice(path, work, fixture)
            before = members(work)
            done = jobs.sync(str(work), as_of=AS_OF, cfg=config_from_dict(cfg_data))
            after = members(work)
            owned_parts = set(done.write.changed_parts) - LISTING
            for name, data in before.items():
                if name in LISTING or name in owned_parts:
                    continue
                if after.get(name) != data:
                    failures.append(f"{path.name}: {name} changed")
            assert all(
                p.startswith(("xl/worksheets/", "xl/charts/", "xl/drawings/")) for p in owned_parts
            ), owned_parts
            cal = CalamineWorkbook.from_path(str(work))
            won = summary_team_won(cal.get_sheet_by_name("sheetsync Summary").to_python())
            if won != pytest.approx(TEAM_WON):
                failures.append(f"{path.name}: calamine reads team won {won!r}")
            try:
                openpyxl.load_workbook(path, read_only=False)
                openpyxl_ok = True
            except Exception:
                openpyxl_ok = False
                outcomes["openpyxl cannot open the original"] += 1
            if openpyxl_ok:
                wb = openpyxl.load_workbook(work)
                ws = wb["sheetsync Summary"]
                won = summary_team_won([[c.value for c in r] for r in ws.iter_rows()])
                if won != pytest.approx(TEAM_WON):
                    failures.append(f"{path.name}: openpyxl reads team won {won!r}")
            second = jobs.sync(
                str(work), as_of=AS_OF + dt.timedelta(days=1), cfg=config_from_dict(cfg_data)
            )
            again = members(work)
            changed = {n for n in set(after) | set(again) if after.get(n) != again.get(n)}
            stray = {
                n
                for n in changed
                if not n.startswith(("xl/worksheets/", "xl/charts/", "xl/drawings/"))
            } - LISTING
            if stray or (after.get("xl/styles.xml") != again.get("xl/styles.xml")):
                failures.append(f"{path.name}: second run changed {sorted(stray)} / styles")
            assert second.write.added == []
            outcomes["synced"] += 1
        except SheetsyncError as exc:
            # Readable as a package but not as a workbook (calamine refuses
            # it: XML bombs, macro sheets, broken relationships): exit 3, untouched.
            outcomes[f"refused at read: {type(exc).__name__}"] += 1
            if work.exists() and members(work) != before:
                failures.append(f"{path.name}: refused ({exc.message}), yet changed")
        except Exception as exc:
            failures.append(f"{path.name}: {type(exc).__name__}: {exc}")
        finally:
            work.unlink(missing_ok=True)
    with capsys.disabled():
        print(f"\ncorpus sync: {dict(sorted(outcomes.items()))}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])
    assert outcomes["synced"] > 1000
