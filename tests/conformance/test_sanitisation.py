"""Hostile HTML from feeds never reaches a published page.

Every sanitisation case of feedparser's corpus is parsed and normalised, and nothing that could run
script survives: no script element, no event-handler attribute, no ``javascript:``/``vbscript:``/
``data:`` URL, no CSS expression (no style attribute at all). The vendored cases are also published
and their article pages checked as a browser would receive them; the full corpus runs when
``../shared/data`` is present.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client
from lxml import html

from wiredesk.core.errors import ParseError
from wiredesk.ingest.formats import parse_feed
from wiredesk.ingest.normalize import normalize
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.write.desk import WriteDesk

VENDORED = Path(__file__).parents[1] / "fixtures" / "feedparser" / "wellformed" / "sanitize"
RECEIVED = datetime(2026, 11, 28, tzinfo=UTC)
_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|livescript|mocha)\s*:", re.IGNORECASE)
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "background", "poster",
                   "dynsrc", "lowsrc", "data", "xlink:href"}


def dangers(fragment: str) -> list[str]:
    """Everything in an HTML fragment that could execute script, described."""
    if not fragment.strip():
        return []
    found = []
    for element in html.fragments_fromstring(f"<div>{fragment}</div>")[0].iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag.lower() in {"script", "style", "object", "embed", "applet", "meta", "link", "base",
                           "form", "frame", "frameset"}:
            found.append(f"<{tag}> element")
        for name, value in element.attrib.items():
            compact = re.sub(r"[\x00-\x20]", "", value)
            if name.lower().startswith("on"):
                found.append(f"event handler {name}")
            if name.lower() == "style":
                found.append(f"style attribute {value!r}")
            if name.lower() in _URL_ATTRIBUTES and _SCHEME.match(compact):
                found.append(f"{name}={value!r}")
    return found


def corpus_dangers(path: Path) -> list[str]:
    try:
        feed = parse_feed(path.read_bytes())
    except ParseError:
        return []  # nothing is published from a payload that cannot be read
    problems = []
    for item in feed.items:
        article = normalize(item, received_at=RECEIVED)
        problems += dangers(article.body_html)
        problems += [f"markup in {name}" for name in ("headline", "summary", "byline")
                     if "<script" in getattr(article, name).lower()]
    return problems


@pytest.mark.parametrize("path", sorted(VENDORED.glob("*.xml")), ids=lambda p: p.name)
def test_vendored_case_is_sanitised(path: Path) -> None:
    assert corpus_dangers(path) == []


@pytest.mark.conformance
def test_every_corpus_sanitisation_case(shared_data: Path) -> None:
    cases = sorted((shared_data / "feedparser-tests" / "wellformed" / "sanitize").glob("*.xml"))
    assert len(cases) > 700
    failures = {path.name: problems for path in cases if (problems := corpus_dangers(path))}
    assert failures == {}


def page_dangers(page: bytes) -> list[str]:
    """Dangers in a whole page. The site's own JSON-LD block (which must parse) and search form are
    the only scripts and forms allowed."""
    tree = html.fromstring(page)
    found = []
    for script in tree.iter("script"):
        if script.get("type") != "application/ld+json":
            found.append("script element")
        else:
            json.loads(script.text or "")
        script.drop_tree()
    for form in tree.iter("form"):
        if form.get("action") == "/search/":  # the site's own search box
            form.drop_tree()
    body = html.tostring(tree, encoding="unicode")
    found += [d for d in dangers(body) if not d.startswith(("<link>", "<meta>", "<style>"))]
    return found


@pytest.mark.django_db
def test_published_pages_of_the_vendored_cases_are_clean(client: Client) -> None:
    published = 0
    for path in sorted(VENDORED.glob("*.xml")):
        source = local_source(path.stem)  # one source each: cases reuse the same item ids
        # The cases share their text; each must be published for its page to be checked.
        source.duplicate_policy = Source.DuplicatePolicy.KEEP_BOTH
        source.save(update_fields=["duplicate_policy"])
        try:
            process_payload(WriteDesk(), store_payload(source, path.read_bytes(),
                                                       origin=path.as_uri()))
        except ParseError:
            continue
    for story in Story.objects.all():
        response = client.get(story.get_absolute_url())
        assert response.status_code == 200
        assert page_dangers(response.content) == [], story.external_id
        published += 1
    assert published >= 90
