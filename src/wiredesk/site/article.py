"""What an article page shows, worked out from a story: the view only finds the story and renders.

Also the one place that decides whether the public may see a story (:func:`find_public_story`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe

from wiredesk.core.gate import strip_teaser
from wiredesk.core.lifecycle import GONE_STATUSES, Status
from wiredesk.core.rights import Mode
from wiredesk.core.text import html_to_text
from wiredesk.newsroom import canonical
from wiredesk.newsroom.models import Source, Story, StoryVersion
from wiredesk.newsroom.queries import public_stories
from wiredesk.newsroom.serialize import (
    byline_name,
    iso,
    page_url,
    web_url,
)
from wiredesk.newsroom.write import editorial, gating
from wiredesk.site.enriched import StoryEnrichment, story_enrichment
from wiredesk.site.pictures import Shown, story_pictures

FALLBACK_DATE_NOTE = ("Time shown is when we received this story; the source's date could not "
                      "be read.")
# What json_script escapes, so that no string in the JSON can close the <script> element or open
# a comment; the JSON stays equivalent.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


GONE_NOTICES = {
    Status.KILLED: "The source of this story has withdrawn it, so it is no longer published here.",
    Status.WITHHELD: "The source of this story has withheld it for now, so it is not published "
                     "here.",
    Status.EXPIRED: "This story has expired: the source's licence to publish it has ended.",
}
# A kill by the site's own editors is not the source's doing, and the notice must not say it is.
EDITOR_KILL_NOTICE = "The editors of {site} have withdrawn this story, so it is no longer " \
                     "published here."
GONE_HEADINGS = {
    Status.KILLED: "This story has been withdrawn",
    Status.WITHHELD: "This story has been withheld",
    Status.EXPIRED: "This story has expired",
}


class StoryGone(Exception):
    """The story existed and was taken down (killed by its source or an editor, withheld or
    expired): 410 Gone, with a notice saying who took it down."""

    def __init__(self, story_id: int, status: Status, *, by_editor: bool = False) -> None:
        self.story_id, self.status, self.by_editor = story_id, status, by_editor
        super().__init__(self.notice)

    @property
    def notice(self) -> str:
        if self.status == Status.KILLED and self.by_editor:
            return EDITOR_KILL_NOTICE.format(site=settings.WIREDESK_SITE_NAME)
        return GONE_NOTICES[self.status]

    @property
    def heading(self) -> str:
        return GONE_HEADINGS[self.status]


class StoryMerged(Exception):
    """The story is a duplicate shown as part of another story: a permanent redirect there."""

    def __init__(self, story: Story) -> None:
        super().__init__(f"merged into story {story.pk}")
        self.story = story


def find_public_story(story_id: int) -> Story:
    """The story if the public may see it; StoryGone when its source withdrew it; StoryMerged
    when it is a duplicate of a story the public may see; else Http404.

    The single decision behind the article page, its permalink and the API detail. Embargoed and
    editor-held stories are simply not found: their existence is not disclosed.
    """
    story = public_stories().filter(pk=story_id).first()
    if story is None:
        status, merged_into = (Story.objects.filter(pk=story_id)
                               .values_list("status", "merged_into").first() or (None, None))
        if status in GONE_STATUSES:
            raise StoryGone(story_id, Status(status), by_editor=status == Status.KILLED
                            and editorial.killed_by_editor(story_id))
        if merged_into is not None and (root := public_stories().filter(pk=merged_into).first()):
            raise StoryMerged(root)
        raise Http404("No such story.")
    return story


def not_edited_note(source: Source) -> str:
    template = source.attribution_note or settings.WIREDESK_NOT_EDITED_NOTE
    return template.replace("{site}", settings.WIREDESK_SITE_NAME)


def canonical_url(story: Story, version: StoryVersion) -> str:
    """The rule every surface follows (wiredesk.newsroom.canonical): our page for full text
    unless the source's policy names the original; the original for an excerpt."""
    return canonical.canonical_url(story, version, settings.WIREDESK_BASE_URL)


def script_json(data: Any) -> SafeString:
    """JSON safe to place inside a <script> element."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))


@dataclass(frozen=True, slots=True)
class AlsoReported:
    """Another outlet's copy of the story, merged into it: shown under "Also reported by"."""

    source_name: str
    source_slug: str
    headline: str
    url: str  # the outlet's own page for it, when the feed gave one
    published_at: datetime


@dataclass(frozen=True, slots=True)
class Coverage:
    """The story's event cluster: a few other outlets' stories and the full-coverage link."""

    title: str
    url: str
    stories: list[Story]
    total: int  # stories in the cluster besides this one


def also_reported(story: Story) -> list[AlsoReported]:
    """The other sources of this story, once each, earliest first (killed copies left out)."""
    seen = {story.source_id}
    found = []
    for copy in (Story.objects.filter(merged_into=story, status=Story.Status.PUBLISHED)
                 .select_related("source", "current_version").order_by("first_published_at")):
        if copy.source_id in seen or copy.current_version is None:
            continue
        seen.add(copy.source_id)
        found.append(AlsoReported(copy.source.name, copy.source.slug, copy.headline,
                                  web_url(copy.current_version.link), copy.first_published_at))
    return found


RELATED_STORIES = 5


def related_coverage(story: Story) -> Coverage | None:
    """Other outlets' stories about the same event, newest first; None when there are none."""
    if story.cluster_id is None:
        return None
    others = (public_stories().filter(cluster_id=story.cluster_id).exclude(pk=story.pk)
              .defer("current_version__body_html"))
    listed = list(others[:RELATED_STORIES])
    if not listed:
        return None
    cluster = story.cluster
    assert cluster is not None
    return Coverage(cluster.title, cluster.get_absolute_url(), listed,
                    others.count() if len(listed) == RELATED_STORIES else len(listed))


@dataclass(frozen=True, slots=True)
class ArticlePage:
    story: Story
    version: StoryVersion
    versions: list[StoryVersion]
    images: list[Shown]  # the desk's stored pictures, the lead first
    url: str
    canonical_url: str  # ours or the original's: wiredesk.newsroom.canonical
    indexable: bool  # false: noindex (an excerpt with no original to name)
    original_url: str
    not_edited_note: str
    language: str
    json_ld: SafeString
    also_reported: list[AlsoReported] = field(default_factory=list)
    coverage: Coverage | None = None
    enrichment: StoryEnrichment | None = None
    fallback_date_note: str = field(default=FALLBACK_DATE_NOTE)
    # Excerpt mode (see wiredesk.core.rights): a short summary and a link instead of the text.
    excerpt: str = ""

    @property
    def is_excerpt(self) -> bool:
        return self.story.publication_mode != Source.Mode.FULL

    @property
    def is_updated(self) -> bool:
        return len(self.versions) > 1 and self.story.last_updated_at is not None

    @property
    def modified_at(self) -> datetime:
        return self.story.last_updated_at or self.story.first_published_at


# An excerpt shows at most this many words of the source's summary (else of its text).
EXCERPT_WORDS = 60


def excerpt_of(version: StoryVersion, limit: int = EXCERPT_WORDS) -> str:
    """A summary of at most ``limit`` words, cut at a word with an ellipsis when shortened."""
    words = strip_teaser(version.summary or html_to_text(version.body_html)).split()
    return " ".join(words[:limit]) + (" …" if len(words) > limit else "")


def article_page(story: Story, versions: list[StoryVersion]) -> ArticlePage:
    version = story.current_version
    assert version is not None  # public_stories() only yields stories with a current version
    excerpt = story.publication_mode != Source.Mode.FULL
    # An excerpt carries no picture unless the source licenses its items in full (the text was
    # only cut to an excerpt by the gate): a publisher's feed image is not ours to show.
    licensed = gating.source_mode(story.source) is Mode.FULL
    images = story_pictures(story) if not excerpt or licensed else []
    url = page_url(story, settings.WIREDESK_BASE_URL)
    canonical_page = canonical_url(story, version)
    return ArticlePage(
        story=story, version=version, versions=versions, images=images, url=url,
        canonical_url=canonical_page, indexable=canonical.indexable(story, version),
        original_url=web_url(version.link),
        not_edited_note=not_edited_note(story.source),
        language=version.language or settings.LANGUAGE_CODE,
        json_ld=script_json(news_article(story, version, images, canonical_page)),
        also_reported=also_reported(story),
        coverage=related_coverage(story),
        enrichment=None if excerpt else story_enrichment(story),
        excerpt=excerpt_of(version) if excerpt else "",
    )


def news_article(story: Story, version: StoryVersion, images: list[Shown],
                 url: str) -> dict[str, Any]:
    """schema.org NewsArticle for the page's JSON-LD; ``url`` is the canonical page (ours or the
    original's), as rel=canonical, og:url, the sitemaps and the API say."""
    byline = byline_name(version.byline)
    author = ({"@type": "Person", "name": byline} if byline
              else {"@type": "Organization", "name": story.source.name})
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": version.headline,
        "description": version.summary,
        "datePublished": iso(story.first_published_at),
        "dateModified": iso(story.last_updated_at or story.first_published_at),
        "author": [author],
        "publisher": {"@type": "Organization", "name": settings.WIREDESK_SITE_NAME,
                      "url": settings.WIREDESK_BASE_URL + "/"},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "isAccessibleForFree": True,
        "url": url,
    }
    if images:
        # The largest rendition of each (1200 pixels or more where the photo is that wide).
        data["image"] = [{"@type": "ImageObject", "url": image.absolute_share_url(),
                          "width": image.share_width, "height": image.share_height,
                          **({"caption": image.caption} if image.caption else {})}
                         for image in images]
    if story.section:
        data["articleSection"] = story.section.name
    if version.language:
        data["inLanguage"] = version.language
    return data
