"""The Graph emulator's HTTPS server: Entra ID endpoints, Graph mail endpoints, limits.

Behaviour pinned to Microsoft's documentation where sheetsync depends on it:

* client credentials (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant):
  ``scope`` must be ``{resource}/.default``; the token's ``roles`` are the
  application permissions an administrator consented to; a wrong secret is
  ``401 invalid_client`` AADSTS7000215, an unknown app ``400
  unauthorized_client`` AADSTS700016;
* device code (RFC 8628, …/v2-oauth2-device-code): ``authorization_pending``
  until the person signs in, then tokens with a refresh token and an ID token;
* Graph answers ``403 ErrorAccessDenied`` without ``Mail.ReadWrite``, and
  "Access to OData is disabled: [RAOP] : Blocked by tenant configured
  AppOnly AccessPolicy settings." for a mailbox outside the application
  access policy (learn.microsoft.com/graph/auth-limit-mailbox-access),
  ``404 ErrorInvalidUser`` for an unknown user and ``404
  MailboxNotEnabledForRESTAPI`` for a user without a mailbox;
* throttling (learn.microsoft.com/graph/throttling-limits): per app and
  mailbox 10,000 requests per 10 minutes (settable) and 4 concurrent
  requests, ``429`` with ``Retry-After``.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import email
import hashlib
import json
import secrets
import ssl
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import openapi

GRAPH = "https://graph.microsoft.com"
OUTLOOK = "https://outlook.office365.com"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        rid = str(uuid.uuid4())
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {"date": now, "request-id": rid, "client-request-id": rid},
            }
        }


@dataclass
class App:
    client_id: str
    name: str
    secrets: set[str] = field(default_factory=set)
    certificates: dict[str, Any] = field(default_factory=dict)  # sha256 / sha1 thumbprint -> key
    application_permissions: set[str] = field(default_factory=set)  # consented roles
    imap_mailboxes: set[str] | None = None  # Exchange FullAccess for IMAP.AccessAsApp
    access_policy: set[str] | None = None  # RestrictAccess: these mailboxes only


@dataclass
class Mailbox:
    address: str
    enabled: bool = True
    messages: list[dict[str, Any]] = field(default_factory=list)
    mime: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Fault:
    op: str | None
    status: int
    retry_after: str | None
    count: int


class GraphEmulator:
    """One tenant's Entra ID and Exchange Online, on a loopback HTTPS port."""

    def __init__(
        self,
        *,
        tenant_id: str | None = None,
        domain: str = "northwind.example",
        requests_per_10_minutes: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.tenant_id = tenant_id or str(uuid.uuid4())
        self.domain = domain
        self.lock = threading.RLock()
        self.apps: dict[str, App] = {}
        self.mailboxes: dict[str, Mailbox] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.refresh: dict[str, dict[str, Any]] = {}
        self.devices: dict[str, dict[str, Any]] = {}
        self.requests_per_10_minutes = requests_per_10_minutes
        self.clock = clock
        self.windows: dict[tuple[str, str], deque[float]] = {}
        self.in_flight: Counter[tuple[str, str]] = Counter()
        self.max_in_flight = 0
        self.faults: list[Fault] = []
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str, int]] = []
        self.token_requests: list[dict[str, str]] = []
        self.consent_delegated: set[str] = set()  # client ids a user may sign in to
        self._dir = Path(tempfile.mkdtemp(prefix="sheetsync-graph-"))
        self.ca_file = self._dir / "graph-emulator-ca.pem"
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------

    def _certificate(self) -> tuple[Path, Path]:
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        cert_path, key_path = self.ca_file, self._dir / "key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_path, key_path

    def start(self) -> GraphEmulator:
        emu = self

        class Handler(_Handler):
            emulator = emu

        cert, key = self._certificate()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
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
        import shutil

        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> GraphEmulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"https://{host}:{port}"

    # -- the tenant (control API for tests) ----------------------------------

    def add_mailbox(self, address: str, *, enabled: bool = True) -> None:
        with self.lock:
            self.mailboxes[address.casefold()] = Mailbox(address, enabled)

    def add_app(
        self,
        name: str = "sheetsync drafts",
        *,
        permissions: tuple[str, ...] = ("Mail.ReadWrite",),
        secret: bool = True,
    ) -> tuple[str, str | None]:
        """Register an app; returns (client id, client secret or None)."""
        app = App(str(uuid.uuid4()), name, application_permissions=set(permissions))
        value = None
        if secret:
            value = "Q8~" + secrets.token_urlsafe(30)
            app.secrets.add(value)
        with self.lock:
            self.apps[app.client_id] = app
        return app.client_id, value

    def add_certificate(self, client_id: str) -> str:
        """A key pair whose certificate is uploaded to the app; returns the PEM (key + cert)."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sheetsync")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=365))
            .sign(key, hashes.SHA256())
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        with self.lock:
            app = self.apps[client_id]
            app.certificates[_b64url(hashlib.sha256(der).digest())] = key.public_key()
            app.certificates[_b64url(hashlib.sha1(der).digest())] = key.public_key()  # noqa: S324
        pem = (
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
            + cert.public_bytes(serialization.Encoding.PEM).decode()
        )
        return pem

    def restrict(self, client_id: str, mailboxes: tuple[str, ...] | None) -> None:
        """New-ApplicationAccessPolicy -AccessRight RestrictAccess (None: no policy)."""
        with self.lock:
            self.apps[client_id].access_policy = (
                None if mailboxes is None else {m.casefold() for m in mailboxes}
            )

    def grant_imap(self, client_id: str, mailboxes: tuple[str, ...]) -> None:
        """IMAP.AccessAsApp consented, service principal given FullAccess on these mailboxes."""
        with self.lock:
            app = self.apps[client_id]
            app.application_permissions.add("IMAP.AccessAsApp")
            app.imap_mailboxes = {m.casefold() for m in mailboxes}

    def approve(self, user_code: str, address: str) -> None:
        """The person opens the verification page, types the code and signs in."""
        with self.lock:
            for dev in self.devices.values():
                if dev["user_code"] == user_code:
                    dev["user"] = address
                    return
        raise KeyError(user_code)

    def messages(self, address: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(m) for m in self.mailboxes[address.casefold()].messages]

    def mime(self, address: str, message_id: str) -> bytes:
        with self.lock:
            return self.mailboxes[address.casefold()].mime[message_id]

    def fail(self, status: int, count: int = 1, *, op: str | None = None, retry_after=None) -> None:
        with self.lock:
            ra = None if retry_after is None else str(retry_after)
            self.faults.append(Fault(op, status, ra, count))

    def token_info(self, token: str) -> dict[str, Any] | None:
        """For RFC 7662 introspection (Dovecot): an Outlook token, its user and scope."""
        with self.lock:
            info = self.tokens.get(token)
        if info is None or info["aud"] != OUTLOOK:
            return None
        if info["kind"] == "app":
            # an app logs in as the mailbox it names; Dovecot checks that user separately
            return None
        return {"username": info["user"], "scope": " ".join(info["scopes"]), "exp": info["exp"]}

    def app_imap_info(self, token: str, user: str) -> bool:
        with self.lock:
            info = self.tokens.get(token)
            if info is None or info["aud"] != OUTLOOK or info["kind"] != "app":
                return False
            app = self.apps[info["client_id"]]
            return "IMAP.AccessAsApp" in info["roles"] and user.casefold() in (
                app.imap_mailboxes or set()
            )

    # -- Entra ID -------------------------------------------------------------

    def _tenant_ok(self, tenant: str) -> bool:
        return tenant in (self.tenant_id, self.domain, "organizations", "common")

    def openid(self, tenant: str) -> dict[str, Any]:
        if not self._tenant_ok(tenant):
            raise GraphError(400, "invalid_tenant", f"AADSTS90002: Tenant '{tenant}' not found.")
        base = f"{self.url}/{tenant}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "issuer": f"{self.url}/{self.tenant_id}/v2.0",
            "jwks_uri": f"{self.url}/{self.tenant_id}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "tenant_region_scope": "EU",
        }

    @staticmethod
    def _aad(status: int, error: str, code: int, text: str) -> tuple[int, dict[str, Any]]:
        return status, {
            "error": error,
            "error_description": f"AADSTS{code}: {text}",
            "error_codes": [code],
            "timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
        }

    def token(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.token_requests.append(dict(form))
        if not self._tenant_ok(tenant):
            return self._aad(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        grant = form.get("grant_type")
        client_id = form.get("client_id", "")
        app = self.apps.get(client_id)
        if app is None:
            return self._aad(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{self.domain}'.",
            )
        if grant == "client_credentials":
            problem = self._client_auth(app, form)
            if problem is not None:
                return problem
            scope = form.get("scope", "")
            resource = scope.removesuffix("/.default")
            if not scope.endswith("/.default") or resource not in (GRAPH, OUTLOOK):
                return self._aad(
                    400,
                    "invalid_scope",
                    1002012,
                    f"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
                )
            roles = sorted(
                r
                for r in app.application_permissions
                if (r.startswith("IMAP") == (resource == OUTLOOK))
            )
            return 200, self._issue(kind="app", aud=resource, client_id=client_id, roles=roles)
        if grant == DEVICE_GRANT:
            dev = self.devices.get(form.get("device_code", ""))
            if dev is None:
                return self._aad(
                    400,
                    "invalid_grant",
                    70000,
                    "The provided value for the 'device_code' is not valid.",
                )
            if dev["user"] is None:
                return self._aad(
                    400,
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                )
            if client_id not in self.consent_delegated:
                return self._aad(
                    400,
                    "invalid_grant",
                    65001,
                    f"The user or administrator has not consented to use the application with ID '{client_id}'.",
                )
            del self.devices[form["device_code"]]
            return 200, self._user_tokens(client_id, dev["user"], dev["scope"])
        if grant == "refresh_token":
            found = self.refresh.get(form.get("refresh_token", ""))
            if found is None or found["client_id"] != client_id:
                return self._aad(
                    400,
                    "invalid_grant",
                    70000,
                    "The provided value for the 'refresh_token' is not valid.",
                )
            return 200, self._user_tokens(client_id, found["user"], form.get("scope", ""))
        return self._aad(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant}'.",
        )

    def _client_auth(self, app: App, form: dict[str, str]) -> tuple[int, dict[str, Any]] | None:
        if "client_secret" in form:
            if form["client_secret"] in app.secrets:
                return None
            return self._aad(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
            )
        if form.get("client_assertion_type") == ASSERTION_TYPE:
            try:
                self._verify_assertion(app, form.get("client_assertion", ""))
            except ValueError as exc:
                return self._aad(
                    401,
                    "invalid_client",
                    700027,
                    f"Client assertion failed signature validation. {exc}",
                )
            return None
        return self._aad(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )

    def _verify_assertion(self, app: App, assertion: str) -> None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        parts = assertion.split(".")
        if len(parts) != 3:
            raise ValueError("not a JWT")
        header = json.loads(_unb64url(parts[0]))
        claims = json.loads(_unb64url(parts[1]))
        thumb = header.get("x5t#S256") or header.get("x5t")
        key = app.certificates.get((thumb or "").rstrip("="))
        if key is None:
            raise ValueError(f"Key was not found (thumbprint {thumb}).")
        signed, sig = f"{parts[0]}.{parts[1]}".encode(), _unb64url(parts[2])
        try:
            if header.get("alg") == "PS256":
                key.verify(
                    sig,
                    signed,
                    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                    hashes.SHA256(),
                )
            elif header.get("alg") == "RS256":
                key.verify(sig, signed, padding.PKCS1v15(), hashes.SHA256())
            else:
                raise ValueError(f"unsupported alg {header.get('alg')}")
        except InvalidSignature:
            raise ValueError("signature") from None
        if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
            raise ValueError("iss and sub must be the client id")
        if not str(claims.get("aud", "")).endswith("/oauth2/v2.0/token"):
            raise ValueError("the audience must be the token endpoint")
        if claims.get("exp", 0) < self.clock():
            raise ValueError("expired")

    def _issue(self, **info: Any) -> dict[str, Any]:
        token = "eyJ0eXAiOiJKV1Qi." + secrets.token_urlsafe(40)
        exp = self.clock() + 3599
        with self.lock:
            self.tokens[token] = {**info, "exp": exp}
        return {
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": token,
        }

    def _user_tokens(self, client_id: str, user: str, scope: str) -> dict[str, Any]:
        scopes = [s for s in scope.split() if s not in ("openid", "profile", "offline_access")]
        aud = OUTLOOK if any("outlook" in s for s in scopes) else GRAPH
        scp = sorted({s.rsplit("/", 1)[-1] for s in scopes})
        out = self._issue(
            kind="user", aud=aud, client_id=client_id, user=user, scp=scp, scopes=scopes
        )
        oid = str(uuid.uuid5(uuid.NAMESPACE_URL, user))
        refresh = "0.AX" + secrets.token_urlsafe(40)
        now = int(self.clock())
        id_claims = {
            "aud": client_id,
            "iss": f"{self.url}/{self.tenant_id}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": user.split("@")[0].title(),
            "oid": oid,
            "preferred_username": user,
            "sub": _b64url(hashlib.sha256(oid.encode()).digest()),
            "tid": self.tenant_id,
            "ver": "2.0",
        }
        with self.lock:
            self.refresh[refresh] = {"client_id": client_id, "user": user}
        out.update(
            scope=" ".join(scopes + ["openid", "profile", "offline_access"]),
            refresh_token=refresh,
            id_token=f"{_b64url(json.dumps({'typ': 'JWT', 'alg': 'none'}).encode())}.{_b64url(json.dumps(id_claims).encode())}.",
            client_info=_b64url(json.dumps({"uid": oid, "utid": self.tenant_id}).encode()),
        )
        return out

    def devicecode(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("client_id") not in self.apps:
            return self._aad(
                400, "unauthorized_client", 700016, "Application not found in the directory."
            )
        code = secrets.token_urlsafe(24)
        user_code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(9))
        with self.lock:
            self.devices[code] = {
                "user_code": user_code,
                "user": None,
                "scope": form.get("scope", ""),
            }
        return 200, {
            "device_code": code,
            "user_code": user_code,
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": 1,
            "message": f"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {user_code} to authenticate.",
        }

    # -- Graph ------------------------------------------------------------------

    def graph(
        self, method: str, path: str, query: list[tuple[str, str]], raw: bytes, headers: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if not path.startswith("/v1.0/"):
            raise GraphError(400, "BadRequest", f"Invalid version: {path.split('/')[1]}")
        rest = path[len("/v1.0") :]
        info = self._bearer(headers.get("Authorization"))
        if rest.startswith("/me/") or rest == "/me":
            if info["kind"] != "user":
                raise GraphError(
                    400,
                    "BadRequest",
                    "/me request is only valid with delegated authentication flow.",
                )
            rest = f"/users/{info['user']}" + rest[3:]
        try:
            op, params = openapi.operation(method, rest)
        except LookupError:
            raise GraphError(
                400,
                "BadRequest",
                f"Resource not found for the segment '{rest.strip('/').split('/')[-1]}'.",
            ) from None
        except openapi.Invalid as exc:
            raise GraphError(405, "Request_BadRequest", exc.message) from None
        try:
            q = openapi.check_query(op, query)
        except openapi.Invalid as exc:
            raise GraphError(400, "BadRequest", exc.message) from None
        mailbox = self._mailbox(unquote(params["user-id"]), info)
        key = (info["client_id"], mailbox.address.casefold())
        opname = op["operationId"]
        with self.lock:
            self.counts[opname] += 1
            fault = next((f for f in self.faults if f.op in (None, opname)), None)
            if fault is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
        if fault is not None:
            code = {429: "TooManyRequests", 503: "serviceNotAvailable", 504: "UnknownError"}.get(
                fault.status, "generalException"
            )
            raise GraphError(
                fault.status,
                code,
                "Fault injected by the test.",
                {"Retry-After": fault.retry_after} if fault.retry_after else {},
            )
        self._throttle(key)
        with self.lock:
            self.in_flight[key] += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight[key])
            busy = self.in_flight[key] > 4
        try:
            if busy:
                raise GraphError(
                    429,
                    "ApplicationThrottled",
                    "Application is over its MailboxConcurrency limit.",
                    {"Retry-After": "1"},
                )
            if opname.endswith("ListMessages"):
                return 200, self._list(mailbox, q), {}
            if opname.endswith("CreateMessages"):
                return 201, self._create(mailbox, headers.get("Content-Type", ""), raw, op), {}
            if opname.endswith("GetMailFolders") or "MailFolder" in opname:
                if params.get("mailFolder-id", "").casefold() != "drafts":
                    raise GraphError(
                        404, "ErrorItemNotFound", "The specified object was not found in the store."
                    )
                return (
                    200,
                    {
                        "@odata.context": f"{self.url}/v1.0/$metadata#users('{mailbox.address}')/mailFolders/$entity",
                        "id": _b64url(hashlib.sha256(mailbox.address.encode()).digest())[:40],
                        "displayName": "Drafts",
                        "totalItemCount": len(mailbox.messages),
                    },
                    {},
                )
            raise GraphError(501, "NotImplemented", f"{opname} is not emulated.")
        finally:
            with self.lock:
                self.in_flight[key] -= 1

    def _bearer(self, auth: str | None) -> dict[str, Any]:
        if not auth or not auth.startswith("Bearer "):
            raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
        with self.lock:
            info = self.tokens.get(auth[7:].strip())
        if info is None:
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "IDX14100: JWT is not well formed, there are no dots (.).",
            )
        if info["exp"] <= self.clock():
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            )
        if info["aud"] != GRAPH:
            raise GraphError(401, "InvalidAuthenticationToken", "Invalid audience.")
        return info

    def _mailbox(self, user_id: str, info: dict[str, Any]) -> Mailbox:
        with self.lock:
            box = self.mailboxes.get(user_id.casefold())
        if info["kind"] == "app":
            if "Mail.ReadWrite" not in info["roles"]:
                raise GraphError(
                    403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
                )
            app = self.apps[info["client_id"]]
            if box is None:
                raise GraphError(
                    404, "ErrorInvalidUser", f"The requested user '{user_id}' is invalid."
                )
            if app.access_policy is not None and box.address.casefold() not in app.access_policy:
                raise GraphError(
                    403,
                    "ErrorAccessDenied",
                    "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
                )
        else:
            if "Mail.ReadWrite" not in info["scp"]:
                raise GraphError(
                    403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
                )
            if box is None or box.address.casefold() != info["user"].casefold():
                raise GraphError(
                    403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
                )
        if not box.enabled:
            raise GraphError(
                404,
                "MailboxNotEnabledForRESTAPI",
                "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
            )
        return box

    def _throttle(self, key: tuple[str, str]) -> None:
        now = self.clock()
        with self.lock:
            window = self.windows.setdefault(key, deque())
            while window and window[0] <= now - 600:
                window.popleft()
            if len(window) >= self.requests_per_10_minutes:
                wait = max(1, int(window[0] + 600 - now) + 1)
                raise GraphError(
                    429,
                    "ApplicationThrottled",
                    "Application is over its MailboxConcurrency limit.",
                    {"Retry-After": str(wait)},
                )
            window.append(now)

    def _list(self, box: Mailbox, q: dict[str, Any]) -> dict[str, Any]:
        items = list(box.messages)
        flt = q.get("$filter")
        if flt:
            import re

            m = re.fullmatch(r"internetMessageId eq '((?:[^']|'')*)'", flt.strip())
            if m is None:
                raise GraphError(
                    400,
                    "BadRequest",
                    f"the emulator understands only $filter=internetMessageId eq '…', got {flt!r}",
                )
            wanted = m.group(1).replace("''", "'")
            items = [x for x in items if x["internetMessageId"] == wanted]
        items = items[: q.get("$top", 10)]
        select = q.get("$select")
        if select:
            items = [{k: v for k, v in x.items() if k in select or k == "id"} for x in items]
        return {
            "@odata.context": f"{self.url}/v1.0/$metadata#users('{box.address}')/messages",
            "value": items,
        }

    def _create(self, box: Mailbox, ctype: str, raw: bytes, op: dict[str, Any]) -> dict[str, Any]:
        if ctype.split(";")[0].strip() == "text/plain":
            try:
                mime = base64.b64decode(raw, validate=True)
            except ValueError:
                raise GraphError(
                    400,
                    "ErrorMimeContentInvalidBase64String",
                    "Invalid base64 string for MIME content.",
                ) from None
            msg = email.message_from_bytes(mime, policy=policy.default)
            if not msg.keys():
                raise GraphError(400, "ErrorMimeContentInvalid", "The MIME content is not valid.")
            message = self._message(box, msg)
            with self.lock:
                box.mime[message["id"]] = mime
        elif ctype.split(";")[0].strip() == "application/json":
            try:
                body = json.loads(raw.decode("utf-8"))
                openapi.check_json(op["requestBody"]["content"]["application/json"]["schema"], body)
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise GraphError(
                    400, "BadRequest", "Unable to read JSON request payload."
                ) from None
            except openapi.Invalid as exc:
                raise GraphError(400, "BadRequest", exc.message) from None
            message = {
                "id": self._new_id(),
                "isDraft": True,
                "subject": body.get("subject"),
                "internetMessageId": f"<{uuid.uuid4().hex}@{self.domain}>",
            }
        else:
            raise GraphError(
                415, "UnsupportedMediaType", f"Content type '{ctype}' is not supported."
            )
        with self.lock:
            box.messages.append(message)
        return message

    def _new_id(self) -> str:
        return "AAMkA" + _b64url(secrets.token_bytes(48))

    def _message(self, box: Mailbox, msg: email.message.EmailMessage) -> dict[str, Any]:
        def recipients(name: str) -> list[dict[str, Any]]:
            header = msg.get(name)
            if header is None:
                return []
            return [
                {"emailAddress": {"name": a.display_name or a.addr_spec, "address": a.addr_spec}}
                for a in header.addresses
            ]

        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = msg.get_body(("html", "plain"))
        sender = recipients("From")
        return {
            "@odata.etag": 'W/"CQAAABYAAAA"',
            "id": self._new_id(),
            "createdDateTime": now,
            "lastModifiedDateTime": now,
            "changeKey": "CQAAABYAAAA",
            "categories": [],
            "receivedDateTime": now,
            "sentDateTime": now,
            "hasAttachments": False,
            "internetMessageId": str(msg.get("Message-ID", "")).strip(),
            "subject": str(msg.get("Subject", "")),
            "bodyPreview": (
                msg.get_body(("plain",)).get_content()[:255] if msg.get_body(("plain",)) else ""
            ),
            "importance": "normal",
            "parentFolderId": "drafts",
            "conversationId": _b64url(secrets.token_bytes(24)),
            "isDeliveryReceiptRequested": False,
            "isReadReceiptRequested": False,
            "isRead": True,
            "isDraft": True,
            "webLink": "https://outlook.office365.com/owa/?ItemID=x&exvsurl=1&viewmodel=ReadMessageItem",
            "inferenceClassification": "focused",
            "body": {
                "contentType": "html"
                if body is not None and body.get_content_subtype() == "html"
                else "text",
                "content": body.get_content() if body is not None else "",
            },
            "sender": sender[0] if sender else None,
            "from": sender[0] if sender else None,
            "toRecipients": recipients("To"),
            "ccRecipients": recipients("Cc"),
            "bccRecipients": [],
            "replyTo": [],
            "flag": {"flagStatus": "notFlagged"},
        }


class _Handler(BaseHTTPRequestHandler):
    emulator: GraphEmulator
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
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
        parts = split.path.strip("/").split("/")
        try:
            if parts[-3:] == ["v2.0", ".well-known", "openid-configuration"] and method == "GET":
                status, payload, headers = 200, emu.openid(parts[0]), {}
            elif parts[1:] == ["oauth2", "v2.0", "token"] and method == "POST":
                status, payload = emu.token(parts[0], dict(parse_qsl(raw.decode())))
                headers = {}
            elif parts[1:] == ["oauth2", "v2.0", "devicecode"] and method == "POST":
                status, payload = emu.devicecode(parts[0], dict(parse_qsl(raw.decode())))
                headers = {}
            else:
                status, payload, headers = emu.graph(
                    method,
                    split.path,
                    parse_qsl(split.query, keep_blank_values=True),
                    raw,
                    self.headers,
                )
        except GraphError as exc:
            status, payload, headers = exc.status, exc.body(), exc.headers
        except Exception as exc:  # a bug in the emulator: say so loudly
            status, payload, headers = (
                500,
                GraphError(
                    500, "generalException", f"emulator bug: {type(exc).__name__}: {exc}"
                ).body(),
                {},
            )
        emu.log.append((method, split.path, status))
        self._send(status, payload, headers)
