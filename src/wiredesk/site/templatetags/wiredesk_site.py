"""Template helpers for the public site."""

from __future__ import annotations

from typing import Any

from django import template

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
