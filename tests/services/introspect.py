"""An OAuth 2.0 token-introspection endpoint (RFC 7662) on loopback, for Dovecot's oauth2 passdb.

Dovecot checks each XOAUTH2/OAUTHBEARER login by POSTing ``token=…`` here
(``introspection_mode = post``) and reads ``active``, ``username`` and
``scope`` from the JSON answer.  The tokens are those the Gmail and Graph
emulators issued: each emulator is attached as a *source*, a callable
``token -> info or None`` (``info``: ``username``, ``scope``, ``exp``), so
an IMAP login succeeds exactly when the token sheetsync got from the
emulator's token endpoint is live, for that user, with that scope.

Every request is recorded (``requests``) so the tests can see Dovecot
asked, and that it asked about the token sheetsync sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

Source = Callable[[str], "dict[str, Any] | None"]


class Introspection:
    """``POST /introspect`` answering for the tokens of the attached sources."""

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self.requests: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def attach(self, source: Source) -> None:
        with self.lock:
            self.sources.append(source)

    def detach(self, source: Source) -> None:
        with self.lock:
            if source in self.sources:
                self.sources.remove(source)

    def answer(self, token: str) -> dict[str, Any]:
        with self.lock:
            sources = list(self.sources)
        for source in sources:
            info = source(token)
            if info is not None:
                if info.get("exp", time.time() + 1) <= time.time():
                    return {"active": False}
                return {"active": True, "token_type": "Bearer", **info}
        return {"active": False}

    def start(self) -> Introspection:
        intro = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace")))
                with intro.lock:
                    intro.requests.append(form)
                if self.path.split("?")[0] != "/introspect" or "token" not in form:
                    body, status = {"error": "invalid_request"}, 400
                else:
                    body, status = intro.answer(form["token"]), 200
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

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

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/introspect"

    def __enter__(self) -> Introspection:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
