"""Source health (issue 16, point 1): a source's rhythm learned from its history, alerts once per
incident by e-mail through a real SMTP server on 127.0.0.1, disabling a source that fails for too
long, and the admin's health view. The desk's clock is moved by hand."""

from __future__ import annotations

import email
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.test.utils import override_settings

from tests.support.clock import FakeClock
from tests.support.feedserver import FeedServer, Route
from wiredesk.core.cadence import MIN_SAMPLES, Cadence
from wiredesk.newsroom.health.check import check_sources
from wiredesk.newsroom.health.models import SourceAlert, SourceDay
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.outbox.models import Delivery
from wiredesk.newsroom.sources import add_source
from wiredesk.newsroom.transports.refresh import refresh_source
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import Entry, paragraphs, rss

# --- The rhythm, without the desk ----------------------------------------------------------------

DAY = datetime(2026, 11, 2, tzinfo=UTC)


def learned(arrivals: list[datetime]) -> Cadence:
    cadence = Cadence()
    for arrival in arrivals:
        cadence.observe(arrival)
    return cadence


def test_a_wire_that_sleeps_at_night_is_not_silent_at_night_but_is_by_day() -> None:
    # Every 10 minutes from 07:00 to 22:00 for a week; nothing at night.
    arrivals = [DAY + timedelta(days=d, hours=7, minutes=10 * n)
                for d in range(7) for n in range(91)]
    cadence = learned(arrivals)
    floor = timedelta(hours=1)
    evening = arrivals[-1]  # 22:00: the usual gap after it is the night
    assert not cadence.is_silent(evening + timedelta(hours=8), factor=4, floor=floor)
    morning = DAY + timedelta(days=7, hours=9)
    cadence.observe(morning)
    assert not cadence.is_silent(morning + timedelta(minutes=50), factor=4, floor=floor)
    assert cadence.is_silent(morning + timedelta(minutes=70), factor=4, floor=floor)


def test_no_silence_is_judged_before_the_rhythm_is_known_or_before_the_floor() -> None:
    arrivals = [DAY + timedelta(minutes=5 * n) for n in range(MIN_SAMPLES)]  # one gap short
    cadence = learned(arrivals)
    assert cadence.silence_limit(factor=4, floor=timedelta(hours=2)) is None
    cadence.observe(arrivals[-1] + timedelta(minutes=5))
    assert cadence.silence_limit(factor=4, floor=timedelta(hours=2)) == timedelta(hours=2)
    assert Cadence.from_json(json.loads(json.dumps(cadence.to_json()))) == cadence


def test_a_burst_moves_the_learned_gap_only_a_little() -> None:
    steady = [DAY + timedelta(hours=n) for n in range(24 * 10)]  # hourly for ten days
    cadence = learned(steady)
    for n in range(1, 6):  # five items a minute apart
        cadence.observe(steady[-1] + timedelta(minutes=n))
    gap = cadence.expected_gap(cadence.last_arrival.hour)  # type: ignore[union-attr]
    assert gap == timedelta(hours=1)


# --- Alerts through real parts -------------------------------------------------------------------


class Inbox:
    """Messages an SMTP server on 127.0.0.1 received (aiosmtpd)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(message["Subject"]) for message in self.messages]


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's controller needs one named)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                               EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_USE_TLS=False,
                               WIREDESK_ALERT_EMAILS=["desk@example.com"]):
            yield inbox
    finally:
        controller.stop()


LIMITS = override_settings(WIREDESK_FETCH_ALLOW_NETWORKS=["127.0.0.1/32"],
                           WIREDESK_ALERT_FAILURES=3, WIREDESK_DISABLE_AFTER_HOURS=6,
                           WIREDESK_IDLE_FACTOR=4, WIREDESK_IDLE_MIN_HOURS=2)


class Wire:
    """A feed on the local server that files a new story when told to."""

    def __init__(self, server: FeedServer) -> None:
        self.server, self.entries = server, []  # type: ignore[var-annotated]

    def file(self) -> None:
        n = len(self.entries)
        self.entries.insert(0, Entry(f"story-{n}", f"Harbour update number {n}",
                                     paragraphs(f"The harbour authority issued update {n}.")))
        self.server.route("/wire.xml", Route(body=rss(*self.entries[:20])))

    def fail(self) -> None:
        self.server.route("/wire.xml", Route(body=b"down for maintenance", status=500))


def every(desk_clock: FakeClock, source: Source, minutes: int, times: int,
          before: Any = None) -> None:
    """``times`` rounds of: move the desk's clock, (act), poll the source, check health."""
    for _ in range(times):
        desk_clock.advance(timedelta(minutes=minutes))
        if before is not None:
            before()
        refresh_source(WriteDesk(), Source.objects.get(pk=source.pk))
        check_sources(desk_clock())


@pytest.mark.django_db
@LIMITS
def test_a_silent_feed_alerts_once_recovers_once_and_a_failing_one_is_disabled(
        feed_server: FeedServer, smtp: Inbox, desk_clock: FakeClock) -> None:
    wire = Wire(feed_server)
    wire.file()
    source = add_source(feed_server.url("/wire.xml"), name="Harbour Wire")
    every(desk_clock, source, 30, 14, before=wire.file)  # a new story every half hour
    assert smtp.messages == []
    # The wire stops filing: silence past four usual gaps (two hours) is one alert, however
    # many polls and checks follow.
    every(desk_clock, source, 30, 12)
    assert smtp.subjects() == ["[Testdesk] silent for longer than usual: Harbour Wire"]
    body = smtp.messages[0].get_payload()
    assert "no new item for" in body and "usually follows within 30 minutes" in body
    [alert] = SourceAlert.objects.filter(kind=SourceAlert.Kind.IDLE)
    assert alert.closed_at is None and alert.noticed
    # It files again: one recovery notice.
    every(desk_clock, source, 30, 3, before=wire.file)
    assert smtp.subjects()[1:] == ["[Testdesk] recovered: Harbour Wire"]
    alert.refresh_from_db()
    assert alert.closed_at is not None and alert.recovery_noticed
    # The server breaks: a failing alert after three failures, then, six hours into the
    # failures, the source is switched off with a notice saying how to switch it on.
    every(desk_clock, source, 30, 16, before=wire.fail)
    assert smtp.subjects()[2:] == ["[Testdesk] failing repeatedly: Harbour Wire",
                                   "[Testdesk] disabled after failing too long: "
                                   "Harbour Wire"]
    notice = smtp.messages[3].get_payload()
    assert "HTTP 500" in notice and f"wiredesk source enable {source.pk}" in notice
    source.refresh_from_db()
    assert not source.is_active
    check_sources(desk_clock())  # a disabled source stays disabled, with no new notice
    assert len(smtp.messages) == 4
    # Fixed and switched on again by hand: the next good fetch closes both incidents.
    Source.objects.filter(pk=source.pk).update(is_active=True)
    every(desk_clock, source, 30, 1, before=wire.file)
    assert smtp.subjects()[4:] == ["[Testdesk] recovered: Harbour Wire"] * 2
    assert not SourceAlert.objects.filter(closed_at__isnull=True).exists()
    days = SourceDay.objects.filter(source=source)
    assert sum(day.items for day in days) == 19 and sum(day.errors for day in days) >= 13


@pytest.mark.django_db
@LIMITS
def test_notices_also_go_to_the_alert_webhook(feed_server: FeedServer,
                                              desk_clock: FakeClock) -> None:
    wire = Wire(feed_server)
    wire.file()
    source = add_source(feed_server.url("/wire.xml"), name="Harbour Wire")
    with override_settings(WIREDESK_ALERT_WEBHOOK="https://ops.example/hooks/wiredesk"):
        every(desk_clock, source, 30, 4, before=wire.fail)
    [notice] = Delivery.objects.filter(kind=Delivery.Kind.ALERT)
    body = json.loads(bytes(notice.body))
    assert body["type"] == "source.failing" and body["source"]["id"] == source.pk
    assert notice.target == "https://ops.example/hooks/wiredesk"


@pytest.mark.django_db
@LIMITS
def test_the_admin_health_view_shows_rhythm_alerts_and_the_last_payload(
        editor: Client, feed_server: FeedServer, desk_clock: FakeClock) -> None:
    wire = Wire(feed_server)
    wire.file()
    source = add_source(feed_server.url("/wire.xml"), name="Harbour Wire")
    every(desk_clock, source, 30, 3, before=wire.file)
    every(desk_clock, source, 30, 3, before=wire.fail)
    page = editor.get("/admin/newsroom/sourcestatus/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Harbour Wire" in html and "failing (3)" in html
    assert "<svg" in html and "days with errors" in html
    assert "Failing repeatedly" in html and "HTTP 500" in html


@pytest.mark.django_db
def test_a_session_of_many_feeds_records_each_feeds_arrivals_in_a_few_statements(
        desk_clock: FakeClock) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wiredesk.newsroom.health.models import SourceHealth
    from wiredesk.newsroom.transports import inbox
    from wiredesk.newsroom.transports.ingest import store_payload

    def health_statements(feeds: int) -> int:
        sources = [add_source(f"http://127.0.0.1:9/{feeds}-{n}.xml", name=f"Feed {feeds}-{n}")
                   for n in range(feeds)]
        payloads = [store_payload(source, rss(*[
            Entry(f"{source.slug}-{k}", f"Harbour {source.pk} update {k}",
                  paragraphs(f"The harbour {source.pk} authority issued update {k}."))
            for k in range(2)]), origin="test") for source in sources]
        with CaptureQueriesContext(connection) as captured:
            inbox.process_together(WriteDesk(), payloads)
        for source in sources:
            assert SourceDay.objects.get(source=source, day=desk_clock().date()).items == 2
            cadence = SourceHealth.objects.get(source=source).cadence
            assert cadence and cadence != Cadence().to_json()  # the arrival observed
        tables = (SourceDay._meta.db_table, SourceHealth._meta.db_table)
        return sum(1 for q in captured.captured_queries if any(t in q["sql"] for t in tables))

    assert health_statements(2) == health_statements(8)  # not a few more for every feed
