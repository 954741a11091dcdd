"""Conformance against feedparser's test corpus and against real captured feeds.

Every corpus file must parse without an unexpected exception. Only files that genuinely are not
feeds may raise a :class:`ParseError`, and they are listed by name with the reason. A vendored
subset (see ``tests/fixtures/feedparser/README.md``) always runs; the full corpus and the real feeds
run when the team's shared data folder is present and are skipped with a message otherwise.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest

from wiredesk.core.errors import ParseError
from wiredesk.core.items import ParsedFeed
from wiredesk.ingest.formats import parse_feed

VENDORED = Path(__file__).parents[1] / "fixtures" / "feedparser"

# Corpus files that are not feeds, so that NotAFeed/ParseError is the right answer.
NOT_FEEDS = {
    "illformed/rss_empty_document.xml": "contains only a comment, no element at all",
}

_HEADER_RE = re.compile(rb"Header:\s*Content-type:\s*([^\r\n]*)", re.IGNORECASE)


def shared_data() -> Path:
    """``../shared/data`` (or $WIREDESK_SHARED_DATA); skip when a fresh clone does not have it."""
    configured = os.environ.get("WIREDESK_SHARED_DATA")
    data = (
        Path(configured) if configured else Path(__file__).resolve().parents[3] / "shared" / "data"
    )
    if not data.is_dir():
        pytest.skip(
            f"{data} not present: conformance data only exists on the team's machines and CI"
        )
    return data


def corpus_files(root: Path) -> list[Path]:
    return sorted(
        path for path in root.rglob("*") if path.is_file() and path.suffix in (".xml", ".json")
    )


def content_type_of(body: bytes) -> str:
    """The Content-Type the corpus's test server would have sent (a ``Header:`` line), if any."""
    match = _HEADER_RE.search(body, 0, 2000)
    return match.group(1).decode("ascii", "replace").strip() if match else ""


def check_parses(root: Path, path: Path) -> str | None:
    """Parse one corpus file; return a description of the problem, or None when all is well."""
    name = path.relative_to(root).as_posix()
    body = path.read_bytes()
    try:
        parse_feed(body, content_type_of(body), f"http://127.0.0.1:8097/{name}")
    except ParseError as error:
        if name in NOT_FEEDS:
            return None
        return f"{name}: {type(error).__name__}: {error}"
    except Exception as error:  # anything else is a crash, which is what this test exists to catch
        return f"{name}: crashed with {type(error).__name__}: {error}"
    if name in NOT_FEEDS:
        return f"{name}: parsed, but is listed as not a feed ({NOT_FEEDS[name]})"
    return None


@pytest.mark.parametrize(
    "path", corpus_files(VENDORED), ids=lambda path: path.relative_to(VENDORED).as_posix()
)
def test_vendored_corpus_file_parses(path: Path) -> None:
    assert check_parses(VENDORED, path) is None


def test_the_vendored_subset_is_all_there() -> None:
    assert len(corpus_files(VENDORED)) == 167
    assert (
        (VENDORED / "LICENSE")
        .read_text(encoding="utf-8")
        .startswith("feedparser and its unit tests are released under the following license")
    )


def _first(feed: ParsedFeed) -> Any:
    return feed.items[0]


# Hand-translated from the files' "Expect:" lines: (file, what we read, expected value).
EXPECTATIONS: list[tuple[str, Callable[[ParsedFeed], object], object]] = [
    (
        "wellformed/rss/entity_in_doctype.xml",
        lambda f: _first(f).guid,
        "tag:example.com,2006-05-04:/blog/",
    ),
    (
        "wellformed/rss/item_content_encoded.xml",
        lambda f: _first(f).content_html,
        "<p>Example content</p>",
    ),
    (
        "wellformed/rss/item_xhtml_body.xml",
        lambda f: _first(f).content_html,
        "<p>Example content</p>",
    ),
    (
        "wellformed/rss/item_description_naked_markup.xml",
        lambda f: _first(f).summary_html,
        "<p>Example description</p>",
    ),
    (
        "wellformed/rss/item_description_escaped_markup.xml",
        lambda f: _first(f).summary_html,
        "<p>Example description</p>",
    ),
    ("wellformed/rss/item_dc_creator.xml", lambda f: _first(f).author, "Example editor"),
    (
        "wellformed/rss/item_guid_isPermaLink_map_link.xml",
        lambda f: _first(f).link,
        "http://guid.example.com/",
    ),
    (
        "wellformed/rss/item_pubDate.xml",
        lambda f: _first(f).published,
        datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC),
    ),
    ("wellformed/rss/rss_version_091_netscape.xml", lambda f: f.format, "rss0.91"),
    ("wellformed/rss/rss_version_092.xml", lambda f: f.format, "rss0.92"),
    ("wellformed/rss/rss_version_20.xml", lambda f: f.format, "rss2.0"),
    ("wellformed/rdf/rss_version_10_not_default_ns.xml", lambda f: f.format, "rss1.0"),
    ("wellformed/rdf/rss090_channel_title.xml", lambda f: f.title, "Example title"),
    ("wellformed/rdf/rss090_item_title.xml", lambda f: _first(f).title, "Item title"),
    ("wellformed/rdf/rdf_item_link.xml", lambda f: _first(f).link, "http://example.com/1"),
    ("wellformed/atom/atom_namespace_2.xml", lambda f: f.title, "Example Atom"),
    (
        "wellformed/atom/entry_issued.xml",
        lambda f: _first(f).published,
        datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC),
    ),
    (
        "wellformed/atom10/entry_content_inline_markup.xml",
        lambda f: _first(f).content_html,
        "Example <b>Atom</b>",
    ),
    (
        "wellformed/atom10/entry_content_div_escaped_markup.xml",
        lambda f: _first(f).content_html,
        "Example <b>Atom</b>",
    ),
    (
        "wellformed/atom10/entry_link_alternate_map_link_3.xml",
        lambda f: _first(f).link,
        "http://www.example.com/alternate",
    ),
    (
        "wellformed/atom10/entry_category_label.xml",
        lambda f: _first(f).categories,
        ("Atom 1.0 tests",),
    ),
    ("wellformed/atom10/entry_title_type_empty-no-crash.xml", lambda f: _first(f).title, "evil"),
    ("wellformed/cdf/item_href_map_link.xml", lambda f: _first(f).link, "http://www.example.org/"),
    (
        "wellformed/cdf/item_lastmod.xml",
        lambda f: _first(f).updated,
        datetime(2004, 4, 7, 4, 5, 43, tzinfo=UTC),
    ),
    ("wellformed/lang/feed_xml_lang_underscore.xml", lambda f: f.language, "en-US"),
    ("wellformed/lang/item_dc_language.xml", lambda f: _first(f).language, "en"),
    (
        "wellformed/media-rss/media_thumbnail.xml",
        lambda f: _first(f).images[0].url,
        "http://example.com/thumbnail.jpg",
    ),
    ("wellformed/xml/empty_xmlns_uri.xml", lambda f: f.title, "empty"),
    ("encoding/euc-kr.xml", lambda f: f.title, "\ub144"),
    ("encoding/demoronize-1.xml", lambda f: _first(f).summary_html, "don\u2019t"),
    ("entities/aacute.xml", lambda f: f.title, "testing \xe1 entity"),
    ("entities/nbsp.xml", lambda f: f.title, "testing \xa0 entity"),
    ("entities/doesnotexist.xml", lambda f: f.title, "testing &doesnotexist; entity"),
    ("entities/hex_entity_x_uppercase.xml", lambda f: _first(f).title, "A"),
    ("entities/attr_amp.xml", lambda f: f.link, "http://domain/?a=1&b=2"),
    ("illformed/always_strip_doctype.xml", lambda f: f.title, "found"),
    (
        "illformed/rss_item_link_corrupted_ampersands.xml",
        lambda f: _first(f).link,
        "http://link/get?a=1&b=2",
    ),
    ("json/example.json", lambda f: (f.title, len(f.items)), ("My Example Feed", 2)),
]


@pytest.mark.parametrize(
    ("name", "read", "expected"), EXPECTATIONS, ids=[e[0] for e in EXPECTATIONS]
)
def test_hand_translated_expectations(
    name: str, read: Callable[[ParsedFeed], object], expected: object
) -> None:
    body = (VENDORED / name).read_bytes()
    assert read(parse_feed(body, content_type_of(body))) == expected


@pytest.mark.conformance
def test_full_feedparser_corpus_parses() -> None:
    root = shared_data() / "feedparser-tests"
    files = corpus_files(root)
    assert len(files) > 2000
    problems = [problem for path in files if (problem := check_parses(root, path))]
    assert problems == []


def _feedparser_count(body: bytes) -> int:
    result = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    return len(result.entries)


def _our_count(body: bytes) -> int:
    try:
        return len(parse_feed(body).items)
    except ParseError:
        return 0  # not a feed (an XML catalogue, an HTML page): feedparser finds no entries either


@pytest.mark.conformance
def test_real_feeds_item_counts_match_feedparser() -> None:
    root = shared_data() / "feeds"
    # feedparser 6.0 does not read JSON Feed, so only XML feeds can be compared.
    files = [path for path in root.rglob("*") if path.suffix in (".xml", ".rss", ".atom")]
    assert len(files) > 80
    mismatches = {
        path.relative_to(root).as_posix(): (ours, theirs)
        for path in sorted(files)
        if (ours := _our_count(body := path.read_bytes())) != (theirs := _feedparser_count(body))
    }
    assert mismatches == {}
