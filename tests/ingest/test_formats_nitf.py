"""NITF 3.x into FeedItems: docdata (identity, versions, status, embargo, expiry), the body."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from wiredesk.core.errors import UnsafeXML
from wiredesk.core.items import FeedItem, Image, ParsedFeed, PubStatus, Subject, WireMeta
from wiredesk.ingest.formats import parse_feed
from wiredesk.ingest.formats.nitf import nitf_html

WIRE = Path(__file__).parents[1] / "fixtures" / "wire"

DOCUMENT = """<nitf><head><docdata {docdata_attributes}>{docdata}</docdata></head>
<body><body.head><hedline><hl1>{hl1}</hl1>{hl2}</hedline></body.head>
<body.content><p>Copy.</p></body.content></body></nitf>"""


def nitf(
    docdata: str = '<date.issue norm="20240305T090000Z"/>',
    *,
    docdata_attributes: str = "",
    hl1: str = "Headline",
    hl2: str = "",
) -> ParsedFeed:
    return parse_feed(
        DOCUMENT.format(
            docdata=docdata, docdata_attributes=docdata_attributes, hl1=hl1, hl2=hl2
        ).encode()
    )


def test_du_key_versions_correction_embargo_expiry_and_body_markup() -> None:
    feed = parse_feed((WIRE / "nitf-versions.xml").read_bytes())
    assert (feed.format, feed.language, feed.warnings) == ("nitf3.6", "en-GB", [])
    (item,) = feed.items
    assert item == FeedItem(
        guid="harbour-bridge",  # du-key@key, not the per-version doc-id
        title="Harbour bridge to close for six weeks",  # hl1, not head/title
        content_html=(
            "<p>NORTHFIELD (Northwire) - The harbour bridge will close on April 2.</p>\n"
            '      <h2 class="subhead">WORKS BEGIN IN APRIL</h2>\n'
            "      \n"
            '        <p>Drivers should use the <a href="https://northfield.example/detours">'
            "ring road</a>.</p>\n"
            "        \n"
            "      \n"
            '      <table><tr><th colspan="2">Closures</th></tr>'
            "<tr><td>North lane</td><td>April</td></tr></table>"
        ),  # semantic markup unwrapped, editors' note and picture taken out, attributes cleaned
        summary_html="<p>The bridge closes for repairs.</p>",
        author="By Ann Lee, Northwire Transport Writer",
        published=datetime(2024, 3, 5, 8, 0, tzinfo=UTC),
        updated=datetime(2024, 3, 5, 8, 0, tzinfo=UTC),
        categories=("bridge", "harbour"),
        images=(
            Image(
                url="https://img.northwire.example/bridge.jpg",
                caption="The bridge at dawn.",
                credit="Tom Kerr",
                mime_type="image/jpeg",
                width=1600,
                height=900,
            ),
        ),
        language="en-GB",
        wire=WireMeta(
            version="3.2",
            version_number=30002,  # generation 3, version 2
            version_created=datetime(2024, 3, 5, 8, 0, tzinfo=UTC),
            signals=("correction",),
            correction_note="Corrects closing date in second paragraph.",
            embargoed_until=datetime(2099, 3, 6, 0, 1, tzinfo=UTC),
            expires_at=datetime(2099, 4, 5, 0, 0, tzinfo=UTC),
            urgency=3,
            located="Northfield, England",
            subjects=(
                Subject(code="subj:04015000", name="Transport"),
                Subject(code="NW-LOCAL", name="Local"),
            ),
        ),
    )


def test_a_kill_notice_cancels_the_story_it_names() -> None:
    story = parse_feed((WIRE / "nitf-versions.xml").read_bytes()).items[0]
    kill = parse_feed((WIRE / "nitf-kill.xml").read_bytes()).items[0]
    assert kill.guid == story.guid == "harbour-bridge"
    assert kill.wire.pubstatus is PubStatus.CANCELED
    assert (kill.wire.version, kill.wire.version_number) == ("4.1", 40001)
    assert kill.wire.version_number > (story.wire.version_number or 0)


def test_an_ap_writethru_is_a_new_version_of_the_story_it_updates() -> None:
    original = parse_feed((WIRE / "nitf-ap-original.xml").read_bytes()).items[0]
    writethru = parse_feed((WIRE / "nitf-ap-writethru.xml").read_bytes()).items[0]
    assert original.guid == writethru.guid == "BC-BKN--Heat-Hawks"
    assert (original.wire.version, original.wire.version_number) == ("", 1)
    assert (writethru.wire.version, writethru.wire.version_number) == ("1st Ld-Writethru", 2)
    assert writethru.title == "Deng has 30 points, short-handed Heat beat Hawks 115-111"
    assert writethru.author == "By CHARLES ODUM, Associated Press"
    assert (original.wire.version_created, writethru.wire.version_created) == (
        datetime(2015, 2, 20, 3, 30, tzinfo=UTC),
        datetime(2015, 2, 20, 5, 15, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("docdata", "hl2", "guid"),
    [
        ('<du-key key="k1"/><doc-id id-string="d1"/>', "<hl2>BC-US--Slug</hl2>", "k1"),
        ('<doc-id id-string="AAP.1.2"/>', "<hl2>BC-US--Slug</hl2>", "AAP.1.2"),  # as sent
        ('<doc-id regsrc="AP"/>', "<hl2>BC-US--Slug, 3rd Ld-Writethru</hl2>", "BC-US--Slug"),
        ('<doc-id regsrc="AP"/>', "<hl2>Not a slug</hl2>", ""),  # the pipeline's chain takes over
    ],
)  # fmt: skip
def test_identity_rule(docdata: str, hl2: str, guid: str) -> None:
    assert nitf(docdata, hl2=hl2).items[0].guid == guid


@pytest.mark.parametrize(
    ("attributes", "docdata", "status", "embargo", "warnings"),
    [
        ('management-status="usable"', "", PubStatus.USABLE, None, []),
        ('management-status="withheld"', "", PubStatus.WITHHELD, None, []),
        ('management-status="canceled"', "", PubStatus.CANCELED, None, []),
        ('management-status="cancelled"', "", PubStatus.CANCELED, None, []),
        (
            'management-status="embargoed"',
            '<date.release norm="20240306T000000Z"/>',
            PubStatus.USABLE,
            datetime(2024, 3, 6, tzinfo=UTC),
            [],
        ),
        (
            'management-status="embargoed"',
            "",
            PubStatus.WITHHELD,
            None,
            ["an embargoed NITF document gives no date.release; it is withheld"],
        ),
        ("", '<date.release norm="20240305T090000Z"/>', PubStatus.USABLE, None, []),  # = issue
        ("", '<date.release norm="20240305T080000Z"/>', PubStatus.USABLE, None, []),  # earlier
        ("", '<ed-msg info="MANDATORY KILL"/>', PubStatus.CANCELED, None, []),
        ("", '<ed-msg msg-type="kill" info="Withdrawn."/>', PubStatus.CANCELED, None, []),
        ("", '<ed-msg info="Updates: 3 killed in blast"/>', PubStatus.USABLE, None, []),
        (
            'management-status="odd"',
            "",
            PubStatus.USABLE,
            None,
            ["unknown NITF management-status 'odd'; read as usable"],
        ),
    ],
)
def test_status_and_embargo(
    attributes: str,
    docdata: str,
    status: PubStatus,
    embargo: datetime | None,
    warnings: list[str],
) -> None:
    feed = nitf('<date.issue norm="20240305T090000Z"/>' + docdata, docdata_attributes=attributes)
    wire = feed.items[0].wire
    assert (wire.pubstatus, wire.embargoed_until, feed.warnings) == (status, embargo, warnings)


def test_a_correction_element_and_unreadable_dates() -> None:
    item = nitf(
        '<date.issue norm="20240305T090000Z"/><date.expire norm="YYYYMMDD000000-HHMM"/>'
        '<correction info="Fixes the score." id-string="x"/><ed-msg info="Eds: With photos."/>'
    ).items[0]
    assert item.wire.signals == ("correction",)
    assert item.wire.correction_note == "Fixes the score. Eds: With photos."
    assert (item.wire.expires_at, item.unparsed_dates) == (None, ("YYYYMMDD000000-HHMM",))


def test_an_ed_msg_that_is_not_a_correction_is_not_a_correction_note() -> None:
    wire = nitf('<ed-msg info="Eds: Adds full-year results."/>').items[0].wire
    assert (wire.signals, wire.correction_note) == ((), "")


def test_nitf_html_drops_namespaces_and_keeps_text() -> None:
    content = etree.fromstring(
        '<body.content xmlns="http://iptc.org/std/NITF/2006-10-18/">Lead <p>A '
        '<person idsrc="x">Ann</person> &amp; <em class="c">B</em></p><bq><p>Q</p>'
        "<credit>C</credit></bq><fn><p>F</p></fn></body.content>"
    )
    assert nitf_html(content) == (
        "Lead <p>A Ann &amp; <em>B</em></p><blockquote><p>Q</p>C</blockquote><p>F</p>"
    )


def test_an_xml_bomb_in_nitf_is_refused() -> None:
    bomb = (
        b'<!DOCTYPE nitf [<!ENTITY a "x"><!ENTITY b "&a;&a;">]>'
        b"<nitf><body><body.content><p>&b;</p></body.content></body></nitf>"
    )
    with pytest.raises(UnsafeXML):
        parse_feed(bomb)
