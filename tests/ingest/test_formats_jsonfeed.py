"""JSON Feed 1.0 and 1.1 into FeedItems; other JSON is not a feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wiredesk.core.errors import NotAFeed, ParseError
from wiredesk.core.items import FeedItem, Image
from wiredesk.ingest.formats import parse_feed

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"


def test_jsonfeed_10() -> None:
    feed = parse_feed((FEEDS / "jsonfeed10.json").read_bytes(), "application/feed+json")
    assert (feed.format, feed.title, feed.link, feed.language, feed.warnings) == (
        "jsonfeed1.0",
        "Northfield Science & Nature",
        "https://northfield.example/",
        "",
        [],
    )
    owls, river = feed.items
    assert owls == FeedItem(
        guid="1042",  # numeric ids (JSON Feed 1.0) become strings
        link="https://northfield.example/2024/owls",
        title="Owls return to the valley",
        content_html=(
            "<p>Three pairs nested this spring.</p>"
            "<p>Volunteers counted &lt;12&gt; chicks &amp; more.</p>"
        ),
        summary_html="<p>Owls are back.</p>",
        author="Science Desk",  # the feed's author object
        published=datetime(2024, 3, 5, 13, 15, tzinfo=UTC),
        categories=("Wildlife", "Birds"),
        images=(Image(url="https://northfield.example/img/owls.jpg"),),
        base_url="https://northfield.example/",
    )
    assert river.link == "https://river.example/report"  # external_url when there is no url
    assert river.content_html == "<p>The river is <b>high</b>.</p>"
    assert river.author == "Ola Nordmann"
    assert (river.published, river.unparsed_dates) == (None, ("yesterday",))


def test_jsonfeed_11() -> None:
    feed = parse_feed((FEEDS / "jsonfeed11.json").read_bytes())
    assert (feed.format, feed.language) == ("jsonfeed1.1", "en-GB")
    ferry, brief = feed.items
    assert ferry.author == "Ann Lee, Tom Kerr"
    assert ferry.language == "cy"
    assert ferry.updated == datetime(2024, 3, 5, 12, 45, 30, tzinfo=UTC)
    assert ferry.images == (
        Image(url="https://gazette.example/img/ferry-wide.jpg"),
        Image(
            url="https://gazette.example/img/ferry.jpg",
            caption="The ferry at the pier",
            mime_type="image/jpeg",
        ),
    )
    assert (brief.title, brief.author, brief.language) == ("", "Gazette Staff", "en-GB")
    assert brief.content_html == "<p>Short item without a title.</p>"
    assert brief.categories == ("Briefs",)


def test_json_that_is_not_a_json_feed_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed, match=r"JSON but not a JSON Feed .*'version' is ''"):
        parse_feed(b'{"status": "ok", "items": []}')
    with pytest.raises(NotAFeed, match="not an object"):
        parse_feed(b"[1, 2, 3]")


def test_invalid_json_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="looks like JSON but is not valid JSON"):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": [')


def test_wrong_typed_fields_count_as_absent() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": 42,
        "items": [{"id": None, "title": ["x"], "tags": "news", "url": 7}, "not an item"],
    }
    feed = parse_feed(json.dumps(document).encode())
    assert feed.title == ""
    assert feed.items == [FeedItem()]
    assert feed.warnings == ["item 2 of the JSON Feed is not an object and was skipped"]


def test_missing_items_list_is_a_warning_not_an_error() -> None:
    feed = parse_feed(b'{"version": "https://jsonfeed.org/version/1", "title": "Empty"}')
    assert (feed.title, feed.items, feed.warnings) == (
        "Empty",
        [],
        ["the JSON Feed has no 'items' list"],
    )
