"""Item-level rights read from each wire format, through the real ingest path (store, parse,
normalise, gate, apply): stricter terms than the source's mode win; terms forbidding online use
hold the item with that reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from wiredesk.core.rights import Mode, read_rights
from wiredesk.ingest.formats import parse_feed
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.write.desk import WriteDesk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk_clock")]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BODY = ("Ferry crews voted on Tuesday to strike from Friday, the union said, after talks with "
        "the operator over pay and rosters broke down late on Monday evening in the capital.")


@pytest.fixture(autouse=True)
def gate(settings: SettingsWrapper) -> None:
    settings.WIREDESK_GATE = "true"
    settings.WIREDESK_FEED_MODE = "excerpt"


def ingest(source: Source, body: bytes) -> Story:
    process_payload(WriteDesk(), store_payload(source, body, origin="test://rights"))
    return Story.objects.get(source=source)


def source(name: str, fmt: str = Source.Format.AUTO, transport: str = "push") -> Source:
    return Source.objects.create(name=name, slug=name.lower(), format=fmt, transport=transport)


def ninjs(**rights: str) -> bytes:
    return json.dumps({
        "uri": "urn:test:ferry", "type": "text", "version": "1",
        "versioncreated": "2026-11-28T09:00:00Z", "headline": "Ferry crews vote to strike",
        "body_html": f"<p>{BODY}</p>", "language": "en", **rights}).encode()


def nitf(rights: str) -> bytes:
    return f"""<?xml version="1.0"?>
<nitf><head><title>Ferry crews vote to strike</title>
<docdata><doc-id id-string="ferry-1"/><date.issue norm="20261128T090000Z"/>{rights}</docdata>
</head><body><body.head><hedline><hl1>Ferry crews vote to strike</hl1></hedline></body.head>
<body.content><p>{BODY}</p></body.content></body></nitf>""".encode()


def rss(item_rights: str = "", channel_rights: str = "") -> bytes:
    return f"""<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Paper</title>
<link>https://paper.example/</link>{channel_rights}
<item><title>Ferry crews vote to strike</title><link>https://paper.example/ferry</link>
<guid>ferry</guid><pubDate>Sat, 28 Nov 2026 09:00:00 GMT</pubDate>
<description>&lt;p&gt;{BODY}&lt;/p&gt;</description>{item_rights}</item></channel></rss>""".encode()


def test_ninjs_usage_terms_forbidding_online_use_hold_the_item() -> None:
    story = ingest(source("Agency"), ninjs(usageterms="Not for online use. Print only.",
                                           copyrightnotice="(c) 2026 Agency"))
    assert story.status == Story.Status.HELD
    assert "usage terms forbid online publication" in story.status_reason


def test_ninjs_3_camel_case_usage_terms_are_read() -> None:
    story = ingest(source("Agency"), ninjs(usageTerms="Headlines only"))
    assert (story.status, story.publication_mode) == (Story.Status.PUBLISHED, "headline")


def test_a_ninjs_copyright_notice_alone_keeps_the_licence() -> None:
    story = ingest(source("Agency"), ninjs(copyrightnotice="(c) 2026 Agency. All rights "
                                                           "reserved."))
    assert (story.status, story.publication_mode) == (Story.Status.PUBLISHED, "full")


def test_nitf_doc_rights_limitations() -> None:
    story = ingest(source("Nitf wire"), nitf('<doc.rights owner="AP" limitations="Excerpts '
                                             'only, with credit"/>'))
    assert (story.status, story.publication_mode) == (Story.Status.PUBLISHED, "excerpt")


def test_nitf_without_doc_rights_is_published_in_full() -> None:
    story = ingest(source("Nitf wire"), nitf(""))
    assert (story.status, story.publication_mode) == (Story.Status.PUBLISHED, "full")


def test_rss_item_dc_rights_and_channel_copyright() -> None:
    pushed = ingest(source("Pushed paper"), rss(item_rights="<dc:rights>Not for publication"
                                                            "</dc:rights>"))
    assert pushed.status == Story.Status.HELD
    other = ingest(source("Other paper"), rss(channel_rights="<copyright>Headlines and links "
                                                             "only</copyright>"))
    assert other.publication_mode == "headline"


def test_a_polled_rss_feed_is_an_excerpt_by_default() -> None:
    polled = source("Polled paper", transport="poll")
    story = ingest(polled, rss())
    assert (story.status, story.publication_mode) == (Story.Status.PUBLISHED, "excerpt")


def test_newsml_g2_rights_info_from_the_iptc_example() -> None:
    body = (FIXTURES / "iptc/newsml-g2/examples/LISTING_1_A_NewsML-G2_News_Item.xml").read_bytes()
    [item] = parse_feed(body).items
    assert "Not for use outside the United States" in item.rights
    assert "Example Enews LLP" in item.rights
    # A territorial restriction is the licence's business, not a mode: still full.
    assert read_rights(item.rights).mode is Mode.FULL


def test_newsml_g2_usage_terms_forbidding_online_use_hold_the_item() -> None:
    body = (FIXTURES / "iptc/newsml-g2/examples/LISTING_1_A_NewsML-G2_News_Item.xml").read_bytes()
    body = body.replace(b"Not for use outside the United States",
                        b"Internal use only: not for publication")
    story = ingest(source("G2 wire"), body)
    assert story.status == Story.Status.HELD and "rights" in story.status_reason
