"""Claiming due sources: leases keep two workers off the same source."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wiredesk.newsroom.models import Source
from wiredesk.newsroom.sources import add_source
from wiredesk.newsroom.workers.scheduler import claim

pytestmark = pytest.mark.django_db


def test_only_due_active_polled_sources_are_claimed() -> None:
    due = add_source("https://a.example/feed", name="A")
    later = add_source("https://b.example/feed", name="B")
    later.next_check_at = timezone.now() + timedelta(hours=1)
    later.save()
    off = add_source("https://c.example/feed", name="C")
    off.is_active = False
    off.save()
    assert [s.pk for s in claim(10)] == [due.pk]


def test_a_claimed_source_is_not_claimed_again_until_its_lease_ends() -> None:
    source = add_source("https://a.example/feed", name="A")
    assert [s.pk for s in claim(10)] == [source.pk]
    assert claim(10) == []
    assert claim(10, source_ids=[source.pk]) == []  # even when named explicitly
    Source.objects.filter(pk=source.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert [s.pk for s in claim(10)] == [source.pk]


def test_claim_respects_the_limit_and_due_order() -> None:
    now = timezone.now()
    sources = [add_source(f"https://{n}.example/feed", name=n) for n in "abc"]
    for offset, source in zip((3, 1, 2), sources, strict=True):
        Source.objects.filter(pk=source.pk).update(next_check_at=now - timedelta(minutes=offset))
    assert [s.name for s in claim(2)] == ["a", "c"]
