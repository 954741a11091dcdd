"""Atom 1.0 (RFC 4287) and Atom 0.3 into FeedItems, on the fast path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from wiredesk.core.items import FeedItem, Image, ParsedFeed
from wiredesk.ingest.formats import parse_feed

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
ATOM = "http://www.w3.org/2005/Atom"


def parse(name: str, url: str = "https://fetch.example/feed") -> ParsedFeed:
    feed = parse_feed((FEEDS / name).read_bytes(), "application/atom+xml", url)
    assert (feed.parser, feed.warnings) == ("fast", [])
    return feed


def entry(xml: str, feed_attributes: str = "") -> FeedItem:
    body = f'<feed xmlns="{ATOM}" {feed_attributes}><entry>{xml}</entry></feed>'
    return parse_feed(body.encode(), url="https://fetch.example/feed").items[0]


def test_atom10_feed_level_with_xml_base() -> None:
    feed = parse("atom10.xml")
    assert (feed.format, feed.title, feed.link, feed.language) == (
        "atom1.0",
        "Harbor Business",
        "https://business.example/news/",  # href="./" against the feed's xml:base
        "en-GB",
    )


def test_atom10_entry_with_xhtml_content_and_nested_xml_base() -> None:
    item = parse("atom10.xml").items[0]
    assert item == FeedItem(
        guid="tag:business.example,2024:shipping-rates",
        link="https://business.example/archive/2024/shipping-rates",
        title="Shipping rates fall & ports relax",
        content_html=(
            "<p>Rates fell for a <strong>third</strong> week &amp; ports relaxed.</p>\n"
            '        <p><a href="charts">Charts</a></p>'
        ),
        summary_html="<p>Rates fell for a third week.</p>",
        author="Business Desk",  # inherited from the feed (RFC 4287 section 4.2.1)
        published=datetime(2024, 3, 5, 7, 0, tzinfo=UTC),
        updated=datetime(2024, 3, 5, 9, 30, 0, 500000, tzinfo=UTC),
        categories=("Shipping", "markets"),  # label when there is one, else term
        images=(
            Image(
                url="https://business.example/archive/2024/img/cranes.jpg", mime_type="image/jpeg"
            ),
        ),
        base_url="https://business.example/archive/2024/",
        language="en-GB",
    )


def test_atom10_entry_language_author_and_html_content() -> None:
    item = parse("atom10.xml").items[1]
    assert item.language == "de"
    assert item.author == "Greta Wind"
    assert item.content_html == "<p>Mehr Container als je zuvor.</p>"
    assert item.published is None
    assert item.updated == datetime(2024, 3, 4, 7, 0, tzinfo=UTC)
    assert item.link == "https://business.example/de/hafen-rekord"  # a link without rel
    assert item.base_url == "https://business.example/news/"


def test_atom03_escaped_base64_and_xml_modes() -> None:
    feed = parse("atom03.xml")
    assert (feed.format, feed.title, feed.link, feed.language) == (
        "atom0.3",
        "Coastal Sports",
        "http://sports.example/",
        "en",
    )
    goal, regatta = feed.items
    assert goal.title == "Harbour FC win"
    assert goal.content_html == "<p>A <i>late</i> goal.</p>"
    assert goal.summary_html == "<p>A late goal.</p>"  # base64-decoded
    assert goal.published == datetime(2004, 2, 29, 2, 14, 55, tzinfo=UTC)  # issued
    assert goal.updated == datetime(2004, 2, 29, 9, 0, tzinfo=UTC)  # modified
    assert goal.author == "Sports Desk"
    assert regatta.content_html == "<p>Too much <em>wind</em>.</p>"
    assert regatta.published == datetime(2004, 3, 1, 8, 0, tzinfo=UTC)  # created
    assert regatta.author == "Lee Wave"


def test_text_content_becomes_escaped_html_paragraphs() -> None:
    item = entry('<content type="text">Use &lt;b&gt; for bold.\n\nNew paragraph.</content>')
    assert item.content_html == "<p>Use &lt;b&gt; for bold.</p><p>New paragraph.</p>"


def test_text_title_keeps_angle_brackets_html_title_loses_tags() -> None:
    assert entry('<title type="text">a &lt;b&gt; tag</title>').title == "a <b> tag"
    assert entry('<title type="html">a &lt;b&gt;bold&lt;/b&gt; tag</title>').title == "a bold tag"
    xhtml = (
        '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        "An <b>xhtml</b> title</div></title>"
    )
    assert entry(xhtml).title == "An xhtml title"


def test_typepad_html_content_wrapped_in_a_div_is_read_as_html() -> None:
    item = entry(
        '<content type="html"><div xmlns="http://www.w3.org/1999/xhtml">'
        "Example &lt;b&gt;Atom&lt;/b&gt;</div></content>"
    )
    assert item.content_html == "Example <b>Atom</b>"


def test_out_of_line_content_gives_its_src_as_the_link() -> None:
    item = entry('<content type="text/html" src="/story.html"/>')
    assert (item.content_html, item.link) == ("", "https://fetch.example/story.html")


def test_alternate_html_link_is_preferred_over_other_alternates() -> None:
    item = entry(
        '<link rel="alternate" type="application/pdf" href="/a.pdf"/>'
        '<link rel="self" href="/self"/>'
        '<link rel="alternate" type="text/html" href="/a.html"/>'
    )
    assert item.link == "https://fetch.example/a.html"


def test_several_authors_and_source_authors() -> None:
    two = entry("<author><name>A One</name></author><author><email>b@example.org</email></author>")
    assert two.author == "A One, b@example.org"
    sourced = entry("<source><author><name>Wire Service</name></author></source>")
    assert sourced.author == "Wire Service"


def test_media_rss_in_atom_youtube_style_thumbnail() -> None:
    item = entry(
        '<media:group xmlns:media="http://search.yahoo.com/mrss/">'
        '<media:content url="https://v.example/1.swf" type="application/x-shockwave-flash"/>'
        '<media:thumbnail url="https://i.example/1.jpg" width="480" height="360"/>'
        "</media:group>"
    )
    assert item.images == (Image(url="https://i.example/1.jpg", width=480, height=360),)


def test_atom_entry_document_is_a_one_item_feed() -> None:
    body = f'<entry xmlns="{ATOM}"><id>urn:x:1</id><title>Alone</title></entry>'.encode()
    feed = parse_feed(body)
    assert (feed.format, [(item.guid, item.title) for item in feed.items]) == (
        "atom1.0",
        [("urn:x:1", "Alone")],
    )


def test_feed_in_an_unknown_namespace_is_read_as_atom() -> None:
    body = b'<feed version="0.3" xmlns="http://example.com/newformat#"><title>Odd</title></feed>'
    feed = parse_feed(body)
    assert (feed.format, feed.title) == ("atom0.3", "Odd")
