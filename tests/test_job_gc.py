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


def test_a_large_job_hands_its_objects_over_and_the_next_job_collects_them(monkeypatch):
    """Above the threshold a job skips the young scan; its cycles are freed before the next job.

    The threshold is lowered so the sample job counts as large: twenty jobs
    in one process must not pile up what they leave (each job's cyclic
    garbage is collected at the next job's start), and nothing stays frozen.
    """
    monkeypatch.setattr(jobs, "_HAND_OVER_AT", 0)
    monkeypatch.setattr(jobs, "_handed_over", 0)
    gc.collect()
    sizes = []
    for _ in range(20):
        checked = jobs.check(str(SAMPLE), as_of=AS_OF)
        jobs.analyse(checked)
        del checked
        assert gc.get_freeze_count() == 0
        assert jobs._handed_over > 0  # the job's objects were handed over, not scanned young
        sizes.append(len(gc.get_objects()))
    # bounded: the last job leaves no more than the second did, give or take a little
    assert sizes[-1] <= sizes[1] + 2_000, sizes


def test_a_small_job_leaves_its_objects_to_the_young_collections(monkeypatch):
    monkeypatch.setattr(jobs, "_handed_over", 0)
    jobs.check(str(SAMPLE), as_of=AS_OF)
    assert jobs._handed_over == 0
