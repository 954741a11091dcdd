"""Stored versions of the public listings: what every listing's validator is read from.

A *listing* is anything the site lists stories by: ``all`` (home, latest feeds, sitemaps, search),
``section:<slug>``, ``source:<slug>``, ``cluster:<id>``, ``entity:<slug>`` (people, organisations,
places, topics) and ``quotes:<slug>`` (what a person said). ``site`` is bumped when something every
listing shows but no story owns changes (a source or section renamed in the admin).

:func:`wiredesk.newsroom.write.publishing.publish_changes`, which every change to a story goes
through,
bumps the version of each listing the story was in when last published *and* of each it is in now
(:func:`bump_for_stories`), so a story leaving a listing (killed, moved to another section, split
from a cluster) changes that listing too. A validator is then one indexed read of a few rows
(:func:`read`), whatever the size of the archive. An event's row also keeps its public size
(:mod:`wiredesk.newsroom.write.event_sizes`), recounted with each bump.

Membership is taken over *all* stories of the listing's scope, public or not: publishing a change
to a story that is not shown still bumps its listings, which costs a needless revalidation at most.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Subquery

from wiredesk.newsroom.models import (
    Entity,
    ListingState,
    Section,
    Source,
    Story,
    StoryEntity,
    StoryListings,
    StoryQuote,
)
from wiredesk.newsroom.write import event_sizes, sitemap_flags

ALL = "all"
SITE = "site"
# Keys per statement: well under SQLite's and PostgreSQL's limits on bound parameters.
_CHUNK = 500


def section_key(slug: str) -> str:
    return f"section:{slug}"


def source_key(slug: str) -> str:
    return f"source:{slug}"


def cluster_key(cluster_id: int) -> str:
    return f"{event_sizes.PREFIX}{cluster_id}"


def entity_key(slug: str) -> str:
    return f"entity:{slug}"


def quotes_key(slug: str) -> str:
    return f"quotes:{slug}"


@dataclass(frozen=True, slots=True)
class State:
    """The combined state of some listings: a token that changes whenever any of them changes,
    and when the last of them changed (None when none has been published yet)."""

    token: str
    changed_at: datetime | None


def read(keys: Iterable[str]) -> State:
    """The state of these listings, in one query on the unique key index."""
    wanted = sorted(set(keys))
    rows = dict((key, (version, changed)) for key, version, changed in
                ListingState.objects.filter(key__in=wanted)
                .values_list("key", "version", "changed_at"))
    token = ",".join(f"{rows[key][0]}@{rows[key][1].timestamp():.6f}" if key in rows else "0"
                     for key in wanted)
    times = [changed for _, changed in rows.values()]
    return State(token, max(times) if times else None)


def current_keys(story_ids: Sequence[int], *, created: bool = False) -> dict[int, set[str]]:
    """The listings each story is in now (three statements for a batch; one for stories
    created in the calling transaction, which no entity or quote names yet: those are linked
    by enrichment, to stories already stored).

    Plain joins written out: every desk session asks this of the stories it published, and the
    ORM's compiling of them cost several times their execution."""
    quote = connection.ops.quote_name
    story, section, source = (quote(model._meta.db_table) for model in (Story, Section, Source))
    link, entity, quote_row = (quote(model._meta.db_table)
                               for model in (StoryEntity, Entity, StoryQuote))
    keys: dict[int, set[str]] = defaultdict(set)
    ids = sorted(set(story_ids))
    with connection.cursor() as cursor:
        for chunk in (ids[start:start + _CHUNK] for start in range(0, len(ids), _CHUNK)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT s.id, c.slug, o.slug, s.cluster_id FROM {story} s "
                           f"JOIN {source} o ON o.id = s.source_id "
                           f"LEFT JOIN {section} c ON c.id = s.section_id "
                           f"WHERE s.id IN ({marks})", chunk)
            for pk, section_slug, source_slug, cluster in cursor.fetchall():
                found = keys[pk]
                found.add(ALL)
                found.add(source_key(source_slug))
                if section_slug:
                    found.add(section_key(section_slug))
                if cluster is not None:
                    found.add(cluster_key(cluster))
            if created:
                continue
            cursor.execute(f"SELECT l.story_id, e.slug FROM {link} l "
                           f"JOIN {entity} e ON e.id = l.entity_id "
                           f"WHERE l.story_id IN ({marks})", chunk)
            for pk, slug in cursor.fetchall():
                keys[pk].add(entity_key(slug))
            cursor.execute(f"SELECT DISTINCT q.story_id, e.slug FROM {quote_row} q "
                           f"JOIN {entity} e ON e.id = q.speaker_id "
                           f"WHERE q.story_id IN ({marks})", chunk)
            for pk, slug in cursor.fetchall():
                keys[pk].add(quotes_key(slug))
    return keys


def bump_for_stories(story_ids: Sequence[int], at: datetime, *, created: bool = False
                     ) -> set[str]:
    """Bump every listing these stories were in when last published or are in now, and remember
    the latter for their next change. Call inside the transaction that changed them. Returns the
    keys bumped (the front caches are refreshed for them: wiredesk.newsroom.write.purge).

    ``created``: the stories were inserted in this transaction, so they were never published
    before and no entity or quote is linked to them yet: the statements reading and dating
    those are left out (they would find nothing)."""
    ids = sorted(set(story_ids))
    if not ids:
        return set()
    now = current_keys(ids, created=created)
    before: dict[int, str] = {} if created else dict(
        StoryListings.objects.filter(story_id__in=ids).values_list("story_id", "keys"))
    touched: set[str] = set()
    for pk in ids:
        touched |= now.get(pk, set())
        touched |= set(filter(None, before.get(pk, "").split("\n")))
    bump(touched, at)
    # The events' public sizes, under the lock the bump took on their rows (event_sizes).
    event_sizes.recount(event_sizes.cluster_ids(touched))
    rows = [StoryListings(story_id=pk, keys="\n".join(sorted(now[pk]))) for pk in ids
            if pk in now and "\n".join(sorted(now[pk])) != before.get(pk)]
    if rows:
        StoryListings.objects.bulk_create(rows, update_conflicts=True, unique_fields=["story"],
                                          update_fields=["keys"])
    sitemap_flags.refresh(ids)
    if created:
        return touched
    # Entity listings are read in publication order from the links themselves (see the
    # story_entity_listing index); links written since the last publication carry no date yet.
    StoryEntity.objects.filter(story_id__in=ids).update(published_at=Subquery(
        Story.objects.filter(pk=OuterRef("story_id")).values("first_published_at")[:1]))
    # A person's quotes likewise (the story_quote_listing index).
    StoryQuote.objects.filter(story_id__in=ids).update(published_at=Subquery(
        Story.objects.filter(pk=OuterRef("story_id")).values("first_published_at")[:1]))
    return touched


def bump(keys: Iterable[str], at: datetime) -> None:
    """Add one to the version of each listing (creating it), and move its time to ``at`` unless
    it is already later.

    One INSERT ... ON CONFLICT per chunk, the keys in sorted order: two transactions bumping
    overlapping listings lock their rows in the same order and cannot deadlock.
    """
    ordered = sorted(set(keys))
    table = connection.ops.quote_name(ListingState._meta.db_table)
    key, version, changed = (connection.ops.quote_name(name)
                             for name in ("key", "version", "changed_at"))
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start:start + _CHUNK]
            values = ", ".join(["(%s, 1, %s)"] * len(chunk))
            params: list[Any] = []
            stamp = connection.ops.adapt_datetimefield_value(at)
            for name in chunk:
                params += [name, stamp]
            cursor.execute(
                f"INSERT INTO {table} ({key}, {version}, {changed}) VALUES {values} "
                f"ON CONFLICT ({key}) DO UPDATE SET {version} = {table}.{version} + 1, "
                f"{changed} = CASE WHEN excluded.{changed} > {table}.{changed} "
                f"THEN excluded.{changed} ELSE {table}.{changed} END", params)
