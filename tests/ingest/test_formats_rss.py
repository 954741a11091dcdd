"""RSS 0.91, 0.92, 1.0 (RDF) and 2.0 into FeedItems, on the fast path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from wiredesk.core.items import FeedItem, Image, ParsedFeed
from wiredesk.ingest.formats import parse_feed

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"


def parse(name: str, url: str = "https://fetch.example/feed") -> ParsedFeed:
    feed = parse_feed((FEEDS / name).read_bytes(), "application/rss+xml", url)
    assert feed.parser == "fast"
    assert feed.warnings == []
    return feed


def test_rss20_feed_level() -> None:
    feed = parse("rss20.xml")
    assert (feed.format, feed.title, feed.link, feed.language) == (
        "rss2.0",
        "Meridian World",
        "https://meridian.example/world/",
        "en-us",
    )
    assert len(feed.items) == 3


def test_rss20_news_item_with_media_and_enclosure() -> None:
    item = parse("rss20.xml").items[0]
    assert item == FeedItem(
        guid="meridian-2024-0305-001",
        link="https://meridian.example/world/2024/03/05/leaders-meet",
        title="Leaders meet at the border & agree on trade",
        content_html=(
            "<p>The two leaders met on <b>Tuesday</b> at the border.</p>"
            "<p>LONGSTANDING PARTNERSHIP</p>"
        ),
        summary_html="<p>The two leaders met on <b>Tuesday</b>.</p>",
        author="Maria Lopez",  # from "desk@meridian.example (Maria Lopez)"
        published=datetime(2024, 3, 5, 19, 30, tzinfo=UTC),  # 14:30 EST
        categories=("Politics", "Trade"),  # dc:subject "Politics" is not repeated
        images=(
            Image(
                url="https://cdn.meridian.example/img/leaders-1200.jpg",
                caption="The leaders shake hands at the crossing.",
                credit="Jane Doe/Meridian",
                width=1200,
                height=800,
            ),
            Image(url="https://cdn.meridian.example/img/map.png", mime_type="image/png"),
        ),
        base_url="https://meridian.example/world/",
        language="en-us",
    )


def test_rss20_unreadable_date_is_kept_and_published_stays_empty() -> None:
    item = parse("rss20.xml").items[1]
    assert item.published is None
    assert item.unparsed_dates == ("sometime on Wednesday",)


def test_rss20_relative_link_resolves_against_the_channel_link() -> None:
    item = parse("rss20.xml").items[1]
    assert item.link == "https://meridian.example/world/2024/03/06/harbour-strike"
    assert item.author == "Sam Reed"


def test_rss20_media_group_gives_one_picture_its_widest_rendition() -> None:
    item = parse("rss20.xml").items[1]
    assert item.images == (
        Image(
            url="https://cdn.meridian.example/img/strike-960.jpg",
            caption="Dockers at the gate.",
            credit="Ben Ode",
            mime_type="image/jpeg",
            width=960,
        ),
    )


def test_rss20_permalink_guid_is_the_link_and_thumbnail_is_the_fallback_picture() -> None:
    item = parse("rss20.xml").items[2]
    assert item.link == "https://meridian.example/world/2024/03/07/markets"
    assert item.guid == "https://meridian.example/world/2024/03/07/markets"
    assert item.images == (
        Image(url="https://cdn.meridian.example/img/markets-thumb.jpg", width=150, height=100),
    )


def test_rss091_with_netscape_doctype() -> None:
    feed = parse("rss091.xml")
    assert (feed.format, feed.title, feed.language) == ("rss0.91", "Harbour Gazette", "en-gb")
    first, second = feed.items
    assert first.title == "Café reopens on the quay"
    assert first.summary_html == "The café closed by the storm is open again."
    assert first.link == "http://gazette.example/news/cafe"
    assert first.guid == ""
    assert second.link == "http://gazette.example/news/ferry"
    assert second.summary_html == "<p>Winter times start on <b>Monday</b>.</p>"


def test_rss092_enclosures_keep_pictures_and_skip_audio() -> None:
    feed = parse("rss092.xml")
    assert feed.format == "rss0.92"
    untitled, bulletin = feed.items
    assert untitled.title == ""
    assert untitled.summary_html == "Storm warning lifted for the valley."
    assert untitled.categories == ("Weather",)
    assert untitled.images == (
        Image(url="http://radio.example/photos/storm.jpg", mime_type="image/jpeg"),
    )
    assert bulletin.images == ()


def test_rss10_rdf_items_beside_the_channel() -> None:
    feed = parse("rss10.xml")
    assert (feed.format, feed.title, feed.link, feed.language) == (
        "rss1.0",
        "Northfield Science",
        "http://science.example/",
        "en",
    )
    comet, bees = feed.items
    assert comet.guid == "http://science.example/2024/comet"  # rdf:about
    assert comet.content_html == "<p>Look <em>north</em> after dusk.</p>"
    assert comet.summary_html == "Look north after dusk."
    assert comet.author == "Ada Byron, Mary Somerville"
    assert comet.published == datetime(2024, 3, 5, 20, 30, tzinfo=UTC)
    assert comet.categories == ("Astronomy",)
    assert bees.published == datetime(2024, 3, 1, tzinfo=UTC)  # W3CDTF "2024-03"
    assert bees.language == "fr"


def test_fetch_url_is_the_base_when_the_channel_has_no_link() -> None:
    body = b"<rss version='2.0'><channel><item><link>/a</link></item></channel></rss>"
    item = parse_feed(body, url="https://fetch.example/feeds/main.xml").items[0]
    assert (item.link, item.base_url) == (
        "https://fetch.example/a",
        "https://fetch.example/feeds/main.xml",
    )


def test_xml_base_in_scope_wins_over_the_channel_link() -> None:
    body = (
        b"<rss version='2.0'><channel><link>https://site.example/</link>"
        b"<item xml:base='https://cdn.example/story/'><link>page</link></item></channel></rss>"
    )
    item = parse_feed(body).items[0]
    assert (item.link, item.base_url) == (
        "https://cdn.example/story/page",
        "https://cdn.example/story/",
    )


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("<author>jdoe@example.com (John Doe)</author>", "John Doe"),
        ("<author>John Doe &lt;jdoe@example.com&gt;</author>", "John Doe"),
        ("<author>John Doe</author>", "John Doe"),
        ("<author>jdoe@example.com</author>", "jdoe@example.com"),
        (
            "<author>jdoe@example.com</author><dc:creator>Jane Roe</dc:creator>",
            "Jane Roe",  # a bare address gives way to a Dublin Core name
        ),
    ],
)
def test_rss_author_is_reduced_to_a_name(author: str, expected: str) -> None:
    body = (
        "<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
        f"<item>{author}</item></channel></rss>"
    ).encode()
    assert parse_feed(body).items[0].author == expected


def test_escaped_markup_in_titles_is_reduced_to_text() -> None:
    body = b"<rss><channel><item><title>A &lt;b&gt;bold&lt;/b&gt; &amp;amp; move</title></item>"
    body += b"</channel></rss>"
    assert parse_feed(body).items[0].title == "A bold & move"


def test_naked_markup_in_a_description_is_serialised() -> None:
    body = b"<rss><channel><item><description><p>Example <b>text</b><br/>more</p></description>"
    body += b"</item></channel></rss>"
    assert parse_feed(body).items[0].summary_html == "<p>Example <b>text</b><br>more</p>"


def test_xhtml_body_is_content_without_namespace_declarations() -> None:
    body = (
        b"<rss version='2.0'><channel><item>"
        b"<body xmlns='http://www.w3.org/1999/xhtml'><p>Example <em>content</em></p></body>"
        b"</item></channel></rss>"
    )
    assert parse_feed(body).items[0].content_html == "<p>Example <em>content</em></p>"


def test_feedburner_original_link_is_the_article_url() -> None:
    body = (
        b"<rss version='2.0' xmlns:feedburner='http://rssnamespace.org/feedburner/ext/1.0'>"
        b"<channel><item><link>http://feeds.example/~r/x/1</link>"
        b"<feedburner:origLink>https://site.example/story</feedburner:origLink></item></channel></rss>"
    )
    assert parse_feed(body).items[0].link == "https://site.example/story"


def test_empty_channel_is_a_feed_without_items() -> None:
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    assert (feed.format, feed.title, feed.items) == ("rss2.0", "Quiet", [])


def test_item_level_media_description_and_credit_apply_to_its_pictures() -> None:
    body = (
        b"<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel><item>"
        b"<title>Storm</title><media:title>Storm</media:title>"
        b"<media:description>Waves hit the pier.</media:description>"
        b"<media:credit role='photographer'>Ann Lee</media:credit>"
        b"<media:content url='https://cdn.example/storm.webp'/>"
        b"</item></channel></rss>"
    )
    assert parse_feed(body).items[0].images == (
        Image(
            url="https://cdn.example/storm.webp", caption="Waves hit the pier.", credit="Ann Lee"
        ),
    )
