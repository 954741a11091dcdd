"""Restoring a ``wiredesk export`` file: ``wiredesk import stories.jsonl`` puts the stories back.

An export (see :mod:`wiredesk.newsroom.exports` for its fields) is recognised by its content: its
first line is a JSON object carrying the ``wiredesk_export`` marker (:func:`is_export`). It is not
ingested as a feed -- that would re-run every lifecycle and duplicate decision on text the desk
already decided -- but restored as it was:

* sources are found by slug, or created with their transport, format, URL, folder, section and
  policies; never with push secrets (the export has none): a restored push source accepts nothing
  until it is given a token with ``wiredesk source push-token``;
* each story is created with the same identity (source and item id), every version with its
  number, times and text, and the same lifecycle state: a killed story stays killed (and its
  identity tombstoned, as a kill leaves it), an embargoed one keeps its embargo time;
* merges are restored last, naming stories by source and item id, so a duplicate may come before
  the story it joined, or in another file of the same run.

Restoring never changes a story the desk already has (same source and item id): re-importing an
export is idempotent, and never rolls a story back. An identity tombstoned without a story (an
editor deleted it) is refused: a deleted story never comes back. Each story is restored in its own
transaction; a bad line is reported and the rest go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db import DatabaseError, transaction

from wiredesk.core.errors import WiredeskError
from wiredesk.core.text import html_to_text
from wiredesk.dedupe import fingerprint_to_bytes
from wiredesk.newsroom import clock
from wiredesk.newsroom.exports import EXPORT_FORMAT, ITEM_ID, MARKER, SOURCE_SLUG
from wiredesk.newsroom.models import Section, Source, Story, StoryEvent, StoryVersion, Tombstone
from wiredesk.newsroom.write.desk import WriteDesk
from wiredesk.newsroom.write.publishing import publish_change, publish_changes

__all__ = ["RestoreError", "RestoreReport", "is_export", "restore_files"]

# The first line of an export holds one whole story (its versions' bodies included).
_FIRST_LINE_LIMIT = 64 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"
RESTORED = "restored"  # the StoryEvent action of a restore


class RestoreError(WiredeskError):
    """An export line that cannot be restored; the message says which field and why."""


@dataclass(slots=True)
class RestoreReport:
    restored: int = 0
    present: int = 0  # already in the desk: left as they are
    refused: int = 0  # tombstoned without a story: deleted by an editor
    sources: list[str] = field(default_factory=list)  # slugs of the sources created
    problems: list[str] = field(default_factory=list)  # lines not restored, links not found...

    def summary(self) -> str:
        created = f"; sources created: {', '.join(self.sources)}" if self.sources else ""
        return (f"Wiredesk export: {self.restored} stories restored, {self.present} already "
                f"present, {self.refused} refused (deleted from the desk), "
                f"{len(self.problems)} problems{created}")


def is_export(path: Path) -> bool:
    """Whether ``path`` is a Wiredesk export: its first line is an object with the marker."""
    try:
        with path.open("rb") as handle:
            if not handle.read(64).removeprefix(_BOM).lstrip().startswith(b"{"):
                return False  # XML and the rest: not read any further
            handle.seek(0)
            first = handle.readline(_FIRST_LINE_LIMIT).removeprefix(_BOM).strip()
    except OSError:
        return False  # the feed importer reports unreadable files
    if MARKER.encode() not in first:
        return False
    try:
        record = json.loads(first)
    except ValueError:
        return False
    return isinstance(record, dict) and MARKER in record


def restore_files(desk: WriteDesk, paths: Iterable[Path], *,
                  now: datetime | None = None) -> RestoreReport:
    """Restore every story of these export files, then the merges between them. Versions are
    fingerprinted with ``desk``'s fingerprinter; the duplicate keys are written by its next
    session, like any stored version's."""
    restorer = _Restorer(desk, now or clock.now())
    for path in paths:
        restorer.restore_file(path)
    restorer.link()
    return restorer.report


@dataclass(frozen=True, slots=True)
class _Link:
    """A reference to restore once every story is in: a story merged into another (``version_id``
    None), or a version that is another story's text (``from_story``)."""

    story_id: int
    version_id: int | None
    target: tuple[str, str]  # (source slug, item id)
    where: str


class _Restorer:
    def __init__(self, desk: WriteDesk, now: datetime) -> None:
        self.desk = desk
        self.now = now
        self.report = RestoreReport()
        self.links: list[_Link] = []
        self._sources: dict[str, Source] = {}

    def restore_file(self, path: Path) -> None:
        try:
            handle = path.open("rb")
        except OSError as exc:
            self.report.problems.append(f"{path}: cannot read: {exc.strerror or exc}")
            return
        with handle:
            for number, line in enumerate(handle, start=1):
                line = line.removeprefix(_BOM).strip() if number == 1 else line.strip()
                if line:
                    self._restore_line(line, f"{path}:{number}")

    def _restore_line(self, line: bytes, where: str) -> None:
        try:
            record = json.loads(line)
        except ValueError as exc:  # json.JSONDecodeError and undecodable bytes
            self.report.problems.append(f"{where}: not JSON: {exc}")
            return
        try:
            if not isinstance(record, dict):
                raise RestoreError("not a JSON object")
            version = record.get(MARKER)
            if not isinstance(version, int) or not 1 <= version <= EXPORT_FORMAT:
                raise RestoreError(f"{MARKER} {version!r}: this Wiredesk reads export formats up "
                                   f"to {EXPORT_FORMAT}")
            # The source first, in a transaction of its own: a story that fails leaves it, and
            # the run's cache of sources, valid for the next line.
            with transaction.atomic():
                source = self._source(_object(record, "source"))
            with transaction.atomic():
                self._restore(record, source, where)
        except (RestoreError, DatabaseError) as exc:
            self.report.problems.append(f"{where}: not restored: {exc}")

    def _restore(self, record: dict[str, Any], source: Source, where: str) -> None:
        row = _object(record, "story")
        external_id = _text(row, "external_id", required=True)
        if Story.objects.filter(source=source, external_id=external_id).exists():
            self.report.present += 1
            return
        if Tombstone.objects.filter(source=source, external_id=external_id).exists():
            self.report.refused += 1
            return
        versions = [_object_at(entry, "versions") for entry in _list(record, "versions")]
        current_number = row.get("current_version")
        current = next((v for v in versions if v.get("number") == current_number), None)
        if current is None:
            raise RestoreError(f"current_version {current_number!r} is not among the versions")
        story = Story.objects.create(
            source=source, external_id=external_id,
            identity_basis=_text(row, "identity_basis") or "guid",
            slug=_text(row, "slug")[:100] or "story",
            section=_section(record.get("section")),
            status=_choice(row, "status", Story.Status.values),
            status_reason=_text(row, "status_reason")[:500],
            headline=_text(current, "headline")[:500], summary=_text(current, "summary"),
            first_published_at=_moment(row, "first_published_at"),
            last_updated_at=_time(row, "last_updated_at"), version_count=len(versions),
            embargoed_until=_time(row, "embargoed_until"), expires_at=_time(row, "expires_at"),
            corrected_at=_time(row, "corrected_at"),
            correction_note=_text(row, "correction_note"),
            merge_kind=(_choice(row, "merge_kind", Story.MergeKind.values)
                        if row.get("merge_kind") else ""),
            merged_by=_text(row, "merged_by")[:150], merge_locked=row.get("merge_locked") is True,
            duplicate_check=row.get("duplicate_check") or {}, changed_at=self.now,
            # The publication gate's decision (absent from exports made before the gate).
            publication_mode=_optional(row, "publication_mode", Source.Mode.values, "full"),
            gate_outcome=_text(row, "gate_outcome")[:10],
            gate_reasons=(row.get("gate_reasons")
                          if isinstance(row.get("gate_reasons"), list) else []),
            timely=row.get("timely") is not False)
        stored = StoryVersion.objects.bulk_create([_version(self.desk, story, v) for v in versions])
        story.current_version = next(v for v in stored if v.number == current_number)
        story.save(update_fields=["current_version"])
        if story.status == Story.Status.KILLED:  # as a kill leaves it: never published again
            Tombstone.objects.get_or_create(source=source, external_id=external_id,
                                            defaults={"reason": story.status_reason})
        StoryEvent.objects.create(story=story, at=self.now, action=RESTORED, status=story.status,
                                  version=story.current_version,
                                  cause=f"restored from a Wiredesk export ({where})"[:500])
        publish_change(story)
        self.report.restored += 1
        if (target := _reference(row, "merged_into")) is not None:
            self.links.append(_Link(story.pk, None, target, where))
        for entry, stored_version in zip(versions, stored, strict=True):
            if (target := _reference(entry, "from_story")) is not None:
                self.links.append(_Link(story.pk, stored_version.pk, target, where))

    def _source(self, data: dict[str, Any]) -> Source:
        slug = _text(data, "slug", required=True)
        if slug in self._sources:
            return self._sources[slug]
        source = Source.objects.filter(slug=slug).first()
        if source is None:
            source = _new_source(slug, data, self.report)
            self.report.sources.append(slug)
        self._sources[slug] = source
        return source

    def link(self) -> None:
        """Restore merges: each story or version pointing at another story, found by identity."""
        if not self.links:
            return
        with transaction.atomic():
            merged: dict[int, Story] = {}
            for link in self.links:
                slug, item_id = link.target
                target = Story.objects.filter(source__slug=slug, external_id=item_id).first()
                if target is None:
                    self.report.problems.append(
                        f"{link.where}: story {item_id!r} of {slug!r} is not in the desk; "
                        f"the merge with it was not restored")
                elif link.version_id is not None:
                    StoryVersion.objects.filter(pk=link.version_id).update(from_story=target)
                else:
                    Story.objects.filter(pk=link.story_id).update(merged_into=target)
                    merged[link.story_id] = target
            # A duplicate leaves listings and search once it is part of its story again.
            publish_changes(list(Story.objects.select_related("current_version")
                                 .filter(pk__in=list(merged))))


def _new_source(slug: str, data: dict[str, Any], report: RestoreReport) -> Source:
    transport = _choice(data, "transport", Source.Transport.values)
    url = _text(data, "url")
    if url and urlsplit(url).scheme.lower() not in {"http", "https"}:
        raise RestoreError(f"source {slug!r}: not an http(s) URL: {url!r}")
    folder = _text(data, "folder")
    if folder and Source.objects.filter(transport=Source.Transport.FOLDER, folder=folder).exists():
        # Two sources on one folder would race for its files: the first one keeps it.
        report.problems.append(f"source {slug!r}: {folder} is another source's drop folder; "
                               "restored without a folder")
        folder = ""
    if transport == Source.Transport.PUSH:
        report.problems.append(f"source {slug!r} is a push source restored without a token: "
                               "give it one with `wiredesk source push-token`")
    retention, interval = data.get("retention_days"), data.get("poll_interval")
    topic_sections = data.get("topic_sections")
    return Source.objects.create(
        name=_text(data, "name") or slug, slug=slug, transport=transport, url=url,
        format=_choice(data, "format", Source.Format.values), folder=folder,
        section=_section(data.get("section")),
        attribution_note=_text(data, "attribution_note"),
        canonical_policy=_choice(data, "canonical_policy", Source.Canonical.values),
        duplicate_policy=_choice(data, "duplicate_policy", Source.DuplicatePolicy.values),
        topic_sections=topic_sections if isinstance(topic_sections, dict) else {},
        retention_days=retention if isinstance(retention, int) and retention > 0 else None,
        poll_interval=interval if isinstance(interval, int) and interval > 0 else None,
        is_active=data.get("is_active") is not False,
        publication_mode=_optional(data, "publication_mode", Source.Mode.values, ""))


def _section(data: object) -> Section | None:
    if not isinstance(data, dict) or not _text(data, "slug"):
        return None
    slug = _text(data, "slug")[:100]
    section, _ = Section.objects.get_or_create(slug=slug,
                                               defaults={"name": _text(data, "name") or slug})
    return section


def _version(desk: WriteDesk, story: Story, data: dict[str, Any]) -> StoryVersion:
    number = data.get("number")
    if not isinstance(number, int) or number < 1:
        raise RestoreError(f"version number {number!r}")
    body_html, summary = _text(data, "body_html"), _text(data, "summary")
    own = _reference(data, "from_story") is None
    urgency = data.get("urgency")
    version_number = data.get("version_number")
    return StoryVersion(
        story=story, number=number, received_at=_moment(data, "received"),
        is_superseded=data.get("superseded") is True, headline=_text(data, "headline")[:500],
        byline=_text(data, "byline")[:500], dateline=_text(data, "dateline")[:200],
        body_html=body_html, summary=summary, link=_text(data, "link")[:2000],
        language=_text(data, "language")[:20], images=_json_list(data, "images"),
        categories=_json_list(data, "categories"),
        published_at=_moment(data, "published"),
        source_updated_at=_time(data, "updated"),
        date_is_fallback=data.get("date_is_fallback") is True,
        unparsed_dates=_json_list(data, "unparsed_dates"),
        content_hash=_text(data, "hash", required=True),
        source_version=_text(data, "source_version")[:100],
        version_number=version_number if isinstance(version_number, int) else None,
        version_created=_time(data, "version_created"),
        pubstatus=_text(data, "pubstatus") or "usable", signals=_json_list(data, "signals"),
        correction_note=_text(data, "correction_note"),
        embargoed_until=_time(data, "embargoed_until"), expires_at=_time(data, "expires_at"),
        located=_text(data, "located")[:200], subjects=_json_list(data, "subjects"),
        urgency=urgency if isinstance(urgency, int) and urgency >= 0 else None,
        # The story's own text is fingerprinted as ingest does (duplicates.item_text), so the
        # restored desk still recognises its copies; a mirrored version never is.
        fingerprint=(fingerprint_to_bytes(desk.duplicates.fingerprinter.fingerprint(
            html_to_text(body_html) or summary)) if own else None))


# -- reading fields ------------------------------------------------------------------------------


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    return _object_at(data.get(key), key)


def _object_at(value: object, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RestoreError(f"{key}: expected an object")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise RestoreError(f"{key}: expected a non-empty list")
    return value


def _json_list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise RestoreError(f"{key}: expected {'a non-empty' if required else 'a'} string")
    return value


def _optional(data: dict[str, Any], key: str, allowed: list[str], default: str) -> str:
    """A choice a newer export carries: the default when absent, refused when unknown."""
    if data.get(key) in (None, ""):
        return default
    return _choice(data, key, allowed)


def _choice(data: dict[str, Any], key: str, allowed: list[str]) -> str:
    value = data.get(key)
    if value not in allowed:
        raise RestoreError(f"{key}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _time(data: dict[str, Any], key: str) -> datetime | None:
    return None if data.get(key) is None else _moment(data, key)


def _moment(data: dict[str, Any], key: str) -> datetime:
    value = data.get(key)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise RestoreError(f"{key}: {value!r} is not an ISO 8601 time with its offset")
    return moment.astimezone(UTC)


def _reference(data: dict[str, Any], key: str) -> tuple[str, str] | None:
    """A story named by source slug and item id (see exports.story_reference), or None."""
    value = data.get(key)
    if value is None:
        return None
    reference = _object_at(value, key)
    return _text(reference, SOURCE_SLUG, required=True), _text(reference, ITEM_ID, required=True)
