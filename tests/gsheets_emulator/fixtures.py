"""Helpers for the Google Sheets tests.

A test module declares its fixture as ``yield from google_env(tmp_path,
monkeypatch)``, which gives a running emulator, a throwaway service account whose key
file points its ``token_uri`` at the emulator (so google-auth's real
JWT-bearer exchange runs), the environment sheetsync reads
(``SHEETSYNC_SHEETS_API``, ``GOOGLE_APPLICATION_CREDENTIALS``), and
``sheetsync.jobs.open_source`` routed to the registry if the lead has not
switched it yet.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from builders import GENERATED_HEADER, STAGES

from .server import Emulator

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
AS_OF = dt.date(2026, 11, 26)


@dataclass
class Google:
    """What a Google test needs: the emulator, the account, its key file."""

    emu: Emulator
    key_path: Path
    email: str
    tmp: Path

    def sheet(
        self,
        tabs: dict[str, Sequence[Sequence[Any]]],
        *,
        share: str | None = "writer",
        title: str = "Team pipeline",
    ) -> str:
        """A spreadsheet a person owns, shared with the service account."""
        sid = self.emu.create_spreadsheet(title, owner="owner@northwind.example", tabs=tabs)
        if share:
            self.emu.share(sid, self.email, share)
        return sid

    def sample_sheet(self, **kw: Any) -> str:
        return self.sheet(sample_tabs(), **kw)


def sample_tabs() -> dict[str, list[list[Any]]]:
    """The sample workbook's tabs, as the Excel reader sees them."""
    from sheetsync.sources.excel import ExcelSource

    src = ExcelSource(SAMPLE)
    return {name: src.read(name).rows for name in src.tab_names()}


def route_jobs_to_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``jobs.open_source`` the registry's (a no-op once the lead switched it)."""
    from sheetsync import jobs
    from sheetsync.config import Config
    from sheetsync.sources import registry
    from sheetsync.sources.gsheets import GoogleSheetsSource

    try:  # opening makes no request: this only asks which backend jobs picks
        routed = isinstance(jobs.open_source("gsheet:" + "x" * 44, Config()), GoogleSheetsSource)
    except Exception:
        routed = False
    if not routed:
        monkeypatch.setattr(jobs, "open_source", registry.open_source)


def google_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Google]:
    """The body of a test module's ``google`` fixture (``yield from google_env(...)``)."""
    with Emulator() as emu:
        key = emu.add_service_account()
        key_path = tmp_path / "service-account.json"
        key_path.write_text(json.dumps(key), encoding="utf-8")
        monkeypatch.setenv("SHEETSYNC_SHEETS_API", emu.url)
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_path))
        monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
        monkeypatch.chdir(tmp_path)  # no stray sheetsync.toml
        route_jobs_to_registry(monkeypatch)
        yield Google(emu, key_path, key["client_email"], tmp_path)


def without_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs that take no lease (tests about the write's own requests, faults and hooks).

    The lease costs two batchUpdates and a search per run (see
    ``sheetsync.sources.gsheets_lease``; tests/test_locking.py pins it); a
    test that counts, delays or fails "the" batchUpdate means the write.
    """
    import contextlib

    from sheetsync.sources import gsheets_lease

    @contextlib.contextmanager
    def no_lease(spreadsheet_id: str, **_: Any) -> Iterator[str]:
        yield spreadsheet_id

    monkeypatch.setattr(gsheets_lease, "sheet_lease", no_lease)


# --------------------------------------------------------------------------- generated pipelines

HEADER = GENERATED_HEADER
REPS = ["Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans", "Ed Fox"]


def generated_tabs(n: int, seed: int = 7) -> dict[str, list[list[Any]]]:
    """A pipeline of ``n`` deals (with the usual mistakes sprinkled in) and a Quotas tab."""
    rnd = random.Random(seed)
    rows: list[list[Any]] = [HEADER]
    for i in range(n):
        stage = rnd.choice(STAGES)
        created = AS_OF - dt.timedelta(days=rnd.randint(5, 400))
        close = created + dt.timedelta(days=rnd.randint(10, 200))
        meeting = dt.datetime.combine(AS_OF, dt.time(10)) + dt.timedelta(
            days=rnd.randint(-20, 20), hours=rnd.randint(0, 6)
        )
        amount: Any = round(rnd.uniform(1_000, 90_000), 2)
        if i % 97 == 5:
            amount = "about 20k"
        elif i % 89 == 3:
            amount = ""
        rows.append(
            [
                f"D-{i + 1:06d}",
                f"Deal {i + 1}",
                f"Company {rnd.randint(1, max(n // 3, 1))}",
                f"Contact {i}",
                f"contact{i}@example.com" if i % 53 else "broken@",
                rnd.choice(["yes", "no", ""]),
                rnd.choice(REPS),
                stage if i % 71 else "Negotation",
                amount,
                "",
                created,
                close,
                meeting if stage not in ("Won", "Lost") else "",
                AS_OF - dt.timedelta(days=rnd.randint(0, 30)),
                "=SUM(A1:A9)" if i % 101 == 7 else f"note {i}",
            ]
        )
    quotas = [["Owner", "Period", "Quota"]] + [[rep, "2026-Q4", 250000.0] for rep in REPS]
    return {"Deals": rows, "Quotas": quotas}
