"""HTTP for the Gmail and Graph sinks: one request with a token, bounded retries, clear errors.

Every request goes through :class:`~sheetsync.sources.retry.Retrier` (the
same policy as Google Sheets: 429 and 5xx retried with full-jitter back-off,
``Retry-After`` honoured, time-outs and dropped connections retried), with
its deadline cut to what is left of the run's (:class:`.sinks.Deadline`).
A 401 gets one fresh token and one more try (an expired or revoked token);
what a 401/403 after that means is the sink's to say.

Why requests and not the services' SDKs (google-api-python-client,
msgraph-sdk): two calls per draft, our own retry budget, and errors whose
text we can turn into the admin step that fixes them; google-auth and MSAL
still do all the OAuth.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sheetsync.sources.retry import Retrier, RetryPolicy, TransientError

from .sinks import Deadline


class Answer:
    """One HTTP answer with its JSON body already read (a cut-off body is retried)."""

    __slots__ = ("status_code", "status", "headers", "data", "text")

    def __init__(self, status: int, headers: Mapping[str, str], data: Any, text: str) -> None:
        #: what the retrier sees (a quota 403 is shown to it as 429)
        self.status_code = status
        #: what the service answered
        self.status = status
        self.headers = headers
        self.data = data
        self.text = text

    @property
    def error(self) -> dict[str, Any]:
        err = self.data.get("error") if isinstance(self.data, dict) else None
        return err if isinstance(err, dict) else {}

    @property
    def message(self) -> str:
        return str(self.error.get("message") or self.text.strip()[:300])


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


def new_session() -> Any:
    import requests

    from sheetsync import __version__

    session = requests.Session()
    session.headers["User-Agent"] = f"sheetsync/{__version__}"
    return session


class RestClient:
    """Sends requests to one service (``"Gmail"``, ``"Microsoft Graph"``).

    ``policy`` is the per-call retry policy; ``sleep``, ``clock`` and
    ``rand`` reach the retrier (tests make waiting instant).
    """

    def __init__(
        self,
        service: str,
        policy: RetryPolicy,
        *,
        session: Any = None,
        sleep: Callable[[float], Any] | None = None,
        clock: Callable[[], float] | None = None,
        rand: Callable[[], float] | None = None,
    ) -> None:
        self.service = service
        self.policy = policy
        self._session = session
        self._retrier_kw: dict[str, Any] = {
            k: v for k, v in {"sleep": sleep, "clock": clock, "rand": rand}.items() if v
        }
        #: requests sent (attempts, retries included)
        self.sent = 0
        #: (status, seconds asked to wait) of every answer that was retried
        self.retried: list[tuple[int | None, float | None]] = []
        #: the statuses the last call was retried for (None: a time-out or dropped connection)
        self.last_statuses: list[int | None] = []

    @property
    def session(self) -> Any:
        if self._session is None:
            self._session = new_session()
        return self._session

    def request(
        self,
        method: str,
        url: str,
        *,
        token: Callable[[bool], str],
        what: str,
        deadline: Deadline | None,
        params: Any = None,
        json_body: Any = None,
        data: bytes | None = None,
        content_type: str | None = None,
        quota_error: Callable[[Answer], bool] | None = None,
    ) -> Answer:
        """One logical call.  ``token(force)`` gives the bearer token (``force``: a fresh one).

        ``quota_error`` marks answers that are a quota refusal in disguise
        (Gmail's ``403 userRateLimitExceeded``): they are retried like a 429.
        """
        payload = data
        ctype = content_type
        if json_body is not None:
            payload = json.dumps(json_body, ensure_ascii=False, allow_nan=False).encode("utf-8")
            ctype = "application/json; charset=utf-8"

        def attempt(timeout: float, force: bool = False) -> Answer:
            headers = {"Accept": "application/json", "Authorization": f"Bearer {token(force)}"}
            if ctype:
                headers["Content-Type"] = ctype
            self.sent += 1
            resp = self.session.request(
                method, url, params=params, data=payload, headers=headers, timeout=timeout
            )
            raw = resp.content  # a connection dropped mid-body raises here: retried
            text = raw.decode("utf-8", "replace")
            try:
                body = json.loads(text) if text.strip() else {}
            except json.JSONDecodeError:
                if resp.status_code < 300:
                    raise TransientError(
                        f"the answer to {method} was cut off ({len(raw)} bytes)"
                    ) from None
                body = {}
            answer = Answer(resp.status_code, resp.headers, body, text)
            if quota_error is not None and answer.status == 403 and quota_error(answer):
                answer.status_code = 429
            if answer.status_code in self.policy.retry_statuses:
                self.retried.append((answer.status, _seconds(answer.headers.get("Retry-After"))))
            return answer

        used: list[Retrier] = []

        def retrier() -> Retrier:
            p = deadline.policy(self.policy) if deadline is not None else self.policy
            used.append(Retrier(p, service=self.service, **self._retrier_kw))
            return used[-1]

        try:
            answer = retrier().call(attempt, what=what)
            if answer.status == 401:
                fresh = [True]  # one new token, then the retries of this call reuse it

                def again(timeout: float) -> Answer:
                    force, fresh[0] = fresh[0], False
                    return attempt(timeout, force)

                answer = retrier().call(again, what=what)
        finally:
            self.last_statuses = [f.status for r in used for f in r.last.failures]
        return answer


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
