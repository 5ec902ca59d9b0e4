"""What every drafts sink shares: the interface, per-mailbox failures, the clock.

One code path drives every sink (:func:`sheetsync.drafts.run.prepare_drafts`):
the same rendered bytes (:func:`sheetsync.drafts.eml.to_bytes`), the same
ledger, the same never-twice rule (the ledger first, then each sink looks
for the draft's Message-ID in the mailbox before creating it).  A sink only
knows how to put one draft in one place:

``eml``   a folder of ``.eml`` files (:mod:`.eml`);
``imap``  an IMAP Drafts folder, password or OAuth 2.0 (:mod:`.imap`);
``gmail`` the Gmail API, ``users.drafts.create`` (:mod:`.gmail`);
``graph`` Microsoft Graph, ``POST /users/{rep}/messages`` (:mod:`.graph`).

A draft's mailbox is its rep's (:attr:`Draft.mailbox`).  A sink that signs
in to one mailbox only (a password, one person's token) refuses the other
reps' drafts (:meth:`DraftSink.refuses`) rather than putting them there.
When one mailbox refuses (401/403: delegation or consent missing, mailbox
disabled; or its quota stays exhausted), the sink raises
:class:`MailboxError`: that rep's remaining drafts stop, the others go on.
Anything else (the service down past its deadline) stops the saving.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Protocol

from sheetsync.errors import RemoteError
from sheetsync.sources.retry import RetryPolicy


class MailboxError(RemoteError):
    """One rep's mailbox refused: that rep's drafts stop, the other reps' go on.

    ``mailbox`` is the address; the hint names the administrator's step that
    fixes it (domain-wide delegation, admin consent, the access policy…).
    """

    def __init__(self, mailbox: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.mailbox = mailbox


class MailboxesFailed(RemoteError):
    """Some reps' mailboxes refused; every other draft was saved (exit 3, after the report)."""


class DraftSink(Protocol):
    """Where drafts go: a folder of ``.eml`` files, an IMAP folder, Gmail, Graph."""

    #: ``eml``, ``imap``, ``gmail`` or ``graph``: recorded in the ledger's Where column.
    kind: str

    @property
    def where(self) -> str:
        """The folder path or the service, for people and the ledger."""
        ...

    def open(self, deadline: Deadline | None = None) -> None:
        """Get ready (read secrets, sign in lazily); ``deadline`` bounds all waiting."""
        ...

    def refuses(self, draft: Any) -> str | None:
        """Why this sink must not hold ``draft`` (another rep's mailbox), or None."""
        ...

    def put(self, draft: Any) -> str:
        """Save one draft (unless its Message-ID is already there); return where it is."""
        ...

    def close(self) -> None: ...


class Deadline:
    """The time left for saving one run's drafts, shared by every request of every sink.

    Each call's retry budget is the smaller of its own deadline and what is
    left here, so a bad night ends on time instead of per request.
    """

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.start = clock()

    def remaining(self) -> float:
        return self.seconds - (self.clock() - self.start)

    def policy(self, base: RetryPolicy) -> RetryPolicy:
        """``base`` with its deadline cut to what is left (and its timeout to match)."""
        left = self.remaining()
        if left <= 0:
            raise DeadlineReached(self.seconds)
        return RetryPolicy(
            timeout=min(base.timeout, left),
            deadline=min(base.deadline, left),
            base_delay=base.base_delay,
            max_delay=base.max_delay,
            max_attempts=base.max_attempts,
            retry_statuses=base.retry_statuses,
        )


class DeadlineReached(RemoteError):
    """The run's drafts deadline passed: what was not saved is made on the next run."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"saving drafts stopped at the [drafts] deadline of {seconds:g} s",
            hint="the drafts not saved are made on the next run; raise [drafts] deadline "
            "if this happens every night",
        )


@dataclass(eq=False)
class Budget:
    """A token bucket keeping one mailbox's requests under the service's quota.

    ``rate`` units are earned per second up to ``burst``; :meth:`take`
    waits (on the injectable clock) until the units are there.  Gmail
    counts quota units per method (15,000 per user per minute); Graph
    counts requests (10,000 per app and mailbox per 10 minutes) and bytes
    uploaded (150 MB per 5 minutes): one bucket per figure.
    """

    rate: float
    burst: float
    _: KW_ONLY
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Any] = time.sleep
    level: float = field(init=False)
    stamp: float = field(init=False)
    #: seconds waited in all (for the log and the tests)
    waited: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self.level = self.burst
        self.stamp = self.clock()

    @classmethod
    def per_window(
        cls,
        quota: float,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> Budget:
        """A bucket that never spends more than ``quota`` in any ``window`` seconds.

        A bucket of rate ``r`` and burst ``b`` spends at most ``b + r·window``
        in a window; a quarter of the quota as burst and the rest spread
        over the window keeps that at ``quota`` exactly.
        """
        burst = quota / 4
        return cls((quota - burst) / window, burst, clock=clock, sleep=sleep)

    def _refill(self) -> None:
        now = self.clock()
        self.level = min(self.burst, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self, units: float, deadline: Deadline | None = None) -> None:
        units = min(units, self.burst)
        self._refill()
        short = units - self.level
        if short > 0:
            wait = short / self.rate
            if deadline is not None and wait >= deadline.remaining():
                raise DeadlineReached(deadline.seconds)
            self.sleep(wait)
            self.waited += wait
            self._refill()
            # the wait earned them, whatever the clock's resolution says
            self.level = max(self.level, units)
        self.level -= units


def same_address(a: str | None, b: str | None) -> bool:
    """Mailbox addresses compare without case (RFC 5321's local part is case-sensitive
    in theory; every mail service sheetsync signs in to treats it without case)."""
    return bool(a and b) and a.strip().casefold() == b.strip().casefold()  # type: ignore[union-attr]
