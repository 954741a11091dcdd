"""The ``wiredesk export`` record: a story's API object plus everything needed to rebuild it.

Each line of an export is the story's ninjs-shaped object (:func:`~.serialize.story_to_ninjs`, with
its versions) extended so that nothing the desk knows about the story is lost, and so that
``wiredesk import`` (:mod:`wiredesk.newsroom.transports.restore`) can put it back as it was::

    wiredesk_export   int   the export format's version (:data:`EXPORT_FORMAT`); its presence
                            marks the line as a Wiredesk export: how ``wiredesk import`` knows one
    altids            dict  the story's identifiers, ninjs style:
                            {"wiredesk-story": our id (the number in ``uri``),
                             "wiredesk-source": the source's slug,
                             "source-item-id": the source's identifier of the item (RSS guid,
                             Atom id, ninjs uri, NewsML-G2 guid, NITF doc-id; else its link, else a
                             hash of title and body: ``story.identity_basis`` says which)}
    links             list  the API's links, plus {"rel": "via", "href": the source's feed or site
                            URL, "title": its name} when the source has a URL
    source            dict  the API's {"name", "slug", "url"} plus its set-up: "transport" (poll,
                            push, folder, local), "format", "section" ({"name", "slug"} | null),
                            "folder", "attribution_note", "canonical_policy", "duplicate_policy",
                            "topic_sections", "retention_days", "poll_interval", "is_active",
                            "publication_mode" ("" for the default).
                            Never its push token or HMAC key
    story             dict  the story's own record: "external_id", "identity_basis", "slug",
                            "status", "status_reason", "first_published_at", "last_updated_at",
                            "embargoed_until", "expires_at", "corrected_at", "correction_note",
                            "current_version" (the number of the version shown), "merged_into"
                            (the story it is part of, as {"wiredesk-source", "source-item-id"} |
                            null), "merge_kind", "merged_by", "merge_locked", "duplicate_check",
                            "publication_mode", "gate_outcome", "gate_reasons" (the gate's
                            findings: [{"check", "outcome", "reason"}]), "timely"
    versions          list  every version, oldest first: the API's {"number", "received",
                            "headline", "hash", "published", "updated", "superseded"} plus
                            "byline", "dateline", "body_html", "summary", "link", "language",
                            "images", "categories", "date_is_fallback", "unparsed_dates",
                            "source_version", "version_number", "version_created", "pubstatus",
                            "signals", "correction_note", "embargoed_until", "expires_at",
                            "located", "subjects", "urgency" and "from_story" (the merged story
                            whose text this version is, as {"wiredesk-source", "source-item-id"} |
                            null)

Stories are referred to by source slug and item id, never by our ids, which a restore cannot keep.
Not exported: event clusters and enrichment (rebuilt by the desk: the worker enriches restored
stories by itself), the raw payloads, stories' event logs, and sources' polling state.

Query stories with :data:`EXPORT_RELATED` selected and :func:`export_versions` prefetched.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from wiredesk.newsroom.models import Enrichment, Source, Story, StoryVersion
from wiredesk.newsroom.serialize import iso, story_to_ninjs

# Bump when a field changes meaning; restore refuses an export newer than it understands.
EXPORT_FORMAT = 1
MARKER = "wiredesk_export"
# altids keys.
STORY_ID = "wiredesk-story"
SOURCE_SLUG = "wiredesk-source"
ITEM_ID = "source-item-id"

EXPORT_RELATED = ("source", "source__section", "section", "current_version", "cluster",
                  "enrichment", "merged_into__source")


def export_versions() -> Prefetch:
    """The versions, with where a mirrored version came from, in one query per chunk."""
    return Prefetch("versions", queryset=StoryVersion.objects.select_related("from_story__source"))


def story_reference(story: Story) -> dict[str, str]:
    """How one story names another in an export (needs ``story.source``)."""
    return {SOURCE_SLUG: story.source.slug, ITEM_ID: story.external_id}


def export_record(story: Story, *, base_url: str) -> dict[str, Any]:
    """The story's export line (as a dict), the API's object extended as the module says."""
    enrichment: Enrichment | None = getattr(story, "enrichment", None)
    record = story_to_ninjs(story, base_url=base_url, with_versions=True,
                            enrichments={story.pk: enrichment} if enrichment is not None else {})
    source = story.source
    record[MARKER] = EXPORT_FORMAT
    record["altids"] = {STORY_ID: str(story.pk), **story_reference(story)}
    if source.url:
        record["links"].append({"rel": "via", "href": source.url, "title": source.name})
    record["source"] = source_record(source)
    record["story"] = _story(story)
    record["versions"] = [_version(version) for version in story.versions.all()]
    return record


def source_record(source: Source) -> dict[str, Any]:
    """A source's set-up, without its secrets (push token hash, HMAC key) or polling state."""
    return {
        "name": source.name, "slug": source.slug, "url": source.url,
        "transport": source.transport, "format": source.format,
        "section": ({"name": source.section.name, "slug": source.section.slug}
                    if source.section else None),
        "folder": source.folder, "attribution_note": source.attribution_note,
        "canonical_policy": source.canonical_policy, "duplicate_policy": source.duplicate_policy,
        "topic_sections": source.topic_sections, "retention_days": source.retention_days,
        "poll_interval": source.poll_interval, "is_active": source.is_active,
        "publication_mode": source.publication_mode,
    }


def _story(story: Story) -> dict[str, Any]:
    current = story.current_version
    return {
        "external_id": story.external_id, "identity_basis": story.identity_basis,
        "slug": story.slug, "status": story.status, "status_reason": story.status_reason,
        "first_published_at": iso(story.first_published_at),
        "last_updated_at": iso(story.last_updated_at),
        "embargoed_until": iso(story.embargoed_until), "expires_at": iso(story.expires_at),
        "corrected_at": iso(story.corrected_at), "correction_note": story.correction_note,
        "current_version": current.number if current is not None else None,
        "merged_into": (story_reference(story.merged_into) if story.merged_into is not None
                        else None),
        "merge_kind": story.merge_kind, "merged_by": story.merged_by,
        "merge_locked": story.merge_locked, "duplicate_check": story.duplicate_check,
        "publication_mode": story.publication_mode, "gate_outcome": story.gate_outcome,
        "gate_reasons": story.gate_reasons, "timely": story.timely,
    }


def _version(version: StoryVersion) -> dict[str, Any]:
    return {
        # The API's version fields, under the API's names...
        "number": version.number, "received": iso(version.received_at),
        "headline": version.headline, "hash": version.content_hash,
        "published": iso(version.published_at), "updated": iso(version.source_updated_at),
        "superseded": version.is_superseded,
        # ...and the rest of the version as stored.
        "byline": version.byline, "dateline": version.dateline, "body_html": version.body_html,
        "summary": version.summary, "link": version.link, "language": version.language,
        "images": version.images, "categories": version.categories,
        "date_is_fallback": version.date_is_fallback, "unparsed_dates": version.unparsed_dates,
        "source_version": version.source_version, "version_number": version.version_number,
        "version_created": iso(version.version_created), "pubstatus": version.pubstatus,
        "signals": version.signals, "correction_note": version.correction_note,
        "embargoed_until": iso(version.embargoed_until), "expires_at": iso(version.expires_at),
        "located": version.located, "subjects": version.subjects, "urgency": version.urgency,
        "from_story": (story_reference(version.from_story) if version.from_story is not None
                       else None),
    }
