"""Outbound feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the latest stories, sections, sources."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from tests.support.factories import add_version, make_section, make_source, make_story, set_status
from wiredesk.newsroom.models import Story

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(client: Client, url: str, content_type: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(content_type)
    return bytes(response.content)


def rss_items(client: Client, url: str) -> list[dict[str, Any]]:
    channel = etree.fromstring(fetch(client, url, "application/rss+xml")).find("channel")
    assert channel is not None
    return [{"title": item.findtext("title"), "link": item.findtext("link"),
             "guid": item.findtext("guid"),
             "permalink": item.xpath("string(guid/@isPermaLink)"),
             "description": item.findtext("description"),
             "author": item.findtext("{http://purl.org/dc/elements/1.1/}creator"),
             "categories": [c.text for c in item.findall("category")]}
            for item in channel.findall("item")]


def atom_entries(client: Client, url: str) -> list[dict[str, Any]]:
    feed = etree.fromstring(fetch(client, url, "application/atom+xml"))
    return [{"title": entry.findtext(f"{ATOM}title"), "id": entry.findtext(f"{ATOM}id"),
             "link": entry.xpath("string(a:link/@href)", namespaces={"a": ATOM[1:-1]}),
             "published": entry.findtext(f"{ATOM}published"),
             "updated": entry.findtext(f"{ATOM}updated")}
            for entry in feed.findall(f"{ATOM}entry")]


def json_feed(client: Client, url: str) -> dict[str, Any]:
    data = json.loads(fetch(client, url, "application/feed+json"))
    assert isinstance(data, dict)
    return data


def guid(story: Story) -> str:
    return f"http://testserver/story/{story.pk}/"


@pytest.fixture
def stories() -> dict[str, Story]:
    """Two public stories in World from one wire, one in Sport from another, one held."""
    now = timezone.now()
    world, sport = make_section("World"), make_section("Sport")
    wire, other = make_source("Wire", section=world), make_source("Other", section=sport)
    return {
        "older": make_story("Older world story", source=wire,
                            published_at=now - timedelta(hours=2), byline="By Ann Lee",
                            categories=["Politics"]),
        "newer": make_story("Newer world story", source=wire,
                            published_at=now - timedelta(hours=1)),
        "sport": make_story("Sport story", source=other, published_at=now - timedelta(hours=3)),
        "held": make_story("Held story", source=wire, status=Story.Status.HELD),
    }


def test_rss_carries_exactly_the_public_stories(client: Client,
                                                stories: dict[str, Story]) -> None:
    items = rss_items(client, "/feeds/latest.rss")
    assert [item["guid"] for item in items] == [
        guid(stories[name]) for name in ("newer", "older", "sport")]
    older = items[1]
    assert older["title"] == "Older world story"
    assert older["link"] == "http://testserver" + stories["older"].get_absolute_url()
    assert older["permalink"] == "true"
    assert older["description"] == "<p>Officials said the talks would continue.</p>"
    assert older["author"] == "Ann Lee"
    assert older["categories"] == ["World", "Politics"]


def test_atom_carries_exactly_the_public_stories(client: Client,
                                                 stories: dict[str, Story]) -> None:
    entries = atom_entries(client, "/feeds/latest.atom")
    assert [entry["id"] for entry in entries] == [
        guid(stories[name]) for name in ("newer", "older", "sport")]
    assert entries[0]["link"] == "http://testserver" + stories["newer"].get_absolute_url()
    assert entries[0]["published"] == stories["newer"].first_published_at.isoformat()


def test_json_feed_carries_exactly_the_public_stories(client: Client,
                                                      stories: dict[str, Story]) -> None:
    feed = json_feed(client, "/feeds/latest.json")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Latest news — Testdesk"
    assert feed["home_page_url"] == "http://testserver/"
    assert feed["feed_url"] == "http://testserver/feeds/latest.json"
    assert [item["id"] for item in feed["items"]] == [
        guid(stories[name]) for name in ("newer", "older", "sport")]
    older = feed["items"][1]
    version = stories["older"].current_version
    assert version is not None
    assert older["url"] == "http://testserver" + stories["older"].get_absolute_url()
    assert older["external_url"] == version.link
    assert older["title"] == "Older world story"
    assert older["content_text"] == "Officials said the talks would continue."
    assert older["authors"] == [{"name": "Ann Lee"}]
    assert older["tags"] == ["World", "Politics"]
    assert older["date_published"] == (
        stories["older"].first_published_at.isoformat().replace("+00:00", "Z"))


@pytest.mark.parametrize(("url", "expected"), [
    ("/feeds/section/world", ["newer", "older"]),
    ("/feeds/section/sport", ["sport"]),
    ("/feeds/source/wire", ["newer", "older"]),
    ("/feeds/source/other", ["sport"]),
])
def test_section_and_source_feeds(client: Client, stories: dict[str, Story], url: str,
                                  expected: list[str]) -> None:
    ids = [guid(stories[name]) for name in expected]
    assert [item["guid"] for item in rss_items(client, f"{url}.rss")] == ids
    assert [entry["id"] for entry in atom_entries(client, f"{url}.atom")] == ids
    assert [item["id"] for item in json_feed(client, f"{url}.json")["items"]] == ids


def test_feeds_of_unknown_listings_are_not_found(client: Client, db: None) -> None:
    for url in ["/feeds/section/nowhere.rss", "/feeds/source/nobody.atom",
                "/feeds/section/nowhere.json"]:
        assert client.get(url).status_code == 404


def test_guids_are_stable_across_a_new_version(client: Client, stories: dict[str, Story]) -> None:
    before = rss_items(client, "/feeds/latest.rss")
    add_version(stories["older"], headline="Older world story, updated")
    after = rss_items(client, "/feeds/latest.rss")
    assert [item["guid"] for item in after] == [item["guid"] for item in before]
    assert after[1]["title"] == "Older world story, updated"
    entries = atom_entries(client, "/feeds/latest.atom")
    assert entries[1]["id"] == guid(stories["older"])
    assert entries[1]["updated"] != entries[1]["published"]
    items = json_feed(client, "/feeds/latest.json")["items"]
    assert items[1]["id"] == guid(stories["older"])
    assert items[1]["date_modified"] != items[1]["date_published"]


def test_a_story_that_stops_being_public_leaves_the_feeds(client: Client,
                                                           stories: dict[str, Story]) -> None:
    set_status(stories["newer"], Story.Status.UNPUBLISHED)
    assert [item["guid"] for item in rss_items(client, "/feeds/section/world.rss")] == [
        guid(stories["older"])]


def test_feeds_carry_one_page_of_stories(client: Client, settings: Settings) -> None:
    settings.WIREDESK_PAGE_SIZE = 3
    for n in range(5):
        make_story(f"Story {n}")
    assert len(rss_items(client, "/feeds/latest.rss")) == 3
    assert len(json_feed(client, "/feeds/latest.json")["items"]) == 3


def test_text_that_xml_cannot_carry_is_dropped(client: Client) -> None:
    make_story("Bell\x07 & <whistle>")
    assert rss_items(client, "/feeds/latest.rss")[0]["title"] == "Bell & <whistle>"
    assert atom_entries(client, "/feeds/latest.atom")[0]["title"] == "Bell & <whistle>"


@pytest.mark.parametrize("count", [1, 10])
def test_feeds_take_a_fixed_number_of_queries(
        client: Client, django_assert_max_num_queries: DjangoAssertNumQueries,
        count: int) -> None:
    world = make_section("World")
    wire = make_source("Wire", section=world)
    for n in range(count):
        make_story(f"Story {n}", source=wire, images=[{"url": "https://img.wire.example/a.jpg"}])
    for url in ["/feeds/latest.rss", "/feeds/section/world.atom", "/feeds/source/wire.json"]:
        with django_assert_max_num_queries(4):  # and the stories' hosted pictures, in one
            assert client.get(url).status_code == 200
