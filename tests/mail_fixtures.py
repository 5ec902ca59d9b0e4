"""Shared set-up for the mailbox sinks' tests: the emulators, the reps, a fake clock.

``gmail_env``/``graph_env`` are the bodies of fixtures (``yield from``): a
running emulator with the reps' mailboxes, credentials as an administrator
would make them, and the environment sheetsync reads
(``SHEETSYNC_GMAIL_API``, ``SHEETSYNC_GRAPH_API``, ``REQUESTS_CA_BUNDLE``
for the Graph emulator's certificate).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gmail_emulator import GmailEmulator
from graph_emulator import GraphEmulator
from test_drafts import at, day, deal, pipeline

from sheetsync.drafts.settings import DraftSettings, GmailSettings, GraphSettings
from sheetsync.model import Pipeline

ANA, BO, CY = "ana@northwind.example", "bo@northwind.example", "cy@northwind.example"
REPS = {"Ana Lima": ANA, "Bo Berg": BO, "Cy Diaz": CY}


def three_rep_pipeline() -> Pipeline:
    """Each rep has a reminder due tomorrow and a follow-up due (plus the digest)."""
    deals = []
    for i, (name, addr) in enumerate(REPS.items()):
        deals.append(deal(f"R{i}", next_appointment=at(1, 9 + i), owner=name, owner_email=addr))
        deals.append(
            deal(
                f"F{i}",
                next_appointment=None,
                last_contact=day(-9),
                owner=name,
                owner_email=addr,
                contact_email=(f"buyer{i}@customer.example",),
            )
        )
    return pipeline(*deals)


class FakeClock:
    """Monotonic and wall clocks that only move when something sleeps."""

    def __init__(self, start: float | None = None) -> None:
        import time

        self.start = time.time() if start is None else start  # wall time: JWTs are checked
        self.now = self.start
        self.slept: list[float] = []

    @property
    def elapsed(self) -> float:
        return self.now - self.start

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Gmail:
    emu: GmailEmulator
    key: dict[str, Any]
    key_path: Path
    tmp: Path

    def settings(self, **kw: Any) -> DraftSettings:
        return DraftSettings(
            sink="gmail", gmail=GmailSettings(credentials=str(self.key_path)), **kw
        )

    def authorized_user(self, address: str, scopes: tuple[str, ...]) -> Path:
        path = self.tmp / f"token-{address.split('@')[0]}.json"
        path.write_text(json.dumps(self.emu.add_authorized_user(address, scopes)), encoding="utf-8")
        return path


def gmail_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Iterator[Gmail]:
    with GmailEmulator(**kw) as emu:
        for addr in REPS.values():
            emu.add_user(addr)
        key = emu.add_service_account()
        key_path = tmp_path / "sheetsync-drafts-sa.json"
        key_path.write_text(json.dumps(key), encoding="utf-8")
        monkeypatch.setenv("SHEETSYNC_GMAIL_API", emu.url)
        monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
        yield Gmail(emu, key, key_path, tmp_path)


@dataclass
class Graph:
    emu: GraphEmulator
    client_id: str
    secret: str
    tmp: Path

    def graph_settings(self, **kw: Any) -> GraphSettings:
        values: dict[str, Any] = dict(
            tenant=self.emu.tenant_id,
            client_id=self.client_id,
            client_secret_env="SHEETSYNC_TEST_GRAPH_SECRET",
            authority=self.emu.url,
        )
        values.update(kw)
        return GraphSettings(**values)

    def settings(self, graph: GraphSettings | None = None, **kw: Any) -> DraftSettings:
        return DraftSettings(sink="graph", graph=graph or self.graph_settings(), **kw)


def graph_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Iterator[Graph]:
    with GraphEmulator(**kw) as emu:
        for addr in REPS.values():
            emu.add_mailbox(addr)
        client_id, secret = emu.add_app()
        assert secret is not None
        monkeypatch.setenv("SHEETSYNC_GRAPH_API", emu.url)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(emu.ca_file))
        monkeypatch.setenv("SHEETSYNC_TEST_GRAPH_SECRET", secret)
        yield Graph(emu, client_id, secret, tmp_path)
