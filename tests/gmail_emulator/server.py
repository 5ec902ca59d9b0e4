"""The Gmail emulator's HTTP server: OAuth token endpoint, API routes, quota, faults.

Behaviour pinned to Google's documentation where sheetsync depends on it:

* token endpoint (developers.google.com/identity/protocols/oauth2/service-account):
  a JWT-bearer assertion signed RS256 by the service account's key, ``aud``
  the token URI, ``exp`` at most an hour after ``iat``; with ``sub``, the
  client ID must have domain-wide delegation for every requested scope
  (else ``401 unauthorized_client``) and ``sub`` must be a user of the
  domain (else ``400 invalid_grant: Invalid email or User ID``);
* the API checks each token's scopes against the method's ``scopes`` in the
  discovery document (``403 ACCESS_TOKEN_SCOPE_INSUFFICIENT``), ``userId``
  against the token's user (``403 Delegation denied``), a service account's
  own token (no ``sub``) is ``400 failedPrecondition``, a user without Gmail
  ``400 failedPrecondition: Mail service not enabled``;
* the per-user quota (developers.google.com/workspace/gmail/api/reference/quota):
  units per method, 15,000 per user per minute, ``429 rateLimitExceeded``.
"""

from __future__ import annotations

import base64
import contextlib
import email
import json
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import schema

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
UNITS = {
    "gmail.users.drafts.create": 10,
    "gmail.users.drafts.list": 5,
    "gmail.users.drafts.get": 5,
    "gmail.users.getProfile": 1,
}
STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    def __init__(
        self, code: int, message: str, reason: str = "", *, status: str | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.reason = reason or {400: "badRequest", 403: "forbidden", 404: "notFound"}.get(
            code, "backendError"
        )
        self.status = status or STATUS.get(code, "UNKNOWN")

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [{"message": self.message, "domain": "global", "reason": self.reason}],
                "status": self.status,
            }
        }


@dataclass
class StoredDraft:
    id: str
    message_id: str
    raw: bytes
    headers: email.message.Message
    created: float


@dataclass
class User:
    email: str
    gmail: bool = True
    drafts: list[StoredDraft] = field(default_factory=list)
    units: deque[tuple[float, int]] = field(default_factory=deque)


@dataclass
class Fault:
    op: str | None
    status: int
    retry_after: str | None
    count: int


def _b64url(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


class GmailEmulator:
    """An in-memory Gmail for one Workspace domain, on a loopback port."""

    def __init__(self, *, units_per_minute: int = 15_000, clock: Callable[[], float] = time.time):
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.accounts: dict[str, Any] = {}  # service-account email -> (public key, client id)
        self.delegation: dict[str, set[str]] = {}  # client id -> scopes
        self.refresh_tokens: dict[str, tuple[str, set[str]]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}  # access token -> {email, scopes, exp}
        self.units_per_minute = units_per_minute
        self.clock = clock
        self.faults: list[Fault] = []
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str, int]] = []
        self.token_requests: list[dict[str, Any]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> GmailEmulator:
        emu = self

        class Handler(_Handler):
            emulator = emu

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> GmailEmulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    # -- the domain (control API for tests) ----------------------------------

    def add_user(self, address: str, *, gmail: bool = True) -> None:
        with self.lock:
            self.users[address.casefold()] = User(address, gmail)

    def remove_user(self, address: str) -> None:
        with self.lock:
            self.users.pop(address.casefold(), None)

    def add_service_account(
        self, *, delegate: tuple[str, ...] = ("https://www.googleapis.com/auth/gmail.compose",)
    ) -> dict[str, Any]:
        """A fresh key; ``delegate``: the scopes the admin granted its client ID (DWD)."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        sa = f"drafts-{secrets.token_hex(3)}@sales-project.iam.gserviceaccount.com"
        client_id = str(10**20 + secrets.randbelow(10**20))
        with self.lock:
            self.accounts[sa] = (key.public_key(), client_id)
            if delegate:
                self.delegation[client_id] = set(delegate)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "type": "service_account",
            "project_id": "sales-project",
            "private_key_id": secrets.token_hex(20),
            "private_key": pem,
            "client_email": sa,
            "client_id": client_id,
            "token_uri": self.token_uri,
        }

    def delegate(self, client_id: str, scopes: tuple[str, ...]) -> None:
        with self.lock:
            if scopes:
                self.delegation[client_id] = set(scopes)
            else:
                self.delegation.pop(client_id, None)

    def add_authorized_user(self, address: str, scopes: tuple[str, ...]) -> dict[str, Any]:
        refresh = "1//" + secrets.token_urlsafe(30)
        with self.lock:
            self.refresh_tokens[refresh] = (address, set(scopes))
        return {
            "type": "authorized_user",
            "client_id": "sheetsync-test.apps.googleusercontent.com",
            "client_secret": "test-secret",
            "refresh_token": refresh,
            "token_uri": self.token_uri,
        }

    def drafts(self, address: str) -> list[StoredDraft]:
        with self.lock:
            return list(self.users[address.casefold()].drafts)

    def fail(self, status: int, count: int = 1, *, op: str | None = None, retry_after=None) -> None:
        with self.lock:
            ra = None if retry_after is None else str(retry_after)
            self.faults.append(Fault(op, status, ra, count))

    def token_info(self, token: str) -> dict[str, Any] | None:
        """For RFC 7662 introspection (Dovecot): who the token is, with which scopes."""
        with self.lock:
            info = self.tokens.get(token)
        if info is None:
            return None
        return {
            "username": info["email"],
            "scope": " ".join(sorted(info["scopes"])),
            "exp": info["exp"],
        }

    # -- the token endpoint ---------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type", "")
        with self.lock:
            self.token_requests.append(dict(form))
        if grant == JWT_BEARER:
            try:
                claims = self._verify(form.get("assertion", ""))
            except ValueError as exc:
                return 400, {"error": "invalid_grant", "error_description": str(exc)}
            scopes = set(str(claims.get("scope", "")).split())
            sa = claims["iss"]
            _, client_id = self.accounts[sa]
            subject = claims.get("sub")
            if subject and subject != sa:
                granted = self.delegation.get(client_id, set())
                if not scopes or not scopes <= granted:
                    return 401, {
                        "error": "unauthorized_client",
                        "error_description": "Client is unauthorized to retrieve access tokens "
                        "using this method, or client not authorized for any of the scopes "
                        "requested.",
                    }
                if subject.casefold() not in self.users:
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "Invalid email or User ID",
                    }
                who = self.users[subject.casefold()].email
            else:
                who = sa
        elif grant == "refresh_token":
            found = self.refresh_tokens.get(form.get("refresh_token", ""))
            if found is None:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                }
            who, scopes = found
        else:
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": f"Invalid grant_type: {grant}",
            }
        token = "ya29." + secrets.token_urlsafe(40)
        with self.lock:
            self.tokens[token] = {"email": who, "scopes": scopes, "exp": self.clock() + 3599}
        return 200, {
            "access_token": token,
            "expires_in": 3599,
            "token_type": "Bearer",
            "scope": " ".join(sorted(scopes)),
        }

    def _verify(self, assertion: str) -> dict[str, Any]:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        parts = assertion.split(".")
        if len(parts) != 3:
            raise ValueError("Invalid JWT: the assertion is not a JWT.")
        header = json.loads(_b64url(parts[0]))
        claims = json.loads(_b64url(parts[1]))
        if header.get("alg") != "RS256":
            raise ValueError("Invalid JWT: the signing algorithm must be RS256.")
        account = self.accounts.get(claims.get("iss", ""))
        if account is None:
            raise ValueError("Invalid JWT Signature.")
        try:
            account[0].verify(
                _b64url(parts[2]),
                f"{parts[0]}.{parts[1]}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            raise ValueError("Invalid JWT Signature.") from None
        now = self.clock()
        # google-auth signs for Google's token endpoint whatever token_uri says
        if claims.get("aud") not in (self.token_uri, "https://oauth2.googleapis.com/token"):
            raise ValueError("Invalid JWT: Failed audience check.")
        iat, exp = claims.get("iat", 0), claims.get("exp", 0)
        if not (iat - 300 <= now <= exp + 300) or exp - iat > 3600:
            raise ValueError(
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                "reasonable timeframe."
            )
        return claims

    # -- the API --------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: list[tuple[str, str]], raw: bytes, auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        try:
            mid, params = schema.route(method, path)
        except LookupError:
            raise ApiError(404, "Method not found.", "notFound") from None
        with self.lock:
            self.counts[mid] += 1
            fault = next((f for f in self.faults if f.op in (None, mid)), None)
            if fault is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
        if fault is not None:
            err = ApiError(
                fault.status,
                {
                    429: "Resource has been exhausted (e.g. check quota).",
                    500: "Backend Error",
                    503: "The service is currently unavailable.",
                }.get(fault.status, "Error"),
                {429: "rateLimitExceeded"}.get(fault.status, "backendError"),
            )
            return (
                fault.status,
                err.body(),
                ({"Retry-After": fault.retry_after} if fault.retry_after else {}),
            )
        try:
            q = schema.check_query(mid, query)
            body = json.loads(raw.decode("utf-8")) if raw else None
            body = schema.check_body(mid, body)
        except schema.Invalid as exc:
            raise ApiError(400, exc.message, "invalidArgument") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, f"Invalid JSON payload received. {exc}", "parseError") from None
        info = self._authorize(mid, auth)
        user = self._user(params["userId"], info)
        self._spend(user, UNITS.get(mid, 5))
        if mid == "gmail.users.getProfile":
            return (
                200,
                {
                    "emailAddress": user.email,
                    "messagesTotal": len(user.drafts),
                    "threadsTotal": len(user.drafts),
                    "historyId": str(1000 + len(user.drafts)),
                },
                {},
            )
        if mid == "gmail.users.drafts.list":
            return 200, self._list(user, q), {}
        if mid == "gmail.users.drafts.create":
            return 200, self._create(user, body), {}
        raise ApiError(501, f"{mid} is not emulated.", "notImplemented", status="UNIMPLEMENTED")

    def _authorize(self, mid: str, auth: str | None) -> dict[str, Any]:
        if not auth or not auth.startswith("Bearer "):
            raise ApiError(
                401,
                "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                "required",
                status="UNAUTHENTICATED",
            )
        with self.lock:
            info = self.tokens.get(auth[7:].strip())
        if info is None or info["exp"] <= self.clock():
            raise ApiError(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                "authError",
                status="UNAUTHENTICATED",
            )
        allowed = set(schema.methods()[mid].get("scopes", []))
        if not allowed & info["scopes"]:
            raise ApiError(
                403,
                "Request had insufficient authentication scopes.",
                "insufficientPermissions",
                status="PERMISSION_DENIED",
            )
        return info

    def _user(self, user_id: str, info: dict[str, Any]) -> User:
        who = info["email"]
        if who.endswith(".iam.gserviceaccount.com"):
            raise ApiError(
                400,
                "Precondition check failed.",
                "failedPrecondition",
                status="FAILED_PRECONDITION",
            )
        if user_id != "me" and user_id.casefold() != who.casefold():
            raise ApiError(403, f"Delegation denied for {who}", "forbidden")
        with self.lock:
            user = self.users.get(who.casefold())
        if user is None:
            raise ApiError(400, "Invalid email or User ID", "invalid")
        if not user.gmail:
            raise ApiError(
                400, "Mail service not enabled", "failedPrecondition", status="FAILED_PRECONDITION"
            )
        return user

    def _spend(self, user: User, units: int) -> None:
        now = self.clock()
        with self.lock:
            while user.units and user.units[0][0] <= now - 60:
                user.units.popleft()
            used = sum(u for _, u in user.units)
            if used + units > self.units_per_minute:
                retry = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(user.units[0][0] + 60))
                raise ApiError(
                    429,
                    f"User-rate limit exceeded.  Retry after {retry}.000Z",
                    "rateLimitExceeded",
                    status="RESOURCE_EXHAUSTED",
                )
            user.units.append((now, units))

    def _list(self, user: User, q: dict[str, Any]) -> dict[str, Any]:
        query = str(q.get("q", "")).strip()
        found = list(user.drafts)
        if query:
            if not query.startswith("rfc822msgid:") or " " in query:
                raise ApiError(
                    400,
                    f"the emulator understands only q=rfc822msgid:<id>, got {query!r}",
                    "invalidArgument",
                )
            wanted = query.split(":", 1)[1].strip().strip("<>")
            found = [d for d in found if d.message_id.strip("<>") == wanted]
        found = list(reversed(found))[: int(q.get("maxResults", 100))]
        out: dict[str, Any] = {"resultSizeEstimate": len(found)}
        if found:
            out["drafts"] = [
                {"id": d.id, "message": {"id": "m" + d.id[1:], "threadId": "t" + d.id[1:]}}
                for d in found
            ]
        return out

    def _create(self, user: User, body: dict[str, Any]) -> dict[str, Any]:
        raw_text = (body.get("message") or {}).get("raw")
        if not raw_text:
            raise ApiError(400, "Missing draft message", "invalidArgument")
        raw = _b64url(raw_text)
        parsed = email.message_from_bytes(raw, policy=policy.compat32)
        if not parsed.get("To") and not parsed.get("From"):
            raise ApiError(400, "Invalid To header", "invalidArgument")
        draft = StoredDraft(
            "r" + secrets.token_hex(8),
            str(parsed.get("Message-ID", "")).strip(),
            raw,
            parsed,
            self.clock(),
        )
        with self.lock:
            user.drafts.append(draft)
        return {
            "id": draft.id,
            "message": {
                "id": "m" + draft.id[1:],
                "threadId": "t" + draft.id[1:],
                "labelIds": ["DRAFT"],
            },
        }


class _Handler(BaseHTTPRequestHandler):
    emulator: GmailEmulator
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def _serve(self, method: str) -> None:
        emu = self.emulator
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if split.path == "/token" and method == "POST":
            status, payload = emu.token(dict(parse_qsl(raw.decode("utf-8", "replace"))))
            emu.log.append((method, split.path, status))
            self._send(status, payload)
            return
        try:
            status, payload, headers = emu.handle(
                method,
                split.path,
                parse_qsl(split.query, keep_blank_values=True),
                raw,
                self.headers.get("Authorization"),
            )
        except ApiError as exc:
            status, payload, headers = exc.code, exc.body(), {}
        except Exception as exc:  # a bug in the emulator: say so loudly
            status, payload, headers = (
                500,
                ApiError(500, f"emulator bug: {type(exc).__name__}: {exc}").body(),
                {},
            )
        emu.log.append((method, split.path, status))
        self._send(status, payload, headers)
