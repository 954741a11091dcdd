"""Broken and hostile payloads: recovered with warnings, refused, or reported as not a feed."""

from __future__ import annotations

from pathlib import Path

import pytest

from wiredesk.core.errors import NotAFeed, ParseError, UnsafeXML
from wiredesk.ingest.formats import XML_FORMATS, parse_feed
from wiredesk.ingest.formats.lenient import count_item_tags, repair_for_recovery

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"


def rss(items: str) -> bytes:
    return f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>".encode()


def titled(*titles: str) -> str:
    return "".join(f"<item><title>{title}</title></item>" for title in titles)


def test_malformed_fixture_recovers_every_item_with_a_warning() -> None:
    feed = parse_feed((FEEDS / "malformed-rss.xml").read_bytes())
    assert feed.parser == "lenient"
    assert [(item.title, item.link) for item in feed.items] == [
        ("Fish & chips shop wins award", "http://town.example/1"),
        ("Library extends hours http://town.example/2", ""),  # its title was never closed
        ("Bridge repairs finished", "http://town.example/3"),
        ("Market moves to the square", "http://town.example/4"),
    ]
    assert feed.title == "Town & Country"
    assert feed.items[0].summary_html == "Judges called it\xa0outstanding."  # &nbsp;
    assert feed.warnings == [
        "the feed is not well-formed XML (xmlParseEntityRef: no name, line 6, column 18); "
        "it was read with the lenient parser (lxml, item by item)"
    ]


def test_items_that_cannot_be_read_are_counted_never_silently_dropped() -> None:
    body = rss(titled(*(f"Item {n}" for n in range(1, 8))) + "<item><ti")[
        : -len("</channel></rss>")
    ]
    feed = parse_feed(body)
    assert [item.title for item in feed.items] == [f"Item {n}" for n in range(1, 8)]
    assert feed.warnings[1] == "recovered 7 of 8 items; 1 could not be read"
    assert feed.warnings[0].startswith("the feed is not well-formed XML (")


def test_the_recoverer_with_more_items_wins() -> None:
    # feedparser's loose parser folds tag case, so it alone reads the SGML-style <ITEM>.
    body = rss("<item><title>One &</title></item><ITEM><TITLE>Two</TITLE></ITEM>" + titled("Three"))
    feed = parse_feed(body)
    assert [item.title for item in feed.items] == ["One &", "Two", "Three"]
    assert feed.warnings == [
        "the feed is not well-formed XML (xmlParseEntityRef: no name, line 1, column 63); "
        "it was read with the lenient parser (feedparser)"
    ]


def test_an_unclosed_item_does_not_swallow_the_items_after_it() -> None:
    # libxml2 nests everything after an unclosed <item> inside it; items are recovered one by one.
    body = rss(titled("One", "Two") + "<item><title>Three</title>" + titled("Four", "Five"))
    feed = parse_feed(body)
    assert [item.title for item in feed.items] == ["One", "Two", "Three", "Four", "Five"]
    assert feed.warnings[0].endswith("it was read with the lenient parser (lxml, item by item)")
    # Read, but marked: an item whose element is not closed may have lost text, so it is not
    # published (see wiredesk.ingest.pipeline).
    assert [item.title for item in feed.items if item.cut] == ["Three"]
    assert feed.warnings[1:] == ["1 item not closed in the payload (cut off or broken inside): "
                                 "not published"]


def test_undefined_html_entities_are_read_not_dropped() -> None:
    feed = parse_feed(
        rss("<item><title>Caf&eacute; &amp; bar&nbsp;&hellip; &bogus;</title></item>")
    )
    assert feed.parser == "lenient"
    assert feed.items[0].title == "Café & bar\xa0… &bogus;"


def test_bare_ampersand_and_less_than_survive_recovery() -> None:
    feed = parse_feed(rss("<item><title>Fish & chips < 5 pounds</title></item>"))
    assert feed.items[0].title == "Fish & chips < 5 pounds"


def test_junk_before_the_root_element_is_skipped() -> None:
    body = b"Warning: mysql_connect() failed in feed.php\n" + rss(titled("Still here"))
    feed = parse_feed(body)
    assert (feed.parser, [item.title for item in feed.items]) == ("lenient", ["Still here"])


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed) as error:
        parse_feed((FEEDS / "html-page.html").read_bytes(), "text/html; charset=utf-8")
    assert str(error.value) == (
        'the response is an HTML page, not a feed (title: "Page not found – Harbour Gazette")'
    )


def test_html_fragment_error_page_is_not_a_feed() -> None:
    body = b"<head><title>Document Moved</title></head><body>Moved</body>"
    with pytest.raises(NotAFeed, match=r'HTML page, not a feed \(title: "Document Moved"\)'):
        parse_feed(body)


def test_other_xml_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed, match=r"XML document of type <catalog>, not RSS, RDF or Atom"):
        parse_feed(b"<catalog><book/></catalog>")


def test_text_without_elements_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed, match=r"no XML element.*'Service Unavailable'"):
        parse_feed(b"Service Unavailable")


def test_empty_body_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="the response is empty"):
        parse_feed(b" \n ")


@pytest.mark.parametrize(
    ("name", "message"),
    [("billion-laughs.xml", "billion laughs"), ("xxe.xml", "XXE")],
)
def test_hostile_documents_are_refused_not_recovered(name: str, message: str) -> None:
    with pytest.raises(UnsafeXML, match=message):
        parse_feed((FEEDS / name).read_bytes())


def test_a_hostile_document_that_is_also_malformed_is_still_refused() -> None:
    body = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><title>&x;</rss>'
    with pytest.raises(UnsafeXML, match="XXE"):
        parse_feed(body)


def test_deep_nesting_is_refused_not_recovered() -> None:
    body = b"<rss><channel>" + b"<div>" * 300 + b"</channel></rss>"
    with pytest.raises(UnsafeXML, match="levels deep"):
        parse_feed(body)


def test_count_item_tags_ignores_cdata_comments_and_rss10_toc() -> None:
    text = (
        "<rdf:RDF><channel><items><rdf:Seq/></items></channel>"
        "<item/><rss:item x='1'><entry>"
        "<![CDATA[<item>]]><!-- <entry> --><itemtype/></rdf:RDF>"
    )
    assert count_item_tags(text) == 3


def test_repair_keeps_cdata_and_declared_entities_and_rewrites_the_rest() -> None:
    text = "<r>a & b &amp; &eacute; &#X41; &own; &zzz; <![CDATA[x &amp; y < z]]> 1 < 2</r>"
    assert repair_for_recovery(text, declared={"own"}) == (
        "<r>a &#38; b &#38; &#233; &#x41; &own; &#38;zzz; <![CDATA[x &amp; y < z]]> 1 &#60; 2</r>"
    )


def test_registry_maps_root_elements_to_readers() -> None:
    feeds = ["channel", "entry", "feed", "rdf", "rss"]
    newsml_g2 = ["catalogitem", "conceptitem", "knowledgeitem", "newsitem", "newsmessage",
                 "packageitem", "planningitem"]  # fmt: skip
    assert sorted(XML_FORMATS) == sorted([*feeds, *newsml_g2, "nitf"])


def test_html_doctype_decides_only_when_the_root_is_not_a_feed() -> None:
    page = b"<!DOCTYPE html><meta charset=utf-8><title>Login required</title><p>Sign in"
    with pytest.raises(NotAFeed, match=r'HTML page, not a feed \(title: "Login required"\)'):
        parse_feed(page)
    feed = parse_feed(
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x"><rss><channel/></rss>'
    )
    assert (feed.format, feed.items) == ("rss", [])
