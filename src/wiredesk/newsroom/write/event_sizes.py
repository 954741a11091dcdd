"""Stored public sizes of events: how many public stories an event (a cluster) has, from how many
sources -- what the front page ranks events by (wiredesk.site.front).

Counting them when the page is rendered read every public story of ~100 candidate events on
every cache miss of the home page (3-5 ms at a million stories). They are kept instead on the
event's listing state row (``ListingState`` ``cluster:<id>``: ``public_stories``,
``public_sources``), recounted by :func:`recount` whenever that listing is bumped
(:func:`wiredesk.newsroom.write.listing_state.bump_for_stories`), i.e. whenever a story joins or
leaves the event or changes its public state: a kill, a hold, an embargo released, a merge, a
re-clustering -- in the transaction that made the change, so a reader never sees the change
without its count.

**Concurrency.** The recount runs after the bump, which has locked the listing's row (INSERT ...
ON CONFLICT DO UPDATE, keys in sorted order); a second transaction changing the same event waits
for that lock, and its recount (a new statement: a new snapshot under READ COMMITTED) sees the
first one's committed change. No other lock is taken.

**Time.** A story is public only between its embargo time and its expiry time
(:func:`wiredesk.newsroom.queries.public_filter`), exact to the second even before the scheduler
publishes the change. So the counts are stored with ``public_until``, the earliest such time of
a story of the event still to come; from then on (and for an event without stored counts: never
bumped since this was introduced) :func:`sizes` counts that event from its stories, as before.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime

from django.db import connection
from django.db.models import Count

from wiredesk.newsroom import clock
from wiredesk.newsroom.models import ListingState, Story
from wiredesk.newsroom.queries import public_stories
from wiredesk.newsroom.write.deskstate import stored_time

PREFIX = "cluster:"  # an event's listing key (wiredesk.newsroom.write.listing_state.cluster_key)
# Ids per statement: well under SQLite's and PostgreSQL's limits on bound parameters.
_CHUNK = 500

Size = tuple[int, int]  # (public stories, their distinct sources)


def cluster_ids(keys: Iterable[str]) -> list[int]:
    """The events among listing keys."""
    return sorted(int(key[len(PREFIX):]) for key in keys if key.startswith(PREFIX))


def recount(ids: Collection[int] | None = None) -> None:
    """Store the public size of these events (``None``: of every event), and until when it
    holds. Call after their listings were bumped, in the same transaction (module docstring)."""
    if ids is None:
        counted = _counts(None)
        ids = counted.keys()
    else:
        counted = {}
        for chunk in _chunks(sorted(ids)):
            counted.update(_counts(chunk))
    table, stories_column, sources_column, until_column, key_column = (
        connection.ops.quote_name(name) for name in (
            ListingState._meta.db_table, "public_stories", "public_sources", "public_until", "key"))
    stamp = connection.ops.adapt_datetimefield_value
    rows = []
    for pk in sorted(ids):
        stories, sources, until = counted.get(pk, (0, 0, None))
        rows.append((stories, sources, stamp(until), f"{PREFIX}{pk}"))
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {stories_column} = %s, {sources_column} = %s, "
                           f"{until_column} = %s WHERE {key_column} = %s", rows)


def _counts(ids: Sequence[int] | None) -> dict[int, tuple[int, int, datetime | None]]:
    """(public stories, their sources, the next time one of them comes or goes) by event (of
    these events; ``None``: of every event), over the stories that are or will be public by
    the clock alone.

    One statement written out rather than built with the ORM: every desk session recounts the
    events it touched, and compiling the annotated query cost ten times its execution (~4 ms
    a session on a slow host). The conditions are :func:`wiredesk.newsroom.queries.public_filter`'s
    (tests/site/test_event_sizes.py checks the two agree)."""
    now = connection.ops.adapt_datetimefield_value(clock.now())
    public = ("(embargoed_until IS NULL OR embargoed_until <= %s) "
              "AND (expires_at IS NULL OR expires_at > %s)")
    scope = ("cluster_id IS NOT NULL" if ids is None
             else f"cluster_id IN ({', '.join(['%s'] * len(ids))})")
    sql = (f"SELECT cluster_id, COUNT(*) FILTER (WHERE {public}), "
           f"COUNT(DISTINCT source_id) FILTER (WHERE {public}), "
           f"MIN(embargoed_until) FILTER (WHERE embargoed_until > %s), "
           f"MIN(expires_at) FILTER (WHERE expires_at > %s) "
           f"FROM {connection.ops.quote_name(Story._meta.db_table)} "
           f"WHERE {scope} AND status = %s AND current_version_id IS NOT NULL "
           f"AND merged_into_id IS NULL GROUP BY cluster_id")
    params = [now, now, now, now, now, now, *(ids or ()), Story.Status.PUBLISHED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = {}
    for pk, stories, sources, released, expires in rows:
        coming = [t for t in (stored_time(released), stored_time(expires)) if t is not None]
        counts[pk] = (stories, sources, min(coming, default=None))
    return counts


def sizes(ids: Collection[int]) -> dict[int, Size]:
    """The public size of these events: stored (one read of their listing rows by key), or
    counted from their stories where none is stored or it has run out (module docstring).
    An event with no public story is (0, 0)."""
    now = clock.now()
    found: dict[int, Size] = {}
    for chunk in _chunks(sorted(ids)):
        for key, stories, sources, until in (
                ListingState.objects.filter(key__in=[f"{PREFIX}{pk}" for pk in chunk])
                .values_list("key", "public_stories", "public_sources", "public_until")):
            if stories is not None and sources is not None and (until is None or until > now):
                found[int(key[len(PREFIX):])] = (stories, sources)
    missing = sorted(set(ids) - found.keys())
    found.update(counted(missing))
    return found


def counted(ids: Collection[int]) -> dict[int, Size]:
    """The public size of these events counted from their stories, as it was done before it was
    stored (and is, where it is not)."""
    found: dict[int, Size] = dict.fromkeys(ids, (0, 0))
    for chunk in _chunks(sorted(ids)):
        rows = (public_stories().filter(cluster_id__in=chunk).order_by()
                .values("cluster_id").annotate(stories=Count("pk"),
                                               sources=Count("source_id", distinct=True)))
        found.update((row["cluster_id"], (row["stories"], row["sources"])) for row in rows)
    return found


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]
