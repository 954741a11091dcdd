"""Outbound feeds of every listing: RSS 2.0 and Atom 1.0 (Django's syndication framework) and JSON
Feed 1.1 (a small view of its own).

Every item's id is the story's permanent URL (``/story/<id>/``): it never changes with a new
version, headline or slug, so feed readers update an item instead of showing it twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, SyndicationFeed
from django.utils.html import escape

from wiredesk.newsroom.hosted import Hosted, hosted_pictures
from wiredesk.newsroom.models import Entity, Story, StoryQuote
from wiredesk.newsroom.serialize import (
    byline_name,
    iso,
    page_url,
    permanent_url,
    web_url,
)
from wiredesk.site.enriched import public_quotes, quote_anchor
from wiredesk.site.listings import Listing
from wiredesk.site.websub import HubAtom, HubRss, json_feed_hubs
from wiredesk.site.xml import xml_safe

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
Resolve = Callable[..., Listing]


def absolute(path: str) -> str:
    return settings.WIREDESK_BASE_URL + path


def feed_stories(listing: Listing) -> QuerySet[Story]:
    """The newest page of a listing: what every feed of it carries."""
    return listing.stories()[: settings.WIREDESK_PAGE_SIZE]


def lead_pictures(stories: list[Story]) -> dict[int, Hosted]:
    """Each story's lead picture as the desk hosts it (absolute URLs of our renditions), one
    query for the feed: a feed never names the publisher's image (newsroom/hosted.py)."""
    found = hosted_pictures(stories, settings.WIREDESK_BASE_URL)
    return {story_id: pictures[0] for story_id, pictures in found.items()}


def author(story: Story) -> str:
    """The byline's names, else the source: feed readers show it as the item's author."""
    version = story.current_version
    byline = byline_name(version.byline) if version is not None else ""
    return byline or story.source.name


def categories(story: Story) -> list[str]:
    names = [story.section.name] if story.section else []
    version = story.current_version
    names += [str(name) for name in (version.categories if version is not None else [])]
    return [xml_safe(name) for name in dict.fromkeys(names)]


class StoryFeed(Feed[Story, Listing]):
    """One listing as RSS 2.0 or Atom 1.0, chosen by ``feed_type``."""

    def __init__(self, resolve: Resolve, feed_type: type[SyndicationFeed]) -> None:
        self.resolve = resolve
        self.feed_type = feed_type
        self.format = "atom" if issubclass(feed_type, Atom1Feed) else "rss"

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Listing:
        return self.resolve(**kwargs)

    def title(self, listing: Listing) -> str:
        return xml_safe(f"{listing.title} — {settings.WIREDESK_SITE_NAME}")

    def link(self, listing: Listing) -> str:
        return absolute(listing.page_url)

    def feed_url(self, listing: Listing) -> str:
        return absolute(listing.feed_url(self.format))

    def description(self, listing: Listing) -> str:
        return xml_safe(listing.description)

    def subtitle(self, listing: Listing) -> str:  # Atom's name for the description
        return xml_safe(listing.description)

    def items(self, listing: Listing) -> list[Story]:
        stories = list(feed_stories(listing))
        # On the stories, not the feed: one feed object serves every request, threads included.
        pictures = lead_pictures(stories)
        for story in stories:
            story.hosted_picture = pictures.get(story.pk)  # type: ignore[attr-defined]
        return stories

    def item_enclosures(self, story: Story) -> list[Enclosure]:
        """The lead picture, our largest JPEG rendition (RSS <enclosure>, Atom
        <link rel="enclosure">)."""
        picture: Hosted | None = getattr(story, "hosted_picture", None)
        if picture is None:
            return []
        return [Enclosure(picture.largest.jpeg, str(picture.size_in_bytes()), "image/jpeg")]

    def item_title(self, story: Story) -> str:
        # Plain text, escaped once by the XML writer (Django's default escapes it twice).
        return xml_safe(story.headline)

    def item_description(self, story: Story) -> str:
        # RSS descriptions and Atom summaries (type="html") are HTML: escape the plain summary.
        return f"<p>{escape(xml_safe(story.summary))}</p>" if story.summary else ""

    def item_link(self, story: Story) -> str:
        # A headline-only story has no page of ours: the link goes to the original.
        if not story.has_page:
            return story.listing_url
        return page_url(story, settings.WIREDESK_BASE_URL)

    def item_guid(self, story: Story) -> str:
        return permanent_url(story, settings.WIREDESK_BASE_URL)

    def item_guid_is_permalink(self, story: Story) -> bool:
        return True

    def item_pubdate(self, story: Story) -> Any:
        return story.first_published_at

    def item_updateddate(self, story: Story) -> Any:
        return story.last_updated_at or story.first_published_at

    def item_author_name(self, story: Story) -> str:
        return xml_safe(author(story))

    def item_categories(self, story: Story) -> list[str]:
        return categories(story)


def rss(resolve: Resolve) -> StoryFeed:
    return StoryFeed(resolve, HubRss)


def atom(resolve: Resolve) -> StoryFeed:
    return StoryFeed(resolve, HubAtom)


class JsonFeed:
    """One listing as JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""

    def __init__(self, resolve: Resolve) -> None:
        self.resolve = resolve

    def __call__(self, request: HttpRequest, **kwargs: Any) -> JsonResponse:
        listing = self.resolve(**kwargs)
        return JsonResponse(json_feed(listing, list(feed_stories(listing))),
                            content_type="application/feed+json",
                            json_dumps_params={"ensure_ascii": False})


def json_feed(listing: Listing, stories: list[Story]) -> dict[str, Any]:
    pictures = lead_pictures(stories)
    return {
        "version": JSON_FEED_VERSION,
        "title": f"{listing.title} — {settings.WIREDESK_SITE_NAME}",
        "home_page_url": absolute(listing.page_url),
        "feed_url": absolute(listing.feed_url("json")),
        "description": listing.description,
        "language": settings.LANGUAGE_CODE,
        "authors": [{"name": settings.WIREDESK_SITE_NAME, "url": absolute("/")}],
        "items": [json_feed_item(story, pictures.get(story.pk)) for story in stories],
        **json_feed_hubs(),
    }


def json_feed_item(story: Story, picture: Hosted | None = None) -> dict[str, Any]:
    version = story.current_version
    item: dict[str, Any] = {
        "id": permanent_url(story, settings.WIREDESK_BASE_URL),
        "url": (page_url(story, settings.WIREDESK_BASE_URL) if story.has_page
                else story.listing_url),
        "title": story.headline,
        # JSON Feed needs content; like the RSS description it is the summary, not the body.
        "content_text": story.summary or story.headline,
        "summary": story.summary,
        "date_published": iso(story.first_published_at),
        "date_modified": iso(story.last_updated_at or story.first_published_at),
        "authors": [{"name": author(story)}],
        "tags": categories(story),
    }
    if version is not None:
        if web_url(version.link):
            item["external_url"] = version.link
        if version.language:
            item["language"] = version.language
    if picture is not None:
        item["image"] = picture.largest.jpeg  # ours, absolute; never the publisher's address
    return item


class QuoteFeed(Feed[StoryQuote, Entity]):
    """What one person said, as RSS 2.0: an item per quote, linking to it in its story."""

    feed_type = HubRss

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Entity:
        entity = Entity.objects.filter(slug=kwargs["slug"]).first()
        if entity is None:
            raise Http404("No such person.")
        return entity

    def title(self, entity: Entity) -> str:
        return xml_safe(f"What {entity.name} said — {settings.WIREDESK_SITE_NAME}")

    def link(self, entity: Entity) -> str:
        return absolute(reverse("site:entity-quotes", kwargs={"slug": entity.slug}))

    def description(self, entity: Entity) -> str:
        return xml_safe(f"Direct quotes attributed to {entity.name} in stories on "
                        f"{settings.WIREDESK_SITE_NAME}.")

    def items(self, entity: Entity) -> QuerySet[StoryQuote]:
        return public_quotes(entity)[: settings.WIREDESK_PAGE_SIZE]

    def item_title(self, quote: StoryQuote) -> str:
        text = quote.text if len(quote.text) <= 120 else quote.text[:117].rstrip() + "…"
        return xml_safe(f"“{text}”")

    def item_description(self, quote: StoryQuote) -> str:
        speaker = escape(xml_safe(quote.speaker_name))
        return (f"<p>“{escape(xml_safe(quote.text))}”</p><p>— {speaker}, "
                f"in “{escape(xml_safe(quote.story.headline))}”</p>")

    def item_link(self, quote: StoryQuote) -> str:
        return page_url(quote.story, settings.WIREDESK_BASE_URL) + "#" + quote_anchor(quote.text)

    def item_guid(self, quote: StoryQuote) -> str:
        return permanent_url(quote.story, settings.WIREDESK_BASE_URL) + "#" + quote_anchor(
            quote.text)

    def item_guid_is_permalink(self, quote: StoryQuote) -> bool:
        return False

    def item_pubdate(self, quote: StoryQuote) -> Any:
        return quote.story.first_published_at

    def item_author_name(self, quote: StoryQuote) -> str:
        return xml_safe(quote.speaker_name)
