"""Judging every source's health, on the worker's schedule, and telling people once.

Three incidents, each an alert row that opens once and closes once:

* **idle** -- no new item for several times the gap the source's own history makes normal at
  that hour (:class:`wiredesk.core.cadence.Cadence`; ``WIREDESK_IDLE_FACTOR``, never before
  ``WIREDESK_IDLE_MIN_HOURS``). Closed when items arrive again.
* **failing** -- ``WIREDESK_ALERT_FAILURES`` fetches in a row failed. Closed by a good fetch.
* **disabled** -- still failing ``WIREDESK_DISABLE_AFTER_HOURS`` after the run of failures
  began: the source is switched off (a desk should not hammer a dead server forever), and the
  notice says why and how to switch it back on. It stays off until someone switches it on;
  the alert closes when a fetch succeeds again.

Each alert's notice goes out by e-mail (``WIREDESK_ALERT_EMAILS``, through Django's mail
settings) and/or to ``WIREDESK_ALERT_WEBHOOK`` (through the outbox, with its retries) when it
opens, and a recovery notice when it closes -- once per incident, not on every check. A notice
that cannot be sent is tried again at the next check.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import close_old_connections

from wiredesk.core.cadence import Cadence
from wiredesk.newsroom import clock
from wiredesk.newsroom.health.models import SourceAlert, SourceHealth
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.outbox.models import Delivery
from wiredesk.newsroom.workers import claims

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limits:
    idle_factor: float
    idle_floor: timedelta
    failures: int
    disable_after: timedelta

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(idle_factor=settings.WIREDESK_IDLE_FACTOR,
                   idle_floor=timedelta(hours=settings.WIREDESK_IDLE_MIN_HOURS),
                   failures=settings.WIREDESK_ALERT_FAILURES,
                   disable_after=timedelta(hours=settings.WIREDESK_DISABLE_AFTER_HOURS))


def check_sources(now: datetime | None = None) -> list[SourceAlert]:
    """Open and close alerts for every source; send the notices due. Returns the alerts
    opened by this check."""
    now = now or clock.now()
    limits = Limits.from_settings()
    healths = {h.source_id: h for h in SourceHealth.objects.all()}
    open_alerts: dict[tuple[int, str], SourceAlert] = {
        (alert.source_id, alert.kind): alert
        for alert in SourceAlert.objects.filter(closed_at__isnull=True)}
    opened: list[SourceAlert] = []
    for source in Source.objects.all():
        health = healths.get(source.pk)
        for kind, problem in _problems(source, health, limits, now).items():
            if problem is None:  # cannot tell now: the alert stays as it is
                continue
            alert = open_alerts.get((source.pk, kind))
            if problem and alert is None:
                if kind == SourceAlert.Kind.DISABLED:
                    Source.objects.filter(pk=source.pk).update(is_active=False)
                alert = SourceAlert.objects.create(source=source, kind=kind, message=problem,
                                                   opened_at=now)
                log.warning("source %s (%s): %s", source.pk, source.name, problem)
                opened.append(alert)
            elif not problem and alert is not None:
                alert.closed_at = now
                alert.save(update_fields=["closed_at"])
    _send_notices()
    return opened


def _problems(source: Source, health: SourceHealth | None, limits: Limits,
              now: datetime) -> dict[str, str | None]:
    """Each kind of alert and what is wrong now ("" when nothing is, None when it cannot be
    told: whether a failing source would publish is unknown, so it is not called silent -- the
    failing alert says what is wrong -- nor recovered from a silence)."""
    problems: dict[str, str | None] = {kind: "" for kind in SourceAlert.Kind.values}
    if not source.is_active:
        # Switched off (by a check or by hand): nothing is fetched, so nothing can be told; the
        # alerts stay as they are until it is switched on and fetched again.
        return dict.fromkeys(problems)
    if health is None:
        return problems
    cadence = Cadence.from_json(health.cadence)
    if source.error_count:
        problems[SourceAlert.Kind.IDLE] = None
    elif cadence.is_silent(now, factor=limits.idle_factor, floor=limits.idle_floor):
        assert cadence.last_arrival is not None
        silent = now - cadence.last_arrival
        usual = cadence.expected_gap(cadence.last_arrival.hour)
        problems[SourceAlert.Kind.IDLE] = (
            f"no new item for {_span(silent)} (since {cadence.last_arrival:%Y-%m-%d %H:%M} "
            f"UTC); at that hour a new item usually follows within {_span(usual)}")
    if source.error_count >= limits.failures:
        problems[SourceAlert.Kind.FAILING] = (
            f"the last {source.error_count} fetches failed; the latest: {source.last_error}")
        since = health.failing_since
        if since is not None and now - since >= limits.disable_after:
            problems[SourceAlert.Kind.DISABLED] = (
                f"disabled after failing for {_span(now - since)} (since {since:%Y-%m-%d %H:%M} "
                f"UTC): {source.last_error}. Fix the feed or its address, then switch the "
                f"source on again: `wiredesk source enable {source.pk}` or the admin's "
                f"source page")
    return problems


def _span(delta: timedelta | None) -> str:
    if delta is None:
        return "an unknown time"
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minutes"
    hours = minutes / 60
    return f"{hours:.0f} hours" if hours < 72 else f"{hours / 24:.1f} days"


def _send_notices() -> None:
    for alert in SourceAlert.objects.filter(noticed=False).select_related("source"):
        if _notify(alert, recovered=False):
            SourceAlert.objects.filter(pk=alert.pk).update(noticed=True)
    for alert in SourceAlert.objects.filter(closed_at__isnull=False, noticed=True,
                                            recovery_noticed=False).select_related("source"):
        if _notify(alert, recovered=True):
            SourceAlert.objects.filter(pk=alert.pk).update(recovery_noticed=True)


def _notify(alert: SourceAlert, *, recovered: bool) -> bool:
    """Send one notice by every configured channel; True when all took it."""
    source = alert.source
    if recovered:
        subject = f"[{settings.WIREDESK_SITE_NAME}] recovered: {source.name}"
        text = (f"{source.name} (source {source.pk}) is back to normal: "
                f"{alert.get_kind_display().lower()} since {alert.opened_at:%Y-%m-%d %H:%M} UTC, "
                f"until {alert.closed_at:%Y-%m-%d %H:%M} UTC.")
    else:
        subject = f"[{settings.WIREDESK_SITE_NAME}] {alert.get_kind_display().lower()}: " \
                  f"{source.name}"
        text = f"{source.name} (source {source.pk}, {source.url or source.transport}): " \
               f"{alert.message}"
    ok = True
    if settings.WIREDESK_ALERT_EMAILS:
        try:
            send_mail(subject, text + "\n", settings.DEFAULT_FROM_EMAIL,
                      settings.WIREDESK_ALERT_EMAILS)
        except Exception:
            log.exception("could not e-mail the notice %r; trying again at the next check",
                          subject)
            ok = False
    if ok and settings.WIREDESK_ALERT_WEBHOOK:
        now = clock.now()
        event = "source.recovered" if recovered else f"source.{alert.kind}"
        body = {"type": event,
                "source": {"id": source.pk, "name": source.name, "slug": source.slug,
                           "url": source.url},
                "alert_id": alert.pk, "subject": subject, "message": text}
        Delivery.objects.create(kind=Delivery.Kind.ALERT, target=settings.WIREDESK_ALERT_WEBHOOK,
                                event=event, body=json.dumps(body).encode(),
                                created_at=now, next_attempt_at=now)
    return ok


HEALTH_CLAIM = 0x4EA_171
CHECK_EVERY = 60.0


def run_health_checks(stop: threading.Event, *, every: float = CHECK_EVERY) -> None:
    """The worker's health loop: a check every ``every`` seconds, by one worker at a time
    (a claim: two workers must not open the same alert twice)."""
    while not stop.wait(every):
        try:
            with claims.claim(HEALTH_CLAIM, 0) as mine:
                if mine:
                    check_sources()
        except Exception:
            log.exception("source health check failed; next one in %.0f s", every)
        finally:
            close_old_connections()
