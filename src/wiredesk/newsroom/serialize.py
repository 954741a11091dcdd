"""Stories as ninjs-shaped JSON objects: the API's story object and the ``wiredesk export`` format.

:func:`story_to_ninjs` returns, for a story whose source, section and current version are loaded
(``public_stories()`` selects them; prefetch ``versions`` when asking for them in bulk)::

    uri               str   permanent URL of the story, from its id: the same for every version
    version           str   the current version's number (ninjs carries versions as strings)
    versioncreated    str   when the current version was made: last update, else first publication
    firstcreated      str   first publication
    pubstatus         str   "usable" when published, "canceled" when killed, "withheld" otherwise
    status            str   Wiredesk's status: published, embargoed, withheld, killed, expired,
                            held or unpublished
    type              str   always "text"
    headline          str
    byline            str   may be ""
    located           str   the dateline, may be ""
    body_html         str   sanitised HTML (sanitised at ingest); "" unless the publication
                            mode is "full"
    description_text  str   the summary, plain text
    language          str   BCP 47 tag as the source gave it, may be ""
    subject           list  [{"name": category}] from the source's categories
    associations      dict  the pictures the desk hosts (never the publisher's address), the
                            lead first: {"image1": {"type": "picture", "uri" (our largest JPEG
                            rendition, absolute), "mimetype", "width", "height",
                            "description_text" (caption), "body_text" (alt text),
                            "copyrightholder" (credit), "renditions": {"w640": {"href",
                            "width", "height", "mimetype"}, "w640-webp": ...}}, "image2": ...};
                            {} when the desk holds none (not yet stored, refused, or the
                            story's rights do not allow its pictures)
    links             list  [{"rel": "canonical", "href": the canonical page, ours or the
                             original's, by the rule in newsroom/canonical.py},
                             {"rel": "original", "href": the source's article}]
                            (the original only when the source gave its URL)
    source            dict  {"name", "slug", "url" (the source's feed or site URL, may be "")}
    section           dict | null   {"name", "slug"}
    times             dict  {"first_published", "updated" (null until a second version),
                             "received" (when we received the current version)}
    date_is_fallback  bool  true when the source's date could not be read and "received" stands in
    publication_mode  str   "full", "excerpt" (summary and a link to the original) or "headline"
                            (a link to the original only; no article page)
    gate              dict  the publication gate's decision: {"outcome" (publish, excerpt,
                            headline, hold, drop; "" before the gate existed), "reasons"
                            ([{"check", "outcome", "reason"}]), "timely" (false: undated or
                            stale, kept off the top of the home page and the news sitemap)}
    cluster           dict | null   the event cluster: {"id", "title", "uri" (its full-coverage
                            page)}; a merged duplicate has its story's cluster
    merged_into       dict | null   for a duplicate merged into another story: {"id", "uri",
                            "kind" ("version": its text became a version of that story; "copy":
                            listed there as also reported by), "by" (editor, "" for the desk)}
    also_reported_by  list  only with ``with_versions``: other sources' copies merged into this
                            story, [{"id", "source": {"name", "slug"}, "href" (their article,
                            may be ""), "kind"}], earliest first
    entities          list  people, organisations and places named: [{"id" (canonical id, the same
                            across stories, e.g. "person:joe-biden"), "name" (canonical name),
                            "type" (person, organisation, place), "count"}]; [] until enriched
    quotes            list  direct quotes: [{"text", "speaker" (name), "speaker_id" (entity id or
                            null), "partial" (quoted words inside reported speech)}]
    figures           list  key figures: [{"value" (number), "display" (as written), "unit"
                            ("" for counts, "USD", "%"...), "counts" (what it counts)}]
    places            list  countries (ISO 3166-1 alpha-2) and places: [{"type" ("country" or
                            "place"), "name", "country_code"}]; "dateline_place" names the
                            dateline's place
    topics            list  IPTC Media Topics (top level): [{"qcode", "label", "source"
                            ("subject": the source's own code, or "text"), "detail" (an aspect,
                            e.g. "migration of people", may be ""), "detail_qcode" (its qcode
                            when known, else "")}]
    tags              list  a few navigation tags (strings)
    summary           str   the source's summary, else one written from the lead ("" if none)
    enrichment        dict | null   {"version", "enriched_at", "methods"}: what made the fields
                            above; null until the story is enriched
    versions          list  only with ``with_versions``: [{"number", "received", "headline", "hash",
                            "published", "updated" (source's update time, may be null),
                            "superseded"}] oldest first

Times are ISO 8601 in UTC with a "Z". Field names are part of the API: add fields, never rename.
``wiredesk export`` writes this object extended with what a restore needs (the source's item id,
the source's set-up, the story's state, every version in full): see :mod:`.exports`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse

from wiredesk.newsroom.hosted import Hosted, hosted_pictures, ninjs_associations
from wiredesk.newsroom.models import Enrichment, Story, StoryVersion

_BYLINE_PREFIX = re.compile(r"^\s*by\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StoryImage:
    url: str
    caption: str = ""
    credit: str = ""


def pubstatus(status: str) -> str:
    """The ninjs pubstatus of a Wiredesk status."""
    return {"published": "usable", "killed": "canceled"}.get(status, "withheld")


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a "Z", the form feeds, JSON-LD and the API all use."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def web_url(url: str) -> str:
    """``url`` when it is an http(s) URL, else "". Links come from feeds, and a feed could carry
    ``javascript:`` or ``data:`` URLs into an href or src of ours."""
    return url if urlsplit(url.strip()).scheme.lower() in {"http", "https"} else ""


def byline_name(byline: str) -> str:
    """The name(s) in a byline, for author fields: "By Jane Doe" -> "Jane Doe"."""
    return _BYLINE_PREFIX.sub("", byline).strip()


def permanent_url(story: Story, base_url: str) -> str:
    """The story's permanent URL: from its id only, so it survives a new headline and slug.

    Feeds use it as the item guid and the API as the ninjs ``uri``; it redirects to the page."""
    return base_url.rstrip("/") + reverse("site:permalink", kwargs={"story_id": story.pk})


def page_url(story: Story, base_url: str) -> str:
    return base_url.rstrip("/") + story.get_absolute_url()


def story_images(version: StoryVersion) -> list[StoryImage]:
    """The version's images, skipping entries without an http(s) URL (the JSON is written by
    ingest as :class:`wiredesk.core.items.Image` fields)."""
    images = []
    for entry in version.images or []:
        url = web_url(str(entry.get("url") or "")) if isinstance(entry, dict) else ""
        if url:
            images.append(StoryImage(url, str(entry.get("caption") or ""),
                                     str(entry.get("credit") or "")))
    return images


def story_to_ninjs(story: Story, *, base_url: str, with_versions: bool = False,
                   enrichments: dict[int, Enrichment] | None = None,
                   pictures: dict[int, list[Hosted]] | None = None) -> dict[str, Any]:
    """The story's object. ``enrichments``: the Enrichment rows of a page of stories, fetched in
    bulk by the caller (see :func:`enrichments_of`); without it the story's is read here.
    ``pictures``: the page's hosted pictures (:func:`~.hosted.hosted_pictures`), likewise."""
    version = story.current_version
    if version is None:
        raise ValueError(f"story {story.pk} has no current version")
    ninjs: dict[str, Any] = {
        "uri": permanent_url(story, base_url),
        "version": str(version.number),
        "versioncreated": iso(story.last_updated_at or story.first_published_at),
        "firstcreated": iso(story.first_published_at),
        "pubstatus": pubstatus(story.status),
        "status": story.status,
        "type": "text",
        "headline": version.headline,
        "byline": version.byline,
        "located": version.dateline,
        # Only a licensed (full) story's text: an excerpt's or headline's is the publisher's.
        "body_html": version.body_html if story.publication_mode == "full" else "",
        "description_text": version.summary,
        "language": version.language,
        "subject": [{"name": str(name)} for name in version.categories or []],
        # The desk's own renditions only, never the publisher's address (newsroom/hosted.py).
        "associations": ninjs_associations(
            (pictures if pictures is not None else hosted_pictures([story], base_url))
            .get(story.pk, [])),
        "links": _links(story, version, base_url),
        "source": {"name": story.source.name, "slug": story.source.slug, "url": story.source.url},
        "section": ({"name": story.section.name, "slug": story.section.slug}
                    if story.section else None),
        "times": {
            "first_published": iso(story.first_published_at),
            "updated": iso(story.last_updated_at),
            "received": iso(version.received_at),
        },
        "date_is_fallback": version.date_is_fallback,
        "publication_mode": story.publication_mode,
        "gate": {"outcome": story.gate_outcome, "reasons": story.gate_reasons,
                 "timely": story.timely},
        "cluster": _cluster(story, base_url),
        "merged_into": _merged_into(story, base_url),
    }
    enrichment = (enrichments.get(story.pk) if enrichments is not None
                  else Enrichment.objects.filter(story=story).first())
    ninjs.update(enrichment_fields(enrichment, fallback_summary=version.summary))
    if with_versions:
        ninjs["also_reported_by"] = _also_reported_by(story)
        ninjs["versions"] = [_version(v) for v in story.versions.all()]
    return ninjs


def enrichments_of(stories: list[Story]) -> dict[int, Enrichment]:
    """The Enrichment rows of these stories, in one query."""
    return {row.story_id: row for row in Enrichment.objects.filter(
        story_id__in=[story.pk for story in stories])}


def enrichment_fields(enrichment: Enrichment | None, *, fallback_summary: str = ""
                      ) -> dict[str, Any]:
    """The enrichment's API fields (empty lists until the story is enriched)."""
    data: dict[str, Any] = enrichment.data if enrichment is not None else {}
    places = [{"type": "country", "name": c["name"], "country_code": c.get("country_code", "")}
              for c in data.get("countries", [])]
    places += [{"type": "place", "name": p["name"], "country_code": p.get("country_code", "")}
               for p in data.get("places", [])]
    return {
        "entities": [{"id": e["key"], "name": e["name"], "type": e["kind"], "count": e["count"]}
                     for e in data.get("entities", [])],
        "quotes": [{"text": q["text"], "speaker": q["speaker"],
                    "speaker_id": q.get("speaker_key") or None, "partial": q.get("partial", False)}
                   for q in data.get("quotes", [])],
        "figures": [{"value": f["value"], "display": f["display"], "unit": f["unit"],
                     "counts": f["counts"]} for f in data.get("figures", [])],
        "places": places,
        "dateline_place": data.get("dateline_place", ""),
        "topics": [{"qcode": t["qcode"], "label": t["label"], "source": t["source"],
                    "detail": t.get("detail", ""), "detail_qcode": t.get("detail_qcode", "")}
                   for t in data.get("topics", [])],
        "tags": list(data.get("tags", [])),
        "summary": fallback_summary or data.get("summary", ""),
        "enrichment": None if enrichment is None else {
            "version": enrichment.version, "enriched_at": iso(enrichment.enriched_at),
            "methods": data.get("methods", {})},
    }


def _cluster(story: Story, base_url: str) -> dict[str, Any] | None:
    cluster = story.cluster
    if cluster is None:
        return None
    return {"id": cluster.pk, "title": cluster.title,
            "uri": base_url.rstrip("/") + cluster.get_absolute_url()}


def _merged_into(story: Story, base_url: str) -> dict[str, Any] | None:
    if story.merged_into_id is None:
        return None
    return {"id": story.merged_into_id,
            "uri": base_url.rstrip("/") + reverse("site:permalink",
                                                  kwargs={"story_id": story.merged_into_id}),
            "kind": story.merge_kind, "by": story.merged_by}


def _also_reported_by(story: Story) -> list[dict[str, Any]]:
    copies = (Story.objects.filter(merged_into=story).select_related("source", "current_version")
              .order_by("first_published_at", "pk"))
    return [{"id": copy.pk, "source": {"name": copy.source.name, "slug": copy.source.slug},
             "href": web_url(copy.current_version.link) if copy.current_version else "",
             "kind": copy.merge_kind, "status": copy.status}
            for copy in copies]


def _links(story: Story, version: StoryVersion, base_url: str) -> list[dict[str, str]]:
    # The same canonical page as the story page, its JSON-LD and the sitemaps name.
    from wiredesk.newsroom.canonical import canonical_url  # imports this module

    links = [{"rel": "canonical", "href": canonical_url(story, version, base_url)}]
    if web_url(version.link):
        links.append({"rel": "original", "href": version.link})
    return links


def _version(version: StoryVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "received": iso(version.received_at),
        "headline": version.headline,
        "hash": version.content_hash,
        "published": iso(version.published_at),
        "updated": iso(version.source_updated_at),
        "superseded": version.is_superseded,
    }
