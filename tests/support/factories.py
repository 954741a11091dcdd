"""Sections, sources, stories and versions made directly through the ORM, for tests of what readers
see.

Every function that creates or changes a story ends with ``publish_change(story)``, as production
does, so the search index, ``changed_at`` and everything derived from them are real.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from wiredesk.newsroom.models import Section, Source, Story, StoryVersion
from wiredesk.newsroom.write.publishing import publish_change

__all__ = [
    "add_version",
    "fresh_cache",
    "make_section",
    "make_source",
    "make_story",
    "section",
    "set_status",
    "source",
    "story",
]

DEFAULT_BODY = ("<p>Officials said the talks would continue next week.</p>"
                "<h2>NEXT STEPS</h2><p>A further meeting is planned.</p>")
# Versions a test asks for are spaced this far apart, the first at the publication time.
VERSION_SPACING = timedelta(minutes=30)


def make_section(name: str = "World", *, slug: str | None = None) -> Section:
    section, _ = Section.objects.get_or_create(slug=slug or slugify(name), defaults={"name": name})
    return section


def make_source(name: str = "Test Wire", *, slug: str | None = None,
                section: Section | None = None,
                canonical_policy: str = Source.Canonical.ORIGINAL,
                attribution_note: str = "",
                url: str = "https://wire.example/feed.xml") -> Source:
    return Source.objects.create(name=name, slug=slug or slugify(name), section=section,
                                 canonical_policy=canonical_policy,
                                 attribution_note=attribution_note, url=url)


def make_story(headline: str = "Leaders meet to discuss trade", *,
               body_html: str = DEFAULT_BODY,
               summary: str = "Officials said the talks would continue.",
               source: Source | None = None,
               section: Section | None = None,
               status: str = Story.Status.PUBLISHED,
               published_at: datetime | None = None,
               versions: int = 1,
               byline: str = "",
               dateline: str = "",
               link: str | None = None,
               images: Sequence[dict[str, Any]] = (),
               categories: Sequence[str] = (),
               language: str = "en",
               date_is_fallback: bool = False,
               slug: str | None = None) -> Story:
    """A story with ``versions`` versions (the last one current), published as production does.

    ``section`` defaults to the source's; ``source`` to a new source in a "World" section.
    """
    source = source or make_source(slug=f"wire-{uuid.uuid4().hex[:8]}", section=make_section())
    published_at = published_at or timezone.now() - timedelta(hours=1)
    external_id = uuid.uuid4().hex
    with transaction.atomic():
        story = Story.objects.create(
            source=source, external_id=external_id, identity_basis="guid",
            slug=slug or slugify(headline)[:100] or "story", section=section or source.section,
            status=status, headline=headline, summary=summary, first_published_at=published_at,
            version_count=0)
        fields = {"byline": byline, "dateline": dateline, "images": list(images),
                  "categories": list(categories), "language": language,
                  "date_is_fallback": date_is_fallback,
                  "link": f"https://wire.example/news/{external_id}" if link is None else link}
        for number in range(1, versions + 1):
            received = published_at + (number - 1) * VERSION_SPACING
            # Earlier versions differ in their body, as a wire's updates do.
            body = body_html if number == versions else f"{body_html}<p>(version {number})</p>"
            _store_version(story, headline=headline, body_html=body, summary=summary,
                           received_at=received, **fields)
        publish_change(story)
    return story


def add_version(story: Story, *, headline: str | None = None, body_html: str | None = None,
                received_at: datetime | None = None, **fields: Any) -> StoryVersion:
    """A new current version of ``story`` (an update from the source), published."""
    current = story.current_version
    assert current is not None
    inherited = {name: getattr(current, name) for name in (
        "byline", "dateline", "link", "language", "images", "categories", "summary")}
    inherited.update(fields)
    with transaction.atomic():
        version = _store_version(
            story, headline=headline or current.headline,
            body_html=body_html if body_html is not None else current.body_html,
            received_at=received_at or timezone.now(), **inherited)
        publish_change(story)
    return version


def set_status(story: Story, status: str) -> Story:
    """An editor holds, unpublishes or republishes the story."""
    with transaction.atomic():
        story.status = status
        story.save(update_fields=["status"])
        publish_change(story)
    return story


def _store_version(story: Story, *, headline: str, body_html: str, summary: str,
                   received_at: datetime, **fields: Any) -> StoryVersion:
    number = story.version_count + 1
    digest = hashlib.sha256(f"{headline}\x00{body_html}".encode()).hexdigest()
    version = StoryVersion.objects.create(
        story=story, number=number, received_at=received_at, headline=headline,
        body_html=body_html, summary=summary, published_at=story.first_published_at,
        source_updated_at=received_at if number > 1 else None, content_hash=digest, **fields)
    story.current_version = version
    story.version_count = number
    story.headline = headline
    story.summary = summary
    story.last_updated_at = received_at if number > 1 else None
    story.save(update_fields=["current_version", "version_count", "headline", "summary",
                              "last_updated_at"])
    return version


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Each test starts with empty caches: bodies and fragments cached by an earlier test (whose
    rows were rolled back) must not answer for this one."""
    for alias in settings.CACHES:
        caches[alias].clear()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture
def section(db: None) -> Section:
    return make_section("World")


@pytest.fixture
def source(section: Section) -> Source:
    return make_source("Test Wire", section=section)


@pytest.fixture
def story(source: Source) -> Story:
    return make_story(source=source, byline="By Jane Doe", dateline="WASHINGTON")
