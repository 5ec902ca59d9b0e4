"""A job pauses the garbage collector and leaves what it made where collections do not scan it."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

from sheetsync import jobs

SAMPLE = Path(__file__).resolve().parents[1] / "sample_workbooks" / "team_pipeline.xlsx"
AS_OF = dt.date(2026, 11, 26)


def test_a_job_freezes_what_it_leaves_alive_and_the_next_job_unfreezes_it():
    gc.unfreeze()
    jobs._frozen_by_job = False
    try:
        checked = jobs.check(str(SAMPLE), as_of=AS_OF)
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # the deals are out of the collector's sight
        frozen = gc.get_freeze_count()
        seen: list[tuple[int, bool]] = []
        real_disable = gc.disable

        def disable() -> None:
            seen.append((gc.get_freeze_count(), gc.isenabled()))
            real_disable()

        gc.disable = disable  # type: ignore[assignment]
        try:
            jobs.analyse(checked)
        finally:
            gc.disable = real_disable  # type: ignore[assignment]
        assert seen == [(0, True)], "the second job unfreezes the first one's objects first"
        assert gc.isenabled() and gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
        jobs._frozen_by_job = False


def test_a_caller_that_disabled_the_collector_is_left_as_it_was():
    gc.unfreeze()
    jobs._frozen_by_job = False
    gc.disable()
    try:
        jobs.check(str(SAMPLE), as_of=AS_OF)
        assert not gc.isenabled()
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()
