"""Real agency copy: every ninjs, NewsML-G2 and NITF item in ``wire-agency/`` parses.

The folder (``../shared/data/wire-agency/``, see its README) holds Superdesk's ingest fixtures --
real items from AP, Reuters, dpa, AAP, PA, ANSA, EFE, NTB, STT and others -- and an AFP dump. It is
agency copyright and never vendored: these tests run when the team's shared data is present and
skip with a message otherwise. Formats Wiredesk does not read are listed by name with the reason,
and must still be refused cleanly (a ParseError, never a crash).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wiredesk.core.errors import ParseError
from wiredesk.core.items import FeedItem, ParsedFeed, PubStatus
from wiredesk.ingest.formats import parse_feed

pytestmark = pytest.mark.conformance

_ANPA = "ANPA-1312 (AP's teletype format): not a format Wiredesk reads"
_IPTC7901 = "IPTC 7901 (teletype): not a format Wiredesk reads"
_NEWSML1 = "NewsML 1.2 (AFP, ANA): not a format Wiredesk reads"
_WXR = "WordPress WXR export (RSS 2.0): read by the RSS reader, not a wire format"
# Files in superdesk-core/ that are out of scope, and why.
OUT_OF_SCOPE = {
    "UPSTREAM_COMMIT.txt": "provenance note",
    "IPTC7901.txt": _IPTC7901,
    "IPTC7901_odd_charset.txt": _IPTC7901,
    "dpa_copyright.txt": _IPTC7901,
    "dpa_four_line.txt": _IPTC7901,
    "dpa_two_by_line.txt": _IPTC7901,
    "dpa_two_line.txt": _IPTC7901,
    **{f"anpa-{n}.tst": _ANPA for n in range(1, 5)},
    **{f"ap_anpa-{n}.tst": _ANPA for n in range(1, 8)},
    "afp.xml": _NEWSML1,
    "afp20.xml": _NEWSML1,
    "ana1.xml": _NEWSML1,
    "ritzau_feed.xml": "Ritzau's own XML (XMLNewsQueuedResponse): not a format Wiredesk reads",
    "ritzau_news.xml": "Ritzau's own XML (RBNews): not a format Wiredesk reads",
    "ritzau_news_test_ednote.xml": "Ritzau's own XML (RBNews): not a format Wiredesk reads",
    "wordpress_wxr.xml": _WXR,
    "wordpress_wxr_funke.xml": _WXR,
    "wordpress_wxr_thumb.xml": _WXR,
    "wenn.xml": "WENN's Atom feed: read by the Atom reader, not a wire format",
    "ninjs4_mock.json": "an HTTP mock for Superdesk's own tests (URL -> file name), not ninjs",
}
# Text items in scope that carry no headline or no copy, and why that is right.
EMPTY_TEXT_ITEMS = {
    "LISTING 1 A NewsML-G2 News Item.xml": "the IPTC listing's copy is a placeholder comment",
    "aap-finance-lite.xml": "a stripped test document: empty title and body",
    "ap_media_text_feed.json": "AP Media API metadata; the copy is a separate NITF download",
    "ap_media_text_item.json": "AP Media API metadata; the copy is a separate NITF download",
    "stt_newsml_abstract_test.xml": "STT test item without a headline",
    "stt_newsml_location_test.xml": "STT test item without a headline",
    "stt_newsml_subject_test.xml": "STT test item without a headline",
    "stt_newsml_test_no_hl.xml": "STT test item without a headline",
}
# In-scope items with no identifier of their own (the pipeline's identity chain takes over).
WITHOUT_ID = {"ap-nitf.xml": "AP NITF with <doc-id regsrc='AP'/> and no slug"}
REUTERS = "tag_reuters.com_2016_newsml_L1N14N0FF_version_{}"


def superdesk(shared_data: Path) -> Path:
    folder = shared_data / "wire-agency" / "superdesk-core"
    if not folder.is_dir():
        pytest.skip(f"{folder} is not present")
    return folder


def family(feed: ParsedFeed) -> str:
    return next(name for name in ("ninjs", "newsmlg2", "nitf") if feed.format.startswith(name))


def item_problems(name: str, item: FeedItem) -> list[str]:
    problems = []
    if not item.guid and name not in WITHOUT_ID:
        problems.append("no guid")
    if item.published is None and not item.unparsed_dates:
        problems.append("no date, and none flagged")
    empty = item.wire.item_type == "text" and not (item.title and item.content_html)
    if empty and name not in EMPTY_TEXT_ITEMS:
        problems.append("a text item without headline or copy")
    return problems


def test_every_wire_item_parses(shared_data: Path) -> None:
    folder = superdesk(shared_data)
    problems: dict[str, object] = {}
    families: dict[str, int] = {}
    for path in sorted(folder.iterdir()):
        if path.name in OUT_OF_SCOPE:
            continue
        try:
            feed = parse_feed(path.read_bytes())
        except ParseError as exc:
            problems[path.name] = f"{type(exc).__name__}: {exc}"
            continue
        families[family(feed)] = families.get(family(feed), 0) + 1
        if not feed.items and not feed.warnings:
            problems[path.name] = "no items and no warning saying why"
        for item in feed.items:
            if found := item_problems(path.name, item):
                problems[f"{path.name} {item.guid}"] = found
    assert problems == {}
    assert families == {"newsmlg2": 35, "ninjs": 16, "nitf": 19}  # 70 files in scope


def test_out_of_scope_files_are_refused_cleanly(shared_data: Path) -> None:
    folder = superdesk(shared_data)
    assert sorted(set(OUT_OF_SCOPE) - {path.name for path in folder.iterdir()}) == []
    for name in OUT_OF_SCOPE:
        with contextlib.suppress(ParseError):  # refused as not a feed, or read as RSS/Atom
            parse_feed((folder / name).read_bytes())


def test_afp_newsml_12_is_out_of_scope_and_refused_cleanly(shared_data: Path) -> None:
    folder = shared_data / "wire-agency" / "afp_newsml12_arabic"
    if not folder.is_dir():
        pytest.skip(f"{folder} is not present")
    refused = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix == ".xml"):
        with pytest.raises(ParseError, match="<NewsML>"):
            parse_feed(path.read_bytes())
        refused += 1
    assert refused == 96


def test_reuters_kill_is_the_same_story_with_a_later_version(shared_data: Path) -> None:
    folder = superdesk(shared_data)
    (usable,) = parse_feed((folder / REUTERS.format(978556838)).read_bytes()).items
    (kill,) = parse_feed((folder / REUTERS.format(1542761538)).read_bytes()).items
    assert usable.guid == kill.guid == "tag:reuters.com,0000:newsml_L1N14N0FF"
    assert (usable.wire.version_number, kill.wire.version_number) == (978556838, 1542761538)
    assert (usable.wire.version_created, kill.wire.version_created) == (
        datetime(2016, 1, 4, 15, 43, 34, tzinfo=UTC),
        datetime(2016, 1, 4, 16, 34, 45, tzinfo=UTC),
    )
    assert (usable.wire.pubstatus, kill.wire.pubstatus) == (PubStatus.USABLE, PubStatus.CANCELED)
    assert (usable.wire.signals, kill.wire.signals) == (("correction",), ("kill",))
    assert usable.wire.correction_note.startswith("(In Jan. 3 story, corrects last paragraph")


def test_an_ap_writethru_and_its_original_are_one_story(shared_data: Path) -> None:
    """AP's NewsML-G2 keeps the guid across writethrus and counts the version up.

    No AP original/writethru pair is in the data in a format Wiredesk reads (the pair of
    "Heat-Hawks" items is ANPA), so the original is derived from the real 1st Ld-Writethru in
    ``ap.xml`` as AP sends one: version 1, no writethru label, an earlier versionCreated. The
    NITF rule is tested on a self-written pair in ``tests/ingest/test_formats_nitf.py``.
    """
    writethru_bytes = (superdesk(shared_data) / "ap.xml").read_bytes()
    original_bytes = (
        writethru_bytes.replace(b'version="2"', b'version="1"', 1)
        .replace(b", 1st Ld-Writethru</slugline>", b"</slugline>", 1)
        .replace(b"2018-02-26T21:20:34Z", b"2018-02-26T20:00:00Z", 1)
    )
    writethru = parse_feed(writethru_bytes).items[0]
    original = parse_feed(original_bytes).items[0]
    assert (
        original.guid == writethru.guid == ("tag:ap.org,2011:5e565888b587889c5c8bd62b6164118c-text")
    )
    assert (original.wire.version_number, writethru.wire.version_number) == (1, 2)
    assert (original.wire.version_created, writethru.wire.version_created) == (
        datetime(2018, 2, 26, 20, 0, tzinfo=UTC),
        datetime(2018, 2, 26, 21, 20, 34, tzinfo=UTC),
    )


def test_the_embargoed_ninjs_item_carries_its_embargo(shared_data: Path) -> None:
    path = superdesk(shared_data) / "ninjs_embargoed.json"
    (item,) = parse_feed(path.read_bytes()).items
    assert item.guid == "fd8e441b-a698-4411-9246-7d5de21cced9"
    assert item.wire.embargoed_until == datetime(2022, 6, 29, 2, 30, tzinfo=UTC)
    assert (item.wire.version_number, item.wire.pubstatus) == (11, PubStatus.USABLE)
    assert item.title == "Trouble is brewing for the future of beer"
