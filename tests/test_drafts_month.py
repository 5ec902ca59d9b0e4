"""A simulated month of drafts on the bundled sample: every kind is made when due.

Thirty nights from 2026-11-02, each night's drafts saved to ``.eml`` files and
recorded in the ledger carried to the next night, as the nightly job does.
Checked: each prospect kind (reminder, follow-up, trial offer) and the digest
are made; no draft (deal, kind, event) is made twice; a prospect never gets
two emails the same night.
"""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from sheetsync import jobs
from sheetsync.drafts import DraftSettings, Ledger, prepare_drafts
from sheetsync.drafts.run import DraftRun
from sheetsync.followups import compute_followups
from sheetsync.metrics import compute_metrics

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
START = dt.date(2026, 11, 2)
NIGHTS = 30


@functools.cache
def _pipeline():
    checked, _ = jobs.metrics(str(SAMPLE), as_of=START)
    return checked.pipeline


def _nights(settings: DraftSettings, out: Path | None = None) -> list[DraftRun]:
    """Thirty nightly runs, each with the ledger the night before left."""
    pipeline = _pipeline()
    ledger = Ledger()
    nights = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(NIGHTS):
            day = START + dt.timedelta(days=n)
            run = prepare_drafts(
                pipeline,
                compute_metrics(pipeline, day),
                compute_followups(pipeline, day),
                day,
                settings,
                ledger,
                out_dir=out or tmp,
                now=dt.datetime.combine(day, dt.time(6, 0), tzinfo=dt.UTC),
            )
            assert run.error is None
            ledger = run.ledger
            nights.append(run)
    return nights


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    out = tmp_path_factory.mktemp("drafts")
    nights = _nights(DraftSettings(), out)
    return nights, nights[-1].ledger, out


def test_a_month_of_the_sample_makes_every_kind(month):
    nights, _, _ = month
    made = Counter(d.kind for run in nights for d in run.drafts)
    assert set(made) == {"appointment-reminder", "follow-up", "trial-offer", "rep-digest"}
    assert all(n > 0 for n in made.values()), made
    assert made["rep-digest"] == 5 * NIGHTS  # five reps, every morning
    # Each kind as often as when it is the only kind asked for: no kind blocks another.
    for kind in ("appointment-reminder", "follow-up", "trial-offer"):
        alone = Counter(d.kind for run in _nights(DraftSettings(kinds=(kind,))) for d in run.drafts)
        assert made[kind] == alone[kind], kind


def test_a_month_of_the_sample_makes_each_draft_exactly_once(month):
    nights, ledger, out = month
    identities = [(d.key, d.kind, d.event) for run in nights for d in run.drafts]
    assert len(identities) == len(set(identities)), "no draft made twice"
    assert len(ledger) == len(identities)
    assert len(list(out.rglob("*.eml"))) == len(identities)


def test_a_prospect_gets_at_most_one_email_a_night(month):
    nights, _, _ = month
    for run in nights:
        rows = [d.row for d in run.drafts if d.kind != "rep-digest"]
        assert len(rows) == len(set(rows)), run.as_of
