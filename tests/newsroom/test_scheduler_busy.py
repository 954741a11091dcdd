"""The worker keeps every ingest thread busy: a slow feed does not hold up the other threads."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.support.feedserver import FeedServer, Route
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.sources import add_source
from wiredesk.newsroom.workers.scheduler import run_worker

from .feeds import rss

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = 5.0  # seconds the slow feed takes to answer


@pytest.fixture(autouse=True)
def allow_loopback(settings: object) -> None:
    settings.WIREDESK_FETCH_ALLOW_NETWORKS = ["127.0.0.1/32"]  # type: ignore[attr-defined]


def test_other_threads_keep_polling_while_a_slow_feed_answers(feed_server: FeedServer) -> None:
    feed_server.route("/slow.xml", Route(body=rss(), delay=SLOW))
    slow = add_source(feed_server.url("/slow.xml"), name="Slow")
    fast = []
    for n in range(6):
        feed_server.route(f"/fast{n}.xml", Route(body=rss()))
        fast.append(add_source(feed_server.url(f"/fast{n}.xml"), name=f"Fast {n}"))
    # The slow feed is claimed first, beside one fast feed: a worker claiming a batch of two at a
    # time would wait for it before polling the five others.
    now = timezone.now()
    Source.objects.filter(pk=slow.pk).update(next_check_at=now - timedelta(minutes=10))
    for n, source in enumerate(fast):
        Source.objects.filter(pk=source.pk).update(next_check_at=now - timedelta(minutes=5 - n))

    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(stop,), kwargs={"threads": 2, "tick": 0.1})
    worker.start()
    try:
        deadline = timezone.now() + timedelta(seconds=SLOW + 25)
        while (Source.objects.filter(last_success_at__isnull=True).exists()
               and timezone.now() < deadline):
            stop.wait(0.1)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()
    done = {s.pk: s.last_success_at for s in Source.objects.all()}
    assert all(done.values()), "every source polled"
    assert all(done[s.pk] < done[slow.pk] for s in fast)  # all while the slow one answered
    assert len(feed_server.requests) == 7  # each once, none twice
    assert not Source.objects.filter(lease_until__isnull=False).exists()
