"""The bounded retry policy, on a fake clock: no test here waits for real."""

from __future__ import annotations

import email.utils

import pytest
import requests

from sheetsync.errors import RemoteError
from sheetsync.sources.retry import (
    Retrier,
    RetryPolicy,
    TransientError,
    parse_retry_after,
    transient_kind,
)


class Answer:
    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        self.headers = headers or {}


class FakeTime:
    """A clock that only moves when the retrier sleeps (or an attempt takes time)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make(policy: RetryPolicy, t: FakeTime, rand: float = 0.5) -> Retrier:
    return Retrier(
        policy,
        service="Google Sheets",
        clock=t.clock,
        sleep=t.sleep,
        rand=lambda: rand,
        now=lambda: 1_700_000_000.0,
    )


def script(t: FakeTime, *outcomes, cost: float = 0.0):
    """An attempt function answering the outcomes in turn (exceptions are raised)."""
    seen: list[float] = []
    queue = list(outcomes)

    def attempt(timeout: float):
        seen.append(timeout)
        t.now += cost
        item = queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    attempt.timeouts = seen  # type: ignore[attr-defined]
    return attempt


def test_success_needs_no_retry():
    t = FakeTime()
    r = make(RetryPolicy(), t)
    assert r.call(script(t, Answer(200))).status_code == 200
    assert t.sleeps == [] and r.last.attempts == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(status):
    t = FakeTime()
    r = make(RetryPolicy(), t)
    assert r.call(script(t, Answer(status), Answer(status), Answer(200))).status_code == 200
    assert r.last.attempts == 3 and len(t.sleeps) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
def test_final_answers_are_returned_not_retried(status):
    t = FakeTime()
    r = make(RetryPolicy(), t)
    assert r.call(script(t, Answer(status))).status_code == status
    assert t.sleeps == []


def test_backoff_is_exponential_with_full_jitter_and_capped():
    t = FakeTime()
    r = make(RetryPolicy(base_delay=1, max_delay=8, deadline=10_000), t, rand=0.999999)
    r.call(script(t, *[Answer(503)] * 6, Answer(200)))
    assert [round(s, 3) for s in t.sleeps] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    t2 = FakeTime()
    r2 = make(RetryPolicy(base_delay=1, max_delay=8, deadline=10_000), t2, rand=0.25)
    r2.call(script(t2, *[Answer(503)] * 3, Answer(200)))
    assert t2.sleeps == [0.25, 0.5, 1.0]  # uniform in [0, bound): the random part is used whole


def test_retry_after_seconds_is_a_floor():
    t = FakeTime()
    r = make(RetryPolicy(base_delay=1), t, rand=0.0)
    r.call(script(t, Answer(429, {"Retry-After": "7"}), Answer(200)))
    assert t.sleeps == [7.0]


def test_retry_after_http_date():
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 12, usegmt=True)
    assert parse_retry_after(date, now) == pytest.approx(12)
    assert parse_retry_after("3", now) == 3
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(email.utils.formatdate(now - 50, usegmt=True), now) == 0
    t = FakeTime()
    r = make(RetryPolicy(), t, rand=0.0)
    r.call(script(t, Answer(503, {"retry-after": date}), Answer(200)))
    assert t.sleeps == [pytest.approx(12)]


def test_deadline_stops_a_storm_and_names_it():
    t = FakeTime()
    r = make(RetryPolicy(deadline=180, base_delay=1, max_delay=32), t, rand=0.999)
    with pytest.raises(RemoteError) as err:
        r.call(script(t, *[Answer(429)] * 1000), what="reading the tabs")
    msg = err.value.message
    assert msg.startswith("Google Sheets answered 429 (rate limit) ")
    assert "times over" in msg and "while reading the tabs" in msg and "180 s deadline" in msg
    assert t.now - 1000.0 <= 180
    assert err.value.exit_code == 3


def test_a_retry_after_past_the_deadline_gives_up_at_once():
    t = FakeTime()
    r = make(RetryPolicy(deadline=60), t)
    with pytest.raises(RemoteError) as err:
        r.call(script(t, Answer(429, {"Retry-After": "3600"})))
    assert t.sleeps == []
    assert "asked to wait 3600 s more (Retry-After)" in err.value.message
    assert "answered 429 (rate limit) once" in err.value.message


def test_max_attempts_bounds_the_tries():
    t = FakeTime()
    r = make(RetryPolicy(max_attempts=3), t)
    with pytest.raises(RemoteError) as err:
        r.call(script(t, *[Answer(500)] * 5))
    assert r.last.attempts == 3
    assert "3 times" in err.value.message and "after 3 attempts" in err.value.message


def test_timeouts_and_dropped_connections_are_retried():
    t = FakeTime()
    r = make(RetryPolicy(), t)
    attempt = script(
        t,
        requests.ReadTimeout("read timed out"),
        requests.ConnectionError("Connection aborted"),
        requests.exceptions.ChunkedEncodingError("IncompleteRead"),
        TransientError("cut off"),
        Answer(200),
    )
    assert r.call(attempt).status_code == 200
    assert r.last.attempts == 5
    assert r.last.ambiguous


def test_mixed_failures_are_summarised():
    t = FakeTime()
    r = make(RetryPolicy(deadline=5, base_delay=1), t, rand=0.9)
    outcomes = [requests.ReadTimeout("x"), Answer(503), Answer(429)] * 20
    with pytest.raises(RemoteError) as err:
        r.call(script(t, *outcomes, cost=0.5))
    msg = err.value.message
    assert "Google Sheets failed" in msg
    assert "timeout ×" in msg and "503 (unavailable) ×" in msg


def test_only_timeouts_say_how_long():
    t = FakeTime()
    r = make(RetryPolicy(deadline=10, timeout=2), t)
    with pytest.raises(RemoteError) as err:
        r.call(script(t, *[requests.ReadTimeout("slow")] * 50, cost=2))
    assert "did not answer within 2 s" in err.value.message
    assert "network" in err.value.hint


def test_later_attempts_get_only_the_time_left():
    t = FakeTime()
    r = make(RetryPolicy(deadline=10, timeout=8, base_delay=0), t)
    attempt = script(t, requests.ReadTimeout("x"), Answer(200), cost=7)
    r.call(attempt)
    assert attempt.timeouts == [8, pytest.approx(3)]


def test_bugs_are_not_retried():
    t = FakeTime()
    r = make(RetryPolicy(), t)
    with pytest.raises(KeyError):
        r.call(script(t, KeyError("bug")))
    assert t.sleeps == []


def test_transient_kind():
    assert transient_kind(requests.ConnectTimeout()) == "timeout"
    assert transient_kind(TimeoutError()) == "timeout"
    assert transient_kind(ConnectionResetError()) == "connection"
    assert transient_kind(ValueError()) is None
    assert transient_kind(requests.exceptions.InvalidURL()) is None


def test_policy_checks_itself():
    with pytest.raises(ValueError):
        RetryPolicy(timeout=0)
    with pytest.raises(ValueError):
        RetryPolicy(deadline=-1)
