"""The desk's own copies of a story's pictures as feeds and the API name them: absolute URLs of
our renditions, never the publisher's address (issue 15: a hot-linked image breaks offline, leaks
readers to a third party and cannot be resized; and a publisher's teaser image is not ours to
pass on).

A story has hosted pictures only when its rights allow the desk to show them
(:func:`wiredesk.newsroom.workers.pictures.may_host`) and the picture job stored them; otherwise
feeds and the API name no picture at all, as the pages show none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage

from wiredesk.newsroom.imagemodels import Picture
from wiredesk.newsroom.images import lead_index
from wiredesk.newsroom.models import Story


@dataclass(frozen=True, slots=True)
class Rendition:
    width: int
    height: int
    jpeg: str  # absolute URLs
    webp: str
    jpeg_name: str  # the storage's name, for its size


@dataclass(frozen=True, slots=True)
class Hosted:
    """One stored picture: its renditions, smallest first, and what describes it."""

    renditions: list[Rendition]
    caption: str
    credit: str
    alt: str

    @property
    def largest(self) -> Rendition:
        """What feeds and the API lead with (the largest rendition: 1600 pixels where the photo
        is that wide), as og:image and JSON-LD do."""
        return self.renditions[-1]

    def size_in_bytes(self) -> int:
        """The largest JPEG's size, for an RSS enclosure's ``length`` (0 when the storage cannot
        say)."""
        try:
            return int(default_storage.size(self.largest.jpeg_name))
        except (OSError, NotImplementedError):
            return 0


def _absolute(url: str, base_url: str) -> str:
    return url if url.startswith(("http://", "https://")) else base_url.rstrip("/") + url


def _hosted(picture: Picture, base_url: str) -> Hosted | None:
    rows = sorted((r for r in picture.renditions or [] if isinstance(r, dict)),
                  key=lambda r: int(r["width"]))
    if picture.status != Picture.Status.READY or not rows:
        return None
    url = default_storage.url
    return Hosted(
        renditions=[Rendition(int(r["width"]), int(r["height"]),
                              _absolute(url(r["jpeg"]), base_url),
                              _absolute(url(r["webp"]), base_url), str(r["jpeg"]))
                    for r in rows],
        caption=picture.caption, credit=picture.credit, alt=picture.alt)


def hosted_pictures(stories: Iterable[Story], base_url: str) -> dict[int, list[Hosted]]:
    """Each story's stored pictures, the lead first (chosen as the pages choose it); one query
    for the lot. Stories whose rights do not allow the desk to show pictures get none, even if
    an earlier version's pictures are still stored."""
    from wiredesk.newsroom.workers.pictures import may_host  # imports the write path

    allowed = {story.pk for story in stories if may_host(story)}
    if not allowed:
        return {}
    by_story: dict[int, list[Picture]] = {}
    for picture in (Picture.objects.filter(story_id__in=sorted(allowed),
                                           status=Picture.Status.READY)
                    .order_by("story_id", "position")
                    .only("story_id", "position", "status", "width", "height", "renditions",
                          "alt", "caption", "credit")):
        by_story.setdefault(picture.story_id, []).append(picture)
    found: dict[int, list[Hosted]] = {}
    for story_id, pictures in by_story.items():
        lead = lead_index([(p.width or 0, p.height or 0) for p in pictures])
        ordered = [pictures[lead], *(p for n, p in enumerate(pictures) if n != lead)]
        shown = [h for h in (_hosted(p, base_url) for p in ordered) if h is not None]
        if shown:
            found[story_id] = shown
    return found


def ninjs_associations(pictures: list[Hosted]) -> dict[str, dict[str, Any]]:
    """ninjs ``associations``: ``image1`` (the lead), ``image2``...; each names the largest
    rendition as its ``uri`` and every rendition, JPEG and WebP, under ``renditions``."""
    associations: dict[str, dict[str, Any]] = {}
    for number, picture in enumerate(pictures, start=1):
        largest = picture.largest
        renditions: dict[str, dict[str, Any]] = {}
        for r in picture.renditions:
            renditions[f"w{r.width}"] = {"href": r.jpeg, "width": r.width, "height": r.height,
                                         "mimetype": "image/jpeg"}
            renditions[f"w{r.width}-webp"] = {"href": r.webp, "width": r.width,
                                              "height": r.height, "mimetype": "image/webp"}
        associations[f"image{number}"] = {
            "type": "picture", "uri": largest.jpeg, "mimetype": "image/jpeg",
            "width": largest.width, "height": largest.height,
            "description_text": picture.caption, "body_text": picture.alt,
            "copyrightholder": picture.credit, "renditions": renditions}
    return associations
