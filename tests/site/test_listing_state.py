"""Listing validators read from stored versions: a change reaches exactly the listings a story was
or is in, the news sitemap's window moves with time, and a validator costs one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from pytest_django.fixtures import DjangoAssertNumQueries

from tests.support.clock import FakeClock
from tests.support.factories import make_section, make_source, make_story, set_status
from wiredesk.newsroom.models import Cluster, Entity, Source, Story, StoryEntity, StoryListings
from wiredesk.newsroom.write.publishing import publish_change

pytestmark = pytest.mark.django_db


def etag(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return str(response["ETag"])


@pytest.fixture
def world_story() -> Story:
    world = make_section("World")
    story = make_story("Volcano erupts", source=make_source("Wire", section=world))
    cluster = Cluster.objects.create(key="c1", title="Volcano")
    person = Entity.objects.create(key="person:ana-lima", kind="person", name="Ana Lima",
                                   slug="ana-lima")
    with transaction.atomic():
        Story.objects.filter(pk=story.pk).update(cluster=cluster)
        StoryEntity.objects.create(story=story, entity=person)
        story.refresh_from_db()
        publish_change(story)
    return story


def listing_urls(story: Story) -> list[str]:
    assert story.cluster_id is not None
    return ["/", "/section/world/", "/source/wire/", f"/cluster/{story.cluster_id}/",
            "/entity/ana-lima/", "/feeds/latest.rss", "/feeds/section/world.atom",
            "/feeds/source/wire.json", f"/feeds/cluster/{story.cluster_id}.rss",
            "/feeds/entity/ana-lima.rss", "/sitemap.xml", "/api/v1/stories",
            "/api/v1/stories?section=world", "/api/v1/stories?entity=person:ana-lima",
            f"/api/v1/stories?cluster={story.cluster_id}"]


def test_a_kill_changes_every_listing_that_showed_the_story(client: Client,
                                                            world_story: Story) -> None:
    urls = listing_urls(world_story)
    before = {url: etag(client, url) for url in urls}
    set_status(world_story, Story.Status.KILLED)
    for url in urls:
        response = client.get(url, HTTP_IF_NONE_MATCH=before[url])
        # A page left empty is a 404 (a cluster with nothing public); never a 304 of the old body.
        assert response.status_code in (200, 404), url
        assert b"Volcano erupts" not in response.content, url


def test_a_story_leaving_a_listing_bumps_the_listing_it_left(client: Client,
                                                             world_story: Story) -> None:
    """The listings a story was in are remembered at publication, so the one it left is bumped
    even though nothing of the story points to it any more."""
    make_story("Another world story", source=make_source("Other", section=make_section("World")))
    make_story("Sport story", source=make_source("Third", section=make_section("Sport")))
    world, sport, person = (etag(client, url) for url in
                            ("/section/world/", "/section/sport/", "/entity/ana-lima/"))
    with transaction.atomic():
        Story.objects.filter(pk=world_story.pk).update(section=make_section("Sport"))
        StoryEntity.objects.filter(story=world_story).delete()
        publish_change(world_story)
    assert etag(client, "/section/world/") != world
    assert etag(client, "/section/sport/") != sport
    assert client.get("/entity/ana-lima/", HTTP_IF_NONE_MATCH=person).status_code == 200
    assert StoryListings.objects.get(story=world_story).keys.split("\n") == sorted(
        ["all", f"cluster:{world_story.cluster_id}", "section:sport", "source:wire"])


def test_a_change_leaves_other_listings_alone(client: Client, world_story: Story) -> None:
    other = make_story("Sport story", source=make_source("Third", section=make_section("Sport")))
    before = etag(client, "/section/world/")
    entity = etag(client, "/entity/ana-lima/")
    set_status(other, Story.Status.HELD)
    assert etag(client, "/section/world/") == before
    assert etag(client, "/entity/ana-lima/") == entity


def test_the_news_sitemap_changes_when_a_story_ages_out(client: Client,
                                                        desk_clock: FakeClock) -> None:
    make_story("Fresh story", published_at=desk_clock() - timedelta(hours=47),
               source=make_source("Ours", canonical_policy=Source.Canonical.SELF))
    before = client.get("/news-sitemap.xml")
    assert b"Fresh story" in before.content
    desk_clock.advance(timedelta(hours=2))
    after = client.get("/news-sitemap.xml", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert b"Fresh story" not in after.content


def test_a_listing_validator_is_one_query_whatever_the_listing(
        client: Client, world_story: Story,
        django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    for url in ["/feeds/latest.rss", "/feeds/section/world.rss", "/feeds/entity/ana-lima.rss",
                f"/feeds/cluster/{world_story.cluster_id}.json", "/api/v1/stories?section=world"]:
        first = client.get(url)
        with django_assert_max_num_queries(1):
            assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    home = client.get("/")
    with django_assert_max_num_queries(2):  # the listing's state and the section navigation
        assert client.get("/").content == home.content


def test_an_editor_renaming_a_source_reaches_every_listing(client: Client,
                                                           world_story: Story) -> None:
    from wiredesk.newsroom.write.publishing import touch

    before = etag(client, "/entity/ana-lima/")
    touch(Story.objects.filter(source__slug="wire"))
    assert etag(client, "/entity/ana-lima/") != before
