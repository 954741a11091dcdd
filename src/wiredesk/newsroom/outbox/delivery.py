"""Sending what the outbox holds: signed webhook events and WebSub hub pings.

A worker thread (:func:`run_outbox`) takes due deliveries in order. For one subscriber and one
story, an event is not sent while an earlier one is still waiting (even one waiting out a
backoff): a kill never overtakes the version it kills. Each delivery is claimed
(:mod:`wiredesk.newsroom.workers.claims`) for the time of its attempt, so two workers never send
it twice; it is marked delivered only on a 2xx answer, and otherwise tried again after an
exponential backoff with jitter (:class:`wiredesk.core.webhooks.RetryPolicy`), until it is
dead-lettered: kept, listed in the admin, and sent again by :func:`replay`.
Receivers get ``webhook-id`` (the same on every attempt), ``webhook-timestamp`` and
``webhook-signature`` (Standard Webhooks, see :mod:`wiredesk.core.webhooks`).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import close_old_connections

from wiredesk.core.addresses import AddressPolicy
from wiredesk.core.errors import FetchError
from wiredesk.core.webhooks import RetryPolicy, sign
from wiredesk.ingest.fetch import FetchPolicy, post
from wiredesk.newsroom import clock, sealed
from wiredesk.newsroom.outbox.models import Delivery
from wiredesk.newsroom.workers import claims
from wiredesk.newsroom.write import purge

log = logging.getLogger(__name__)

OUTBOX_CLAIM = 0x0B0_7B0
BATCH = 100
_rng = random.Random()


def retry_policy() -> RetryPolicy:
    return RetryPolicy(base=settings.WIREDESK_WEBHOOK_RETRY_BASE,
                       cap=settings.WIREDESK_WEBHOOK_RETRY_CAP,
                       attempts=settings.WIREDESK_WEBHOOK_ATTEMPTS)


def send_policy() -> FetchPolicy:
    """Receivers are reached under the feeds' address policy: internal addresses only when
    allowed (WIREDESK_FETCH_ALLOW_NETWORKS), ten seconds per attempt, a small answer read."""
    return FetchPolicy(connect_timeout=settings.WIREDESK_FETCH_CONNECT_TIMEOUT,
                       total_timeout=10.0, max_bytes=64 * 1024,
                       address_policy=AddressPolicy.allowing(
                           settings.WIREDESK_FETCH_ALLOW_NETWORKS))


def deliver_due(now: datetime | None = None, *, limit: int = BATCH) -> int:
    """Attempt every due delivery (up to ``limit``) whose story's earlier events are out;
    returns how many were attempted."""
    now = now or clock.now()
    due = list(Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id")[:limit])
    attempted = 0
    for delivery in due:
        with claims.claim(OUTBOX_CLAIM, _unit(delivery)) as mine:
            if not mine:
                continue
            current = Delivery.objects.filter(pk=delivery.pk,
                                              state=Delivery.State.PENDING).first()
            if current is None or _waits_for_earlier(current):
                continue
            _attempt(current, now)
            attempted += 1
    return attempted


def _unit(delivery: Delivery) -> int:
    """What a claim covers: a subscriber's events about one story (their order), or one ping."""
    if delivery.story_id is not None and delivery.subscriber_id is not None:
        return delivery.subscriber_id * 1_000_003 + delivery.story_id
    return -delivery.pk


def _waits_for_earlier(delivery: Delivery) -> bool:
    if delivery.story_id is None or delivery.subscriber_id is None:
        return False
    return Delivery.objects.filter(state=Delivery.State.PENDING,
                                   subscriber_id=delivery.subscriber_id,
                                   story_id=delivery.story_id, id__lt=delivery.pk).exists()


def deliver_now(ids: Sequence[int]) -> None:
    """Attempt these deliveries at once (front cache refreshes, right after their change
    commits), each claimed as the loop would; what fails stays queued."""
    now = clock.now()
    for delivery_id in ids:
        with claims.claim(OUTBOX_CLAIM, -delivery_id) as mine:
            current = Delivery.objects.filter(pk=delivery_id,
                                              state=Delivery.State.PENDING).first()
            if mine and current is not None:
                _attempt(current, now)


def _attempt(delivery: Delivery, now: datetime) -> None:
    try:
        if delivery.kind == Delivery.Kind.PURGE:
            purge.send(delivery.target, json.loads(bytes(delivery.body)))
            status = 200
        else:
            body, headers = _request(delivery, now)
            status = post(delivery.target, body, headers=headers, policy=send_policy())
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except (FetchError, OSError, purge.PurgeRefused) as exc:
        error = str(exc) or exc.__class__.__name__
    except Exception as exc:  # a bad secret, a bug: the delivery is kept, not lost
        log.exception("delivery %s failed", delivery.pk)
        error = f"{exc.__class__.__name__}: {exc}"
    delivery.attempts += 1
    if not error and delivery.kind == Delivery.Kind.PURGE:
        delivery.delete()  # done, and nothing anyone needs to look up later
        return
    if not error:
        delivery.state, delivery.delivered_at, delivery.last_error = (
            Delivery.State.DELIVERED, clock.now(), "")
    else:
        delivery.last_error = error[:500]
        policy = retry_policy()
        if delivery.attempts >= policy.attempts:
            delivery.state = Delivery.State.DEAD
            log.warning("gave up delivering %s to %s after %d attempts: %s",
                        delivery.event or delivery.kind, delivery.target, delivery.attempts,
                        error)
        else:
            delivery.next_attempt_at = now + timedelta(
                seconds=policy.delay(delivery.attempts, _rng))
    delivery.save(update_fields=["attempts", "state", "delivered_at", "last_error",
                                 "next_attempt_at"])


def _request(delivery: Delivery, now: datetime) -> tuple[bytes, dict[str, str]]:
    body = bytes(delivery.body)
    if delivery.kind == Delivery.Kind.WEBSUB:
        form = [("hub.mode", "publish"), *(("hub.url", topic) for topic in json.loads(body))]
        return urlencode(form).encode(), {
            "Content-Type": "application/x-www-form-urlencoded"}
    if delivery.kind == Delivery.Kind.ALERT:  # the operator's own endpoint: plain JSON
        return body, {"Content-Type": "application/json"}
    assert delivery.subscriber is not None
    secret = sealed.unseal(delivery.subscriber.secret)
    timestamp = int(now.timestamp())
    return body, {
        "Content-Type": "application/json",
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, delivery.event_id, timestamp, body),
    }


def replay(deliveries: Iterable[Delivery]) -> int:
    """Send dead letters again, from the first attempt; returns how many were queued."""
    ids = [delivery.pk for delivery in deliveries]
    return Delivery.objects.filter(pk__in=ids, state=Delivery.State.DEAD).update(
        state=Delivery.State.PENDING, attempts=0, next_attempt_at=clock.now(), last_error="")


# Delivered events are kept this long (the admin shows what went out), then deleted.
KEEP_DELIVERED = timedelta(days=30)
PRUNE_EVERY = 3600.0


def prune(now: datetime | None = None) -> int:
    """Delete deliveries delivered more than :data:`KEEP_DELIVERED` ago; returns how many."""
    cutoff = (now or clock.now()) - KEEP_DELIVERED
    deleted, _ = Delivery.objects.filter(state=Delivery.State.DELIVERED,
                                         delivered_at__lt=cutoff).delete()
    return deleted


def run_outbox(stop: threading.Event, *, tick: float) -> None:
    """The worker's delivery loop: its own thread, never in ingest's way."""
    log.info("outbox started")
    pruned_at = float("-inf")
    while not stop.is_set():
        try:
            if time.monotonic() - pruned_at >= PRUNE_EVERY:
                prune()
                pruned_at = time.monotonic()
            attempted = deliver_due()
        except Exception:
            log.exception("outbox pass failed; retrying")
            attempted = 0
        finally:
            close_old_connections()
        if not attempted:
            stop.wait(min(tick, 1.0))
    log.info("outbox stopped")
