"""Benchmark: what reading a tab's formulas and Tables adds to reading its values.

:mod:`sheetsync.sources.xlsx_cells` scans the sheet XML for formula cells
after calamine has read the values.  This times both on the same 15-column
deals tab, in the same process, alternately, and prints the scan's time as
a share of calamine's:

- ``values``: no formula at all (the scan stops at the first look);
- ``xlsxwriter``: a weighted-amount column ``=I2*J2`` in every row, as
  xlsxwriter writes it (``<v>0</v>`` and ``fullCalcOnLoad``);
- ``openpyxl``: the same formulas with no ``<v>`` (as openpyxl, pandas and
  Apache POI write them);
- ``excel-shared``: the column as Excel saves a filled-down formula: one
  shared formula (``t="shared"``) whose 99,999 other cells are moved to
  their row, with calculated values;
- ``table``: the values inside an Excel Table with a Total Row.

Usage: ``python bench/cells_bench.py [--rows 100000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sync_bench import HEADERS, generate  # noqa: E402


def _rewrite_sheet(src: Path, dst: Path, edit) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data)
            zout.writestr(info, data)


def make_variants(folder: Path, rows: int) -> dict[str, Path]:
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    out: dict[str, Path] = {}
    base = folder / "values.xlsx"
    generate(base, rows)
    out["values"] = base

    values = CalamineWorkbook.from_path(str(base)).get_sheet_by_name("Deals").to_python()
    xw = folder / "xlsxwriter.xlsx"
    wb = xlsxwriter.Workbook(str(xw), {"constant_memory": True})
    ws = wb.add_worksheet("Deals")
    ws.write_row(0, 0, [*HEADERS, "Weighted"])
    for r, row in enumerate(values[1:], start=1):
        for c, v in enumerate(row):
            if v != "":
                ws.write(r, c, v)
        ws.write_formula(r, len(HEADERS), f"=I{r + 1}*J{r + 1}")
    wb.close()
    out["xlsxwriter"] = xw

    op = folder / "openpyxl.xlsx"
    _rewrite_sheet(xw, op, lambda d: d.replace(b"</f><v>0</v>", b"</f>"))
    out["openpyxl"] = op

    def shared(d: bytes) -> bytes:
        first = [True]

        def one(m: re.Match[bytes]) -> bytes:
            r = int(m.group(2))
            if first[0]:
                first[0] = False
                return b'<c r="P%d"><f t="shared" ref="P%d:P%d" si="0">I%d*J%d</f><v>1</v></c>' % (
                    r,
                    r,
                    rows + 1,
                    r,
                    r,
                )
            return b'<c r="P%d"><f t="shared" si="0"/><v>1</v></c>' % r

        return re.sub(rb'<c r="(P)(\d+)"><f>[^<]*</f><v>0</v></c>', one, d)

    sh = folder / "excel-shared.xlsx"
    _rewrite_sheet(xw, sh, shared)
    out["excel-shared"] = sh

    tb = folder / "table.xlsx"
    wb = xlsxwriter.Workbook(str(tb), {"constant_memory": False})
    ws = wb.add_worksheet("Deals")
    cols = [{"header": h} for h in HEADERS]
    cols[8]["total_function"] = "sum"
    ws.add_table(0, 0, len(values), len(HEADERS) - 1, {"columns": cols, "total_row": True})
    for r, row in enumerate(values[1:], start=1):
        for c, v in enumerate(row):
            if v != "":
                ws.write(r, c, v)
    wb.close()
    out["table"] = tb
    return out


def time_one(path: Path, repeat: int) -> tuple[float, float, int]:
    from python_calamine import CalamineWorkbook

    from sheetsync.sources.xlsx_cells import read_cell_facts

    cal, scan = [], []
    n = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        wb = CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_name("Deals").to_python(skip_empty_area=False)
        t1 = time.perf_counter()
        facts = read_cell_facts(path, "Deals")
        t2 = time.perf_counter()
        assert len(rows) > 1
        n = len(facts.formulas)
        cal.append(t1 - t0)
        scan.append(t2 - t1)
    return statistics.median(cal), statistics.median(scan), n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        variants = make_variants(Path(tmp), args.rows)
        print(f"{args.rows} rows, median of {args.repeat}")
        print(
            f"{'workbook':14} {'formulas':>9} {'calamine s':>11} {'facts s':>8} {'facts/calamine':>15}"
        )
        for name, path in variants.items():
            cal, scan, n = time_one(path, args.repeat)
            print(f"{name:14} {n:9d} {cal:11.3f} {scan:8.3f} {scan / cal:14.1%}")


if __name__ == "__main__":
    main()
