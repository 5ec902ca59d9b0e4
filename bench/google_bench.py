"""Benchmark: sheetsync sync against a Google Sheet, at 1,000 to 50,000 deals.

The sheet lives in the project's Sheets emulator (``tests/gsheets_emulator``,
over loopback HTTP, enforcing Google's limits: 10,485,760-byte bodies,
10 million cells, 50,000 characters a cell, 18,278 columns).  For each size,
in its own process (so peak memory is sheetsync's alone, not the emulator's):

- ``first``: the first night (every owned tab new, one history row a deal);
- ``next``: the next night, 3 % of the deals changed (stage; some amounts
  and close dates).

Printed per night: the Sheets API requests (reads and batchUpdates), the
largest and the total request body in bytes (against ``[google]
max_request_bytes`` and Google's 10,485,760), the seconds and the peak
memory of the sync, and the spreadsheet's cells (every tab's grid).

``--year N`` (default 20,000 deals) then runs a measured week of nights at N
deals (3 % changed each night) and extrapolates the cell count to a year:
the seventh night's cells plus 358 times the mean growth a night over
nights 2 to 7 (the history's appended rows; every other tab is rewritten to
its size each night, which the week shows flat), capped by the history's
budget (a rollup keeps the history tab at most ``[sync] history_max_cells``).

Usage: ``python bench/google_bench.py [--sizes 1000,5000,20000,50000] [--year 20000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from gsheets_emulator import Emulator  # noqa: E402
from gsheets_emulator.fixtures import AS_OF, generated_tabs  # noqa: E402
from sync_bench import run_figures  # noqa: E402

from sheetsync.config import GOOGLE_REQUEST_LIMIT, GoogleSettings, SyncSettings  # noqa: E402

_RUNNER = """
import json, resource, sys, time
t0 = time.perf_counter()
from sheetsync import jobs
import datetime as dt
jobs.sync(sys.argv[1], as_of=dt.date.fromisoformat(sys.argv[2]))
took = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": took, "peak_bytes": rss}))
"""

STAGES = ["Qualified", "Appointment", "Presentation", "Proposal", "Negotiation", "Won", "Lost"]


def changed(rows: list[list], share: float, seed: int) -> list[list]:
    """The deals a night later: ``share`` of them in another stage, some with a new amount
    or a later close date."""
    rnd = random.Random(seed)
    out = [list(r) for r in rows]
    for row in out[1:]:
        if rnd.random() < share:
            row[7] = rnd.choice(STAGES)
            if rnd.random() < 0.3 and isinstance(row[8], float):
                row[8] += 250.0
            if rnd.random() < 0.3 and isinstance(row[11], dt.date):
                row[11] = row[11] + dt.timedelta(days=10)
    return out


def sync(emu: Emulator, sid: str, day: dt.date, env: dict[str, str]) -> dict[str, float]:
    emu.reset_counts()
    result = run_figures([_RUNNER, f"gsheet:{sid}", day.isoformat()], env, "sync", 3000)
    counts = emu.api_counts()
    sizes = emu.body_sizes.get("spreadsheets.batchUpdate", [])
    result.update(
        reads=counts.get("spreadsheets.get", 0) + counts.get("values.batchGet", 0),
        writes=counts.get("spreadsheets.batchUpdate", 0),
        largest=max(sizes, default=0),
        total=sum(sizes),
        cells=emu.cell_count(sid),
    )
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000,20000,50000")
    ap.add_argument(
        "--year", type=int, default=20_000, help="deals of the simulated year (0: none)"
    )
    args = ap.parse_args()
    budget = GoogleSettings().max_request_bytes
    rows = []
    with tempfile.TemporaryDirectory() as tmp, Emulator() as emu:
        key = emu.add_service_account()
        key_path = Path(tmp) / "key.json"
        key_path.write_text(json.dumps(key), encoding="utf-8")
        env = dict(
            os.environ,
            SHEETSYNC_SHEETS_API=emu.url,
            GOOGLE_APPLICATION_CREDENTIALS=str(key_path),
            SHEETSYNC_LOCK_DIR=str(Path(tmp) / "locks"),
            PYTHONHASHSEED="0",
        )
        for n in [int(s) for s in args.sizes.split(",") if s]:
            tabs = generated_tabs(n)
            sid = emu.create_spreadsheet("Bench", owner="owner@example.com", tabs=tabs)
            emu.share(sid, key["client_email"])
            rows.append((n, "first", sync(emu, sid, AS_OF, env)))
            emu.set_values(sid, "Deals", changed(tabs["Deals"], 0.03, seed=n))
            rows.append((n, "next", sync(emu, sid, AS_OF + dt.timedelta(days=1), env)))
            emu.delete_spreadsheet(sid)
        print(
            f"{'deals':>7}  {'night':<6} {'reads':>5} {'writes':>6} {'largest B':>11} "
            f"{'total B':>11} {'seconds':>8} {'peak MB':>8} {'cells':>10}"
        )
        for n, night, r in rows:
            print(
                f"{n:>7}  {night:<6} {r['reads']:>5} {r['writes']:>6} {r['largest']:>11,} "
                f"{r['total']:>11,} {r['seconds']:>8.2f} {r['peak_bytes'] / 2**20:>8.0f} "
                f"{r['cells']:>10,}"
            )
        largest = max(r["largest"] for _, _, r in rows) if rows else 0
        print(
            f"largest body {largest:,} B: under [google] max_request_bytes = {budget:,} "
            f"and Google's {GOOGLE_REQUEST_LIMIT:,}"
        )
        if args.year:
            year(emu, key, env, args.year)


def year(emu: Emulator, key: dict, env: dict[str, str], n: int) -> None:
    tabs = generated_tabs(n, seed=11)
    sid = emu.create_spreadsheet("Year", owner="owner@example.com", tabs=tabs)
    emu.share(sid, key["client_email"])
    cells = []
    deals = tabs["Deals"]
    for night in range(7):
        if night:
            deals = changed(deals, 0.03, seed=1000 + night)
            emu.set_values(sid, "Deals", deals)
        sync(emu, sid, AS_OF + dt.timedelta(days=night), env)
        cells.append(emu.cell_count(sid))
    growth = (cells[-1] - cells[1]) / (len(cells) - 2)
    history = next(s for s in emu.spreadsheet(sid).sheets if s.title == "sheetsync History")
    budget = SyncSettings().history_max_cells
    history_cells = history.nrows * history.ncols
    projected_history = history_cells + 358 * growth
    rolled = projected_history > budget
    projected = cells[-1] + 358 * growth - (projected_history - budget if rolled else 0)
    print(
        f"\na week at {n:,} deals (3 % changed a night): cells by night "
        + ", ".join(f"{c:,}" for c in cells)
    )
    print(
        f"a year, extrapolated (night 7 + 358 x {growth:,.0f} cells a night, the mean growth "
        f"over nights 2-7): {projected:,.0f} cells of Google's 10,000,000 "
        f"({projected / 10_000_000:.1%}); the history tab {projected_history:,.0f} cells"
        + (
            f", rolled up under its budget of {budget:,}"
            if rolled
            else f" (under its budget of {budget:,}: no rollup in the first year)"
        )
    )


if __name__ == "__main__":
    main()
