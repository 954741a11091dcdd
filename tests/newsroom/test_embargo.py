"""Embargoes hold until their time, then publish by themselves; expiry takes stories down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.support.clock import FakeClock
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.workers.timed import apply_timed_changes

from .wire import deliver, wire_item

pytestmark = pytest.mark.django_db

HEADLINE = "Central bank cuts rates by half a point"


@pytest.fixture
def source() -> Source:
    source = local_source("Wire")
    source.canonical_policy = Source.Canonical.SELF  # our page canonical: in our sitemaps
    source.save()
    return source


def public_everywhere(client: Client, story: Story) -> list[bool]:
    pages = ["/", "/feeds/latest.rss", "/news-sitemap.xml", "/search/?q=rates",
             "/api/v1/stories"]
    return [client.get(story.get_absolute_url()).status_code == 200] + [
        HEADLINE in client.get(path).content.decode() for path in pages]


def test_an_embargoed_story_is_invisible_until_its_time_then_published(
        client: Client, source: Source, desk_clock: FakeClock) -> None:
    embargo = desk_clock.moment + timedelta(hours=1)
    deliver(source, wire_item("rates", 1, headline=HEADLINE,
                              body="<p>The bank cut its key rates.</p>", embargo=embargo))
    story = Story.objects.get(external_id="rates")
    assert story.status == Story.Status.EMBARGOED and story.embargoed_until == embargo
    assert public_everywhere(client, story) == [False] * 6
    assert client.get(story.get_absolute_url()).status_code == 404  # existence not disclosed

    desk_clock.advance(timedelta(minutes=59))
    assert apply_timed_changes() == (0, 0)
    assert public_everywhere(client, story) == [False] * 6

    desk_clock.advance(timedelta(minutes=1, seconds=1))
    assert apply_timed_changes() == (1, 0)
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    assert public_everywhere(client, story) == [True] * 6


def test_a_later_version_can_move_the_embargo(client: Client, source: Source,
                                              desk_clock: FakeClock) -> None:
    deliver(source, wire_item("rates", 1, headline=HEADLINE,
                              embargo=desk_clock.moment + timedelta(hours=1)))
    deliver(source, wire_item("rates", 2, headline=HEADLINE,
                              embargo=desk_clock.moment + timedelta(hours=3)))
    desk_clock.advance(timedelta(hours=2))
    apply_timed_changes()
    story = Story.objects.get(external_id="rates")
    assert story.status == Story.Status.EMBARGOED
    deliver(source, wire_item("rates", 3, headline=HEADLINE))  # embargo lifted by the agency
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    assert client.get(story.get_absolute_url()).status_code == 200


def test_the_public_query_never_shows_an_embargo_early_even_if_the_scheduler_lags(
        client: Client, source: Source, desk_clock: FakeClock) -> None:
    deliver(source, wire_item("rates", 1, headline=HEADLINE,
                              embargo=desk_clock.moment + timedelta(hours=1)))
    Story.objects.filter(external_id="rates").update(status=Story.Status.PUBLISHED)
    assert HEADLINE not in client.get("/").content.decode()


def test_expiry_and_retention_take_stories_down(client: Client, source: Source,
                                                desk_clock: FakeClock) -> None:
    deliver(source, wire_item("short", 1, headline=HEADLINE,
                              expires=desk_clock.moment + timedelta(hours=2)))
    source.retention_days = 1
    source.save()
    deliver(source, wire_item("kept", 1, headline="Retained for a day"))
    short, kept = Story.objects.get(external_id="short"), Story.objects.get(external_id="kept")
    assert client.get(short.get_absolute_url()).status_code == 200
    desk_clock.advance(timedelta(hours=3))
    assert apply_timed_changes() == (0, 1)
    assert client.get(short.get_absolute_url()).status_code == 410
    assert client.get(kept.get_absolute_url()).status_code == 200
    desk_clock.advance(timedelta(days=2))
    assert apply_timed_changes() == (0, 1)
    assert client.get(kept.get_absolute_url()).status_code == 410


def test_the_admin_lists_embargoed_stories_with_their_time(client: Client, source: Source,
                                                          desk_clock: FakeClock) -> None:
    deliver(source, wire_item("rates", 1, headline=HEADLINE,
                              embargo=desk_clock.moment + timedelta(hours=1)))
    User.objects.create_superuser("editor", "e@example.com", "a long passphrase")
    client.login(username="editor", password="a long passphrase")
    page = client.get("/admin/newsroom/story/?status__exact=embargoed").content.decode()
    assert HEADLINE in page and "Under embargo" in page
    story = Story.objects.get(external_id="rates")
    detail = client.get(f"/admin/newsroom/story/{story.pk}/change/").content.decode()
    assert "embargoed_until" in detail or "Embargoed until" in detail
