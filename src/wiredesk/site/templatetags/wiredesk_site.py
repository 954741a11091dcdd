"""Template helpers for the public site."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat

from wiredesk.newsroom.models import Story
from wiredesk.newsroom.serialize import StoryImage, story_images
from wiredesk.site.fragments import fragment
from wiredesk.site.nav import nav_sections
from wiredesk.site.teasers import teaser as teaser_text

register = template.Library()


@register.inclusion_tag("site/_nav.html", takes_context=True)
def site_nav(context: template.Context) -> dict[str, Any]:
    """The header's section links, on every page including the error pages."""
    listing = context.get("listing")
    current = listing.slug if listing is not None and listing.kind == "section" else None
    return {"sections": nav_sections(context.get("request")), "current": current}


@register.simple_tag(takes_context=True)
def story_fragment(context: template.Context, template_name: str, story: Story,
                   **options: Any) -> str:
    """``{% include template_name %}`` for ``story`` with ``options``, rendered once per version
    of the story and kept (wiredesk.site.fragments): a teaser in a listing."""
    return fragment(context, template_name, story, options)


@register.filter
def lead_image(story: Story) -> StoryImage | None:
    """The first image of the story's current version, for the lead story of a listing."""
    version = story.current_version
    images = story_images(version) if version is not None else []
    return images[0] if images else None


@register.filter
def teaser(text: str, words: int = 40) -> str:
    """A summary for a listing: whole sentences, no raw links (wiredesk.site.teasers)."""
    return teaser_text(str(text or ""), int(words))


# Teasers are rendered once per story version and kept (wiredesk.site.fragments), but every one
# is rendered when the kept ones are gone (a process start): a home page renders ~50. The
# filters below do what ``|timezone:tz|date:fmt``, ``|utc|date:'c'`` and ``{% url %}`` do in a
# teaser's meta line (site/_meta.html) at a third of the cost (the date filter looks its
# format up through the translation machinery; reverse() walks the URL patterns every time).

@register.filter
def in_zone(value: datetime | None, zone: tzinfo) -> datetime | None:
    """``value`` in ``zone`` (the page's ``display_tz``), as the ``timezone`` filter gives it."""
    return value.astimezone(zone) if value is not None else None


@register.filter
def formatted(value: datetime | None, fmt: str) -> str:
    """``value`` in Django's date format ``fmt``, as the ``date`` filter gives it."""
    return dateformat.format(value, fmt) if value is not None else ""


@register.filter
def utc_iso(value: datetime | None) -> str:
    """``value`` in UTC, ISO 8601 (``|utc|date:'c'``): a ``datetime`` attribute."""
    return value.astimezone(UTC).isoformat() if value is not None else ""


@register.filter
def source_url(slug: str) -> str:
    """``{% url 'site:source' slug %}``, reversed once per slug."""
    return _reversed("site:source", slug, settings.ROOT_URLCONF, get_urlconf(),
                     get_script_prefix())


@register.filter
def section_url(slug: str) -> str:
    """``{% url 'site:section' slug %}``, reversed once per slug."""
    return _reversed("site:section", slug, settings.ROOT_URLCONF, get_urlconf(),
                     get_script_prefix())


@lru_cache(maxsize=4096)
def _reversed(name: str, slug: str, root: str, urlconf: str | None, prefix: str) -> str:
    # (The URL configuration and script prefix are part of the key: a test may change them.)
    return reverse(name, args=[slug])
