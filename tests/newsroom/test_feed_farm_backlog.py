"""Payloads applied together (a worker's threads' batch, a crash's backlog) where one of them is
an empty feed -- the feed farm's feeds before their first story, a real feed between stories."""

from __future__ import annotations

import pytest

from wiredesk.newsroom.models import Story
from wiredesk.newsroom.sources import add_source
from wiredesk.newsroom.transports.ingest import IngestReport, process_payloads, store_payload
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import STORY_A, rss

pytestmark = pytest.mark.django_db


def test_an_empty_feed_among_payloads_applied_together_is_no_error() -> None:
    """It once made the whole session fail on PostgreSQL (a statement asking for the stories of
    no item ids, "IN ()"), so every payload of it was applied again one by one."""
    full = add_source("http://127.0.0.1:9/full.xml", name="Full")
    empty = add_source("http://127.0.0.1:9/empty.xml", name="Empty")
    payloads = [store_payload(full, rss(STORY_A), origin=full.url),
                store_payload(empty, rss(), origin=empty.url)]
    reports = process_payloads(WriteDesk(), payloads)
    assert [(r.new, r.expected) for r in reports if isinstance(r, IngestReport)] == [(1, 1), (0, 0)]
    assert Story.objects.count() == 1
