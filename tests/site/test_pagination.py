"""Pages of listings: numbered first pages, keyset cursors past them, and first pages read by an
index range scan in listing order (checked with EXPLAIN on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from lxml import html
from pytest_django.fixtures import Settings

from tests.support.factories import make_section, make_source, make_story
from wiredesk.newsroom.models import Cluster, Entity, Story, StoryEntity
from wiredesk.newsroom.write.publishing import publish_change
from wiredesk.site import pagination
from wiredesk.site.listings import entity_listing, for_cluster, for_section, for_source, latest

pytestmark = pytest.mark.django_db


def story_links(client: Client, url: str) -> tuple[list[str], str | None, str | None]:
    response = client.get(url)
    assert response.status_code == 200, url
    doc = html.fromstring(response.content)
    # Page 1 of the home page lists them in its river, under the top stories (h3 headlines).
    links = [str(href) for href in doc.xpath(
        "(//section[@class='river']//article//h3 | //main//article//h2)/a/@href")]
    following = doc.xpath("//head/link[@rel='next']/@href")
    previous = doc.xpath("//head/link[@rel='prev']/@href")
    return links, (str(following[0]) if following else None), (
        str(previous[0]) if previous else None)


@pytest.fixture
def seven(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[Story]:
    """Seven stories, two a page, numbered pages only as deep as 2 pages' worth; two stories
    share a publication time so the id must break the tie."""
    settings.WIREDESK_PAGE_SIZE = 2
    monkeypatch.setattr(pagination, "MAX_OFFSET", 2)
    now = timezone.now()
    times = [now - timedelta(minutes=n) for n in (0, 1, 2, 2, 3, 4, 5)]
    return sorted((make_story(f"Story {n}", published_at=when) for n, when in enumerate(times)),
                  key=lambda s: (s.first_published_at, s.pk), reverse=True)


def test_numbered_pages_give_way_to_cursors_and_every_story_is_seen_once(
        client: Client, seven: list[Story]) -> None:
    seen: list[str] = []
    url: str | None = "/"
    urls = []
    while url is not None:
        urls.append(url)
        links, url, _ = story_links(client, url)
        seen += links
    assert seen == [story.get_absolute_url() for story in seven]
    assert urls[:2] == ["/", "/?page=2"]
    assert all("before=" in url for url in urls[2:])
    # Walking back from the last page with the "newer" links gives the same stories.
    back: list[str] = []
    url = urls[-1]
    while url is not None:
        links, _, url = story_links(client, url)
        back = links + back
    assert back[-len(seen):] == seen[-len(back):]
    assert set(back) == set(seen)


@pytest.mark.parametrize("url", ["/?page=3", "/?page=99999999999999999999999", "/?page=%C2%B2",
                                 "/?before=x", "/?before=1.0", "/?after=1.2&before=1.2",
                                 "/?before=99999999999999999999.1"])
def test_pages_that_cannot_exist_are_404(client: Client, seven: list[Story], url: str) -> None:
    assert client.get(url).status_code == 404


def test_a_cursor_past_the_end_is_404(client: Client, seven: list[Story]) -> None:
    assert client.get("/?before=0.1").status_code == 404


def test_the_api_pages_by_number_then_by_cursor(client: Client, seven: list[Story]) -> None:
    seen, url = [], "/api/v1/stories?page_size=2"
    while url:
        data = json.loads(client.get(url).content)
        seen += [item["uri"] for item in data["items"]]
        assert data["total"] == 7 and data["total_exact"] is True
        url = data["next"] and urlsplit(data["next"])._replace(scheme="", netloc="").geturl()
    assert len(seen) == 7 == len(set(seen))
    error = json.loads(client.get("/api/v1/stories?page_size=2&page=3").content)
    assert error["error"]["code"] == "invalid_parameter"


# First pages by index range scans -------------------------------------------------------------

def first_page_plan(sql: str, params: tuple[object, ...]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a tiny test table the planner would rather sort everything: ask whether an
            # ordered index scan exists at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_incremental_sort = off")
            cursor.execute("ANALYZE newsroom_story")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            # With statistics, as a desk that has run ANALYZE has them: they once steered SQLite
            # to the merged_into index and a sort.
            cursor.execute("ANALYZE")
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.fixture
def listed() -> Story:
    # Stories in another section, source and cluster: with the listed story alone, every ordered
    # index is as cheap as the listing's own, and which one PostgreSQL picks is a coin toss.
    elsewhere = make_source("Other Wire", section=make_section("Sport"))
    other_cluster = Cluster.objects.create(key="c0", title="Another event")
    for n in range(30):
        make_story(f"Elsewhere {n}", source=elsewhere)
    Story.objects.filter(source=elsewhere).update(cluster=other_cluster)
    story = make_story("Indexed story", source=make_source("Wire", section=make_section("World")))
    cluster = Cluster.objects.create(key="c1", title="Event")
    entity = Entity.objects.create(key="country:fr", kind="country", name="France", slug="france")
    with transaction.atomic():
        Story.objects.filter(pk=story.pk).update(cluster=cluster)
        StoryEntity.objects.create(story=story, entity=entity)
        story.refresh_from_db()
        publish_change(story)
    return story


@pytest.mark.parametrize(("name", "index"), [
    ("latest", "story_listing_latest"), ("section", "story_listing_section"),
    ("source", "story_listing_source"), ("cluster", "story_listing_cluster"),
    ("entity", "story_entity_listing"),
])
def test_the_first_page_of_each_listing_is_an_ordered_index_scan(listed: Story, name: str,
                                                                  index: str) -> None:
    listing = {"latest": latest, "section": lambda: for_section("world"),
               "source": lambda: for_source("wire"),
               "cluster": lambda: for_cluster(str(listed.cluster_id)),
               "entity": lambda: entity_listing(Entity.objects.get(slug="france"))}[name]()
    sql, params = listing.stories()[:21].query.sql_with_params()
    with transaction.atomic():
        plan = first_page_plan(sql, params)
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan.replace("Sort Key", ""), plan
