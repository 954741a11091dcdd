"""Fetching a feed over HTTP: the polling transport's network step.

One call, :func:`fetch_feed`, does one conditional GET within hard limits and returns the body or
raises a :class:`~wiredesk.core.errors.FetchError` whose message can be shown to a publisher as is:

* **Where:** only http and https; every hop of a redirect chain is checked against the
  :class:`~wiredesk.core.addresses.AddressPolicy` -- literal hosts before anything else, names
  after DNS resolution *at connect time*, connecting to the very address that was checked (no DNS
  rebinding).
* **How long:** a connect timeout and a wall-clock deadline for the whole transfer, redirects
  included, enforced on every socket operation rather than per read (a server trickling one byte a
  second would otherwise never time out).
* **How much:** a size cap measured after decompression, applied while decoding, so a small gzip or
  brotli bomb is stopped as soon as it expands past the cap rather than after it fills the memory.

Framework-free: the caller passes a :class:`FetchPolicy` built from its settings.
"""

from __future__ import annotations

import ipaddress
import queue
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlsplit

import brotli  # type: ignore[import-untyped]  # the brotli package ships neither stubs nor py.typed
import httpcore
import httpx

from wiredesk import __version__
from wiredesk.core.addresses import (
    AddressPolicy,
    IPAddress,
    is_localhost_name,
    literal_host_ip,
)
from wiredesk.core.backoff import parse_http_date, parse_retry_after
from wiredesk.core.errors import FetchError, RefusedAddress, TooLarge

DEFAULT_USER_AGENT = f"Wiredesk/{__version__} (+https://github.com/wiredesk/wiredesk)"

# Feed and wire formats first, anything accepted: many servers label feeds text/xml or text/plain.
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
_ACCEPT_ENCODING = "gzip, deflate, br"

_SCHEMES = frozenset({"http", "https"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Only these announce that the feed has moved for good (RFC 9110 15.4.2 and 15.4.9).
_PERMANENT_REDIRECTS = frozenset({301, 308})

_LOOPBACK = ipaddress.IPv4Address("127.0.0.1")


# --- Errors ---------------------------------------------------------------------------------------


class HTTPStatusError(FetchError):
    """The server answered with an error status (or a 3xx that cannot be followed)."""

    def __init__(self, message: str, *, status: int, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.status = status
        # The pause the server asked for (429/503 Retry-After), for the source's backoff.
        self.retry_after = retry_after


class FetchTimeout(FetchError):
    """Connecting took longer than the connect timeout, or the fetch longer than its deadline."""


class UnsupportedURL(FetchError):
    """Not a URL, or not an http(s) one (file:, ftp:, gopher: are refused, in redirects too)."""


class RedirectError(FetchError):
    """Too many redirects, a redirect loop, or a redirect without a Location."""


# --- Policy and result ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """The limits one fetch runs under; built by the caller from its settings."""

    connect_timeout: float = 10.0  # seconds, per connection attempt (DNS included)
    total_timeout: float = 30.0  # seconds, wall clock, for everything including redirects
    max_bytes: int = 10 * 1024 * 1024  # body size after decompression
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    address_policy: AddressPolicy = field(default_factory=AddressPolicy)

    def __post_init__(self) -> None:
        # Settings typos should fail at startup, not as odd behaviour on the first fetch.
        if not (self.connect_timeout > 0 and self.total_timeout > 0):
            raise ValueError("fetch timeouts must be positive")
        if self.max_bytes <= 0 or self.max_redirects < 0:
            raise ValueError("max_bytes must be positive and max_redirects not negative")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What a successful fetch (200, or 304 to a conditional request) brought back."""

    status: Literal["ok", "not_modified"]
    body: bytes  # decoded (Content-Encoding removed); empty when not modified
    content_type: str
    final_url: str  # after redirects
    # The validators to store for the next conditional GET (RFC 9111 4.3.4).
    etag: str
    last_modified: str
    # Where a 301/308 on the *first* hop said the feed now lives, else "". The caller decides
    # whether to adopt it (the design adopts a new URL only after repeated permanent redirects).
    permanent_redirect_url: str
    retry_after: timedelta | None  # a Retry-After sent with the response, if any
    http_status: int
    elapsed: timedelta


def fetch_feed(
    url: str, *, etag: str = "", last_modified: str = "", policy: FetchPolicy
) -> FetchResult:
    """GET ``url`` (conditionally, when ``etag`` or ``last_modified`` are given) within ``policy``.

    Returns a :class:`FetchResult`; raises :class:`~wiredesk.core.errors.RefusedAddress` for a URL
    or redirect that leads to a refused address, :class:`~wiredesk.core.errors.TooLarge`,
    :class:`FetchTimeout`, :class:`HTTPStatusError`, :class:`RedirectError`,
    :class:`UnsupportedURL` or another :class:`~wiredesk.core.errors.FetchError`; never an httpx,
    httpcore or socket exception.
    """
    deadline = _Deadline(policy.total_timeout)
    fetch = _Fetch(policy, deadline, etag=etag, last_modified=last_modified)
    first = fetch.check_url(url)
    with _open_client(policy, deadline) as client:
        return fetch.run(client, first)


# --- One fetch, hop by hop ------------------------------------------------------------------------


class _Fetch:
    """The state of one fetch_feed call: limits, validators and the redirect chain so far."""

    def __init__(
        self, policy: FetchPolicy, deadline: _Deadline, *, etag: str, last_modified: str
    ) -> None:
        self.policy = policy
        self.deadline = deadline
        self.etag = etag
        self.last_modified = last_modified

    def check_url(self, raw: str) -> httpx.URL:
        return _checked_url(raw, self.policy.address_policy)

    def run(self, client: httpx.Client, url: httpx.URL) -> FetchResult:
        # Redirects are followed here, not by httpx, so that every hop is checked and a permanent
        # redirect on the first hop can be reported.
        seen = {str(url)}
        permanent = ""
        for hop in range(self.policy.max_redirects + 1):
            with self._send(client, url) as response:
                if response.status_code not in _REDIRECTS:
                    return self._result(response, url, permanent)
                target = self._redirect_target(response, url)
            if hop == 0 and response.status_code in _PERMANENT_REDIRECTS:
                permanent = str(target)
            if str(target) in seen:
                raise RedirectError(
                    f"redirect loop: {_display(url)} redirects back to {_display(target)}"
                )
            seen.add(str(target))
            url = target
        raise RedirectError(
            f"more than {self.policy.max_redirects} redirects, last to {_display(url)}"
        )

    @contextmanager
    def _send(self, client: httpx.Client, url: httpx.URL) -> Iterator[httpx.Response]:
        with _translated_errors(url, self.policy, self.deadline):
            response = client.send(
                client.build_request("GET", url, headers=self._headers()), stream=True
            )
            try:
                yield response
            finally:
                response.close()

    def _headers(self) -> dict[str, str]:
        headers = {
            "User-Agent": self.policy.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": _ACCEPT_ENCODING,
        }
        # RFC 9110 13.1.2/13.1.3: a server that supports both evaluates If-None-Match and ignores
        # If-Modified-Since, so sending both is safe and helps servers that only know one.
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def _redirect_target(self, response: httpx.Response, url: httpx.URL) -> httpx.URL:
        location = response.headers.get("location", "").strip()
        if not location:
            raise RedirectError(
                f"HTTP {response.status_code} from {_display(url)} without a Location"
            )
        try:
            target = url.join(location)  # Location may be relative (RFC 9110 10.2.2)
        except httpx.InvalidURL as exc:
            raise UnsupportedURL(f"redirect to an invalid URL {location!r}: {exc}") from exc
        return self.check_url(str(target))

    def _result(self, response: httpx.Response, url: httpx.URL, permanent: str) -> FetchResult:
        status = response.status_code
        retry_after = _retry_after(response)
        if status == 304 and (self.etag or self.last_modified):
            return self._make_result(response, url, permanent, retry_after, body=b"")
        if 200 <= status < 300:
            body = _read_body(response, url, self.policy.max_bytes)
            return self._make_result(response, url, permanent, retry_after, body=body)
        raise HTTPStatusError(
            _status_message(status, retry_after), status=status, retry_after=retry_after
        )

    def _make_result(
        self,
        response: httpx.Response,
        url: httpx.URL,
        permanent: str,
        retry_after: timedelta | None,
        *,
        body: bytes,
    ) -> FetchResult:
        not_modified = response.status_code == 304
        etag = response.headers.get("etag", "")
        last_modified = response.headers.get("last-modified", "")
        if not_modified:
            # RFC 9111 4.3.4: a 304's validators update the stored ones; absent ones are kept.
            etag, last_modified = etag or self.etag, last_modified or self.last_modified
        return FetchResult(
            status="not_modified" if not_modified else "ok",
            body=body,
            content_type=response.headers.get("content-type", ""),
            final_url=str(url),
            etag=etag,
            last_modified=last_modified,
            permanent_redirect_url=permanent,
            retry_after=retry_after,
            http_status=response.status_code,
            elapsed=timedelta(seconds=self.deadline.elapsed()),
        )


def _status_message(status: int, retry_after: timedelta | None) -> str:
    message = f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".strip()
    if retry_after is not None:
        message += f"; retry after {round(retry_after.total_seconds())} s"
    return message


def _retry_after(response: httpx.Response) -> timedelta | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    # An HTTP-date is measured against the server's own Date when it sent one, so our clock's skew
    # does not matter (RFC 9110 10.2.3 and 6.6.1).
    now = parse_http_date(response.headers.get("date", "")) or datetime.now(UTC)
    return parse_retry_after(value, now)


def _display(url: httpx.URL) -> str:
    """The URL as shown in error messages: without any user:password."""
    return str(url.copy_with(userinfo=b"")) if url.userinfo else str(url)


# --- Checking URLs before any lookup --------------------------------------------------------------


def _checked_url(raw: str, policy: AddressPolicy) -> httpx.URL:
    """Parse ``raw``, refusing it unless it is an http(s) URL whose host, if it is an IP literal or
    a localhost name, is allowed.

    The host is read by urllib and by httpx and both readings are checked: URLs that two parsers
    read differently are a classic way round SSRF filters, and httpx rejects some spellings
    (``0177.0.0.1``) that must still be reported as refused addresses, not as typos.
    """
    try:
        split = urlsplit(raw.strip())
        split_host = split.hostname or ""
    except ValueError as exc:
        raise UnsupportedURL(f"not a valid URL: {raw!r} ({exc})") from exc
    _require_http(split.scheme.lower(), raw)
    _check_literal_host(split_host, policy)
    try:
        url = httpx.URL(raw.strip())
    except httpx.InvalidURL as exc:
        raise UnsupportedURL(f"not a valid URL: {raw!r} ({exc})") from exc
    _require_http(url.scheme, raw)
    if not url.host:
        raise UnsupportedURL(f"not a valid URL: {raw!r} (no host)")
    _check_literal_host(url.host, policy)
    return url


def _require_http(scheme: str, raw: str) -> None:
    if scheme not in _SCHEMES:
        raise UnsupportedURL(f"refused {raw!r}: only http and https URLs can be fetched")


def _check_literal_host(host: str, policy: AddressPolicy) -> None:
    """Refuse a host that is an IP literal in any spelling, or a localhost name, before any DNS."""
    for name in {host, unquote(host)}:
        if is_localhost_name(name):
            policy.check(_LOOPBACK, host=name)
        ip = literal_host_ip(name)
        if ip is not None:
            policy.check(ip, host=name)


def check_feed_address(raw: str, policy: AddressPolicy, *, timeout: float) -> list[IPAddress]:
    """The addresses a feed URL's host resolves to now, each checked against ``policy``.

    For refusing an internal feed when it is configured, rather than at its first fetch. The same
    checks as a fetch: :class:`RefusedAddress` for a refused address (literal, localhost name or
    DNS answer); any other :class:`FetchError` when the URL is unusable or the name does not
    resolve within ``timeout`` seconds. The check at every fetch stays, since DNS can change.
    """
    url = _checked_url(raw, policy)
    try:
        addresses = _resolve(url.host, url.port or (443 if url.scheme == "https" else 80), timeout)
    except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
        raise FetchError(str(exc)) from exc
    for ip in addresses:
        policy.check(ip, host=url.host)
    return addresses


# --- Error translation ----------------------------------------------------------------------------

# Everything the layers below may raise. httpcore's own exceptions appear because _GuardedTransport
# does not run them through httpx's (private) mapping.
_TIMEOUTS = (httpx.TimeoutException, httpcore.TimeoutException, TimeoutError)
_CONNECT_ERRORS = (httpx.ConnectError, httpcore.ConnectError)
_OTHER_ERRORS = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpx.StreamError,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    OSError,
)


@contextmanager
def _translated_errors(url: httpx.URL, policy: FetchPolicy, deadline: _Deadline) -> Iterator[None]:
    """Turn third-party exceptions into FetchErrors with a message a publisher can read."""
    try:
        yield
    except _TIMEOUTS as exc:
        raise FetchTimeout(_timeout_message(exc, url, policy, deadline)) from exc
    except _CONNECT_ERRORS as exc:
        raise FetchError(f"could not connect to {url.host}: {_reason(exc)}") from exc
    except _OTHER_ERRORS as exc:
        raise FetchError(f"could not fetch {_display(url)}: {_reason(exc)}") from exc


def _timeout_message(
    exc: Exception, url: httpx.URL, policy: FetchPolicy, deadline: _Deadline
) -> str:
    if deadline.expired():
        return f"timed out after {policy.total_timeout:g} s fetching {_display(url)}"
    if isinstance(exc, httpx.ConnectTimeout | httpcore.ConnectTimeout):
        return f"timed out after {policy.connect_timeout:g} s connecting to {url.host}"
    return f"timed out fetching {_display(url)}"


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


# --- Reading the body within the size cap ---------------------------------------------------------


class _Decoder(Protocol):
    def decode(self, data: bytes, limit: int) -> bytes:
        """Decode ``data`` into at most about ``limit`` bytes (more input may stay buffered)."""

    def finish(self) -> None:
        """Raise if the encoded stream ended before its end marker."""


class _ZlibDecoder:
    def __init__(self, name: str, wbits: int) -> None:
        self.name = name
        self._obj = zlib.decompressobj(wbits)

    def decode(self, data: bytes, limit: int) -> bytes:
        return self._obj.decompress(data, limit)

    def finish(self) -> None:
        if not self._obj.eof:
            raise FetchError(f"the {self.name}-encoded body ends early (truncated download)")


class _DeflateDecoder(_ZlibDecoder):
    """HTTP "deflate" means the zlib format (RFC 9110 8.4.1.2), but some servers send raw deflate;
    like browsers, try zlib on the first chunk and fall back to raw deflate."""

    def __init__(self) -> None:
        super().__init__("deflate", zlib.MAX_WBITS)
        self._first = True

    def decode(self, data: bytes, limit: int) -> bytes:
        if self._first:
            self._first = False
            try:
                return super().decode(data, limit)
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        return super().decode(data, limit)


class _BrotliDecoder:
    name = "br"

    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def decode(self, data: bytes, limit: int) -> bytes:
        # output_buffer_limit (brotli >= 1.2) stops expansion at the limit instead of decoding the
        # whole chunk at once: a few KiB of brotli can expand to gigabytes.
        out: bytes = self._obj.process(data, output_buffer_limit=limit)
        # Input held back while under the limit would break "less than the limit means all input
        # was used", which _read_body relies on; drain it (a no-op in brotli 1.2 as documented).
        while len(out) < limit and not self._obj.can_accept_more_data():
            out += self._obj.process(b"", output_buffer_limit=limit - len(out))
        return out

    def finish(self) -> None:
        if not self._obj.is_finished():
            raise FetchError("the br-encoded body ends early (truncated download)")


def _decoders_for(content_encoding: str) -> list[_Decoder]:
    """Decoders in the order to apply them: codings are listed in the order they were applied
    (RFC 9110 8.4), so they are undone last first."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    return [_decoder(coding) for coding in reversed(codings) if coding != "identity"]


def _decoder(coding: str) -> _Decoder:
    if coding in ("gzip", "x-gzip"):
        return _ZlibDecoder("gzip", 16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return _DeflateDecoder()
    if coding == "br":
        return _BrotliDecoder()
    raise FetchError(f"unsupported Content-Encoding {coding!r} (we accept {_ACCEPT_ENCODING})")


def _read_body(response: httpx.Response, url: httpx.URL, max_bytes: int) -> bytes:
    """The decoded body, refused with TooLarge as soon as it grows past ``max_bytes``.

    httpx's own decoders expand each network chunk in one go (a 64 KiB chunk of a brotli bomb can be
    gigabytes), so the raw bytes are decoded here, each step bounded by what is left of the cap.
    """
    decoders = _decoders_for(response.headers.get("content-encoding", ""))
    if not decoders:
        _check_declared_length(response, url, max_bytes)
    body = bytearray()
    received = 0
    for raw in response.iter_raw():
        # The encoded size is capped too: a stream of empty deflate blocks or brotli metadata
        # decodes to nothing, and would otherwise be read until the deadline.
        received += len(raw)
        chunk = _decode(raw, decoders, max_bytes - len(body), url)
        if len(body) + len(chunk) > max_bytes or received > max_bytes:
            raise _too_large(url, max_bytes)
        body += chunk
    for decoder in decoders:
        decoder.finish()
    return bytes(body)


def _decode(data: bytes, decoders: list[_Decoder], room: int, url: httpx.URL) -> bytes:
    """Run ``data`` through ``decoders``; more than ``room`` bytes back: the cap is exceeded."""
    for decoder in decoders:
        try:
            data = decoder.decode(data, room + 1)
        except (zlib.error, brotli.error) as exc:
            raise FetchError(f"could not decode the body of {_display(url)}: {exc}") from exc
        if len(data) > room:
            # Stop here: mid-chain, the limit may also have left input buffered. The caller refuses.
            return data
    return data


def _check_declared_length(response: httpx.Response, url: httpx.URL, max_bytes: int) -> None:
    # Without a Content-Encoding the declared length is the decoded length: refuse before reading.
    declared = response.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)


def _too_large(url: httpx.URL, max_bytes: int) -> TooLarge:
    return TooLarge(
        f"the response from {_display(url)} is larger than {max_bytes:,} bytes "
        "(measured after decompression); refused"
    )


# --- The network layer: deadline and address check at connect time --------------------------------


class _Deadline:
    """The wall-clock budget of one fetch, on the monotonic clock."""

    def __init__(self, seconds: float) -> None:
        self._start = time.monotonic()
        self._end = self._start + seconds

    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def expired(self) -> bool:
        return time.monotonic() >= self._end

    def clamp(self, timeout: float | None, expired: type[Exception]) -> float:
        """``timeout`` shortened to what is left of the budget; raises ``expired`` when none is left
        (a zero socket timeout would mean non-blocking, not "time is up")."""
        remaining = self._end - time.monotonic()
        if remaining <= 0:
            raise expired("the fetch deadline has passed")
        return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read, write and TLS handshake ends by the fetch deadline.

    httpx timeouts apply per operation: a server sending a byte every few seconds never trips a read
    timeout. Clamping each operation to the remaining budget makes the deadline a real wall clock.
    """

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # server_hostname is the URL's host (httpcore passes it), so SNI and certificate checks are
        # against the name, even though the socket was opened to a checked IP.
        timeout = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, timeout), self._deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, checks every address, and connects to a checked address.

    Checking the URL's host and then letting the socket layer resolve it again leaves a window in
    which DNS can answer differently (DNS rebinding: a public address for the check, 127.0.0.1 for
    the connect). Here the addresses checked are the addresses connected to. If *any* address a
    name resolves to is refused, the name is refused: a public name with an internal address among
    its answers is a misconfiguration or an attack, and is worth reporting either way.
    """

    def __init__(self, policy: AddressPolicy, deadline: _Deadline) -> None:
        self._policy = policy
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port, self._deadline.clamp(timeout, httpcore.ConnectTimeout))
        for ip in addresses:
            self._policy.check(ip, host=host)
        error: Exception = httpcore.ConnectError(f"{host} has no IP address")
        for ip in addresses:
            try:
                stream = super().connect_tcp(
                    str(ip),  # a literal: create_connection does no further lookup
                    port,
                    self._deadline.clamp(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc  # try the next address, as create_connection would
            else:
                return _DeadlineStream(stream, self._deadline)
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        # Never configured; refused outright so that no code path reaches a socket unchecked.
        raise RefusedAddress(f"unix socket {path} refused: feeds are fetched over TCP only")


def _resolve(host: str, port: int, timeout: float) -> list[IPAddress]:
    """The addresses ``host`` resolves to, in the resolver's order, within ``timeout`` seconds."""
    literal = literal_host_ip(host)
    if literal is not None:
        return [literal]
    answers: queue.SimpleQueue[list[IPAddress] | Exception] = queue.SimpleQueue()

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            answers.put(_unique_ips(infos))
        # gaierror, UnicodeError for a bad IDNA name...: whatever it is goes back to the caller.
        except Exception as exc:
            answers.put(exc)

    # getaddrinfo cannot be interrupted and ignores our timeouts (only resolv.conf's apply), so it
    # runs in a daemon thread and we stop waiting at the timeout; the thread ends with the resolver.
    threading.Thread(target=lookup, name=f"wiredesk-resolve-{host}", daemon=True).start()
    try:
        answer = answers.get(timeout=timeout)
    except queue.Empty:
        raise httpcore.ConnectTimeout(f"resolving {host} took more than {timeout:.3g} s") from None
    if isinstance(answer, Exception):
        raise httpcore.ConnectError(f"could not resolve {host}: {answer}") from answer
    return answer


def _unique_ips(infos: Iterable[tuple[Any, ...]]) -> list[IPAddress]:
    ips: list[IPAddress] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            ip = ipaddress.ip_address(str(sockaddr[0]))
            if ip not in ips:
                ips.append(ip)
    return ips


class _PoolStream(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


class _GuardedTransport(httpx.BaseTransport):
    """An httpx transport whose every connection goes through :class:`_GuardedBackend`.

    httpx.HTTPTransport takes no network backend. Replacing its private ``_pool`` after
    construction would be shorter, but an httpx release that renamed the attribute would silently
    stop applying the address check. Instead this transport owns an httpcore.ConnectionPool built
    with our backend and does the small request/response conversion HTTPTransport does, with public
    API only. No proxy support, on purpose: through a proxy, the proxy chooses the address.
    """

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        # No ssl_context: httpcore then builds its default one (system CAs plus certifi, hostname
        # checking on) only when an https connection is made; loading the CA bundle costs more than
        # a whole plain-http fetch.
        self._pool = httpcore.ConnectionPool(network_backend=backend)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.read(),
            extensions=request.extensions,
        )
        core_response = self._pool.handle_request(core_request)
        return httpx.Response(
            status_code=core_response.status,
            headers=core_response.headers,
            stream=_PoolStream(core_response),
            extensions=core_response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def _open_client(policy: FetchPolicy, deadline: _Deadline) -> httpx.Client:
    # One client (and connection pool) per fetch: nothing is shared between sources or threads, and
    # the backend carries this fetch's deadline. trust_env=False: no proxy or .netrc from the
    # environment (see _GuardedTransport).
    return httpx.Client(
        transport=_GuardedTransport(_GuardedBackend(policy.address_policy, deadline)),
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(policy.total_timeout, connect=policy.connect_timeout),
    )


# --- Sending: webhooks and hub pings --------------------------------------------------------------


def post(url: str, body: bytes, *, headers: dict[str, str], policy: FetchPolicy) -> int:
    """POST ``body`` to ``url`` through the same guard as a fetch (address policy checked on every
    connection, one wall-clock deadline, no proxy from the environment, no redirects followed: a
    receiver that moved must be reconfigured, not guessed at). Returns the HTTP status; at most
    ``policy.max_bytes`` of the answer are read. Raises a :class:`FetchError` (never an httpx
    exception) when no answer came."""
    deadline = _Deadline(policy.total_timeout)
    target = _checked_url(url, policy.address_policy)
    with _open_client(policy, deadline) as client, \
            _translated_errors(target, policy, deadline):
        request = client.build_request(
            "POST", target, content=body, headers={"User-Agent": policy.user_agent, **headers})
        response = client.send(request, stream=True)
        try:
            read = 0
            for chunk in response.iter_raw():
                read += len(chunk)
                if read > policy.max_bytes:
                    break
        finally:
            response.close()
        return response.status_code
