"""A webhook receiver on 127.0.0.1 for the outbox tests: it checks signatures as a partner's
would (Standard Webhooks), records what it accepted, can refuse its first N deliveries with a
500, and can go down (its port closed) and come back on the same port."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from wiredesk.core.webhooks import BadSignature, verify

HOST = "127.0.0.1"


@dataclass
class Received:
    message_id: str
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode())


@dataclass
class Receiver:
    """``secret``: verify signatures with it (None: accept unsigned, as a WebSub hub does).
    ``now``: the clock the receiver checks timestamps against (the test's desk clock)."""

    secret: str | None = None
    now: Any = None
    fail_first: int = 0
    accepted: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    repeats: list[str] = field(default_factory=list)
    attempts: int = 0
    _server: ThreadingHTTPServer | None = None
    _port: int = 0

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = receiver.handle(body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((HOST, self._port), Handler)
        self._port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Go down: the port is closed, so a delivery's connection is refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._port}/hook"

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        self.attempts += 1
        if self.attempts <= self.fail_first:
            return 500
        message_id = headers.get("webhook-id", "")
        if self.secret is not None:
            try:
                verify(self.secret, message_id, headers.get("webhook-timestamp", ""), body,
                       headers.get("webhook-signature", ""), now=self.now().timestamp())
            except BadSignature as exc:
                self.refused.append(str(exc))
                return 401
        if message_id and any(r.message_id == message_id for r in self.accepted):
            self.repeats.append(message_id)  # the desk sent an accepted event again
            return 200
        self.accepted.append(Received(message_id, body, headers))
        return 204
