"""A real HTTP server on 127.0.0.1 serving fixture feeds, for tests of the fetching stage.

Tests talk to it over a real socket, so the transport code under test is the production code, not
a mock. Each path serves a :class:`Route`: a body with a status and headers, optionally compressed,
repeated (huge bodies without huge memory) or trickled slowly. Routes can be changed while the
server runs, and every request received is recorded.

    with FeedServer() as server:
        server.route("/feed.xml", Route(body=b"<rss/>", etag='"v1"'))
        fetch_feed(server.url("/feed.xml"), policy=...)
        assert len(server.requests) == 1
"""

from __future__ import annotations

import gzip
import shutil
import ssl
import subprocess
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import brotli  # type: ignore[import-untyped]  # no stubs or py.typed upstream

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Route:
    """What one path serves."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    # Extra headers, sent as given (Location, Retry-After, Content-Encoding of a pre-encoded body).
    headers: dict[str, str] = field(default_factory=dict)
    # "gzip", "deflate" or "br": the body is compressed on the fly and Content-Encoding is set.
    encoding: str = ""
    # Validators: sent with the response, and a matching conditional request gets a 304.
    etag: str = ""
    last_modified: str = ""
    # The (encoded) body is sent this many times over: 10 MiB without holding 10 MiB.
    repeat: int = 1
    # Seconds to wait before answering at all, and before each chunk of `chunk_size` bytes: a slow
    # or stalling server.
    delay: float = 0.0
    trickle: float = 0.0
    chunk_size: int = 64 * 1024
    # False: no Content-Length; the body ends when the connection closes (RFC 9112 6.3, rule 8).
    content_length: bool = True


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def encode(body: bytes, encoding: str) -> bytes:
    """``body`` compressed with an HTTP content coding ("gzip", "deflate" or "br")."""
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)  # the zlib format, which is what HTTP "deflate" means
    if encoding == "br":
        data: bytes = brotli.compress(body)
        return data
    raise ValueError(f"unknown encoding {encoding!r}")


def gzip_bomb(decoded_size: int) -> bytes:
    """A gzip stream of ``decoded_size`` zero bytes: about a thousandth of that on the wire."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(decoded_size // len(block))]
    parts.append(compressor.compress(bytes(decoded_size % len(block))))
    parts.append(compressor.flush())
    return b"".join(parts)


def brotli_bomb(decoded_size: int) -> bytes:
    """A brotli stream of ``decoded_size`` zero bytes: a few hundred bytes on the wire."""
    data: bytes = brotli.compress(bytes(decoded_size), quality=5)
    return data


def self_signed_cert(directory: Path, hostname: str) -> tuple[Path, Path]:
    """A fresh self-signed certificate for ``hostname`` and its key, made with the openssl command.

    Returns (certificate, key) paths. Raises FileNotFoundError when openssl is not installed.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise FileNotFoundError("the openssl command is not installed")
    cert, key = directory / f"{hostname}.crt", directory / f"{hostname}.key"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", f"/CN={hostname}",
         "-addext", f"subjectAltName=DNS:{hostname}",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class FeedServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 (a free port) with settable routes.

    With ``tls`` (a server-side context holding a certificate, see :func:`self_signed_cert`) it
    speaks HTTPS and records the SNI names clients send in :attr:`sni_names`.
    """

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, Route] = {}
        self._requests: list[RecordedRequest] = []
        self.sni_names: list[str | None] = []
        self._httpd = _HTTPServer((HOST, 0), _Handler)
        self._httpd.feed_server = self
        self.scheme = "http"
        if tls is not None:
            tls.sni_callback = self._record_sni
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        # A short poll interval: shutdown() waits for the serving loop to notice, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name="feedserver", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/", host: str = HOST) -> str:
        """The URL of ``path``; ``host`` may be any spelling that should reach this server."""
        return f"{self.scheme}://{host}:{self.port}{path}"

    def route(self, path: str, route: Route) -> None:
        """Serve ``route`` at ``path`` from now on (replacing what was there)."""
        with self._lock:
            self._routes[path] = route

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in order."""
        with self._lock:
            return list(self._requests)

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Called from the serving and handler threads.

    def _record_sni(self, connection: Any, name: str | None, context: ssl.SSLContext) -> None:
        with self._lock:
            self.sni_names.append(name)

    def _record(self, request: RecordedRequest) -> Route | None:
        with self._lock:
            self._requests.append(request)
            return self._routes.get(request.path)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a trickling handler must not keep the test run alive
    feed_server: FeedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hang up on purpose (timeouts, size caps): that is not a server error.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        headers = {name.lower(): value for name, value in self.headers.items()}
        route = self.server.feed_server._record(RecordedRequest("GET", path, headers))
        if route is None:
            self._send(404, {"Content-Type": "text/plain"}, [b"not found"], 9)
        elif _not_modified(route, headers):
            self._send(304, _validators(route), [], 0)
        else:
            self._serve(route)

    def _serve(self, route: Route) -> None:
        time.sleep(route.delay)
        body = encode(route.body, route.encoding) if route.encoding else route.body
        headers = {"Content-Type": route.content_type, **_validators(route), **route.headers}
        if route.encoding:
            headers["Content-Encoding"] = route.encoding
        length = len(body) * route.repeat if route.content_length else None
        if length is None:
            headers["Connection"] = "close"
            self.close_connection = True
        self._send(route.status, headers, _chunks(body, route), length)

    def _send(
        self,
        status: int,
        headers: dict[str, str],
        chunks: Iterable[bytes],
        length: int | None,
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        # A 304 has no body, and no Content-Length of its own (RFC 9110 8.6).
        if status != 304 and length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean


def _chunks(body: bytes, route: Route) -> Iterator[bytes]:
    for _ in range(route.repeat):
        for start in range(0, len(body), route.chunk_size):
            if route.trickle:
                time.sleep(route.trickle)
            yield body[start : start + route.chunk_size]


def _validators(route: Route) -> dict[str, str]:
    headers = {}
    if route.etag:
        headers["ETag"] = route.etag
    if route.last_modified:
        headers["Last-Modified"] = route.last_modified
    return headers


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    # RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only counts when it is absent.
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip() for tag in if_none_match.split(",")}
        return bool(route.etag) and (route.etag in tags or "*" in tags)
    if_modified_since = headers.get("if-modified-since")
    return bool(route.last_modified) and if_modified_since == route.last_modified
