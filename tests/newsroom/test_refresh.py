"""Refreshing one source: permanent redirects, backoff and Retry-After, the worker loop."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.support.feedserver import FeedServer, Route
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.sources import add_source
from wiredesk.newsroom.transports.refresh import refresh_source
from wiredesk.newsroom.workers.scheduler import claim, run_worker
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import STORY_A, STORY_B, rss

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def allow_loopback(settings: object) -> None:
    settings.WIREDESK_FETCH_ALLOW_NETWORKS = ["127.0.0.1/32"]  # type: ignore[attr-defined]


def poll(source: Source) -> Source:
    refresh_source(WriteDesk(), source)
    source.refresh_from_db()
    return source


@pytest.mark.parametrize("status", [301, 308])
def test_a_permanent_redirect_seen_twice_moves_the_source(feed_server: FeedServer,
                                                          status: int) -> None:
    feed_server.route("/old.xml", Route(status=status,
                                        headers={"Location": feed_server.url("/new.xml")}))
    feed_server.route("/new.xml", Route(body=rss(STORY_A)))
    source = add_source(feed_server.url("/old.xml"), name="Moving")
    assert poll(source).url == feed_server.url("/old.xml")  # once is not enough
    assert Story.objects.count() == 1 and source.redirect_seen == 1
    assert poll(source).url == feed_server.url("/new.xml")
    poll(source)
    assert feed_server.requests_to("/old.xml").__len__() == 2


@pytest.mark.parametrize("status", [302, 307])
def test_a_temporary_redirect_never_moves_the_source(feed_server: FeedServer,
                                                     status: int) -> None:
    feed_server.route("/old.xml", Route(status=status,
                                        headers={"Location": feed_server.url("/new.xml")}))
    feed_server.route("/new.xml", Route(body=rss(STORY_A)))
    source = add_source(feed_server.url("/old.xml"), name="Visiting")
    for _ in range(3):
        assert poll(source).url == feed_server.url("/old.xml")
    assert Story.objects.count() == 1


def test_errors_back_off_and_retry_after_is_honoured(feed_server: FeedServer) -> None:
    feed_server.route("/busy.xml", Route(status=503, headers={"Retry-After": "7200"}))
    source = add_source(feed_server.url("/busy.xml"), name="Busy")
    before = timezone.now()
    source = poll(source)
    assert source.error_count == 1 and "503" in source.last_error
    assert source.next_check_at >= before + timedelta(seconds=7200)
    assert source.lease_until is None

    feed_server.route("/busy.xml", Route(body=rss(STORY_A)))
    source = poll(source)
    assert source.error_count == 0 and source.last_success_at is not None
    assert source.next_check_at <= timezone.now() + timedelta(seconds=301)


def test_consecutive_errors_wait_longer(feed_server: FeedServer) -> None:
    feed_server.route("/down.xml", Route(status=500))
    source = add_source(feed_server.url("/down.xml"), name="Down")
    delays = []
    for _ in range(4):
        started = timezone.now()
        source = poll(source)
        delays.append((source.next_check_at - started).total_seconds())
    assert source.error_count == 4
    assert all(delay >= 300 - 1 for delay in delays)  # never sooner than the normal interval
    assert max(delays) <= 6 * 3600 + 1


def test_the_worker_polls_due_sources_until_stopped(feed_server: FeedServer) -> None:
    feed_server.route("/a.xml", Route(body=rss(STORY_A)))
    feed_server.route("/b.xml", Route(body=rss(STORY_B)))
    add_source(feed_server.url("/a.xml"), name="A")
    add_source(feed_server.url("/b.xml"), name="B")
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(stop,), kwargs={"threads": 2, "tick": 0.1})
    worker.start()
    deadline = timezone.now() + timedelta(seconds=20)
    while Story.objects.count() < 2 and timezone.now() < deadline:
        stop.wait(0.1)
    stop.set()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert Story.objects.count() == 2
    assert all(s.lease_until is None and s.last_success_at for s in Source.objects.all())
    assert len(feed_server.requests) == 2  # each source once: not due again for 5 minutes


def test_concurrent_claims_never_share_a_source() -> None:
    for n in range(12):
        add_source(f"https://{n}.example/feed.xml", name=f"S{n}")
    claimed: list[list[int]] = []
    barrier = threading.Barrier(3)

    def claimer() -> None:
        from django.db import connection

        barrier.wait()
        try:
            claimed.append([s.pk for s in claim(5)])
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [pk for batch in claimed for pk in batch]
    assert len(ids) == len(set(ids)) == 12
