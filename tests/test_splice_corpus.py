"""Splice an owned tab into every workbook of the shared Excel corpus.

The corpus (``shared/excel-corpus``: XlsxWriter's Excel-made reference files
and Apache POI's test workbooks, bug reports, signed/Strict/protected and
deliberately broken packages) is the evidence that the splice writer leaves a
user's workbook alone: for each file it accepts, every untouched part must come
back byte-identical, the result must open in openpyxl (when the original does)
and python-calamine with our values in it, and a second identical run must
change no part beyond the owned ones.  Files it refuses must be refused with
``SourceError``/``UnsupportedWorkbookError`` and a message, never a crash.

The corpus is read-only: each file is copied to a temporary folder first.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import re
import shutil
import time
import warnings
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from sheetsync.errors import SourceError, UnsupportedWorkbookError
from sheetsync.outsheet import ChartSeries, ChartSpec, OutCell, OutSheet
from sheetsync.sources.xlsx import inspect_workbook, splice

pytestmark = pytest.mark.slow


def _corpus() -> Path | None:
    here = Path(__file__).resolve().parents[2] / "shared" / "excel-corpus"
    if here.is_dir():
        return here
    env = os.environ.get("SHEETSYNC_EXCEL_CORPUS")
    if env and Path(env).is_dir():
        return Path(env)
    return None


CORPUS = _corpus()
TAB = "SheetSync Summary"


def _outsheet(name: str) -> OutSheet:
    rows = [
        [OutCell("Pipeline summary", "title")],
        [OutCell("Stage", "header"), OutCell("Deals", "header"), OutCell("Value", "header")],
        ["Lead", 5, OutCell(1250.5, "currency")],
        ["Won", 2, OutCell(dt.date(2024, 3, 1), "date")],
        ["=SUM(A1)", OutCell("see deals", link="https://example.com/deals")],
    ]
    chart = ChartSpec(
        title="Deals by stage",
        kind="bar",
        categories_col=1,
        first_row=3,
        last_row=4,
        series=(ChartSeries("Deals", 3, 4, 2),),
        anchor_row=2,
        anchor_col=5,
    )
    return OutSheet(name, "summary", rows, col_widths=[18, 10, 12], charts=[chart], freeze_rows=2)


EXPECTED = [
    ["Pipeline summary", "", ""],
    ["Stage", "Deals", "Value"],
    ["Lead", 5.0, 1250.5],
    ["Won", 2.0, dt.date(2024, 3, 1)],
    ["=SUM(A1)", "see deals", ""],
]


def _members(path: Path) -> dict[str, bytes | None]:
    """Decompressed bytes of each member (``None`` where the source member itself is broken)."""
    out: dict[str, bytes | None] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            try:
                out[info.filename] = zf.read(info)
            except Exception:
                out[info.filename] = None
    return out


def _raw(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    with path.open("rb") as fh:
        fh.seek(info.header_offset + 26)
        n, m = int.from_bytes(fh.read(2), "little"), int.from_bytes(fh.read(2), "little")
        fh.seek(info.header_offset + 30 + n + m)
        return fh.read(info.compress_size)


def _openpyxl_ok(path: Path) -> bool:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            openpyxl.load_workbook(path).close()
        return True
    except Exception:
        return False


def _tidy(data: bytes | None) -> bytes | None:
    """An empty ``<definedNames/>`` is dropped when our marker was its only child: same meaning."""
    if data is None:
        return None
    return re.sub(rb"\s*<(\w+:)?definedNames\s*/>", b"", data)


def _calamine_ok(path: Path) -> bool:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        return True
    except Exception:
        return False


def _xfs_in_alternate_content(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.lower().endswith("styles.xml")]
        text = zf.read(names[0]).decode("utf-8", "replace") if names else ""
    start = text.find("cellXfs")
    return start >= 0 and "AlternateContent" in text[start:]


def check_file(src_file: str, workdir: str) -> tuple[str, str]:
    """Splice into one corpus file; ``(status, detail)`` with status ok/refused/FAIL."""
    from python_calamine import CalamineWorkbook

    path = Path(src_file)
    work = Path(workdir)
    src = work / ("src" + path.suffix.lower())
    dst = work / ("dst" + path.suffix.lower())
    dst2 = work / ("dst2" + path.suffix.lower())
    shutil.copyfile(path, src)
    try:
        try:
            info = inspect_workbook(src)
        except UnsupportedWorkbookError as exc:
            return "refused", "unsupported: " + exc.message.split(": ", 1)[-1]
        except SourceError as exc:
            return "refused", "source: " + exc.message.split(": ", 1)[-1]
        names = {s.name.casefold() for s in info.sheets}
        tab = TAB if TAB.casefold() not in names else TAB + " 2"
        out = _outsheet(tab)
        try:
            result = splice(src, dst, [out])
        except SourceError as exc:  # a damaged part we had to read
            return "refused", "source at splice: " + exc.message.split(": ", 1)[-1]
        before, after = _members(src), _members(dst)
        changed = set(result.changed_parts)
        norm = {n.replace("\\", "/"): n for n in [*before, *after]}
        norm_before = {n.replace("\\", "/") for n in before}
        order = [n for n in after if n in before]
        if order != [n for n in before if n in after]:
            return "FAIL", "member order changed"
        for name, data in before.items():
            if name.replace("\\", "/") in changed:
                continue
            if name not in after:
                return "FAIL", f"untouched member {name} missing"
            if data is None:
                if _raw(src, name) != _raw(dst, name):
                    return "FAIL", f"broken member {name} not copied raw"
            elif after[name] != data:
                return "FAIL", f"untouched member {name} differs"
        for name in changed:
            if name not in norm:
                return "FAIL", f"changed part {name} neither added nor removed"
        if _openpyxl_ok(src) and not _openpyxl_ok(dst):
            import openpyxl

            try:
                openpyxl.load_workbook(dst)
            except Exception as exc:
                return "FAIL", f"openpyxl opens the original but not the result: {exc!r}"[:300]
        try:
            book = CalamineWorkbook.from_path(str(dst))
            rows = book.get_sheet_by_name(tab).to_python()
        except Exception as exc:
            if _calamine_ok(src):
                return "FAIL", f"calamine cannot read the owned tab: {exc!r}"[:300]
            rows = None  # calamine cannot read the original either (entity bomb, macro sheet…)
        got = [list(r[:3]) for r in rows[:5]] if rows is not None else EXPECTED
        if got != EXPECTED and _xfs_in_alternate_content(src):
            # calamine counts the xfs of both mc:Choice and mc:Fallback, so every
            # style index after such a wrapper is off by one for it (not for Excel or
            # LibreOffice, which take one branch): only the date's type can differ.
            got[3][2] = EXPECTED[3][2] if got[3][2] == 45352.0 else got[3][2]
        if got != EXPECTED:
            return "FAIL", f"owned tab reads back as {got!r}"[:300]
        marked = {s.name: s.owned_kind for s in inspect_workbook(dst).sheets if s.owned_kind}
        if marked.get(tab) != "summary":
            return "FAIL", f"ownership marker missing: {marked!r}"
        again = splice(dst, dst2, [out])
        if again.changed_parts:
            return "FAIL", f"second run changed {again.changed_parts}"
        # removing the tab again must give back the original package, but for the
        # formats we added to styles.xml (kept: cells elsewhere may use them by then)
        gone = splice(dst2, dst, [], remove_kinds=["summary"])
        if gone.removed_sheets != [tab]:
            return "FAIL", f"removal removed {gone.removed_sheets}"
        restored = _members(dst)
        # a workbook without a styles part got one (with its relationship and content type)
        created = [p for p in result.changed_parts if "styles" in p and p not in norm_before]
        if list(restored) != list(before) and not created:
            return "FAIL", "removal did not restore the member list"
        for name, data in before.items():
            if "styles" in name or (created and name.endswith((".rels", "].xml"))):
                continue
            if data is not None and _tidy(restored.get(name)) != _tidy(data):
                return "FAIL", f"removal did not restore {name}"
        return "ok", ""
    except (SourceError, UnsupportedWorkbookError) as exc:
        return "FAIL", f"refused after inspect accepted it: {exc}"[:300]
    except Exception as exc:
        return "FAIL", f"unexpected {type(exc).__name__}: {exc}"[:300]
    finally:
        for p in (src, dst, dst2):
            p.unlink(missing_ok=True)


def _job(args: tuple[str, str]) -> tuple[str, str, str]:
    src, workdir = args
    Path(workdir).mkdir(parents=True, exist_ok=True)
    status, detail = check_file(src, workdir)
    return src, status, detail


@pytest.mark.skipif(
    CORPUS is None, reason="shared/excel-corpus not found (set SHEETSYNC_EXCEL_CORPUS)"
)
def test_splice_whole_corpus(tmp_path: Path) -> None:
    assert CORPUS is not None
    files = sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm")
    )
    assert files, f"no workbooks under {CORPUS}"
    start = time.perf_counter()
    jobs = [(str(p), str(tmp_path / f"w{i}")) for i, p in enumerate(files)]  # one folder per file
    workers = max(1, min(4, os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_job, jobs, chunksize=8))
    elapsed = time.perf_counter() - start
    summary: collections.Counter[str] = collections.Counter()
    failures = []
    for src, status, detail in results:
        if status == "refused":
            summary["refused (" + detail.split(" (")[0][:70] + ")"] += 1
        else:
            summary[status] += 1
        if status == "FAIL":
            failures.append(f"{Path(src).parent.name}/{Path(src).name}: {detail}")
    print(f"\ncorpus: {len(files)} workbooks in {elapsed:.1f}s with {workers} workers")
    for key, n in sorted(summary.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:5d}  {key}")
    assert not failures, "\n".join(failures)
