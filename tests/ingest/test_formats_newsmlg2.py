"""NewsML-G2 news items and news messages into FeedItems.

Self-written fixtures are in ``tests/fixtures/wire/``; the IPTC's listings, vendored in
``tests/fixtures/iptc/newsml-g2/``, must all be recognised, and every text item among them that
carries a story must give one with a headline, a body and times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from wiredesk.core.errors import NotAFeed, UnsafeXML
from wiredesk.core.items import FeedItem, Image, PubStatus, Subject, WireMeta
from wiredesk.ingest.formats import parse_feed

FIXTURES = Path(__file__).parents[1] / "fixtures"
WIRE = FIXTURES / "wire"
IPTC_G2 = FIXTURES / "iptc" / "newsml-g2" / "examples"

ITEM = """<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="{guid}" version="{version}">
  <itemMeta><itemClass qcode="ninat:text"/><versionCreated>{created}</versionCreated>
    <pubStatus qcode="{status}"/></itemMeta>
  <contentMeta><headline>Floods</headline></contentMeta>
  <contentSet>{content}</contentSet>
</newsItem>"""


def item_xml(
    *,
    guid: str = "tag:wire.example,2016:L1",
    version: str = "978556838",
    created: str = "2016-01-04T15:43:34.000Z",
    status: str = "stat:usable",
    content: str = "<inlineXML><p>Body.</p></inlineXML>",
) -> bytes:
    return ITEM.format(
        guid=guid, version=version, created=created, status=status, content=content
    ).encode()


def test_a_news_message_with_a_text_and_a_picture_item() -> None:
    feed = parse_feed((WIRE / "g2-message-two-items.xml").read_bytes())
    assert feed.format == "newsmlg2"
    assert feed.warnings == [
        "skipped a NewsML-G2 packageItem (urn:newsml:northwire.example:20240305:package): "
        "a package only groups other items"
    ]
    text, picture = feed.items
    assert text == FeedItem(
        guid="urn:newsml:northwire.example:20240305:flood",
        title="River rises to record level",  # the headline without a role, not the short one
        # the body's children; the <header> repeating the headline is not copy
        content_html=(
            "<p>The river rose <em>two metres</em> overnight.</p><p>Schools are closed.</p>"
        ),
        summary_html="<p>The river is at its highest in 50 years.</p>",
        author="By Ann Lee",
        published=datetime(2024, 3, 5, 8, 0, tzinfo=UTC),
        updated=datetime(2024, 3, 5, 9, 45, tzinfo=UTC),
        categories=("flood", "environment"),  # "f" only repeats its code "nw:f"
        language="en-GB",
        wire=WireMeta(
            version="2",
            version_number=2,
            version_created=datetime(2024, 3, 5, 9, 45, tzinfo=UTC),
            signals=("update",),  # prodId:TXT is not a lifecycle signal
            urgency=4,
            located="Northfield",  # the dateline without "(Northwire) - "
            subjects=(
                Subject(code="medtop:06000000", name="environment"),
                Subject(code="nw:f", name="f"),
            ),
        ),
    )  # "Updates with river level." is an edNote, not a correction note
    assert picture.wire.item_type == "picture"
    assert (picture.title, picture.content_html, picture.author) == (
        "Flooded street",
        "",
        "TOM KERR",
    )
    assert picture.images == (
        Image(
            url="https://img.northwire.example/flood.jpg",  # rnd:highRes
            caption="A flooded street in Northfield.",
            credit="Northwire/Tom Kerr",
            mime_type="image/jpeg",
            width=3000,
            height=2000,
        ),
    )


def test_a_correction_with_an_ednote_an_embargo_and_an_inline_nitf_body() -> None:
    (item,) = parse_feed((WIRE / "g2-correction.xml").read_bytes()).items
    assert item == FeedItem(
        guid="tag:northwire.example,2024:budget",
        title="Council passes budget 7-2",  # contentMeta's headline before NITF's hl1
        content_html="<p>The council passed the budget.</p>\n            <p>The vote was 7-2.</p>",
        summary_html="<p>Taxes stay flat.</p>",  # NITF's abstract
        author="By Ann Lee, Northwire Political Writer",  # NITF's byline and byttl
        published=datetime(2024, 3, 5, 7, 0, tzinfo=UTC),
        updated=datetime(2024, 3, 5, 11, 10, tzinfo=UTC),
        categories=("politics",),
        language="en",
        wire=WireMeta(
            version="4",
            version_number=4,
            version_created=datetime(2024, 3, 5, 11, 10, tzinfo=UTC),
            signals=("correction",),
            # the note says what was corrected; the non-public note does not leak
            correction_note="Fixes the vote count in the second paragraph.",
            embargoed_until=datetime(2099, 3, 6, 5, 0, tzinfo=UTC),
            urgency=3,
            located="Northfield",
            subjects=(Subject(code="medtop:11000000", name="politics"),),
        ),
    )


def test_iso_8859_1_and_a_plus_two_hours_offset() -> None:
    (item,) = parse_feed((WIRE / "g2-iso-8859-1.xml").read_bytes()).items
    assert item.title == "Zürich: Straßenfest für Bären"
    assert item.content_html == "<p>Die Bären in Zürich feiern.</p><p>Über 300 Gäste kamen.</p>"
    assert item.updated == datetime(2024, 7, 5, 9, 14, 42, tzinfo=UTC)
    assert item.wire.located == "Zürich"
    assert item.language == "de"


def test_xml_bombs_and_external_entities_are_refused() -> None:
    with pytest.raises(UnsafeXML, match="billion laughs"):
        parse_feed((WIRE / "g2-bomb.xml").read_bytes())
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE newsItem [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g"><x>&x;</x></newsItem>'
    )
    with pytest.raises(UnsafeXML, match="external entity"):
        parse_feed(xxe)


def test_versions_of_one_story_share_the_guid_and_a_kill_is_canceled() -> None:
    """Reuters' pattern: @guid without the version, @version a growing number."""
    first = parse_feed(item_xml()).items[0]
    kill = parse_feed(
        item_xml(version="1542761538", created="2016-01-04T16:34:45Z", status="stat:canceled")
    ).items[0]
    assert first.guid == kill.guid == "tag:wire.example,2016:L1"
    assert (first.wire.version_number, kill.wire.version_number) == (978556838, 1542761538)
    assert (first.wire.pubstatus, kill.wire.pubstatus) == (PubStatus.USABLE, PubStatus.CANCELED)


@pytest.mark.parametrize(
    ("qcode", "expected", "warnings"),
    [
        ("stat:usable", PubStatus.USABLE, []),
        ("stat:withheld", PubStatus.WITHHELD, []),
        ("stat:canceled", PubStatus.CANCELED, []),
        ("stat:bogus", PubStatus.USABLE, ["unknown NewsML-G2 pubStatus 'bogus'; read as usable"]),
    ],
)
def test_pubstatus(qcode: str, expected: PubStatus, warnings: list[str]) -> None:
    feed = parse_feed(item_xml(status=qcode))
    assert (feed.items[0].wire.pubstatus, feed.warnings) == (expected, warnings)


@pytest.mark.parametrize(
    ("content", "body"),
    [
        # ANSA labels HTML as text/plain
        ('<inlineData contenttype="text/plain"><![CDATA[<p>Rome - Hi.</p>]]></inlineData>',
         "<p>Rome - Hi.</p>"),
        ('<inlineData contenttype="text/plain">A &lt; B\n\nC</inlineData>',
         "<p>A &lt; B</p><p>C</p>"),
        # XHTML inheriting the G2 namespace (STT, ANSA), and fragments straight in inlineXML
        ('<inlineXML contenttype="xhtml/xml"><html><body><p>One</p><Company>X</Company></body>'
         "</html></inlineXML>", "<p>One</p><Company>X</Company>"),
        ('<inlineXML><p>Content goes here...</p></inlineXML>', "<p>Content goes here...</p>"),
        # the first rendition with copy wins
        ("<inlineXML/><inlineData>Second</inlineData><inlineData>Third</inlineData>",
         "<p>Second</p>"),
    ],
)  # fmt: skip
def test_inline_content(content: str, body: str) -> None:
    assert parse_feed(item_xml(content=content)).items[0].content_html == body


def test_inline_data_vocabularies_are_not_shown_as_copy() -> None:
    feed = parse_feed(
        item_xml(content='<inlineXML contenttype="application/sportsml+xml"><sports-content/>'
                         "</inlineXML>")
    )  # fmt: skip
    assert feed.items[0].content_html == ""
    assert feed.warnings == ["inline <sports-content> (application/sportsml+xml) is data, not copy"]


def test_renditions_without_a_fetchable_url_are_not_images() -> None:
    content = (
        '<remoteContent rendition="rnd:highRes" href="tag:ansa.it,2017:pic.jpg" '
        'contenttype="image/jpeg"/>'
        '<remoteContent rendition="rnd:thumb" href="file:///./thumb.jpg" contenttype="image/jpeg"/>'
    )
    assert parse_feed(item_xml(content=content)).items[0].images == ()


def test_reuters_signals_and_a_correction_note_in_the_body() -> None:
    """Reuters marks a correction with edStat:C and opens the copy with the note."""
    xml = item_xml(
        content="<inlineXML><html xmlns='http://www.w3.org/1999/xhtml'><body>"
        "<p>(In Jan. 3 story, corrects last paragraph)</p><p>Story.</p></body></html></inlineXML>"
    ).replace(b"</itemMeta>", b'<signal qcode="edStat:C"/><signal qcode="pmt:text"/></itemMeta>')
    wire = parse_feed(xml).items[0].wire
    assert (wire.signals, wire.correction_note) == (
        ("correction",),
        "(In Jan. 3 story, corrects last paragraph)",
    )


def test_an_item_kind_without_copy_gives_no_items() -> None:
    concept = b'<conceptItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="c1"/>'
    feed = parse_feed(concept)
    assert (feed.items, feed.warnings) == (
        [],
        ["skipped a NewsML-G2 conceptItem (c1): a concept item describes a concept, not news"],
    )


# -- the IPTC's listings -------------------------------------------------------------------------

IPTC_FILES = sorted(IPTC_G2.glob("*.xml"))

# Listings that are fragments of a document (a contentSet, a groupSet...), not an item.
FRAGMENTS = {
    "LISTING_7_Group_Set_example_showing_Hierarchical_Package_Structure.xml": "groupSet",
    "LISTING_8_Group_Set_example_showing_an_ALT_Package_Mode.xml": "groupSet",
    "LISTING_9_Group_Set_example_showing_a_SEQ_Package_Mode.xml": "groupSet",
    "LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml": "contentSet",
    "LISTING_28_Illustrating_Located_Subject_and_Dateline.xml": "contentMeta",
}
# Text items that illustrate metadata and carry no story: their copy is a placeholder.
DEMONSTRATIONS = {
    "LISTING_1_A_NewsML-G2_News_Item.xml": "inlineXML holds only a comment",
    "LISTING_21_A_complete_sample_SportsML-G2_document.xml": "SportsML data, no prose",
    "LISTING_24_News_Message_conveying_a_complete_News_Package.xml": "items are '.....' stubs",
    "LISTING_27_Company_Financial_Information.xml": "inlineXML holds only a comment",
    "LISTING_29_Hop_History.xml": "hop history metadata only",
    "facet-example.xml": "facet metadata only",
    "facet-example-2.xml": "facet metadata only",
    "facet-example-3.xml": "facet metadata and 'Content goes here...'",
}
NOT_TEXT = frozenset(("picture", "video", "audio", "graphic", "composite"))


def test_the_vendored_iptc_listings_are_all_here() -> None:
    assert len(IPTC_FILES) == 35


@pytest.mark.parametrize("path", IPTC_FILES, ids=lambda path: path.name)
def test_every_iptc_newsml_g2_listing_is_recognised(path: Path) -> None:
    if path.name in FRAGMENTS:
        with pytest.raises(NotAFeed, match=f"<{FRAGMENTS[path.name]}>"):
            parse_feed(path.read_bytes())
        return
    feed = parse_feed(path.read_bytes())
    assert feed.format == "newsmlg2"
    if not feed.items:  # packages, concepts, knowledge, planning and catalog items
        assert feed.warnings and all(w.startswith("skipped a NewsML-G2") for w in feed.warnings)
    for item in feed.items:
        assert item.guid
        if path.name in DEMONSTRATIONS:
            continue
        assert item.published and item.updated and not item.unparsed_dates, path.name
        if item.wire.item_type == "text":
            assert item.title and item.content_html, path.name
        else:
            assert item.wire.item_type in NOT_TEXT


def test_iptc_text_document_with_inline_nitf() -> None:
    (item,) = parse_feed((IPTC_G2 / "LISTING_2_NewsML-G2_Text_Document.xml").read_bytes()).items
    assert (item.guid, item.wire.version_number) == (
        "urn:newsml:acmenews.com:20161121:US-FINANCE-FED",
        11,
    )
    assert item.title == 'Fed to halt QE to avert "bubble"'
    assert item.author == "By Meredith Jameson, Staff Reporter"
    assert item.content_html.startswith("<p>(New York, NY - October 21) Et, sent luptat")
    assert item.updated == datetime(2018, 11, 21, 21, 25, 32, tzinfo=UTC)  # -05:00
    assert (item.wire.located, item.language) == ("New York, NY", "en-US")


def test_iptc_news_item_with_an_embargo_and_an_update_signal() -> None:
    (item,) = parse_feed((IPTC_G2 / "LISTING_1_A_NewsML-G2_News_Item.xml").read_bytes()).items
    assert item.wire.embargoed_until == datetime(2018, 10, 23, 12, 0, tzinfo=UTC)
    assert item.wire.signals == ("update",)
    assert item.wire.correction_note == ""  # "STRICTLY EMBARGOED" is not a correction


def test_iptc_ap_metadata_example_in_iso_8859_1() -> None:
    (item,) = parse_feed((IPTC_G2 / "ap_metadata_example.xml").read_bytes()).items
    assert item.wire.item_type == "video"
    assert item.guid == "tag:example.com,2008:407624"
