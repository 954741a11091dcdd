"""Feeds and the API name the desk's own renditions of a story's pictures (absolute URLs on our
base URL), never the publisher's address; a story whose rights do not allow its pictures names
none (issue 15). Pictures are fetched from a real image server on 127.0.0.1 by the picture job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.test import Client
from django.test.utils import override_settings
from lxml import etree

from tests.support.factories import make_section, make_source, make_story
from tests.support.feedserver import FeedServer, Route
from tests.support.photos import jpeg
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.workers import pictures

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "http://testserver"


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.route("/photo.jpg", Route(jpeg(2400, 1600), content_type="image/jpeg"))
        yield running


@pytest.fixture(autouse=True)
def loopback_allowed() -> Iterator[None]:
    with override_settings(WIREDESK_FETCH_ALLOW_NETWORKS=["127.0.0.1/32"],
                           WIREDESK_BASE_URL=BASE):
        yield


def story_with_photo(server: FeedServer, headline: str, source: Source) -> Story:
    return make_story(headline, source=source, images=[
        {"url": server.url("/photo.jpg"), "caption": "Lava at dawn.", "credit": "Ann Lee/Wire"}])


def ours(url: str) -> bool:
    return url.startswith(BASE + "/") and "127.0.0.1" not in url


def test_feeds_and_the_api_name_our_renditions_only(client: Client, server: FeedServer) -> None:
    wire = make_source("Wire", section=make_section("World"))
    hosted = story_with_photo(server, "Lava reaches the town", wire)
    assert pictures.process_story(hosted.pk)

    rss = etree.fromstring(client.get("/feeds/latest.rss").content)
    enclosures = cast(list[Any], rss.xpath("//item/enclosure"))
    assert len(enclosures) == 1
    url = enclosures[0].get("url")
    assert ours(url) and url.endswith(".jpg") and enclosures[0].get("type") == "image/jpeg"
    assert int(enclosures[0].get("length")) > 0
    served = client.get(url.removeprefix(BASE))
    served.close()
    assert served.status_code == 200  # by the desk

    atom = etree.fromstring(client.get("/feeds/latest.atom").content)
    links = cast(list[Any], atom.xpath("//a:entry/a:link[@rel='enclosure']",
                                       namespaces={"a": "http://www.w3.org/2005/Atom"}))
    assert [link.get("href") for link in links] == [url]

    feed = json.loads(client.get("/feeds/latest.json").content)
    assert [item.get("image") for item in feed["items"]] == [url]

    for data in (json.loads(client.get(f"/api/v1/stories/{hosted.pk}").content),
                 json.loads(client.get("/api/v1/stories").content)["items"][0]):
        picture = data["associations"]["image1"]
        assert picture["uri"] == url and picture["width"] == 1600  # the largest rendition
        assert picture["description_text"] == "Lava at dawn."
        assert picture["copyrightholder"] == "Ann Lee/Wire"
        hrefs = [r["href"] for r in picture["renditions"].values()]
        assert hrefs and all(ours(href) for href in hrefs)
        assert {r["mimetype"] for r in picture["renditions"].values()} == {
            "image/jpeg", "image/webp"}
        assert "127.0.0.1" not in json.dumps(data)  # the publisher's address nowhere


def test_no_picture_is_named_until_stored_nor_when_rights_forbid_it(
        client: Client, server: FeedServer) -> None:
    publisher = make_source("Daily Paper")  # a teaser feed: excerpts, its pictures not ours
    Source.objects.filter(pk=publisher.pk).update(publication_mode=Source.Mode.EXCERPT)
    publisher.refresh_from_db()
    excerpt = story_with_photo(server, "An excerpt with a photo", publisher)
    Story.objects.filter(pk=excerpt.pk).update(publication_mode=Source.Mode.EXCERPT)
    pictures.process_story(excerpt.pk)
    wire = make_source("Wire")
    make_story("Not stored yet", source=wire, images=[{"url": server.url("/photo.jpg")}])

    rss = client.get("/feeds/latest.rss").content.decode()
    assert "<enclosure" not in rss and "127.0.0.1" not in rss
    assert "127.0.0.1" not in client.get("/feeds/latest.atom").content.decode()
    feed = json.loads(client.get("/feeds/latest.json").content)
    assert all("image" not in item for item in feed["items"])
    listing = json.loads(client.get("/api/v1/stories").content)
    assert [item["associations"] for item in listing["items"]] == [{}, {}]
    assert "127.0.0.1" not in json.dumps(listing)
