"""HTTP push: ``POST /push/<source-slug>/``, authenticated per source, answered before processing.

A sender proves who it is with either

- ``Authorization: Bearer <token>``: we keep only the token's SHA-256, so a leaked database does not
  leak working tokens; or
- ``X-Wiredesk-Signature: sha256=<hex>``: HMAC-SHA256 of the raw body under the source's key,
  which also proves the body was not altered on the way. Checking it needs the key itself, so the
  key is kept encrypted under the secret key (:mod:`wiredesk.newsroom.sealed`), not hashed.

Both are compared in constant time. The body is read with a cap (never trusting Content-Length
alone), stored, and answered with ``202 Accepted`` before it is parsed: the sender learns that the
payload is durably ours, and processing continues in the background (see
:mod:`wiredesk.newsroom.transports.inbox`). The same bytes pushed twice are stored once: pushing is
idempotent, so a sender may safely retry after a timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from django.conf import settings
from django.db import OperationalError, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from wiredesk.newsroom import sealed
from wiredesk.newsroom.models import RawPayload, Source
from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.write.desk import WriteDesk

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Wiredesk-Signature"
_READ_CHUNK = 64 * 1024


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class BodyTooLarge(Exception):
    """The request body is larger than the push limit."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """Secrets for a push source, shown once when made: only the token's hash is kept."""

    token: str
    hmac_key: str = ""


def new_credentials(source: Source, *, hmac_key: bool = False) -> Credentials:
    """Give ``source`` a new bearer token (and a new HMAC key when asked); the old ones stop
    working at once. The caller saves the source and shows the credentials to the sender."""
    credentials = Credentials(secrets.token_urlsafe(32),
                              secrets.token_urlsafe(32) if hmac_key else "")
    source.push_token_hash = token_hash(credentials.token)
    if hmac_key:
        source.push_hmac_key = sealed.seal(credentials.hmac_key)
    return credentials


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def push_path(source: Source) -> str:
    return reverse("push", kwargs={"slug": source.slug})


def bearer_matches(source: Source, authorization: str) -> bool:
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or not source.push_token_hash:
        return False
    return hmac.compare_digest(token_hash(token.strip()), source.push_token_hash)


def signature_matches(source: Source, body: bytes, signature: str) -> bool:
    algorithm, _, given = signature.strip().partition("=")
    if algorithm.lower() != "sha256" or not source.push_hmac_key:
        return False
    try:
        key = sealed.unseal(source.push_hmac_key)
    except sealed.Unreadable:
        log.error("source %s: its push HMAC key was sealed under a secret key that is no longer "
                  "configured; re-issue it with `wiredesk source push-token %s --hmac` (or list "
                  "the old key in WIREDESK_SECRET_KEY_FALLBACKS)", source.pk, source.pk)
        return False
    expected = hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def read_capped(stream: Readable, limit: int) -> bytes:
    """Read a request body of at most ``limit`` bytes; raises BodyTooLarge beyond that."""
    chunks, size = [], 0
    while chunk := stream.read(min(_READ_CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
    return b"".join(chunks)


def accept(source: Source, body: bytes, content_type: str,
           background: inbox.Background) -> tuple[RawPayload, bool]:
    """Store a pushed body unless the source already sent these exact bytes.

    Returns the payload and whether it is new. A new payload is processed in ``background`` once
    its row is committed.
    """
    digest = hashlib.sha256(body).hexdigest()
    with transaction.atomic():
        # Locking the source row makes "look for the same bytes, else store" one step, so two
        # concurrent identical pushes cannot both be stored (SQLite serialises writers anyway).
        Source.objects.select_for_update().filter(pk=source.pk).first()
        existing = RawPayload.objects.filter(source=source, sha256=digest).order_by("pk").first()
        if existing is not None:
            return existing, False
        payload = inbox.store(source, body, transport=Source.Transport.PUSH, origin="push",
                              content_type=content_type)
        transaction.on_commit(partial(background.submit, payload.pk))
    return payload, True


class Receiver:
    """The push view: ``Receiver(desk)`` is mounted by the URL map, once per web process, and
    processes what it accepts with that process's write desk, for the process's life."""

    csrf_exempt = True  # authenticated by the source's own secret, not by a browser session

    def __init__(self, desk: WriteDesk) -> None:
        self.background = inbox.Background(desk)

    def __call__(self, request: HttpRequest, slug: str) -> JsonResponse:
        if request.method != "POST":
            response = _error(405, "method_not_allowed", "Push with POST.")
            response["Allow"] = "POST"
            return response
        source = Source.objects.filter(slug=slug, is_active=True,
                                       transport=Source.Transport.PUSH).first()
        if source is None:
            # The same answer for unknown, disabled and non-push sources.
            return _error(404, "not_found", "No push source here.")
        return _receive_for(source, request, self.background)


def _receive_for(source: Source, request: HttpRequest,
                 background: inbox.Background) -> JsonResponse:
    bearer_ok = bearer_matches(source, request.headers.get("Authorization", ""))
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not bearer_ok and not (signature and source.push_hmac_key):
        return _unauthorised()  # decided before reading a byte of the body
    limit = settings.WIREDESK_PUSH_MAX_BYTES
    try:
        if _declared_length(request) > limit:
            raise BodyTooLarge
        body = read_capped(request, limit)
    except BodyTooLarge:
        return _error(413, "too_large", f"The body is larger than {limit} bytes.")
    if not bearer_ok and not signature_matches(source, body, signature):
        return _unauthorised()
    if not body.strip():
        return _error(400, "empty", "The body is empty.")
    try:
        payload, new = accept(source, body, request.META.get("CONTENT_TYPE", ""), background)
    except OperationalError as exc:
        # SQLite has one writer: under a burst of pushes the store can wait out the busy timeout.
        # Nothing was stored; say so and when to send again, as HTTP asks (not a 500).
        log.warning("push to %s not stored, the database is busy: %s", source.slug, exc)
        response = _error(503, "busy", "The desk's database is busy and nothing was stored; "
                                       f"send again in {BUSY_RETRY_AFTER} seconds.")
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
    return JsonResponse({"payload": payload.pk, "status": "received" if new else "duplicate"},
                        status=202)


BUSY_RETRY_AFTER = 5


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # the stream is still read with the cap


def _unauthorised() -> JsonResponse:
    response = _error(401, "unauthorised", "A valid bearer token or body signature is required.")
    response["WWW-Authenticate"] = 'Bearer realm="wiredesk push"'
    return response


def _error(status: int, code: str, message: str) -> JsonResponse:
    # The JSON API's error shape (see wiredesk.site.api), so senders parse one kind of error.
    return JsonResponse({"error": {"status": status, "code": code, "message": message}},
                        status=status)
