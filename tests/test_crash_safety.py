"""Killing sync at any moment leaves the original workbook or the complete new one.

A real process is killed with SIGKILL at random points of its run (most of
them late, where the write happens); after each kill the workbook must be
byte-identical to the original or a complete, readable workbook with the
owned tabs, never a broken file.  The next run must succeed and clean up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from builders import HEADER, deal_row, make_workbook
from python_calamine import CalamineWorkbook

from sheetsync.config import DEFAULT_STAGES

pytestmark = pytest.mark.slow

TRIALS = 60
OWNED = "sheetsync Summary"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _complete(p: Path) -> bool:
    try:
        with zipfile.ZipFile(p) as zf:
            if zf.testzip() is not None:
                return False
        wb = CalamineWorkbook.from_path(str(p))
        return OWNED in wb.sheet_names and bool(wb.get_sheet_by_name(OWNED).to_python())
    except Exception:
        return False


@pytest.fixture(scope="module")
def big_workbook(tmp_path_factory) -> Path:
    rnd = random.Random(5)
    stages = [s.name for s in DEFAULT_STAGES]
    rows = [HEADER]
    for i in range(6000):
        rows.append(
            deal_row(
                {
                    "Deal ID": f"D{i}",
                    "Deal Stage": rnd.choice(stages),
                    "Est. Budget": rnd.randint(1, 300) * 500,
                    "Sales Rep": f"Rep {i % 9}",
                    "Next Meeting": dt.datetime(2026, 11, 26, 9)
                    + dt.timedelta(hours=rnd.randint(-100, 300)),
                }
            )
        )
    return make_workbook(tmp_path_factory.mktemp("big") / "pipeline.xlsx", {"Deals": rows})


def _run(path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sheetsync", "sync", str(path), "--as-of", "2026-11-26"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_kill_at_random_points_never_breaks_the_workbook(big_workbook, tmp_path, capsys):
    original = _sha(big_workbook)
    # Calibrate: how long a whole run takes here.
    probe = tmp_path / "probe" / "pipeline.xlsx"
    probe.parent.mkdir()
    shutil.copyfile(big_workbook, probe)
    t0 = time.monotonic()
    assert _run(probe).wait(timeout=120) in (0, 1)
    total = time.monotonic() - t0
    assert _complete(probe)

    rnd = random.Random(1)
    outcomes: Counter[str] = Counter()
    for trial in range(TRIALS):
        folder = tmp_path / f"t{trial}"
        folder.mkdir()
        book = folder / "pipeline.xlsx"
        shutil.copyfile(big_workbook, book)
        proc = _run(book)
        time.sleep(rnd.uniform(0.5, 1.15) * total)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        code = proc.wait(timeout=60)
        if _sha(book) == original:
            outcomes["original" if code < 0 else "original (finished?)"] += 1
        elif _complete(book):
            outcomes["new, complete"] += 1
        else:
            outcomes["BROKEN"] += 1
            continue
        # The next run succeeds and leaves no temporary file behind.
        assert _run(book).wait(timeout=120) in (0, 1)
        assert _complete(book)
        leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".sheetsync-tmp")]
        assert leftovers == []
        shutil.rmtree(folder)
    with capsys.disabled():
        print(f"\ncrash test: {TRIALS} kills over a {total:.2f} s run: {dict(outcomes)}")
    assert outcomes["BROKEN"] == 0
    assert outcomes["original"] > 0 and outcomes["new, complete"] > 0, outcomes
