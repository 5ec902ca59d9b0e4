"""One writer per Google Sheet: a lease kept in the spreadsheet itself.

Two machines syncing one sheet share no file system, so the lock lives where
both look: a spreadsheet-level developer metadata entry (Sheets API v4,
``DeveloperMetadata``) with key ``sheetsync.lease`` and a JSON value
``{"owner", "host", "pid", "expires", "run"}``.

* **Taking it** is one ``batchUpdate`` with ``createDeveloperMetadata`` of a
  fixed ``metadataId`` (:data:`LEASE_ID`).  Google refuses a second entry
  with an id that exists and applies a batchUpdate all or nothing, so when
  two runs race exactly one creation succeeds.  The run then reads the entry
  back (``developerMetadata.search``) and goes on only when the value is its
  own.
* **An expired lease** (a run that crashed or lost its network) is taken over
  in one batchUpdate: ``deleteDeveloperMetadata`` matching the id *and the
  expired value*, then the creation.  If another run replaced it first, the
  delete matches nothing, the creation fails on the id, and the whole batch
  is refused: again exactly one run wins.
* **A live lease** stops the run with :class:`~sheetsync.errors.LockedError`
  (exit 4) naming its owner, host and expiry.
* **Renewal**: the lease lasts :data:`LEASE_SECONDS`; a daemon thread renews
  it every third of that (``updateDeveloperMetadata`` matching our own value),
  and :func:`ensure_held` checks it is still ours just before the write, so a
  run that lost it (it was too slow, and another took the expired lease over)
  stops instead of overwriting the other's work.
* **Release**: ``deleteDeveloperMetadata`` matching our value, at the end of
  the run whatever happened; a run killed before that leaves a lease that
  expires by itself.

Expiry is judged by the clock of the machine that reads the lease, so the
machines' clocks must agree to well under :data:`LEASE_SECONDS` (NTP).

A sheet shared as Viewer cannot hold metadata: taking the lease is refused
with the same 403 message as a write (exit 3), before anything is read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import threading
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import LockedError, SourceError
from ..owner import owner_info
from . import gsheets_write
from .lease_held import HELD
from .lease_held import ensure_held as ensure_held  # re-exported: callers check a lease here

if TYPE_CHECKING:
    from ..config import Config
    from .gsheets import SheetsClient

log = logging.getLogger("sheetsync.gsheets.lease")

LEASE_KEY = "sheetsync.lease"
#: A fixed id: Google keeps metadata ids unique in a spreadsheet, which makes taking atomic.
LEASE_ID = zlib.crc32(LEASE_KEY.encode()) & 0x7FFFFFFF
#: How long a lease lasts without renewal: long enough for a slow network, short
#: enough that a crashed run blocks the next night's run only briefly.
LEASE_SECONDS = 600


@dataclass(frozen=True, slots=True)
class LeaseValue:
    """One lease as stored: who holds it and until when."""

    owner: str
    host: str
    pid: int
    expires: dt.datetime
    run: str
    raw: str

    @classmethod
    def parse(cls, raw: str) -> LeaseValue | None:
        try:
            data = json.loads(raw)
            expires = dt.datetime.fromisoformat(str(data["expires"]))
        except (ValueError, KeyError, TypeError):
            return None
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
        return cls(
            owner=str(data.get("owner", "?")),
            host=str(data.get("host", "?")),
            pid=int(data.get("pid", 0) or 0),
            expires=expires,
            run=str(data.get("run", "")),
            raw=raw,
        )

    def expired(self, now: dt.datetime) -> bool:
        return self.expires <= now

    def describe(self) -> str:
        return (
            f"{self.owner} (pid {self.pid} on host {self.host}), "
            f"until {self.expires.isoformat(timespec='seconds')}"
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Lease:
    """The lease on one spreadsheet, taken by :meth:`acquire`, given back by :meth:`release`."""

    def __init__(self, client: SheetsClient, *, name: str, seconds: int = LEASE_SECONDS) -> None:
        self.client = client
        self.name = name
        self.seconds = seconds
        self.run = uuid.uuid4().hex
        self.value: str | None = None
        self.lost: Exception | None = None
        self.expires = _now()
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the requests -------------------------------------------------------

    def _new_value(self) -> str:
        info = owner_info()
        expires = _now() + dt.timedelta(seconds=self.seconds)
        return json.dumps(
            {
                "owner": f"{info['user']}@{info['host']}",
                "host": info["host"],
                "pid": info["pid"],
                "expires": expires.isoformat(timespec="seconds"),
                "run": self.run,
            },
            separators=(",", ":"),
        )

    def current(self) -> LeaseValue | None:
        """The lease stored in the spreadsheet now (``developerMetadata.search``)."""
        body = gsheets_write.dumps(
            {"dataFilters": [{"developerMetadataLookup": {"metadataId": LEASE_ID}}]}
        )
        answer = self.client._request(
            "POST",
            "/developerMetadata:search",
            what="reading sheetsync's lease on the spreadsheet",
            payload=body,
        )
        if answer.status_code != 200:
            raise self.client._fail(answer)
        for match in answer.data.get("matchedDeveloperMetadata", []) or []:
            md = match.get("developerMetadata", {}) or {}
            if md.get("metadataKey") == LEASE_KEY:
                raw = md.get("metadataValue", "")
                parsed = LeaseValue.parse(raw)
                if parsed is None:  # unreadable: treat as expired, so it can be replaced
                    return LeaseValue("?", "?", 0, dt.datetime.min.replace(tzinfo=dt.UTC), "", raw)
                return parsed
        return None

    def _batch(self, requests: list[dict[str, Any]], what: str) -> Any:
        body = gsheets_write.dumps({"requests": requests})
        answer, _ambiguous = self.client.batch_update(body, what=what)
        return answer

    def _create(self, value: str) -> dict[str, Any]:
        return {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataId": LEASE_ID,
                    "metadataKey": LEASE_KEY,
                    "metadataValue": value,
                    "location": {"spreadsheet": True},
                    "visibility": "DOCUMENT",
                }
            }
        }

    @staticmethod
    def _lookup(value: str) -> dict[str, Any]:
        return {"developerMetadataLookup": {"metadataId": LEASE_ID, "metadataValue": value}}

    # -- the life of a lease --------------------------------------------------

    def acquire(self) -> None:
        """Take the lease, or raise LockedError naming the live one.

        The usual night costs two requests: the creation, and the read back.
        Only when the creation is refused (a lease is there) is the stored
        lease read, and taken over when it has expired.  A lease that
        vanished or expired between two requests (another run gave it back)
        is tried again, a few times.
        """
        answer = None
        for _ in range(3):
            value = self._new_value()
            answer, held = self._try_take(value)
            if held is not None and held.raw == value:
                self.value = value
                self.expires = held.expires
                HELD[self.client.spreadsheet_id] = self
                self._thread = threading.Thread(
                    target=self._keep, name="sheetsync-lease", daemon=True
                )
                self._thread.start()
                return
            if held is not None and not held.expired(_now()):
                raise self._locked(held)
        raise SourceError(
            f"{self.name}: sheetsync could not take its lease on the spreadsheet "
            f"(Google: {answer.message or answer.status_code}); nothing was written",
            hint="run again",
        )

    def _try_take(self, value: str) -> tuple[Any, LeaseValue | None]:
        """One attempt: create (or take over an expired lease), then read back what is stored."""
        answer = self._batch([self._create(value)], "taking sheetsync's lease on the spreadsheet")
        if answer.status_code == 400:  # the id exists: a lease is there (or our retried create)
            current = self.current()
            if current is not None and current.raw != value:
                if not current.expired(_now()):
                    return answer, current
                log.info("%s: taking over an expired lease of %s", self.name, current.describe())
                answer = self._batch(
                    [
                        {"deleteDeveloperMetadata": {"dataFilter": self._lookup(current.raw)}},
                        self._create(value),
                    ],
                    "taking over an expired sheetsync lease on the spreadsheet",
                )
        if answer.status_code not in (200, 400):
            raise self.client._fail(answer, writing=True)
        return answer, self.current()  # read back: only the run whose value is stored holds it

    def _locked(self, held: LeaseValue) -> LockedError:
        return LockedError(
            f"{self.name}: another sheetsync run is working on this spreadsheet: "
            f"{held.describe()}; this run stopped",
            hint="wait for it to finish; a lease left by a run that crashed expires by itself "
            f"(at {held.expires.isoformat(timespec='seconds')})",
        )

    def renew(self) -> None:
        """Push the expiry forward; raise LockedError when the lease is no longer ours."""
        with self._mutex:
            if self.value is None:
                return
            value = self._new_value()
            self._batch(
                [
                    {
                        "updateDeveloperMetadata": {
                            "dataFilters": [self._lookup(self.value)],
                            "developerMetadata": {"metadataValue": value},
                            "fields": "metadataValue",
                        }
                    }
                ],
                "renewing sheetsync's lease on the spreadsheet",
            )
            held = self.current()
            if held is not None and held.raw == value:
                self.value = value
                self.expires = held.expires
                return
            self.value = None
            self.lost = (
                self._locked(held)
                if held is not None
                else LockedError(
                    f"{self.name}: sheetsync's lease on the spreadsheet was removed while this run "
                    "worked; this run stopped before writing",
                    hint="run again",
                )
            )
            raise self.lost

    def ensure(self) -> None:
        """Just before writing: the lease must still be ours, with time left to write.

        With more than half its time left it is (nobody may take a lease
        before it expires), so no request is made; else it is renewed, which
        reads it back.
        """
        if self.lost is not None:
            raise self.lost
        if self.expires - _now() > dt.timedelta(seconds=self.seconds / 2):
            return
        self.renew()

    def _keep(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                self.renew()
            except LockedError:
                return
            except Exception as exc:  # a network blip: the next renewal (or ensure) tells
                log.info("%s: lease renewal failed (%s)", self.name, exc)

    def release(self) -> None:
        """Give the lease back (best effort: an unreleased lease expires)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        HELD.pop(self.client.spreadsheet_id, None)
        with self._mutex:
            if self.value is None:
                return
            try:
                self._batch(
                    [{"deleteDeveloperMetadata": {"dataFilter": self._lookup(self.value)}}],
                    "giving back sheetsync's lease on the spreadsheet",
                )
            except Exception as exc:
                log.info("%s: lease not given back, it expires by itself (%s)", self.name, exc)
            self.value = None


@contextlib.contextmanager
def sheet_lease(
    spreadsheet_id: str, *, cfg: Config, credentials: str | None, name: str
) -> Iterator[str]:
    """Hold the spreadsheet's lease for the block (its own client: the renewals run in a thread)."""
    from .gsheets import GoogleSettings, SheetsClient

    client = SheetsClient(
        spreadsheet_id,
        settings=GoogleSettings.from_config(cfg),
        credentials=credentials,
        name=name,
    )
    lease = Lease(client, name=name)
    lease.acquire()
    try:
        yield f"{name} (lease {LEASE_KEY})"
    finally:
        lease.release()
