"""Event clusters: each new story joins the best event cluster or starts one.

The clustering itself is :mod:`wiredesk.cluster`; its state lives in database tables
(:class:`DatabaseStore`, over :mod:`wiredesk.newsroom.write.deskstate`), read and written by key as
the clusterer decides: the document counts of the story's own terms and entities, the candidate
clusters its heaviest terms point to (a posting table, each term's most recently active
:data:`~wiredesk.cluster.ClusterConfig.max_posting` clusters read), those few clusters'
summaries, and the clock. A process loads nothing at start and replays nothing; every process
reads the same rows, so a new one takes exactly the decisions an old one would; and a decision
costs a few indexed statements whatever the size of the archive or of the window. A batch of new
stories reads its term counts in one statement, and what the clusterer changes is written in a
few multi-row statements at the end of the session (:meth:`DatabaseStore.flush`).

The record of which story is in which cluster stays ``Story.cluster``. The clusterer runs inside
the duplicate desk's session (see :mod:`wiredesk.newsroom.write.duplicates`), so its decisions are
serialised across workers and its writes belong to the session's transaction: if that fails, they
are rolled back with it.

A database that has stories but no clusterer state yet (one upgraded from the in-memory
clusterer) is brought in once: the stories of recently active clusters are placed into their
stored clusters (:meth:`~wiredesk.cluster.Clusterer.place`), a cost of the window, paid once.

Only stories shown on their own are placed; a merged duplicate shares its story's cluster.

A process keeps the clusters it decoded between its sessions (:class:`DatabaseStore`), each with
the revision of the row it was read from or written as -- a random number each flush writes, so a
revision is never reused, not even by a rolled-back session -- and reads a kept cluster again only
if its row has another revision now (another process changed it); while no other process has
flushed since (the revision the last flush wrote, a counter, is still this process's own) it
trusts them without asking. A kept cluster is what decoding its row would give, field for field.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

import orjson
from django.db import connection
from django.db.models import QuerySet

from wiredesk.cluster import Cluster as Summary
from wiredesk.cluster import ClusterConfig, ClusterDoc, Clusterer, TextFeatures, cluster_title
from wiredesk.core.text import html_to_text
from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Cluster, Story
from wiredesk.newsroom.write.deskstate import (
    ClusterPosting,
    ClusterSummary,
    DeskCounter,
    TermCount,
    array_parameter,
    insert_objects,
    insert_rows,
)

log = logging.getLogger(__name__)

TERMS, ENTITIES = 1, 2
CLOCK = "cluster.clock"
# The revision the last flush gave the summaries it wrote (see the module docstring).
REVISION = "cluster.revision"
# Decoded summaries a process keeps between sessions: ~45 KB each, so ~45 MB at most.
KEPT_SUMMARIES = 1_000
# Stands for "no revision known": revisions are drawn from 1 to 2**52 (exact as counter floats).
_UNKNOWN = -1
DOCUMENTS = {TERMS: "cluster.terms.documents", ENTITIES: "cluster.entities.documents"}
# Stands for "no story yet" (-inf) in a float column.
_NEVER = -1e300
_HOUR = 3600.0
_T = TypeVar("_T")


@lru_cache(maxsize=1 << 16)
def term_key(term: str) -> int:
    """A term (or entity) as a signed 64-bit integer: fixed width whatever the word. (Cached:
    the same words come back story after story, and hashing was a tenth of the clusterer.)"""
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _doc(story_id: int, headline: str, body_html: str, summary: str,
         published: datetime) -> ClusterDoc:
    return ClusterDoc(str(story_id), headline, html_to_text(body_html) or summary, published)


class _Counters:
    """The named numbers of :class:`DeskCounter`, read once per session -- all of them, a few
    rows, in one statement at the first one asked for (one ORM query per name cost a few ms a
    session) --; changes are kept here and written by :meth:`flush` (decisions are serialised,
    so nobody else changes them meanwhile)."""

    def __init__(self) -> None:
        self._values: dict[str, float | None] = {}
        self._changed: set[str] = set()
        self._read = False

    def forget(self) -> None:
        self._values.clear()
        self._changed.clear()
        self._read = False

    def get(self, name: str) -> float | None:
        if not self._read:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT name, value FROM {DeskCounter._meta.db_table}")
                for key, value in cursor.fetchall():
                    self._values.setdefault(key, value)  # not over a change made meanwhile
            self._read = True
        return self._values.get(name)

    def set(self, name: str, value: float) -> None:
        self._values[name] = value
        self._changed.add(name)

    def increment(self, name: str) -> float:
        value = (self.get(name) or 0.0) + 1
        self.set(name, value)
        return value

    def flush(self) -> None:
        if not self._changed:
            return
        insert_rows(DeskCounter._meta.db_table, "name, value", "(%s, %s)",
                    [(name, self._values[name]) for name in sorted(self._changed)],
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value")
        self._changed.clear()


# Parameters per IN (...) list: well under SQLite's and PostgreSQL's limits.
_IN_BATCH = 900


def _batches(values: Sequence[_T], size: int = _IN_BATCH) -> Iterator[Sequence[_T]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class _TableFrequencies:
    """Document frequencies in :class:`TermCount` rows. The counts of a chunk's keys are read in
    one statement (:meth:`prefetch`), counted here as each story comes, and the increments written
    in one statement by :meth:`flush`; the IDF of a story's keys is answered from those counts."""

    def __init__(self, kind: int, counters: _Counters) -> None:
        self.kind = kind
        self._counters = counters
        self._known: dict[int, int] = {}  # term hash -> count, as stored plus counted here
        self._added: dict[int, int] = {}  # term hash -> increments not written yet
        self._counts: dict[str, int] = {}  # the last story's keys -> their counts
        self._documents = 0.0

    def forget(self) -> None:
        self._known.clear()
        self._added.clear()
        self._counts = {}

    def prefetch(self, keys: Iterable[str]) -> None:
        """Read the stored counts of these keys (those not read yet) in one statement."""
        self._read({value for value in map(term_key, keys) if value not in self._known})

    def add(self, keys: Iterable[str]) -> None:
        hashes = {key: term_key(key) for key in set(keys)}
        self._documents = self._counters.increment(DOCUMENTS[self.kind])
        # Not ``set(...) - self._known.keys()``: that copies and walks every key read this
        # session (tens of thousands) for each story.
        self._read({value for value in hashes.values() if value not in self._known})
        counts = {}
        for key, value in hashes.items():
            counts[key] = self._known[value] = self._known[value] + 1
            self._added[value] = self._added.get(value, 0) + 1
        self._counts = counts

    def idf(self, key: str) -> float:
        """As :meth:`wiredesk.cluster.vocabulary.DocumentFrequencies.idf`."""
        return 1.0 + math.log((1 + self._documents) / (1 + self._counts.get(key, 0)))

    def flush(self) -> None:
        """Write the increments counted since the last flush (one statement)."""
        if not self._added:
            return
        table = TermCount._meta.db_table
        insert_rows(table, "kind, term, count", "(%s, %s, %s)",
                    [(self.kind, value, added) for value, added in self._added.items()],
                    f"ON CONFLICT (kind, term) DO UPDATE SET count = {table}.count + "
                    "excluded.count")
        self._added.clear()

    def _read(self, hashes: set[int]) -> None:
        if not hashes:
            return
        table = TermCount._meta.db_table
        with connection.cursor() as cursor:  # plain SQL: the ORM cost more than the query
            if connection.vendor == "postgresql":  # one array: binding 900 values cost more
                cursor.execute(f"SELECT term, count FROM {table} WHERE kind = %s "
                               "AND term = ANY(%s::bigint[])",
                               [self.kind, array_parameter(sorted(hashes))])
                self._known.update(cursor.fetchall())
            else:
                for batch in _batches(sorted(hashes)):
                    marks = ", ".join(["%s"] * len(batch))
                    cursor.execute(f"SELECT term, count FROM {table} WHERE kind = %s "
                                   f"AND term IN ({marks})", [self.kind, *batch])
                    self._known.update(cursor.fetchall())
        for value in hashes:
            self._known.setdefault(value, 0)


@dataclass(slots=True)
class _Kept:
    """A decoded cluster kept between sessions, as its row was at ``revision``."""

    revision: int
    summary: Summary
    listed: tuple[int, ...]  # the term hashes its posting rows hold
    epoch: int  # DatabaseStore._epoch when it was last known to match its row


class DatabaseStore:
    """A :class:`wiredesk.cluster.store.ClusterStore` in database rows (see the module
    docstring). :meth:`begin` at each session's start; between sessions it keeps only decoded
    clusters, each checked against its row's revision before it is used again.

    Within a session, what the clusterer changes is kept here and written by :meth:`flush` (the
    desk flushes at the end of each session): clusters saved or dropped, the term counts and the
    counters. Decisions are serialised across processes, so nobody else reads or writes these
    rows meanwhile, and :meth:`lookup` answers as if every change were written already: the
    posting rows of changed clusters are read past and their new listings taken from memory.
    """

    def __init__(self, config: ClusterConfig | None = None) -> None:
        self.config = config or ClusterConfig()
        self._counters = _Counters()
        self.terms = _TableFrequencies(TERMS, self._counters)
        self.entities = _TableFrequencies(ENTITIES, self._counters)
        # Clusters read or written in this session (decisions are serialised, so they stay
        # what the database holds, or will hold at the flush, until the session ends).
        self._cache: dict[str, Summary] = {}
        # The term hashes each cluster's posting rows hold, for clusters read or written.
        self._listed: dict[str, tuple[int, ...]] = {}
        # Changed since the last flush: saved clusters (their state and listing as saved) and
        # dropped ones. Their posting rows are out of date until the flush.
        self._saved: dict[str, tuple[dict[str, object], float, tuple[int, ...]]] = {}
        self._dropped: set[str] = set()
        self._listings: dict[int, set[str]] = {}  # term hash -> saved clusters listed under it
        self._outdated: Counter[int] = Counter()  # term hash -> changed clusters' stored rows
        # The revision of each cluster in _cache: as read, or as this session's flush wrote it.
        self._revisions: dict[str, int] = {}
        # Between sessions: decoded clusters, least recently used first.
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        # Kept clusters of this epoch need no check: no other process has flushed since.
        self._epoch = 0
        self._last_revision: float | None = None  # the REVISION counter as this process knows it

    def begin(self) -> None:
        """At a session's start (inside its transaction): keep what the last session read and
        wrote, drop the rest, and see whether another process has flushed since."""
        self._keep()
        self._forget_session()
        revision = self._counters.get(REVISION)
        if revision is None or revision != self._last_revision:
            self._epoch += 1  # every kept cluster is checked against its row before use
            self._last_revision = revision

    def forget(self) -> None:
        """Drop everything read, kept or not written (a failed session; a new process)."""
        self._forget_session()
        self._kept.clear()
        self._last_revision = None

    def _forget_session(self) -> None:
        self._counters.forget()
        self.terms.forget()
        self.entities.forget()
        self._cache.clear()
        self._listed.clear()
        self._revisions.clear()
        self._clear_changes()

    def _keep(self) -> None:
        """Keep the clusters the last session read or wrote, as their rows now hold them."""
        changed = self._saved.keys() | self._dropped  # never flushed: not as any row holds them
        for key, summary in self._cache.items():
            revision = self._revisions.get(key)
            if revision is None or key in changed:
                continue
            summary.members = []  # as stored (the record is Story.cluster)
            # Its samples' affinity is kept: built one sample at a time, it holds what a decoded
            # one computes at once (the similarity is symmetric, and exact in any order).
            self._kept[key] = _Kept(revision, summary, self._listed[key], self._epoch)
            self._kept.move_to_end(key)
        while len(self._kept) > KEPT_SUMMARIES:
            self._kept.popitem(last=False)

    def prefetch(self, terms: Iterable[str], entities: Iterable[str]) -> None:
        self.terms.prefetch(terms)
        self.entities.prefetch(entities)

    @property
    def clock(self) -> float:
        value = self._counters.get(CLOCK)
        return float("-inf") if value is None or value <= _NEVER else value

    @property
    def started(self) -> bool:
        """Whether this database has clusterer state (see the upgrade note in the module)."""
        return self._counters.get(CLOCK) is not None

    def mark_started(self) -> None:
        if not self.started:
            self._counters.set(CLOCK, _NEVER)

    def advance(self, time: float, horizon: float) -> None:
        previous = self.clock
        self._counters.set(CLOCK, time)
        if previous == float("-inf") or time // _HOUR != previous // _HOUR:
            # Retired clusters leave the tables once an hour of stream time: the lookups ignore
            # them already (they read active clusters only); this keeps the tables small.
            ClusterPosting.objects.filter(last_seen__lt=horizon).delete()
            ClusterSummary.objects.filter(last_seen__lt=horizon).delete()
            for cluster_id in [key for key, (_, seen, _) in self._saved.items()
                               if seen < horizon]:
                self._unlist(cluster_id)  # retired before it was written: nothing to write
                del self._saved[cluster_id]

    def lookup(self, query: Mapping[str, float], limit: int) -> list[str]:
        """As :meth:`wiredesk.cluster.index.InvertedIndex.lookup` with ``max_posting``: each
        term reads at most ``max_posting + 1`` rows, and a term that fills them is too common
        to count unless every term is. (A term also reads one more row per changed cluster
        whose stored rows list it: those rows are read past, so that the others still fill.)"""
        if not query:
            return []
        weights = {term_key(term): weight for term, weight in query.items()}
        cap = int(self.config.max_posting)
        horizon = self._horizon()
        limits = {term: cap + 1 + self._outdated[term] for term in weights}
        with connection.cursor() as cursor:
            cursor.execute(*_postings_sql(limits, horizon))
            rows = cursor.fetchall()
        postings: dict[int, list[tuple[float, str]]] = {}
        for term, cluster_key, last_seen in rows:
            if cluster_key not in self._saved and cluster_key not in self._dropped:
                postings.setdefault(term, []).append((last_seen, cluster_key))
        for term in weights:
            for cluster_key in self._listings.get(term, ()):
                last_seen = self._saved[cluster_key][1]
                if last_seen >= horizon:
                    postings.setdefault(term, []).append((last_seen, cluster_key))
        rare = {term: p for term, p in postings.items() if len(p) <= cap}
        chosen = rare or {term: sorted(p, reverse=True)[:cap] for term, p in postings.items()}
        hits: dict[str, float] = {}
        for term, posting in chosen.items():
            for _, cluster_key in posting:
                hits[cluster_key] = hits.get(cluster_key, 0.0) + weights[term]
        ranked = sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))
        return [cluster_key for cluster_key, _ in ranked[:limit]]

    def get(self, cluster_ids: Sequence[str]) -> dict[str, Summary]:
        horizon = self._horizon()
        unchecked: dict[str, _Kept | None] = {}
        for cid in dict.fromkeys(cluster_ids):
            if cid in self._cache or cid in self._dropped:
                continue
            kept = self._kept.pop(cid, None)
            if kept is not None and kept.epoch == self._epoch:
                self._use(cid, kept.summary, kept.revision, kept.listed)
            else:
                unchecked[cid] = kept
        if unchecked:
            self._read(unchecked)
        return {cid: self._cache[cid] for cid in cluster_ids
                if cid in self._cache and self._cache[cid].last_seen >= horizon}

    def _read(self, wanted: Mapping[str, _Kept | None]) -> None:
        """Read clusters from their rows: a kept one's state only if its row's revision is
        another than the kept one's (the row's JSON text is decoded with orjson, _read_state)."""
        table = ClusterSummary._meta.db_table
        keys = list(wanted)
        with connection.cursor() as cursor:
            for batch in _batches(keys, _IN_BATCH // 2):  # two parameters a row
                pairs = ", ".join(["(%s, %s)"] * len(batch))
                params: list[Any] = []
                for key in batch:
                    kept = wanted[key]
                    params += [key, kept.revision if kept is not None else _UNKNOWN]
                cursor.execute(f"WITH k (key, revision) AS (VALUES {pairs}) "
                               f"SELECT s.key, s.revision, CASE WHEN s.revision = k.revision "
                               f"THEN NULL ELSE s.state END FROM k JOIN {table} s "
                               f"ON s.key = k.key", params)
                for key, revision, state in cursor.fetchall():
                    kept = wanted[key]
                    if state is None and kept is not None:
                        self._use(key, kept.summary, revision, kept.listed)
                    else:
                        summary = Summary.from_state(_read_state(state))
                        self._use(key, summary, revision, _hashes(summary.index_keys))

    def _use(self, key: str, summary: Summary, revision: int, listed: tuple[int, ...]) -> None:
        self._cache[key] = summary
        self._listed[key] = listed
        self._revisions[key] = revision

    def save(self, cluster: Summary, member: str | None = None) -> None:
        self._changing(cluster.id)
        self._cache[cluster.id] = cluster
        self._unlist(cluster.id)
        self._dropped.discard(cluster.id)
        state = cluster.to_state()  # as it is now: what a write now would have stored
        state["members"] = []  # the record is Story.cluster; a list here would only grow
        listed = _hashes(cluster.index_keys)
        self._saved[cluster.id] = (state, cluster.last_seen, listed)
        for term in listed:
            self._listings.setdefault(term, set()).add(cluster.id)

    def drop(self, cluster_id: str) -> None:
        self._changing(cluster_id)
        self._cache.pop(cluster_id, None)
        self._revisions.pop(cluster_id, None)
        self._unlist(cluster_id)
        self._saved.pop(cluster_id, None)
        self._dropped.add(cluster_id)

    def flush(self) -> None:
        """Write what changed since the last flush: a few statements, however many stories."""
        changed = sorted({*self._saved, *self._dropped})
        postings = ClusterPosting._meta.db_table
        summaries = ClusterSummary._meta.db_table
        value = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
        with connection.cursor() as cursor:
            for batch in _batches(changed):
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(f"DELETE FROM {postings} WHERE cluster_key IN ({marks})", batch)
            gone = sorted(self._dropped - self._saved.keys())
            for batch in _batches(gone):
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(f"DELETE FROM {summaries} WHERE key IN ({marks})", batch)
        revision = 0
        if changed:
            # A new revision for what this flush writes, never one a row had (even a row of a
            # session that rolled back): a process that kept a cluster reads it again.
            revision = secrets.randbits(52) + 1
            self._counters.set(REVISION, float(revision))
            self._last_revision = float(revision)
            for key in changed:
                self._revisions.pop(key, None)
            for key in self._saved:
                self._revisions[key] = revision
        insert_rows(summaries, "key, last_seen, state, revision", f"(%s, %s, {value}, %s)",
                    [(key, seen, orjson.dumps(state).decode(), revision)
                     for key, (state, seen, _) in sorted(self._saved.items())],
                    "ON CONFLICT (key) DO UPDATE SET last_seen = excluded.last_seen, "
                    "state = excluded.state, revision = excluded.revision")
        insert_rows(postings, "term, cluster_key, last_seen", "(%s, %s, %s)",
                    [(term, key, seen) for key, (_, seen, listed) in sorted(self._saved.items())
                     for term in listed])
        for key in gone:
            self._listed.pop(key, None)
        for key, (_, _, listed) in self._saved.items():
            self._listed[key] = listed
        self._clear_changes()
        self._counters.flush()
        self.terms.flush()
        self.entities.flush()

    def cluster_of(self, story_id: str) -> str | None:
        """Always None: stories are placed once, when created (``Story.cluster`` is the record),
        so there is no story seen before to recognise."""
        return None

    def active(self) -> Iterator[Summary]:
        self.flush()
        rows = ClusterSummary.objects.filter(last_seen__gte=self._horizon()).order_by("key")
        return (Summary.from_state(row.state) for row in rows.iterator())

    def _changing(self, cluster_id: str) -> None:
        """A cluster is about to change: its stored posting rows are out of date until the
        flush (counted, so that lookups read as many more rows as they will read past)."""
        if cluster_id not in self._saved and cluster_id not in self._dropped:
            self._outdated.update(self._listed.get(cluster_id, ()))

    def _unlist(self, cluster_id: str) -> None:
        """Take a changed cluster's listing (as saved, not yet written) out of memory."""
        saved = self._saved.get(cluster_id)
        for term in saved[2] if saved else ():
            listed = self._listings.get(term)
            if listed is not None:
                listed.discard(cluster_id)
                if not listed:
                    del self._listings[term]

    def _clear_changes(self) -> None:
        self._saved.clear()
        self._dropped.clear()
        self._listings.clear()
        self._outdated.clear()

    def _horizon(self) -> float:
        clock_now = self.clock
        if clock_now == float("-inf"):
            return _NEVER
        return clock_now - self.config.active_window_hours * _HOUR


def _read_state(stored: str | bytes | dict[str, Any]) -> dict[str, Any]:
    """A stored summary's state. Summaries are read and written as JSON text with orjson
    here: a summary is 5-40 KB of term weights, and the standard library's json cost
    several times as much (loads 166 vs 74 us, dumps 236 vs 19 us for 15 KB) -- a tenth of a
    story's clustering. Floats round-trip exactly either way, so the decisions are the same."""
    if isinstance(stored, dict):  # a driver that decodes JSON itself
        return stored
    state = orjson.loads(stored)
    if not isinstance(state, dict):
        raise ValueError("a cluster summary's state is not a JSON object")
    return state


def _hashes(terms: Iterable[str]) -> tuple[int, ...]:
    """The term hashes a cluster is listed under (each once, as its posting rows hold them)."""
    return tuple(dict.fromkeys(term_key(term) for term in terms))


def _postings_sql(limits: Mapping[int, int], horizon: float) -> tuple[str, list[Any]]:
    """The statement reading, for each term, its ``limits[term]`` most recent posting rows seen
    since ``horizon``.

    PostgreSQL: one index scan per term through a LATERAL join over arrays of the terms and
    their limits -- a few plan nodes and three parameters, where a UNION ALL of one branch per
    term (40-60 of them) cost more to plan, and to bind on the client, than to run (half the
    time on a test store: 0.6 vs 1.1-2.6 ms). SQLite has no arrays: there it stays the UNION
    ALL, which it plans cheaply."""
    table = ClusterPosting._meta.db_table
    if connection.vendor == "postgresql":
        return (f"SELECT p.term, p.cluster_key, p.last_seen "
                f"FROM unnest(%s::bigint[], %s::integer[]) AS k(term, most) "
                f"CROSS JOIN LATERAL (SELECT term, cluster_key, last_seen FROM {table} "
                f"WHERE term = k.term AND last_seen >= %s ORDER BY last_seen DESC "
                f"LIMIT k.most) AS p",
                [array_parameter(list(limits)), array_parameter(list(limits.values())),
                 horizon])
    branches, params = [], []
    for n, (term, most) in enumerate(limits.items()):
        branches.append(f"SELECT * FROM (SELECT term, cluster_key, last_seen FROM {table} "
                        f"WHERE term = %s AND last_seen >= %s ORDER BY last_seen DESC "
                        f"LIMIT {most:d}) AS p{n}")
        params += [term, horizon]
    return " UNION ALL ".join(branches), params


class ClusterDesk:
    """Cluster decisions for one process, over the state in the database; held by the process's
    :class:`~wiredesk.newsroom.write.desk.WriteDesk`.

    Holds no state between sessions, so a fresh desk -- a new process -- decides exactly as an
    old one would.
    """

    def __init__(self, config: ClusterConfig | None = None) -> None:
        self.config = config or ClusterConfig()
        self.store = DatabaseStore(self.config)
        self._clusterer = Clusterer(self.config, self.store)

    def reset(self) -> None:
        """Forget what was read from the database, kept clusters too (it is read again on next
        use): a failed session, or a desk that must decide as a new process would."""
        self.store.forget()

    def flush(self) -> None:
        """Write the clusterer's changed state rows, in a few statements: once per session, at
        its end (the session's lookups read its own changes from memory meanwhile)."""
        self.store.flush()

    def sync(self) -> None:
        """Inside the duplicate desk's session: start from what the database says now."""
        self.store.begin()
        if not self.store.started:
            self._upgrade()
            self.store.flush()

    def read_ahead(self, headline: str, text: str) -> TextFeatures:
        """What a story's text gives the clusterer (:meth:`Clusterer.read`), worked out before
        the session: ``headline`` and ``text`` as :meth:`place_new` will read them (the current
        version's headline, its body as plain text). Thread-safe: reads only the config."""
        return self._clusterer.read(headline, text)

    def place_new(self, stories: Sequence[Story], texts: Mapping[int, str] | None = None,
                  read: Mapping[int, TextFeatures] | None = None) -> None:
        """Assign just-created stories (with their current version loaded) to clusters, and
        write each story's cluster on its row. ``texts``: their bodies as plain text by story
        id, when the caller has them already; ``read``: their :meth:`read_ahead`, by story id,
        for those the caller has."""
        if not stories:
            return
        self.assign_new(stories, texts, read)
        # One prepared statement for all rows: bulk_update's CASE over every row costs far more.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Story._meta.db_table} SET cluster_id = %s, cluster_score = %s "
                "WHERE id = %s",
                [(story.cluster_id, story.cluster_score, story.pk) for story in stories])

    def assign_new(self, stories: Sequence[Story], texts: Mapping[int, str] | None = None,
                   read: Mapping[int, TextFeatures] | None = None) -> None:
        """:meth:`place_new` but for the stories' rows: their ``cluster_id`` and
        ``cluster_score`` are set on the objects, for a caller that writes the rows itself
        together with other columns (a story created by the desk is then written twice, once
        inserted and once updated: each UPDATE of an indexed column of a story is a new row
        version in every one of the table's indexes)."""
        if not stories:
            return
        clusterer = self._clusterer
        now = clock.now()
        created: dict[str, Cluster] = {}
        joined: dict[str, tuple[int, str]] = {}  # key -> (stories added, latest title)
        keys: dict[int, str] = {}
        docs = []
        for story in stories:
            version = story.current_version
            assert version is not None
            text = (texts or {}).get(story.pk) or html_to_text(version.body_html) or \
                version.summary
            docs.append(ClusterDoc(str(story.pk), version.headline, text,
                                   story.first_published_at))
        # One read of the frequencies for the whole batch.
        clusterer.prepare(docs, {str(pk): features for pk, features in (read or {}).items()})
        for story, doc in zip(stories, docs, strict=True):
            assignment = clusterer.assign(doc)
            story.cluster_score = assignment.score
            key = keys[story.pk] = assignment.cluster_id
            active = clusterer.cluster(key)
            title = cluster_title(active)[:500] if active is not None else story.headline
            if assignment.created:
                created[key] = Cluster(key=key, title=title, created_at=now, changed_at=now,
                                       story_count=1)
            elif key in created:
                created[key].story_count += 1
                created[key].title = title
            else:
                joined[key] = (joined.get(key, (0, ""))[0] + 1, title)
        if joined:  # one prepared statement for all of them, in key order
            stamp = connection.ops.adapt_datetimefield_value(now)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Cluster._meta.db_table} SET title = %s, changed_at = %s, "
                    "story_count = story_count + %s WHERE key = %s",
                    [(title, stamp, added, key) for key, (added, title) in sorted(joined.items())])
        insert_objects(list(created.values()))
        by_key = {key: cluster.pk for key, cluster in created.items()}
        if joined:
            table = connection.ops.quote_name(Cluster._meta.db_table)
            with connection.cursor() as cursor:
                for batch in _batches(sorted(joined)):
                    cursor.execute(f"SELECT key, id FROM {table} "
                                   f"WHERE key IN ({', '.join(['%s'] * len(batch))})", batch)
                    by_key.update(cursor.fetchall())
        for story in stories:
            story.cluster_id = by_key.get(keys[story.pk])

    def _upgrade(self) -> None:
        """Once per database: place the stories of recently active clusters (see the module)."""
        window = timedelta(hours=self.config.active_window_hours)
        recent = Story.objects.filter(cluster__changed_at__gte=clock.now() - window)
        self._replay(recent)
        self.store.mark_started()

    def _replay(self, stories: QuerySet[Story]) -> None:
        """Place stored stories into their stored clusters, oldest first."""
        rows = (stories.filter(merged_into__isnull=True, current_version__isnull=False,
                               cluster__isnull=False)
                .order_by("first_published_at", "pk")
                .values_list("pk", "current_version__headline", "current_version__body_html",
                             "current_version__summary", "first_published_at", "cluster__key"))
        for pk, headline, body_html, summary, published, key in rows:
            self._clusterer.place(_doc(pk, headline, body_html, summary, published), key)

