"""The in-process cache of whole responses, answered before Django runs.

:func:`wiredesk.site.http.conditional` makes a cached page cheap to *render* (the body is kept
under its ETag), but every request still paid for Django's request cycle, its middleware, a
database connection and the validator's query: about 3 ms of Python, 0.01x of what nginx needs
for the same bytes. This WSGI middleware sits in front of Django and keeps, per URL, the last
public response Django gave (status, headers, body), answering a repeat of the request with those
bytes (or a 304) without calling Django at all.

When is an entry still right? Every change to what the site shows goes through
:func:`wiredesk.newsroom.write.publishing.publish_changes`, which bumps the stored version of the
``all`` listing (every story is in it), or through
:func:`~wiredesk.newsroom.write.publishing.touch`,
which bumps ``site``; the section navigation on every page is read with them. Those few rows are
the desk's *generation* (:class:`Generation`): an entry is served only while the generation is the
one read before Django rendered it. A kill, an embargo release or a new version therefore misses
every entry at once, in every thread, and the next request goes through Django, whose own
validators and body cache answer it (so the entries come back cheaply, one render per changed
response). Reading the generation is O(1): on SQLite, ``PRAGMA data_version`` on a connection kept
for the purpose says in microseconds whether *any* other connection committed since it was last
asked, so the rows are read again only after a commit; on PostgreSQL the rows are read on every
request (one index lookup on a kept connection, ~0.1 ms).

A few responses depend on the clock rather than on stored state (the Google News sitemap's 48-hour
window, a licence expiring before the scheduler's next tick). An entry is therefore also
revalidated through Django after :data:`MAX_ENTRY_AGE` (one second): the cost is one cheap pass
through Django per URL per second, whatever the traffic.

Only responses :func:`~wiredesk.site.http.conditional` marks as shared are kept (public pages,
feeds, sitemaps, API: 200s and 410s; never search pages, the admin, push, redirects, or anything
that sets a cookie), and only from GET requests without a session cookie: a signed-in editor
always sees Django's own answer.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.http import parse_http_date_safe

from wiredesk.newsroom.models import ListingState, Section
from wiredesk.newsroom.write import listing_state
from wiredesk.site.http import SHARED

log = logging.getLogger(__name__)

MAX_ENTRY_AGE = 1.0
_KEPT_STATUSES = ("200", "410")
# The headers a 304 repeats (RFC 9110 15.4.5; as Django's get_conditional_response does).
_NOT_MODIFIED_HEADERS = {"cache-control", "content-location", "date", "etag", "expires",
                         "last-modified", "vary"}

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True, slots=True)
class Entry:
    generation: object
    stored: float  # time.monotonic() when Django rendered it
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    last_modified: int | None


class Generation:
    """The desk's generation, read in O(1) on a database connection of each thread's own.

    The connection is a second Django connection to the same database (same options and
    pragmas), kept for the life of the thread; it only ever reads.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        table = ListingState._meta.db_table
        self._keys = (listing_state.ALL, listing_state.SITE)
        self._sql = (f"SELECT key, version, changed_at FROM {table} WHERE key IN (%s, %s)")
        self._sections_sql = f"SELECT slug, name FROM {Section._meta.db_table} ORDER BY id"

    def current(self) -> object:
        local = self._local
        wrapper: BaseDatabaseWrapper | None = getattr(local, "wrapper", None)
        if wrapper is None:
            wrapper = connections.create_connection("default")
            local.wrapper, local.data_version, local.token = wrapper, None, None
        try:
            with wrapper.cursor() as cursor:
                if wrapper.vendor == "sqlite":
                    cursor.execute("PRAGMA data_version")
                    version = cursor.fetchone()[0]
                    if version == local.data_version:
                        return local.token
                else:
                    version = None
                cursor.execute(self._sql.replace("key", wrapper.ops.quote_name("key")),
                               self._keys)
                rows = sorted(cursor.fetchall())
                cursor.execute(self._sections_sql)
                token = (tuple(rows), tuple(cursor.fetchall()))
        except Exception:
            self.close()
            raise
        local.data_version, local.token = version, token
        return token

    def close(self) -> None:
        wrapper = getattr(self._local, "wrapper", None)
        self._local.wrapper = None
        if wrapper is not None:
            with contextlib.suppress(Exception):  # a broken connection: nothing to release
                wrapper.close()


class ResponseCache:
    """WSGI middleware: the last shared response per URL, served while the generation holds.

    ``max_bytes`` bounds the bodies kept (least recently stored go first); 0 turns it off.
    """

    def __init__(self, app: WSGIApp, *, max_bytes: int,
                 generation: Generation | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.generation = generation or Generation()
        self._entries: OrderedDict[tuple[str, ...], Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._session_cookie = settings.SESSION_COOKIE_NAME + "="

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        if (self.max_bytes <= 0 or method not in ("GET", "HEAD")
                or self._session_cookie in environ.get("HTTP_COOKIE", "")):
            return self.app(environ, start_response)
        key = self._key(environ)
        try:
            generation = self.generation.current()
        except Exception:
            log.warning("response cache: cannot read the desk's generation; serving uncached",
                        exc_info=True)
            return self.app(environ, start_response)
        entry = self._entries.get(key)
        if (entry is not None and entry.generation == generation
                and time.monotonic() - entry.stored < MAX_ENTRY_AGE):
            return self._answer(entry, environ, start_response, method)
        if method == "HEAD":  # a HEAD response carries no body to keep
            return self.app(environ, start_response)
        return self._render(key, generation, environ, start_response)

    @staticmethod
    def _key(environ: dict[str, Any]) -> tuple[str, ...]:
        # Everything Django's answer may depend on besides stored state: the host (ALLOWED_HOSTS),
        # the scheme and proxy header (SSL redirect), the path and the query string.
        proxy = settings.SECURE_PROXY_SSL_HEADER
        return (environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST", ""),
                environ.get(proxy[0], "") if proxy else "",
                environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""))

    def _render(self, key: tuple[str, ...], generation: object, environ: dict[str, Any],
                start_response: StartResponse) -> Iterable[bytes]:
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            # Django answers it (a 304 costs it the validator only); there is no body to keep.
            return self.app(environ, start_response)
        stored = time.monotonic()
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        if (not getattr(result, SHARED, False)
                or seen.get("status", "")[:3] not in _KEPT_STATUSES
                or any(name.lower() == "set-cookie" for name, _ in seen["headers"])):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()  # Django's request_finished: connections are released here
        self._store(key, _entry(generation, stored, seen["status"], list(seen["headers"]), body))
        return [body]

    def _store(self, key: tuple[str, ...], entry: Entry) -> None:
        if len(entry.body) > self.max_bytes // 8:  # one huge sitemap must not empty the cache
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old.body)
            self._entries[key] = entry
            self._size += len(entry.body)
            while self._size > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.body)

    @staticmethod
    def _answer(entry: Entry, environ: dict[str, Any], start_response: StartResponse,
                method: str) -> Iterable[bytes]:
        if _not_modified(entry, environ):
            start_response("304 Not Modified", [
                (name, value) for name, value in entry.headers
                if name.lower() in _NOT_MODIFIED_HEADERS])
            return [b""]
        start_response(entry.status, entry.headers)
        return [b""] if method == "HEAD" else [entry.body]


def _entry(generation: object, stored: float, status: str, headers: list[tuple[str, str]],
           body: bytes) -> Entry:
    etag = next((value for name, value in headers if name.lower() == "etag"), None)
    modified = next((value for name, value in headers if name.lower() == "last-modified"), None)
    return Entry(generation, stored, status, headers, body, etag,
                 parse_http_date_safe(modified) if modified else None)


def _not_modified(entry: Entry, environ: dict[str, Any]) -> bool:
    """Django's rules (RFC 9110 13.2.2) for a GET: If-None-Match first, else If-Modified-Since."""
    if not entry.status.startswith("200"):
        return False
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        if entry.etag is None:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in tags or entry.etag.removeprefix("W/") in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since is not None and entry.last_modified is not None:
        parsed = parse_http_date_safe(since)
        return parsed is not None and entry.last_modified <= parsed
    return False


def wrap(app: WSGIApp) -> WSGIApp:
    """``app`` behind the response cache, sized by ``WIREDESK_RESPONSE_CACHE_MB`` (0: off)."""
    megabytes = settings.WIREDESK_RESPONSE_CACHE_MB
    if megabytes <= 0:
        return app
    return ResponseCache(app, max_bytes=megabytes * 1024 * 1024)
