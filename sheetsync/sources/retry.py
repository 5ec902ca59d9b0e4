"""Bounded retries shared by every network client sheetsync has.

A nightly job on a small server must finish or fail clearly within a bounded
time, and must not hammer a service that is already saying "slow down".  So
every remote call goes through :class:`Retrier`:

* each attempt has a timeout (``RetryPolicy.timeout``);
* answers that mean "try again later" (429, 500, 502, 503, 504), timeouts and
  dropped connections are retried with exponential back-off and *full
  jitter* (a random wait between 0 and ``base * 2**n``, capped), so many
  clients that failed together do not retry together;
* a ``Retry-After`` header (seconds or an HTTP date) is honoured: sheetsync
  never comes back sooner than the service asked;
* everything stops at a total deadline per call (``RetryPolicy.deadline``);
  the :class:`~sheetsync.errors.RemoteError` raised then names what was
  exhausted, e.g. ``Google Sheets answered 429 (rate limit) 7 times over
  180 s``.

Why not a library's retry (urllib3's ``Retry``, gspread's
``BackOffHTTPClient``)?  gspread 6.2.1 retries a 429 forever, urllib3 knows
nothing of a total deadline, and neither says what it gave up on.  The clock,
the sleep and the random source are injectable so the policy is unit-tested
without waiting (``tests/test_retry.py``).
"""

from __future__ import annotations

import email.utils
import http.client
import json
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from ..errors import RemoteError

#: HTTP statuses that mean "the request was not done; try again later".
RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})

STATUS_NAMES: dict[int, str] = {
    429: "rate limit",
    500: "internal error",
    502: "bad gateway",
    503: "unavailable",
    504: "gateway timeout",
}

#: Never start an attempt with less time than this left before the deadline.
MIN_ATTEMPT_TIME = 0.25


class TransientError(Exception):
    """Raised by an attempt for a failure worth retrying that is not an HTTP status.

    For example a 200 answer whose body was cut off mid-way: the connection
    dropped, the request may or may not have been done.
    """


class HasStatus(Protocol):
    """What the retrier needs of an answer: its status and headers."""

    status_code: int
    headers: Mapping[str, str]


R = TypeVar("R", bound=HasStatus)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: per-attempt timeout, total deadline, back-off shape.

    ``deadline`` bounds one logical call (all its attempts and waits);
    ``max_attempts`` (0 = no limit) bounds the attempts as well.
    """

    timeout: float = 30.0
    deadline: float = 180.0
    base_delay: float = 1.0
    max_delay: float = 32.0
    max_attempts: int = 0
    retry_statuses: frozenset[int] = RETRY_STATUSES

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise ValueError(f"timeout must be positive, got {self.timeout}")
        if not self.deadline > 0:
            raise ValueError(f"deadline must be positive, got {self.deadline}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("back-off delays must not be negative")


@dataclass(slots=True)
class Failure:
    """One attempt that failed in a retryable way."""

    status: int | None = None  # the HTTP status, or None for a timeout / dropped connection
    kind: str = ""  # "status", "timeout" or "connection"
    detail: str = ""
    retry_after: float | None = None

    @property
    def label(self) -> str:
        if self.status is not None:
            name = STATUS_NAMES.get(self.status)
            return f"{self.status} ({name})" if name else str(self.status)
        return self.kind


@dataclass(slots=True)
class CallRecord:
    """What happened during the last :meth:`Retrier.call`: for callers and tests."""

    attempts: int = 0
    failures: list[Failure] = field(default_factory=list)
    waited: float = 0.0

    @property
    def ambiguous(self) -> bool:
        """True when an earlier attempt may have reached the service and been done.

        A timeout or a dropped connection does not tell whether the server
        acted; a non-idempotent request retried after one must be checked.
        """
        return any(f.status is None for f in self.failures)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - now
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def transient_kind(exc: BaseException) -> str | None:
    """``"timeout"`` / ``"connection"`` for a failure worth retrying, else None.

    Knows the standard library's socket errors and, when installed,
    requests / urllib3 / google-auth transport errors; anything else (a bug,
    a refused credential) is not retried.
    """
    if isinstance(exc, TransientError):
        return "connection"
    try:
        import requests

        if isinstance(exc, requests.Timeout):
            return "timeout"
        if isinstance(
            exc,
            requests.ConnectionError
            | requests.exceptions.ChunkedEncodingError
            | requests.exceptions.ContentDecodingError,
        ):
            return "connection"
    except ImportError:  # pragma: no cover - requests is a dependency
        pass
    try:
        import google.auth.exceptions as gae

        if isinstance(exc, gae.TransportError):
            return "connection"
    except ImportError:  # pragma: no cover
        pass
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionError | http.client.IncompleteRead | http.client.BadStatusLine):
        return "connection"
    return None


class Retrier:
    """Runs one remote call with bounded, jittered retries.

    ``service`` names the remote side in messages ("Google Sheets").
    ``clock`` (monotonic seconds), ``sleep``, ``rand`` (uniform in [0, 1))
    and ``now`` (wall-clock seconds, for HTTP-date ``Retry-After``) are
    injectable for tests.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        service: str = "the service",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = time.sleep,
        rand: Callable[[], float] = random.random,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.service = service
        self.clock = clock
        self.sleep = sleep
        self.rand = rand
        self.now = now
        self.last = CallRecord()

    def backoff(self, failures: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**(failures-1)))."""
        p = self.policy
        ceiling = min(p.max_delay, p.base_delay * (2 ** min(failures - 1, 30)))
        return self.rand() * ceiling

    def call(self, attempt: Callable[[float], R], *, what: str = "") -> R:
        """Run ``attempt(timeout)`` until it gives a final answer or the budget is spent.

        ``attempt`` performs one request with the given timeout (seconds) and
        returns the answer (anything with ``status_code`` and ``headers``),
        or raises.  A final answer (any status not in ``retry_statuses``) is
        returned as is, errors included: what a 403 means is the caller's
        business.  ``what`` says what was being done, for the message.
        """
        p = self.policy
        record = self.last = CallRecord()
        start = self.clock()
        while True:
            elapsed = self.clock() - start
            remaining = p.deadline - elapsed
            timeout = p.timeout if record.attempts == 0 else min(p.timeout, remaining)
            record.attempts += 1
            try:
                answer = attempt(timeout)
            except Exception as exc:
                kind = transient_kind(exc)
                if kind is None:
                    raise
                failure = Failure(
                    kind=kind,
                    detail=f"did not answer within {_secs(timeout)}"
                    if kind == "timeout"
                    else _short(exc),
                )
            else:
                if answer.status_code not in p.retry_statuses:
                    return answer
                failure = Failure(
                    status=answer.status_code,
                    kind="status",
                    retry_after=parse_retry_after(
                        _header(answer.headers, "Retry-After"), self.now()
                    ),
                )
            record.failures.append(failure)
            delay = self.backoff(len(record.failures))
            if failure.retry_after is not None:
                delay = max(delay, failure.retry_after)
            elapsed = self.clock() - start
            out_of_attempts = p.max_attempts and record.attempts >= p.max_attempts
            past_deadline = elapsed + delay + MIN_ATTEMPT_TIME > p.deadline
            if out_of_attempts or past_deadline:
                raise RemoteError(
                    self._exhausted(record, elapsed, what, delay if past_deadline else None),
                    hint=self._hint(record),
                )
            self.sleep(delay)
            record.waited += delay

    # -- messages -----------------------------------------------------------

    def _exhausted(
        self, record: CallRecord, elapsed: float, what: str, next_delay: float | None
    ) -> str:
        failures = record.failures
        n = len(failures)
        labels = Counter(f.label for f in failures)
        over = f"over {_secs(elapsed)}"
        if len(labels) == 1:
            only = failures[0]
            times = "once" if n == 1 else f"{n} times"
            if only.status is not None:
                head = f"{self.service} answered {only.label} {times} {over}"
            elif only.kind == "timeout":
                head = f"{self.service} {only.detail} ({times} {over})"
            else:
                head = (
                    f"{self.service} dropped the connection {times} {over} ({failures[-1].detail})"
                )
        else:
            parts = ", ".join(f"{label} ×{count}" for label, count in labels.items())
            head = f"{self.service} failed {n} times {over} ({parts})"
        if what:
            head = f"{head} while {what}"
        last = failures[-1]
        if (
            next_delay is not None
            and last.retry_after is not None
            and last.retry_after == next_delay
        ):
            head += (
                f"; it asked to wait {_secs(last.retry_after)} more (Retry-After),"
                f" past the {_secs(self.policy.deadline)} deadline"
            )
        elif next_delay is not None:
            head += f"; sheetsync gave up at its {_secs(self.policy.deadline)} deadline"
        else:
            head += f"; sheetsync gave up after {record.attempts} attempts"
        return head

    def _hint(self, record: CallRecord) -> str:
        if any(f.status == 429 for f in record.failures):
            return (
                "the API quota is used up (or another program shares it); run again in a few "
                "minutes, or allow more time with [google] deadline in sheetsync.toml"
            )
        if all(f.status is None for f in record.failures):
            return "check the network connection (or a proxy) and run again"
        return "the service is having trouble; run again later (nothing was written)"


# --------------------------------------------------------------------------- HTTP answers


@dataclass(slots=True, eq=False, repr=False)
class Answer:
    """One HTTP answer with its JSON body already read (a cut-off body is retried).

    Shared by the REST clients (Google Sheets, Gmail, Microsoft Graph); the
    body's ``error`` object is the Google and Graph shape.
    """

    #: what the service answered
    status: int
    headers: Mapping[str, str]
    data: Any
    text: str
    #: what the retrier sees (a quota 403 is shown to it as 429)
    status_code: int = field(init=False)

    def __post_init__(self) -> None:
        self.status_code = self.status

    @classmethod
    def read(cls, resp: Any, method: str) -> Answer:
        """A ``requests`` response, its body read: a 2xx body that is not whole
        JSON was cut off (:class:`TransientError`, retried); an error's body
        that is not JSON reads as ``{}`` (its text is kept)."""
        raw = resp.content  # a connection dropped mid-body raises here: retried
        text = raw.decode("utf-8", "replace")
        try:
            data = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError:
            if resp.status_code < 300:
                raise TransientError(
                    f"the answer to {method} was cut off ({len(raw)} bytes)"
                ) from None
            data = {}
        return cls(resp.status_code, resp.headers, data, text)

    @property
    def error(self) -> dict[str, Any]:
        err = self.data.get("error") if isinstance(self.data, dict) else None
        return err if isinstance(err, dict) else {}

    @property
    def message(self) -> str:
        return str(self.error.get("message") or self.text.strip()[:300])

    @property
    def status_name(self) -> str:
        """Google's ``error.status`` (``PERMISSION_DENIED`` …), or ``""``."""
        return str(self.error.get("status") or "")


class TimedAuthRequest:
    """google-auth's transport with our timeout (its default is 120 s)."""

    def __init__(self, session: Any, timeout: float) -> None:
        from google.auth.transport.requests import Request

        self.inner = Request(session)
        self.timeout = timeout

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        return self.inner(
            url, method=method, body=body, headers=headers, timeout=self.timeout, **kwargs
        )


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if headers is None:
        return None
    value = headers.get(name)
    if value is None:
        low = name.lower()
        for k, v in headers.items():
            if k.lower() == low:
                return v
    return value


def _secs(seconds: float) -> str:
    if seconds >= 10 or float(seconds).is_integer():
        return f"{seconds:.0f} s"
    return f"{seconds:.1f} s"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
