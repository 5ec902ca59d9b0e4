"""The loopback HTTP server: routing, OAuth token endpoint, auth, faults, counters.

Real HTTP on 127.0.0.1 (port 0), so the code under test runs its real
transport (requests, google-auth's JWT-bearer exchange, timeouts, dropped
connections) and nothing is mocked below the socket.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import gc
import json
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import requests as batch_requests
from . import schema
from .cellvalues import serial_of
from .errors import MAX_BODY, ApiError, too_large
from .requests import md_matches
from .store import DEFAULT_COLS, DEFAULT_ROWS, Cell, Sheet, Spreadsheet

#: Operations by (HTTP method, route) → (op name, discovery method id, needs write access).
READ, WRITE = False, True


@dataclass
class Fault:
    """One injected failure, consumed by the next matching request.

    ``kind``: ``status`` (answer ``status`` in Google's error format, with
    ``Retry-After`` if given; the request is not processed), ``slow`` (the
    answer comes after ``delay`` seconds; with ``apply`` the request was
    processed first), ``drop`` (the connection closes mid-answer; with
    ``apply`` the request was processed first).
    """

    kind: str
    op: str | None = None
    status: int = 503
    retry_after: str | None = None
    delay: float = 0.0
    apply: bool = True
    count: int = 1


@dataclass
class Logged:
    method: str
    path: str
    op: str
    status: int
    fault: str | None = None


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Emulator:
    """An in-memory Google Sheets v4 API on a loopback port.

    Use as a context manager, or ``start()`` / ``stop()``.  ``url`` is the
    base to put in ``SHEETSYNC_SHEETS_API``; ``token_uri`` goes in the
    service-account key (``add_service_account`` builds one).
    """

    def __init__(self, *, validate: bool = True, require_auth: bool = True) -> None:
        self.validate = validate
        self.require_auth = require_auth
        self.lock = threading.RLock()
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.accounts: dict[str, Any] = {}  # email -> RSA public key
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> account
        self.tokens: dict[str, str] = {}  # access token -> account
        self.faults: list[Fault] = []
        self.hooks: list[tuple[str | None, Callable[[], Any]]] = []
        self.counts: Counter[str] = Counter()
        #: the body size of every request, by operation (to check sheetsync's budget)
        self.body_sizes: dict[str, list[int]] = {}
        self.log: list[Logged] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> Emulator:
        emulator = self

        class Handler(_Handler):
            emu = emulator

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
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

    # -- accounts -------------------------------------------------------------

    def add_service_account(self, email: str | None = None) -> dict[str, Any]:
        """A fresh RSA key registered here; returns the key file's JSON content."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        email = email or f"sheetsync-{secrets.token_hex(3)}@test-project.iam.gserviceaccount.com"
        with self.lock:
            self.accounts[email] = key.public_key()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "type": "service_account",
            "project_id": "test-project",
            "private_key_id": secrets.token_hex(20),
            "private_key": pem,
            "client_email": email,
            "client_id": str(secrets.randbelow(10**20)),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
        }

    def add_authorized_user(self, email: str) -> dict[str, Any]:
        """An authorized-user file (what the one-time OAuth flow saves)."""
        refresh = secrets.token_urlsafe(24)
        with self.lock:
            self.refresh_tokens[refresh] = email
        return {
            "type": "authorized_user",
            "client_id": "test-client.apps.googleusercontent.com",
            "client_secret": "test-secret",
            "refresh_token": refresh,
            "token_uri": self.token_uri,
            "account": email,
        }

    def revoke(self, email: str) -> None:
        """The account's key is deleted: token requests are refused from now on."""
        with self.lock:
            self.accounts.pop(email, None)
            self.tokens = {t: a for t, a in self.tokens.items() if a != email}

    def issue_token(self, email: str) -> str:
        token = "ya29." + secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = email
        return token

    # -- spreadsheets (control API for tests) --------------------------------

    def create_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        *,
        owner: str | None = None,
        spreadsheet_id: str | None = None,
        tabs: dict[str, Sequence[Sequence[Any]]] | None = None,
        writers: Iterable[str] = (),
        readers: Iterable[str] = (),
    ) -> str:
        sid = spreadsheet_id or secrets.token_urlsafe(33)[:44].replace("-", "x")
        ss = Spreadsheet(sid, title, owner)
        ss.writers.update(writers)
        ss.readers.update(readers)
        names = list(tabs or {"Sheet1": []})
        for i, name in enumerate(names):
            rows = (tabs or {}).get(name, [])
            nrows = max(DEFAULT_ROWS, len(rows))
            ncols = max(DEFAULT_COLS, max((len(r) for r in rows), default=0))
            sheet = Sheet(
                {
                    "sheetId": 0 if i == 0 else 1000 + i,
                    "title": name,
                    "index": i,
                    "sheetType": "GRID",
                    "gridProperties": {"rowCount": nrows, "columnCount": ncols},
                }
            )
            ss.sheets.append(sheet)
            _fill(sheet, rows)
        with self.lock:
            self.spreadsheets[sid] = ss
        return sid

    def delete_spreadsheet(self, sid: str) -> None:
        with self.lock:
            self.spreadsheets.pop(sid, None)

    def share(self, sid: str, email: str, role: str = "writer") -> None:
        with self.lock:
            ss = self.spreadsheets[sid]
            (ss.writers if role == "writer" else ss.readers).add(email)

    def add_tab(self, sid: str, title: str, rows: Sequence[Sequence[Any]] = ()) -> int:
        """A person adds a tab (directly, as if in the browser)."""
        with self.lock:
            ss = self.spreadsheets[sid]
            reply = batch_requests.add_sheet(ss, {"properties": {"title": title}}, "ui")
            sheet_id = reply["addSheet"]["properties"]["sheetId"]
            sheet = ss.sheet_by_id(sheet_id)
            assert sheet is not None
            _fill(sheet, rows)
            return sheet_id

    def set_values(self, sid: str, title: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.lock:
            sheet = self.spreadsheets[sid].sheet_by_title(title)
            assert sheet is not None
            _fill(sheet, rows)

    def spreadsheet(self, sid: str) -> Spreadsheet:
        return self.spreadsheets[sid]

    def titles(self, sid: str) -> list[str]:
        with self.lock:
            return [s.title for s in self.spreadsheets[sid].sheets]

    def values(self, sid: str, title: str, option: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        with self.lock:
            ss = self.spreadsheets[sid]
            quoted = "'" + title.replace("'", "''") + "'"
            return ss.values_get(quoted, option=option).get("values", [])

    def cell(self, sid: str, title: str, row: int, col: int) -> dict[str, Any]:
        """A cell's CellData (1-based row/col), with effective and formatted values."""
        with self.lock:
            ss = self.spreadsheets[sid]
            sheet = ss.sheet_by_title(title)
            assert sheet is not None
            cell = sheet.get(row - 1, col - 1)
            return ss.cell_json(sheet, row - 1, col - 1, cell, None) if cell else {}

    def metadata(self, sid: str) -> list[dict[str, Any]]:
        with self.lock:
            ss = self.spreadsheets[sid]
            return [ss.md_json(m) for m in ss.metadata]

    def snapshot(self, sid: str) -> dict[str, Any]:
        """Everything stored, deterministic: to compare a sheet before and after."""
        with self.lock:
            ss = self.spreadsheets[sid]
            return {
                "properties": copy.deepcopy(ss.props),
                "sheets": [
                    {
                        "properties": s.props_json(),
                        "cells": {
                            f"{r},{c}": cell.to_json()
                            for r, row in sorted(s.rows.items())
                            for c, cell in sorted(row.items())
                        },
                        "merges": copy.deepcopy(s.merges),
                        "charts": copy.deepcopy(s.charts),
                        "rowMeta": copy.deepcopy(s.row_meta),
                        "colMeta": copy.deepcopy(s.col_meta),
                    }
                    for s in ss.sheets
                ],
                "namedRanges": copy.deepcopy(ss.named_ranges),
                "metadata": copy.deepcopy(ss.metadata),
            }

    # -- faults ---------------------------------------------------------------

    def fail(
        self,
        status: int,
        count: int = 1,
        *,
        op: str | None = None,
        retry_after: str | float | None = None,
    ) -> None:
        ra = None if retry_after is None else str(retry_after)
        with self.lock:
            self.faults.append(Fault("status", op, status=status, retry_after=ra, count=count))

    def slow(
        self, delay: float, count: int = 1, *, op: str | None = None, apply: bool = True
    ) -> None:
        with self.lock:
            self.faults.append(Fault("slow", op, delay=delay, apply=apply, count=count))

    def drop(self, count: int = 1, *, op: str | None = None, apply: bool = True) -> None:
        with self.lock:
            self.faults.append(Fault("drop", op, apply=apply, count=count))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def before(self, op: str | None, fn: Callable[[], Any]) -> None:
        """Run ``fn`` once, just before the next ``op`` request is processed."""
        with self.lock:
            self.hooks.append((op, fn))

    def reset_counts(self) -> None:
        with self.lock:
            self.counts.clear()
            self.body_sizes.clear()
            self.log.clear()

    def cell_count(self, sid: str) -> int:
        """The cells Google counts against its limit: every tab's rows x columns."""
        with self.lock:
            return sum(s.nrows * s.ncols for s in self.spreadsheets[sid].sheets)

    def api_counts(self) -> Counter[str]:
        """Requests to the Sheets API (the token endpoint excluded)."""
        with self.lock:
            return Counter({k: v for k, v in self.counts.items() if k != "token"})

    def _take_fault(self, op: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.op is None or f.op == op:
                    f.count -= 1
                    if f.count <= 0:
                        self.faults.remove(f)
                    return f
        return None

    def _take_hooks(self, op: str) -> list[Callable[[], Any]]:
        with self.lock:
            due = [fn for o, fn in self.hooks if o is None or o == op]
            self.hooks = [(o, fn) for o, fn in self.hooks if not (o is None or o == op)]
        return due

    # -- token endpoint -------------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            try:
                email = self._verify_jwt(form.get("assertion", ""))
            except ValueError as exc:
                return 400, {"error": "invalid_grant", "error_description": str(exc)}
        elif grant == "refresh_token":
            email = self.refresh_tokens.get(form.get("refresh_token", ""))
            if email is None:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                }
        else:
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": f"Invalid grant_type: {grant}",
            }
        token = self.issue_token(email)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _verify_jwt(self, assertion: str) -> str:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        parts = assertion.split(".")
        if len(parts) != 3:
            raise ValueError(
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
            )
        try:
            header = json.loads(_b64url_decode(parts[0]))
            claims = json.loads(_b64url_decode(parts[1]))
            signature = _b64url_decode(parts[2])
        except (ValueError, json.JSONDecodeError):
            raise ValueError("Invalid JWT: the assertion is not a JWT.") from None
        if header.get("alg") != "RS256":
            raise ValueError("Invalid JWT Signature.")
        email = claims.get("iss", "")
        with self.lock:
            key = self.accounts.get(email)
        if key is None:
            raise ValueError("Invalid JWT Signature.")
        try:
            key.verify(
                signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            raise ValueError("Invalid JWT Signature.") from None
        now = time.time()
        # google-auth signs for Google's token endpoint whatever token_uri says
        if claims.get("aud") not in (self.token_uri, "https://oauth2.googleapis.com/token"):
            raise ValueError(f"Invalid JWT: the audience must be {self.token_uri}.")
        if not (claims.get("iat", 0) - 300 <= now <= claims.get("exp", 0) + 300):
            raise ValueError(
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
            )
        if "spreadsheets" not in str(claims.get("scope", "")):
            raise ValueError("Invalid JWT: no scope that allows the Sheets API.")
        return email

    # -- the API --------------------------------------------------------------

    def route(self, method: str, path: str) -> tuple[str, str, str | None, str | None, bool]:
        """(op, discovery method id, spreadsheet id, range, writes) for a request."""
        if not path.startswith("/v4/spreadsheets"):
            raise ApiError(404, f"The requested URL {path} was not found on this server.")
        rest = path[len("/v4/spreadsheets") :]
        if rest in ("", "/"):
            if method == "POST":
                return "spreadsheets.create", "sheets.spreadsheets.create", None, None, WRITE
            raise ApiError(404, "Method not found.")
        rest = rest[1:]
        if "/values/" in rest:
            sid, _, rng = rest.partition("/values/")
            rng = unquote(rng)
            for suffix, op, write in (
                (":clear", "values.clear", WRITE),
                (":append", "values.append", WRITE),
            ):
                if rng.endswith(suffix) and method == "POST":
                    return op, f"sheets.spreadsheets.{op}", sid, rng[: -len(suffix)], write
            if method == "GET":
                return "values.get", "sheets.spreadsheets.values.get", sid, rng, READ
            if method == "PUT":
                return "values.update", "sheets.spreadsheets.values.update", sid, rng, WRITE
            raise ApiError(404, "Method not found.")
        for suffix, op, verb, write in (
            ("/values:batchGet", "values.batchGet", "GET", READ),
            ("/values:batchUpdate", "values.batchUpdate", "POST", WRITE),
            ("/values:batchClear", "values.batchClear", "POST", WRITE),
            ("/developerMetadata:search", "developerMetadata.search", "POST", READ),
            (":batchUpdate", "spreadsheets.batchUpdate", "POST", WRITE),
        ):
            if rest.endswith(suffix) and method == verb:
                return (
                    op,
                    f"sheets.{op if op.startswith('spreadsheets') else 'spreadsheets.' + op}",
                    unquote(rest[: -len(suffix)]),
                    None,
                    write,
                )
        if "/developerMetadata/" in rest and method == "GET":
            sid, _, mid = rest.partition("/developerMetadata/")
            return (
                "developerMetadata.get",
                "sheets.spreadsheets.developerMetadata.get",
                sid,
                mid,
                READ,
            )
        if "/" not in rest and method == "GET":
            return "spreadsheets.get", "sheets.spreadsheets.get", unquote(rest), None, READ
        raise ApiError(404, "Method not found.")

    def authorize(self, header: str | None) -> str | None:
        if not self.require_auth:
            return None
        if not header:
            raise ApiError(
                401,
                "Request is missing required authentication credential. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential. "
                "See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            )
        token = header.split(" ", 1)[1].strip() if header.lower().startswith("bearer ") else ""
        with self.lock:
            account = self.tokens.get(token)
        if account is None:
            raise ApiError(401)
        return account

    def _spreadsheet(self, sid: str, account: str | None, write: bool) -> Spreadsheet:
        ss = self.spreadsheets.get(sid)
        if ss is None:
            raise ApiError(404)
        if account is None:
            return ss
        allowed = (
            account == ss.owner or account in ss.writers or (not write and account in ss.readers)
        )
        if not allowed:
            raise ApiError(403)
        return ss

    def handle(
        self,
        op: str,
        method_id: str,
        sid: str | None,
        rng: str | None,
        write: bool,
        query: list[tuple[str, str]],
        body: Any,
        account: str | None,
    ) -> dict[str, Any]:
        # millions of small cell objects: the cyclic GC would rescan them all, many times
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._handle(op, method_id, sid, rng, write, query, body, account)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _handle(
        self,
        op: str,
        method_id: str,
        sid: str | None,
        rng: str | None,
        write: bool,
        query: list[tuple[str, str]],
        body: Any,
        account: str | None,
    ) -> dict[str, Any]:
        params = schema.validate_query(method_id, query) if self.validate else _loose(query)
        if self.validate:
            body = schema.validate_body(method_id, body)
        body = body or {}
        with self.lock:
            if op == "spreadsheets.create":
                return self._create(body, account)
            assert sid is not None
            ss = self._spreadsheet(sid, account, write)
            if op == "spreadsheets.get":
                return ss.to_json(
                    include_grid=bool(params.get("includeGridData", False)),
                    ranges=params.get("ranges"),
                    fields=params.get("fields"),
                )
            if op == "values.get":
                out = ss.values_get(
                    rng or "",
                    major=params.get("majorDimension", "ROWS"),
                    option=params.get("valueRenderOption", "FORMATTED_VALUE"),
                    dt_option=params.get("dateTimeRenderOption", "SERIAL_NUMBER"),
                )
                return _fields(out, params)
            if op == "values.batchGet":
                ranges = params.get("ranges") or []
                value_ranges = [
                    ss.values_get(
                        r,
                        major=params.get("majorDimension", "ROWS"),
                        option=params.get("valueRenderOption", "FORMATTED_VALUE"),
                        dt_option=params.get("dateTimeRenderOption", "SERIAL_NUMBER"),
                    )
                    for r in ranges
                ]
                out = {"spreadsheetId": ss.id}
                if value_ranges:
                    out["valueRanges"] = value_ranges
                return _fields(out, params)
            if op == "developerMetadata.search":
                return self._search(ss, body)
            if op == "developerMetadata.get":
                for m in ss.metadata:
                    if str(m["metadataId"]) == str(rng):
                        return ss.md_json(m)
                raise ApiError(404, f"No developer metadata with ID: {rng}")
            # writes: on a copy, committed only when everything succeeded
            work = ss.copy()
            out = self._write(work, op, rng, params, body)
            self.spreadsheets[ss.id] = work
            return _fields(out, params)

    def _create(self, body: dict[str, Any], account: str | None) -> dict[str, Any]:
        props = body.get("properties", {})
        sid = self.create_spreadsheet(props.get("title", "Untitled spreadsheet"), owner=account)
        ss = self.spreadsheets[sid]
        sheets = body.get("sheets") or []
        if sheets:
            ss.sheets = []
            for i, s in enumerate(sheets):
                batch_requests.add_sheet(
                    ss,
                    {
                        "properties": {
                            "index": i,
                            **s.get("properties", {}),
                            **(
                                {"sheetId": 0}
                                if i == 0 and "sheetId" not in s.get("properties", {})
                                else {}
                            ),
                        }
                    },
                    "create",
                )
        for key, value in props.items():
            if key != "title":
                ss.props[key] = value
        return ss.to_json()

    def _search(self, ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
        matched = []
        for flt in body.get("dataFilters", []) or []:
            lookup = flt.get("developerMetadataLookup")
            if lookup is None:
                raise ApiError(
                    400, "Only developerMetadataLookup data filters are supported by the emulator."
                )
            for m in ss.metadata:
                if md_matches(ss, m, lookup):
                    matched.append({"developerMetadata": ss.md_json(m), "dataFilters": [flt]})
        return {"matchedDeveloperMetadata": matched} if matched else {}

    def _write(
        self,
        ss: Spreadsheet,
        op: str,
        rng: str | None,
        params: dict[str, Any],
        body: dict[str, Any],
    ) -> dict[str, Any]:
        if op == "spreadsheets.batchUpdate":
            if not body.get("requests"):  # what Google answers to an empty list
                raise ApiError(400, "Must specify at least one request.")
            replies = batch_requests.apply(ss, body.get("requests", []) or [])
            out: dict[str, Any] = {"spreadsheetId": ss.id, "replies": replies}
            if body.get("includeSpreadsheetInResponse"):
                out["updatedSpreadsheet"] = ss.to_json(
                    include_grid=bool(body.get("responseIncludeGridData"))
                )
            return out
        if op in ("values.update", "values.append"):
            option = params.get("valueInputOption")
            if option not in ("RAW", "USER_ENTERED"):
                raise ApiError(400, "'valueInputOption' is required but not specified")
            if op == "values.append":
                return ss.values_append(
                    rng or "", body, option, params.get("insertDataOption", "OVERWRITE")
                )
            return ss.values_update(rng or "", body, option)
        if op == "values.clear":
            return ss.values_clear(rng or "")
        if op == "values.batchClear":
            cleared = [ss.values_clear(r)["clearedRange"] for r in body.get("ranges", []) or []]
            out = {"spreadsheetId": ss.id}
            if cleared:
                out["clearedRanges"] = cleared
            return out
        if op == "values.batchUpdate":
            option = body.get("valueInputOption")
            if option not in ("RAW", "USER_ENTERED"):
                raise ApiError(400, "'valueInputOption' is required but not specified")
            responses = [
                ss.values_update(vr.get("range", ""), vr, option)
                for vr in body.get("data", []) or []
            ]
            out = {"spreadsheetId": ss.id}
            rows_seen: set[tuple[str, int]] = set()
            cols_seen: set[tuple[str, int]] = set()
            for vr, r in zip(body.get("data", []) or [], responses, strict=True):
                if not r.get("updatedCells"):
                    continue
                sheet, r0, _, c0, _ = ss.resolve(r["updatedRange"], writing=True)
                values = vr.get("values") or []
                if vr.get("majorDimension") == "COLUMNS":
                    values = [list(x) for x in zip(*values, strict=False)]
                for i, row in enumerate(values):
                    for j, v in enumerate(row):
                        if v is not None:
                            rows_seen.add((sheet.title, r0 + i))
                            cols_seen.add((sheet.title, c0 + j))
            totals = {
                "totalUpdatedRows": len(rows_seen),
                "totalUpdatedColumns": len(cols_seen),
                "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
                "totalUpdatedSheets": len(
                    {
                        r["updatedRange"].rsplit("!", 1)[0]
                        for r in responses
                        if r.get("updatedCells")
                    }
                ),
            }
            out.update({k: v for k, v in totals.items() if v})
            if responses:
                out["responses"] = responses
            return out
        raise ApiError(404, "Method not found.")


def _loose(query: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in query:
        if k == "ranges":
            out.setdefault(k, []).append(v)
        elif k == "includeGridData":
            out[k] = v.lower() == "true"
        else:
            out[k] = v
    return out


def _fields(out: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    from . import masks

    fields = params.get("fields")
    return masks.select(out, masks.parse(fields)) if fields else out


def _fill(sheet: Sheet, rows: Sequence[Sequence[Any]]) -> None:
    """Put Python values in a sheet the way a person's typed cells are stored."""
    needed_rows = len(rows)
    needed_cols = max((len(r) for r in rows), default=0)
    sheet.grow(needed_rows, needed_cols)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = _python_cell(value)
            if cell is not None:
                sheet.put(r, c, cell)


def _python_cell(value: Any) -> Cell | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Cell({"boolValue": value})
    if isinstance(value, dt.datetime):
        return Cell(
            {"numberValue": serial_of(value.replace(tzinfo=None))},
            {"numberFormat": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}},
        )
    if isinstance(value, dt.date):
        serial = serial_of(dt.datetime(value.year, value.month, value.day))
        return Cell(
            {"numberValue": int(serial)},
            {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
        )
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() and abs(value) < 2**53 else value
        return Cell({"numberValue": number})
    return Cell({"stringValue": str(value)})


class _Handler(BaseHTTPRequestHandler):
    emu: Emulator
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def setup(self) -> None:
        super().setup()
        # one answer = one segment: no Nagle/delayed-ACK stalls on keep-alive connections
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
        *,
        fault: Fault | None = None,
    ) -> None:
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if fault is not None and fault.kind == "slow" and self.emu._stopping.wait(fault.delay):
            return
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self._headers_buffer.append(b"\r\n")
            if fault is not None and fault.kind == "drop":
                self.wfile.write(b"".join(self._headers_buffer) + data[: max(1, len(data) // 2)])
                self._headers_buffer = []
                self.wfile.flush()
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            self.wfile.write(b"".join(self._headers_buffer) + data)
            self._headers_buffer = []
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _serve(self, method: str) -> None:
        emu = self.emu
        split = urlsplit(self.path)
        path = split.path
        query = parse_qsl(split.query, keep_blank_values=True)
        raw = self._read_body()
        if path == "/token" and method == "POST":
            with emu.lock:
                emu.counts["token"] += 1
            form = dict(parse_qsl(raw.decode("utf-8", "replace")))
            status, payload = emu.token(form)
            emu.log.append(Logged(method, path, "token", status))
            self._send(status, payload)
            return
        try:
            op, method_id, sid, rng, write = emu.route(method, path)
        except ApiError as exc:
            self._send(exc.code, exc.body())
            return
        with emu.lock:
            emu.counts[op] += 1
            emu.body_sizes.setdefault(op, []).append(len(raw))
        if len(raw) > MAX_BODY:  # Google's front end refuses it before anything else
            error = too_large()
            emu.log.append(Logged(method, path, op, error.code))
            self._send(error.code, error.body())
            return
        fault = emu._take_fault(op)
        if fault is not None and fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            emu.log.append(Logged(method, path, op, fault.status, "status"))
            self._send(fault.status, ApiError(fault.status).body(), headers)
            return
        if fault is not None and not fault.apply:
            emu.log.append(Logged(method, path, op, 0, fault.kind))
            if fault.kind == "slow" and emu._stopping.wait(fault.delay):
                return
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return
        for fn in emu._take_hooks(op):
            fn()
        try:
            account = emu.authorize(self.headers.get("Authorization"))
            body: Any = None
            if raw:
                try:
                    body = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise ApiError(400, f"Invalid JSON payload received. {exc}") from None
            payload = emu.handle(op, method_id, sid, rng, write, query, body, account)
            status = 200
        except ApiError as exc:
            status, payload = exc.code, exc.body()
        except Exception as exc:  # a bug in the emulator: say so loudly, as a 500
            status, payload = (
                500,
                ApiError(500, f"emulator bug: {type(exc).__name__}: {exc}").body(),
            )
        emu.log.append(Logged(method, path, op, status, fault.kind if fault else None))
        self._send(status, payload, fault=fault)
