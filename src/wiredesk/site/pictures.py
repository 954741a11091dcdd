"""The desk's stored pictures as pages show them: one figure per photo, with the sizes a browser
chooses from (``srcset``/``sizes``, WebP with a JPEG fallback), the pixel size that reserves its
space, alt text and a cleaned credit.

Pages never link a publisher's image: a story shows only the pictures the picture job stored
(:mod:`wiredesk.newsroom.workers.pictures`); until then, or when they were refused, it shows none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage

from wiredesk.newsroom.imagemodels import Picture
from wiredesk.newsroom.images import lead_index
from wiredesk.newsroom.models import Story

# A rendition at least this wide is what og:image and JSON-LD name (large previews want 1200).
SHARE_WIDTH = 1200

# How wide a picture is drawn, for the browser to pick a rendition before layout.
ARTICLE_SIZES = "(min-width: 46rem) 44rem, calc(100vw - 2rem)"
LEAD_SIZES = "(min-width: 68rem) 40rem, (min-width: 46rem) 60vw, calc(100vw - 2rem)"
THUMB_SIZES = "(min-width: 46rem) 10rem, 6rem"


@dataclass(frozen=True, slots=True)
class Shown:
    """One picture as a page shows it."""

    src: str  # the JPEG fallback at a middling width
    width: int  # the src rendition's pixel size: reserves the space, no layout shift
    height: int
    srcset: str  # JPEG renditions
    srcset_webp: str
    alt: str
    caption: str
    credit: str
    share_url: str  # the largest rendition (>= SHARE_WIDTH where the photo is that wide)
    share_width: int
    share_height: int

    def absolute_share_url(self) -> str:
        return _absolute(self.share_url)


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else \
        settings.WIREDESK_BASE_URL.rstrip("/") + url


def shown(picture: Picture, *, preferred: int = 640) -> Shown | None:
    renditions: list[dict[str, Any]] = [r for r in picture.renditions or []
                                        if isinstance(r, dict)]
    if picture.status != Picture.Status.READY or not renditions:
        return None
    renditions.sort(key=lambda r: int(r["width"]))
    base = next((r for r in renditions if int(r["width"]) >= preferred), renditions[-1])
    share = renditions[-1]
    url = default_storage.url
    return Shown(
        src=url(base["jpeg"]), width=int(base["width"]), height=int(base["height"]),
        srcset=", ".join(f"{url(r['jpeg'])} {r['width']}w" for r in renditions),
        srcset_webp=", ".join(f"{url(r['webp'])} {r['width']}w" for r in renditions),
        alt=picture.alt, caption=picture.caption, credit=picture.credit,
        share_url=url(share["jpeg"]), share_width=int(share["width"]),
        share_height=int(share["height"]))


def _ordered(pictures: list[Picture]) -> list[Picture]:
    """The lead first (chosen by size and shape, not feed order), then the rest in feed order."""
    if not pictures:
        return []
    lead = lead_index([(p.width or 0, p.height or 0) for p in pictures])
    return [pictures[lead], *(p for n, p in enumerate(pictures) if n != lead)]


def story_pictures(story: Story) -> list[Shown]:
    """The story's stored pictures, its lead first; one query."""
    pictures = list(Picture.objects.filter(story=story, status=Picture.Status.READY)
                    .order_by("position"))
    return [s for s in (shown(p, preferred=1024) for p in _ordered(pictures)) if s]


def lead_pictures(story_ids: Iterable[int]) -> dict[int, Shown]:
    """Each story's lead picture, by story id, for listings; one query for the lot."""
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    by_story: dict[int, list[Picture]] = {}
    for picture in (Picture.objects.filter(story_id__in=ids, status=Picture.Status.READY)
                    .order_by("story_id", "position")
                    .only("story_id", "position", "status", "width", "height", "renditions",
                          "alt", "caption", "credit")):
        by_story.setdefault(picture.story_id, []).append(picture)
    found: dict[int, Shown] = {}
    for story_id, pictures in by_story.items():
        lead = shown(_ordered(pictures)[0])
        if lead is not None:
            found[story_id] = lead
    return found


def attach(stories: Iterable[Story], found: dict[int, Shown] | None = None) -> None:
    """Set ``story.picture`` (the lead picture or None) on each story, for the templates;
    ``found``: the pictures already read (:func:`lead_pictures`) for these stories."""
    listed = list(stories)
    if found is None:
        found = lead_pictures(story.pk for story in listed)
    for story in listed:
        story.picture = found.get(story.pk)  # type: ignore[attr-defined]
