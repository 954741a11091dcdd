"""ninjs 1.x, 2.x and 3.x into FeedItems, through parse_feed's JSON sniffing.

Self-written fixtures are in ``tests/fixtures/wire/``; the IPTC's own examples, vendored in
``tests/fixtures/iptc/ninjs/``, must all be recognised, and every text item among them must give a
story with a headline, a body and times.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wiredesk.core.errors import NotAFeed
from wiredesk.core.items import FeedItem, Image, PubStatus, Subject, WireMeta
from wiredesk.ingest.formats import parse_feed

FIXTURES = Path(__file__).parents[1] / "fixtures"
WIRE = FIXTURES / "wire"
IPTC_NINJS = FIXTURES / "iptc" / "ninjs"


def parse(name: str) -> list[FeedItem]:
    return parse_feed((WIRE / name).read_bytes(), "application/json").items


def test_ninjs_1x_with_an_embargo_and_an_associated_picture() -> None:
    feed = parse_feed((WIRE / "ninjs1-embargoed.json").read_bytes())
    assert (feed.format, feed.language, feed.warnings) == ("ninjs1", "en-GB", [])
    (item,) = feed.items
    assert item == FeedItem(
        guid="urn:newsml:northwire.example:20240305:harbour-bridge",
        title="Harbour bridge to close & reopen in May",  # entities decoded: titles are text
        content_html=(
            "<p>NORTHFIELD (Northwire) - The harbour bridge will close for six weeks.</p>"
            "<p>WORKS BEGIN IN APRIL</p><p>Repairs start on April 2.</p>"
        ),
        summary_html="<p>The bridge closes for repairs.</p>",
        author="By Ann Lee",
        published=datetime(2024, 3, 5, 7, 0, tzinfo=UTC),  # firstcreated, +01:00
        updated=datetime(2024, 3, 5, 8, 30, tzinfo=UTC),
        # a subject whose name only repeats its code is not a category
        categories=("bridge", "harbour", "road transport"),
        # the "original" rendition wins over a larger one; the video association is not a picture
        images=(
            Image(
                url="https://img.northwire.example/bridge.jpg",
                caption="The harbour bridge at dawn.",
                credit="Tom Kerr",
                mime_type="image/jpeg",
                width=1600,
                height=900,
            ),
        ),
        language="en-GB",
        wire=WireMeta(
            version="3",
            version_number=3,
            version_created=datetime(2024, 3, 5, 8, 30, tzinfo=UTC),
            embargoed_until=datetime(2099, 3, 6, 0, 1, tzinfo=UTC),
            urgency=3,
            located="Northfield",
            subjects=(
                Subject(code="medtop:20000436", name="road transport"),
                Subject(code="northwire:harbour", name="northwire:harbour"),
            ),
        ),
    )


def test_ninjs_2x_withheld_with_headlines_bodies_and_descriptions() -> None:
    (item,) = parse("ninjs2-withheld.json")
    assert item.title == "Ferry crews vote to strike"  # the "main" headline, not the first
    assert item.content_html == "<p>Ferry crews voted to <b>strike</b>.</p>"  # HTML over text
    assert item.summary_html == "<p>Crews walk out on Friday.</p>"  # not the caption
    assert item.author == "Northwire staff"
    assert item.images == (
        Image(
            url="https://img.northwire.example/ferry.jpg",  # "highres" over the thumbnail
            caption="Ferry at the pier",  # the picture's headline when it has no description
            credit="Northwire/Tom Kerr",  # the credit line before the byline
            width=2000,
            height=1125,
        ),
    )
    assert item.wire == WireMeta(
        version="2",
        version_number=2,
        version_created=datetime(2024, 3, 5, 10, 0, tzinfo=UTC),
        pubstatus=PubStatus.WITHHELD,
        subjects=(Subject(code="medtop:20000523", name="labour market"),),
    )  # "Withheld for legal checks" is an editor's note, not a correction


def test_ninjs_3x_canceled_with_camel_case_properties() -> None:
    feed = parse_feed((WIRE / "ninjs3-canceled.json").read_bytes())
    assert (feed.format, feed.warnings) == ("ninjs3", [])
    (item,) = feed.items
    assert item.title == "Mayor resigns after vote"
    assert item.content_html == "<p>Mayor Jo Smith resigned on Tuesday.</p>"  # HTML over NITF
    assert item.author == "Tom Kerr"  # 3.x "by"
    assert (item.published, item.updated) == (
        datetime(2024, 3, 5, 5, 0, tzinfo=UTC),
        datetime(2024, 3, 5, 9, 15, tzinfo=UTC),
    )
    assert item.unparsed_dates == ("not a date",)  # the embargo could not be read: flagged
    assert item.categories == ("local elections",)
    # The "print" rendition is preferred but has no fetchable URL; "web" is the largest left.
    assert item.images == (
        Image(
            url="https://img.northwire.example/mayor-web.jpg",
            caption="Jo Smith at the town hall.",
            credit="Northwire",
            mime_type="image/jpeg",
            width=1024,
            height=576,
        ),
    )
    assert item.wire == WireMeta(
        version="5",
        version_number=5,
        version_created=datetime(2024, 3, 5, 9, 15, tzinfo=UTC),
        pubstatus=PubStatus.CANCELED,
        signals=("update", "correction"),  # a signal URI, and an edNote that says "Corrects"
        correction_note="Corrects the mayor's name in the first paragraph.",
        urgency=2,
        located="Northfield",
        subjects=(
            Subject(
                code="http://cv.iptc.org/newscodes/mediatopic/20000591", name="local elections"
            ),
            Subject(code="Northfield", name="Northfield"),
        ),
    )


def test_an_api_wrapper_yields_every_item_with_a_stable_identity() -> None:
    feed = parse_feed((WIRE / "ninjs-api-feed.json").read_bytes())
    assert feed.warnings == ["skipped 1 list entries that are not ninjs objects"]
    text, picture = feed.items
    assert text.guid == "0a1b2c"  # altids.itemid: the uri changes with every request
    assert text.content_html == (
        "<p>The council approved the budget.<br>It passed 7-2.</p><p>Taxes stay flat.</p>"
    )
    assert (text.wire.version, text.wire.version_number) == ("2", 2)
    # Without altids, the uri loses the per-request parameters and keeps the others.
    assert picture.guid == "https://api.northwire.example/content/9z8y7x?lang=en"
    assert (picture.wire.item_type, picture.wire.version_number) == ("picture", 0)
    assert picture.images == (
        Image(
            url="https://api.northwire.example/content/9z8y7x/main.jpg",
            caption="Councillors vote.",
            mime_type="image/jpeg",
            width=3000,
            height=2000,
        ),
    )  # the NITF rendition is not a picture


def test_nitf_bodies_are_read_with_the_hardened_parser() -> None:
    feed = parse_feed((WIRE / "ninjs-nitf-bomb.json").read_bytes())
    nitf, bomb = feed.items
    assert nitf.content_html == (
        '<p>The mayor spoke.</p><h2 class="subhead">WHAT NEXT</h2><p>More soon.</p>'
    )
    assert bomb.content_html == "<p>The plain text body stands in.</p>"
    assert feed.warnings == [
        "the NITF body of ninjs item 'urn:newsml:northwire.example:20240305:nitf-bomb' was not "
        "read: the document's entity 'b' refers to another entity (&a;); refused because nested "
        "entities can expand exponentially (billion laughs)"
    ]


def test_ednote_is_a_correction_note_only_when_it_says_so() -> None:
    def wire(ednote: str) -> WireMeta:
        document = {"uri": "u", "type": "text", "headline": "h", "ednote": ednote}
        return parse_feed(json.dumps(document).encode()).items[0].wire

    assert (wire("Eds: Adds quotes.").signals, wire("Eds: Adds quotes.").correction_note) == (
        (),
        "",
    )
    corrected = wire("Eds: Corrects spelling of Smith in 3rd graf.")
    assert corrected.signals == ("correction",)
    assert corrected.correction_note == "Eds: Corrects spelling of Smith in 3rd graf."


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"uri": "u", "headline": "h", "body_html": "<p>b</p>"}, "ninjs1"),
        ({"uri": "u", "headlines": [{"value": "h"}]}, "ninjs2"),
        ({"uri": "u", "versionCreated": "2024-01-01T00:00:00Z", "type": "text"}, "ninjs3"),
        ({"uri": "u", "type": "text", "$standard": {"version": "1.4"}}, "ninjs1.4"),
        ([{"guid": "g", "type": "text"}], "ninjs1"),
        ({"total": 1, "item": [{"uri": "u", "type": "story"}]}, "ninjs1"),  # BBC's wrapper
    ],
)
def test_ninjs_is_sniffed_and_its_generation_named(document: object, expected: str) -> None:
    feed = parse_feed(json.dumps(document).encode())
    assert feed.format == expected
    assert feed.items[0].wire.item_type == "text"  # BBC's "story" is a text


def test_json_feeds_and_other_json_are_not_ninjs() -> None:
    jsonfeed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [{"id": "1", "uri": "u", "type": "text", "content_text": "x"}],
    }
    assert parse_feed(json.dumps(jsonfeed).encode()).format == "jsonfeed1.1"
    with pytest.raises(NotAFeed, match="not a JSON Feed"):
        parse_feed(b'{"requests": {"https://example.com/a.jpg": "a.jpg"}}')
    with pytest.raises(NotAFeed, match="not a JSON Feed"):
        parse_feed(b'{"type": "object", "properties": {}}')  # a JSON Schema: no uri or guid


# -- the IPTC's examples -------------------------------------------------------------------------

IPTC_FILES = sorted(IPTC_NINJS.rglob("*.json"))

# Files that are not ninjs items at all.
NOT_ITEMS = {
    "examples/2.1/schema-extension/extension-schema.json": "a JSON Schema extending ninjs",
}
# Text items that demonstrate properties rather than carry a story (no headline or no body).
DEMONSTRATIONS = {
    "documentation/includes/examples/1.6/002_renditions_example.json": "renditions; body '...'",
    "documentation/includes/examples/2.2/002_renditions_example.json": "renditions; body '...'",
    "documentation/includes/examples/3.1/002_renditions_example.json": "renditions; body '...'",
    "documentation/includes/examples/not-valid/008_extension.json": "an extension property",
    "examples/1.4/ninjs-1-4-examples.json": "the properties new in 1.4",
}
NOT_TEXT = frozenset(("picture", "video", "audio", "graphic", "composite", "event"))


def test_the_vendored_iptc_examples_are_all_here() -> None:
    assert len(IPTC_FILES) == 66


@pytest.mark.parametrize("path", IPTC_FILES, ids=lambda path: str(path.relative_to(IPTC_NINJS)))
def test_every_iptc_ninjs_example_is_recognised(path: Path) -> None:
    name = str(path.relative_to(IPTC_NINJS))
    if name in NOT_ITEMS:
        with pytest.raises(NotAFeed):
            parse_feed(path.read_bytes())
        return
    feed = parse_feed(path.read_bytes())
    assert feed.format.startswith("ninjs") and feed.items and feed.warnings == []
    for item in feed.items:
        assert item.guid
        if item.wire.item_type != "text":
            assert item.wire.item_type in NOT_TEXT
        elif name not in DEMONSTRATIONS:
            # The body a reader gets: the copy, or the summary when a text has only that (NTB).
            assert item.title and (item.content_html or item.summary_html), name
            assert item.published and item.updated and not item.unparsed_dates, name


def test_iptc_dpa_text_3x() -> None:
    (item,) = parse_feed((IPTC_NINJS / "examples/3.0/dpa_text.json").read_bytes()).items
    assert item.guid == "urn:newsml:dpa.com:20090101:190510-99-167362"
    assert item.title == "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?"
    assert item.author == "Von Christian Hollmann, dpa"
    assert item.language == "de"
    assert item.published == datetime(2019, 5, 10, 14, 2, 28, tzinfo=UTC)  # +02:00
    assert item.content_html.startswith('<section class="main"><p>Für Lucien Favre war es')
    assert (item.wire.version_number, item.wire.urgency) == (2, 4)


def test_iptc_ap_picture_keeps_the_story_uri_without_request_parameters() -> None:
    (item,) = parse_feed((IPTC_NINJS / "examples/3.0/ap_image.json").read_bytes()).items
    assert item.guid == "http://api.ap.org/media/v/content/b2b6c3f4642f46deac7509d4db315ca0"
    assert item.wire.item_type == "picture"
    (image,) = item.images
    assert (image.width, image.height) == (3000, 2208)  # "main", the largest
    assert image.url.startswith(
        "http://api.ap.org/media/v/content/b2b6c3f4642f46deac7509d4db315ca0.0/download?role=main"
    )


def ninjs_with_links(*links: dict[str, str]) -> bytes:
    return json.dumps({"uri": "urn:newsml:northwire.example:20261128:bridge", "type": "text",
                       "headline": "Bridge reopens", "body_html": "<p>Traffic is back.</p>",
                       "links": list(links)}).encode()


def test_ninjs_links_give_the_items_web_page_canonical_first() -> None:
    api = {"rel": "self", "href": "https://api.northwire.example/items/bridge",
           "mimetype": "application/json"}
    alternate = {"rel": "alternate", "href": "/news/bridge-amp", "mimetype": "text/html"}
    canonical = {"rel": "http://www.iana.org/assignments/relation/canonical",
                 "href": "https://northwire.example/news/bridge"}
    feed = parse_feed(ninjs_with_links(api, alternate, canonical),
                      url="https://northwire.example/feed.json")
    (item,) = feed.items
    assert item.link == "https://northwire.example/news/bridge"
    # Without a canonical link the alternate one, made absolute, stands in; the API's own JSON
    # (a self link typed application/json) is never the article.
    (item,) = parse_feed(ninjs_with_links(api, alternate),
                         url="https://northwire.example/feed.json").items
    assert item.link == "https://northwire.example/news/bridge-amp"
    (item,) = parse_feed(ninjs_with_links(api)).items
    assert item.link == ""
    (item,) = parse_feed(ninjs_with_links(
        {"rel": "self", "href": "https://northwire.example/news/bridge.html"})).items
    assert item.link == "https://northwire.example/news/bridge.html"
    # The guid stays the ninjs uri: a link never replaces the identity.
    assert item.guid == "urn:newsml:northwire.example:20261128:bridge"
