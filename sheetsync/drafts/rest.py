"""HTTP for the Gmail and Graph sinks: one request with a token, bounded retries, clear errors.

Every request goes through :class:`~sheetsync.sources.retry.Retrier` (the
same policy as Google Sheets: 429 and 5xx retried with full-jitter back-off,
``Retry-After`` honoured, time-outs and dropped connections retried), with
its deadline cut to what is left of the run's (:class:`.sinks.Deadline`).
A 401 gets one fresh token and one more try (an expired or revoked token);
what a 401/403 after that means is the sink's to say.  :class:`RestSink` is
what the two sinks share around it: :meth:`~RestSink.put` and the one call
path, each sink giving its address, budget, scopes and refusals.

Why requests and not the services' SDKs (google-api-python-client,
msgraph-sdk): two calls per draft, our own retry budget, and errors whose
text we can turn into the admin step that fixes them; google-auth and MSAL
still do all the OAuth.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from sheetsync.errors import RemoteError
from sheetsync.sources.retry import Answer, Retrier, RetryPolicy, TimedAuthRequest

from .sinks import Deadline, MailboxError

__all__ = ["Answer", "RestClient", "RestSink", "TimedAuthRequest", "new_session"]


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
            answer = Answer.read(resp, method)
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


class RestSink:
    """What the Gmail and Graph sinks share: a :class:`RestClient` to the
    service, the run's counters, :meth:`put` (the draft already there is
    found, not made twice) and a call's errors told apart.

    A subclass sets ``kind``, ``service``, ``api``, ``api_env``, ``what``,
    ``scopes`` and ``tokens`` and gives ``url``, ``spend``, ``find``, ``create``,
    ``location`` and ``failure``.
    """

    kind: str
    #: the service's name in messages ("Gmail", "Microsoft Graph")
    service: str
    #: what a call is doing, for messages (``{action}``, ``{mailbox}``)
    what: str
    #: the OAuth scopes a call's token needs
    scopes: tuple[str, ...]
    #: answers that are a quota refusal in disguise (see :meth:`RestClient.request`)
    quota_error: Callable[[Answer], bool] | None = None
    #: the service's address, and the environment variable that replaces it
    #: (the tests' emulator, a proxy)
    api: str
    api_env: str
    #: the sign-in that gives each mailbox its token
    tokens: Any

    def __init__(
        self,
        settings: Any,
        *,
        api_base: str | None = None,
        session: Any = None,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] | None = None,
    ) -> None:
        """``api_base`` replaces the address; ``session`` (a ``requests`` session),
        ``sleep``, ``clock`` and ``rand`` reach the client and the budgets (tests
        make waiting instant)."""
        self.s = settings
        self.base = (api_base or os.environ.get(self.api_env) or self.api).rstrip("/")
        self.session = session or new_session()
        self.client = RestClient(
            self.service,
            RetryPolicy(timeout=settings.timeout, deadline=settings.deadline),
            session=self.session,
            sleep=sleep,
            clock=clock,
            rand=rand,
        )
        self._sleep, self._clock = sleep, clock
        self.deadline: Deadline | None = None
        self.created = 0
        self.found = 0
        self.warnings: list[str] = []

    @property
    def where(self) -> str:
        return self.service

    def put(self, draft: Any) -> str:
        mailbox = draft.mailbox
        found = self.find(mailbox, draft.message_id)
        if found is not None:
            self.found += 1
            return self.location(mailbox, found)
        made = self.create(mailbox, draft.message)
        self.created += 1
        return self.location(mailbox, made)

    def find(self, mailbox: str, message_id: str) -> str | None:
        raise NotImplementedError

    def create(self, mailbox: str, message: Any) -> str:
        raise NotImplementedError

    def location(self, mailbox: str, draft_id: str) -> str:
        raise NotImplementedError

    def failure(self, mailbox: str, action: str, answer: Answer) -> RemoteError:
        raise NotImplementedError

    def url(self, mailbox: str, path: str) -> str:
        raise NotImplementedError

    def spend(self, mailbox: str, action: str) -> None:
        """Take what one call costs from the mailbox's budget (waits when it is spent)."""
        raise NotImplementedError

    def _call(self, mailbox: str, method: str, path: str, action: str, **request: Any) -> Answer:
        """One call for ``mailbox``: a refusal is :meth:`failure`'s to explain, and a
        quota still used up after the retries stops that rep only (:class:`MailboxError`)."""
        url = self.url(mailbox, path)
        self.spend(mailbox, action)

        def token(force: bool) -> str:
            return self.tokens.token(mailbox, self.scopes, force=force)

        try:
            answer = self.client.request(
                method,
                url,
                token=token,
                what=self.what.format(action=action, mailbox=mailbox),
                deadline=self.deadline,
                quota_error=self.quota_error,
                **request,
            )
        except MailboxError:
            raise
        except RemoteError as exc:
            if 429 in self.client.last_statuses:
                # the rep's quota stays used up: that rep waits for the next run
                raise MailboxError(mailbox, exc.message, hint=exc.hint) from None
            raise
        if answer.status >= 400:
            raise self.failure(mailbox, action, answer)
        return answer
