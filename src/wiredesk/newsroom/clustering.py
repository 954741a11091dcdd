"""Event clusters: each new story joins the best event cluster or starts one.

The clustering itself is :mod:`wiredesk.cluster`; its state lives in database tables
(:class:`DatabaseStore`, over :mod:`wiredesk.newsroom.deskstate`), read and written by key as the
clusterer decides: the document counts of the story's own terms and entities, the candidate
clusters its heaviest terms point to (a posting table, each term's most recently active
:data:`~wiredesk.cluster.ClusterConfig.max_posting` clusters read), those few clusters'
summaries, and the clock. A process loads nothing at start and replays nothing; every process
reads the same rows, so a new one takes exactly the decisions an old one would; and a decision
costs a dozen indexed statements whatever the size of the archive or of the window.

The record of which story is in which cluster stays ``Story.cluster``. The clusterer runs inside
the duplicate desk's session (see :mod:`wiredesk.newsroom.duplicates`), so its decisions are
serialised across workers and its writes belong to the session's transaction: if that fails, they
are rolled back with it.

A database that has stories but no clusterer state yet (one upgraded from the in-memory
clusterer) is brought in once: the stories of recently active clusters are placed into their
stored clusters (:meth:`~wiredesk.cluster.Clusterer.place`), a cost of the window, paid once.

Only stories shown on their own are placed; a merged duplicate shares its story's cluster.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F, QuerySet

from wiredesk.cluster import Cluster as Summary
from wiredesk.cluster import ClusterConfig, ClusterDoc, Clusterer, cluster_title
from wiredesk.core.text import html_to_text
from wiredesk.newsroom import clock
from wiredesk.newsroom.deskstate import ClusterPosting, ClusterSummary, DeskCounter, TermCount
from wiredesk.newsroom.models import Cluster, Story

log = logging.getLogger(__name__)

TERMS, ENTITIES = 1, 2
CLOCK = "cluster.clock"
DOCUMENTS = {TERMS: "cluster.terms.documents", ENTITIES: "cluster.entities.documents"}
# Stands for "no story yet" (-inf) in a float column.
_NEVER = -1e300
_HOUR = 3600.0


def term_key(term: str) -> int:
    """A term (or entity) as a signed 64-bit integer: fixed width whatever the word."""
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _doc(story_id: int, headline: str, body_html: str, summary: str,
         published: datetime) -> ClusterDoc:
    return ClusterDoc(str(story_id), headline, html_to_text(body_html) or summary, published)


class _Counters:
    """The named numbers of :class:`DeskCounter`, read once per session and written through."""

    def __init__(self) -> None:
        self._values: dict[str, float | None] = {}

    def forget(self) -> None:
        self._values.clear()

    def get(self, name: str) -> float | None:
        if name not in self._values:
            self._values[name] = (DeskCounter.objects.filter(name=name)
                                  .values_list("value", flat=True).first())
        return self._values[name]

    def set(self, name: str, value: float) -> None:
        if self.get(name) is None:
            DeskCounter.objects.create(name=name, value=value)
        else:
            DeskCounter.objects.filter(name=name).update(value=value)
        self._values[name] = value

    def increment(self, name: str) -> float:
        current = self.get(name)
        if current is None:
            self.set(name, 1.0)
            return 1.0
        DeskCounter.objects.filter(name=name).update(value=F("value") + 1)
        self._values[name] = current + 1
        return current + 1


class _TableFrequencies:
    """Document frequencies in :class:`TermCount` rows: a story's keys are read and counted in
    two statements, and the IDF of those keys is then answered from what was read."""

    def __init__(self, kind: int, counters: _Counters) -> None:
        self.kind = kind
        self._counters = counters
        self._counts: dict[str, int] = {}
        self._documents = 0.0

    def add(self, keys: Iterable[str]) -> None:
        hashes = {key: term_key(key) for key in set(keys)}
        self._documents = self._counters.increment(DOCUMENTS[self.kind])
        if not hashes:
            self._counts = {}
            return
        stored = dict(TermCount.objects.filter(kind=self.kind, term__in=list(hashes.values()))
                      .values_list("term", "count"))
        self._counts = {key: stored.get(h, 0) + 1 for key, h in hashes.items()}
        table = TermCount._meta.db_table
        rows = ", ".join(["(%s, %s, 1)"] * len(hashes))
        params: list[int] = []
        for value in hashes.values():
            params += [self.kind, value]
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (kind, term, count) VALUES {rows} "
                           f"ON CONFLICT (kind, term) DO UPDATE SET count = {table}.count + 1",
                           params)

    def idf(self, key: str) -> float:
        """As :meth:`wiredesk.cluster.vocabulary.DocumentFrequencies.idf`."""
        return 1.0 + math.log((1 + self._documents) / (1 + self._counts.get(key, 0)))


class DatabaseStore:
    """A :class:`wiredesk.cluster.store.ClusterStore` in database rows (see the module
    docstring). Holds nothing between sessions: :meth:`forget` at each session's start."""

    def __init__(self, config: ClusterConfig | None = None) -> None:
        self.config = config or ClusterConfig()
        self._counters = _Counters()
        self.terms = _TableFrequencies(TERMS, self._counters)
        self.entities = _TableFrequencies(ENTITIES, self._counters)
        # Clusters read or written in this session (decisions are serialised, so they stay
        # what the database holds until the session ends).
        self._cache: dict[str, Summary] = {}

    def forget(self) -> None:
        """Drop what was read: another process may have changed it since."""
        self._counters.forget()
        self._cache.clear()

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

    def lookup(self, query: Mapping[str, float], limit: int) -> list[str]:
        """As :meth:`wiredesk.cluster.index.InvertedIndex.lookup` with ``max_posting``: each
        term reads at most ``max_posting + 1`` rows, and a term that fills them is too common
        to count unless every term is."""
        if not query:
            return []
        weights = {term_key(term): weight for term, weight in query.items()}
        table = ClusterPosting._meta.db_table
        cap = int(self.config.max_posting)
        branch = (f"SELECT * FROM (SELECT term, cluster_key, last_seen FROM {table} "
                  f"WHERE term = %s AND last_seen >= %s "
                  f"ORDER BY last_seen DESC LIMIT {cap + 1:d}) AS p")
        sql = " UNION ALL ".join(f"{branch}{n}" for n in range(len(weights)))
        params: list[float] = []
        for term in weights:
            params += [term, self._horizon()]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        postings: dict[int, list[tuple[float, str]]] = {}
        for term, cluster_key, last_seen in rows:
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
        missing = [cid for cid in cluster_ids if cid not in self._cache]
        if missing:
            rows = ClusterSummary.objects.filter(key__in=missing).values_list("key", "state")
            self._cache.update((key, Summary.from_state(state)) for key, state in rows)
        return {cid: self._cache[cid] for cid in cluster_ids
                if cid in self._cache and self._cache[cid].last_seen >= horizon}

    def save(self, cluster: Summary, member: str | None = None) -> None:
        self._cache[cluster.id] = cluster
        state = cluster.to_state()
        state["members"] = []  # the record is Story.cluster; a list here would only grow
        table = ClusterSummary._meta.db_table
        value = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, last_seen, state) VALUES (%s, %s, {value}) "
                "ON CONFLICT (key) DO UPDATE SET last_seen = excluded.last_seen, "
                "state = excluded.state",
                [cluster.id, cluster.last_seen, json.dumps(state)])
        ClusterPosting.objects.filter(cluster_key=cluster.id).delete()
        ClusterPosting.objects.bulk_create([
            ClusterPosting(term=term_key(term), cluster_key=cluster.id,
                           last_seen=cluster.last_seen)
            for term in dict.fromkeys(cluster.index_keys)])

    def drop(self, cluster_id: str) -> None:
        self._cache.pop(cluster_id, None)
        ClusterPosting.objects.filter(cluster_key=cluster_id).delete()
        ClusterSummary.objects.filter(key=cluster_id).delete()

    def cluster_of(self, story_id: str) -> str | None:
        """Always None: stories are placed once, when created (``Story.cluster`` is the record),
        so there is no story seen before to recognise."""
        return None

    def active(self) -> Iterator[Summary]:
        rows = ClusterSummary.objects.filter(last_seen__gte=self._horizon()).order_by("key")
        return (Summary.from_state(row.state) for row in rows.iterator())

    def _horizon(self) -> float:
        clock_now = self.clock
        if clock_now == float("-inf"):
            return _NEVER
        return clock_now - self.config.active_window_hours * _HOUR


class ClusterDesk:
    """Cluster decisions for one process, over the state in the database. Use :data:`clusters`.

    Holds no state between sessions, so a fresh desk -- a new process -- decides exactly as an
    old one would.
    """

    def __init__(self, config: ClusterConfig | None = None) -> None:
        self.config = config or ClusterConfig()
        self.store = DatabaseStore(self.config)
        self._clusterer = Clusterer(self.config, self.store)

    def reset(self) -> None:
        """Forget what was read from the database (it is read again on next use)."""
        self.store.forget()

    def sync(self) -> None:
        """Inside the duplicate desk's session: start from what the database says now."""
        self.store.forget()
        if not self.store.started:
            self._upgrade()

    def place_new(self, stories: Sequence[Story], texts: Mapping[int, str] | None = None
                  ) -> None:
        """Assign just-created stories (with their current version loaded) to clusters.
        ``texts``: their bodies as plain text by story id, when the caller has them already."""
        if not stories:
            return
        clusterer = self._clusterer
        now = clock.now()
        created: dict[str, Cluster] = {}
        joined: dict[str, tuple[int, str]] = {}  # key -> (stories added, latest title)
        keys: dict[int, str] = {}
        for story in stories:
            version = story.current_version
            assert version is not None
            text = (texts or {}).get(story.pk) or html_to_text(version.body_html) or \
                version.summary
            assignment = clusterer.assign(ClusterDoc(str(story.pk), version.headline, text,
                                                     story.first_published_at))
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
        for key, (added, title) in joined.items():
            Cluster.objects.filter(key=key).update(
                title=title, changed_at=now, story_count=F("story_count") + added)
        Cluster.objects.bulk_create(list(created.values()))
        by_key = dict(Cluster.objects.filter(key__in=[*created, *joined])
                      .values_list("key", "pk"))
        for story in stories:
            story.cluster_id = by_key.get(keys[story.pk])
        # One prepared statement for all rows: bulk_update's CASE over every row costs far more.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Story._meta.db_table} SET cluster_id = %s, cluster_score = %s "
                "WHERE id = %s",
                [(story.cluster_id, story.cluster_score, story.pk) for story in stories])

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


clusters = ClusterDesk()
