"""A job pauses the garbage collector and leaves what it made to the collector afterwards."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

from sheetsync import jobs

SAMPLE = Path(__file__).resolve().parents[1] / "sample_workbooks" / "team_pipeline.xlsx"
AS_OF = dt.date(2026, 11, 26)


def test_jobs_hide_nothing_from_the_collector():
    """Freezing what a job leaves (gc.freeze) saves a collection but never frees its cycles.

    Tried once: the cyclic garbage of every job stayed frozen, job after job
    (a test process grew to 3 GB).  A job must leave the collector as it found
    it, with nothing moved out of its sight.
    """
    before = gc.get_freeze_count()
    for _ in range(3):
        checked = jobs.check(str(SAMPLE), as_of=AS_OF)
        jobs.analyse(checked)
        assert gc.isenabled()
    del checked
    assert gc.get_freeze_count() == before


def test_a_caller_that_disabled_the_collector_is_left_as_it_was():
    gc.disable()
    try:
        jobs.check(str(SAMPLE), as_of=AS_OF)
        assert not gc.isenabled()
    finally:
        gc.enable()
