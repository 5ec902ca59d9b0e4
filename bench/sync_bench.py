"""Benchmark: sheetsync's check and sync against a bare read and an openpyxl round trip.

Generates 1k, 10k and 100k-deal workbooks (15 columns), then times, each in
its own fresh process so peak memory is that job's alone:

- ``calamine``: python-calamine reading every row of the deals tab (the floor);
- ``check``: ``sheetsync check`` as a library call (read, parse, validate);
- ``sync-nohist``: ``sheetsync sync`` (read, check, metrics, follow-ups,
  write the owned tabs into a copy of the workbook) without the stage
  history tab: the job issue 3 set the speed target for;
- ``sync``: the same with the history tab, on its first run (every deal is
  recorded as added: five history rows a deal);
- ``sync-next``: the next night on that workbook (history read, appended,
  written back), timed alone;
- ``openpyxl``: ``load_workbook`` + ``save`` (what a naive write-back costs).

Usage: ``python bench/sync_bench.py [--sizes 1000,10000,100000] [--repeat 3]
[--no-openpyxl]``.  Prints one table; the ratios are against calamine's read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sheetsync.config import DEFAULT_STAGES

HEADERS = [
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
AS_OF = dt.date(2026, 11, 26)


def generate(path: Path, n: int, seed: int = 7) -> None:
    """A deals workbook of ``n`` rows, 15 columns, with real dates and numbers."""
    import xlsxwriter

    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": dt.datetime(2026, 1, 1)})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    dt_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    money = wb.add_format({"num_format": '"$"#,##0'})
    ws = wb.add_worksheet("Deals")
    ws.write_row(0, 0, HEADERS)
    reps = [f"Rep {i:02d}" for i in range(25)]
    for r in range(1, n + 1):
        stage = STAGES[min(int(rnd.expovariate(0.45)), len(STAGES) - 1)]
        created = AS_OF - dt.timedelta(days=rnd.randint(1, 360))
        close = created + dt.timedelta(days=rnd.randint(20, 200))
        if stage in ("Won", "Lost"):
            close = min(close, AS_OF)
        ws.write_string(r, 0, f"D-{r:06d}")
        ws.write_string(r, 1, f"Deal {r}")
        ws.write_string(r, 2, f"Company {rnd.randint(1, n // 3 + 1)}")
        ws.write_string(r, 3, f"Contact {r}")
        ws.write_string(r, 4, f"contact{r}@company{r % 997}.example")
        ws.write_string(r, 5, rnd.choice(["yes", "no", ""]))
        ws.write_string(r, 6, rnd.choice(reps))
        ws.write_string(r, 7, stage)
        ws.write_number(r, 8, rnd.randint(3, 200) * 500, money)
        if rnd.random() < 0.1:
            ws.write_number(r, 9, rnd.randint(1, 9) / 10)
        ws.write_datetime(r, 10, dt.datetime.combine(created, dt.time()), date_fmt)
        ws.write_datetime(r, 11, dt.datetime.combine(close, dt.time()), date_fmt)
        if rnd.random() < 0.5:
            meet = dt.datetime.combine(AS_OF, dt.time(9)) + dt.timedelta(
                hours=rnd.randint(-200, 400)
            )
            ws.write_datetime(r, 12, meet, dt_fmt)
        last = AS_OF - dt.timedelta(days=rnd.randint(0, 40))
        ws.write_datetime(r, 13, dt.datetime.combine(last, dt.time()), date_fmt)
        ws.write_string(
            r, 14, rnd.choice(["", "call back", "sent proposal", "=looks like a formula"])
        )
    wb.close()


# --------------------------------------------------------------------------- the timed jobs

JOBS = {
    "calamine": """
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(PATH)
rows = wb.get_sheet_by_name("Deals").to_python(skip_empty_area=False)
assert len(rows) > 1
""",
    "check": """
import datetime as dt
from sheetsync import jobs
r = jobs.check(PATH, as_of=dt.date(2026, 11, 26))
assert r.pipeline.deals
""",
    "sync": """
import datetime as dt
from sheetsync import jobs
jobs.sync(PATH, as_of=dt.date(2026, 11, 26))
""",
    # The next night on the same workbook: owned tabs replaced, history appended.
    "sync-next": """
import datetime as dt, subprocess, sys
subprocess.run([sys.executable, "-m", "sheetsync", "-q", "sync", PATH, "--as-of", "2026-11-26"])
t0 = time.perf_counter()
from sheetsync import jobs
jobs.sync(PATH, as_of=dt.date(2026, 11, 27))
""",
    # Issue 3's sync, without the stage history tab ([sync] history = false).
    "sync-nohist": """
import datetime as dt
from sheetsync import jobs
from sheetsync.config import config_from_dict
jobs.sync(PATH, as_of=dt.date(2026, 11, 26), cfg=config_from_dict({"sync": {"history": False}}))
""",
    "openpyxl": """
import openpyxl
wb = openpyxl.load_workbook(PATH)
wb.save(PATH + ".out.xlsx")
""",
}

_RUNNER = """
import json, os, resource, sys, time
PATH = sys.argv[1]
t0 = time.perf_counter()
exec(compile(sys.argv[2], "<job>", "exec"))  # a job may reset t0 after its set-up
took = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": took, "peak_bytes": rss}))
"""


def run_job(name: str, book: Path, workdir: Path) -> dict[str, float]:
    target = workdir / f"{name}-{book.name}"
    shutil.copyfile(book, target)  # every job gets its own copy: sync writes to it
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(target), JOBS[name]],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{name} on {book.name} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def has_sync() -> bool:
    try:
        from sheetsync import jobs
    except ImportError:
        return False
    return hasattr(jobs, "sync")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3, help="runs per job; the best time is kept")
    ap.add_argument("--no-openpyxl", action="store_true", help="skip the slow openpyxl round trip")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "sheetsync-bench"))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    names = (
        ["calamine", "check"]
        + (["sync-nohist", "sync", "sync-next"] if has_sync() else [])
        + ([] if args.no_openpyxl else ["openpyxl"])
    )
    rows = []
    for n in sizes:
        book = cache / f"deals-{n}.xlsx"
        if not book.exists():
            t0 = time.perf_counter()
            generate(book, n)
            print(
                f"generated {book} ({book.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
            )
        results = {}
        with tempfile.TemporaryDirectory() as tmp:
            for name in names:
                reps = 1 if name == "openpyxl" and n >= 100_000 else args.repeat
                runs = [run_job(name, book, Path(tmp)) for _ in range(reps)]
                results[name] = {
                    "seconds": min(r["seconds"] for r in runs),
                    "peak_bytes": max(r["peak_bytes"] for r in runs),
                }
        rows.append((n, results))
    base = "calamine"
    print(
        f"{'deals':>8}  {'job':<11} {'seconds':>9} {'peak MB':>8} {'x calamine':>10} {'openpyxl / job':>15}"
    )
    for n, results in rows:
        for name in names:
            r = results[name]
            ratio = r["seconds"] / results[base]["seconds"]
            vs_openpyxl = (
                f"{results['openpyxl']['seconds'] / r['seconds']:.1f}x"
                if "openpyxl" in results
                else "-"
            )
            print(
                f"{n:>8}  {name:<11} {r['seconds']:>9.3f} {r['peak_bytes'] / 2**20:>8.0f} {ratio:>10.2f} {vs_openpyxl:>15}"
            )


if __name__ == "__main__":
    main()
