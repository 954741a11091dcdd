"""The duplicate desk: near-duplicate decisions (:mod:`wiredesk.dedupe`) against the database.

The database is the record, and also the index: every stored version's lookup keys -- its LSH
buckets, exact hash and lead key (:mod:`wiredesk.dedupe.keys`) -- are rows of
:class:`~wiredesk.newsroom.write.deskstate.DuplicateKey` under an index on the key. A decision asks
for the versions sharing a key with the new item, received within :data:`KEEP`, reads those few
versions' stored fingerprints, and verifies them exactly as the in-memory index does
(:func:`wiredesk.dedupe.verified_matches`). So a process decides from its first item on: nothing
is loaded or replayed at start, and the cost of a decision depends on how many stored versions
share the item's buckets, never on the size of the archive. What the keys hold is read once a
session, for all the items of a chunk in one statement (:meth:`DuplicateDesk.prefetch`): key rows
are written only at a session's start, so that does not change while the session lasts.

Two bounds keep that cost flat even for templated copy, where thousands of stored versions share
the same buckets: each key reads at most :data:`PER_KEY` versions (the most recent), and at most
:data:`VERIFY` candidates are verified -- those sharing an exact or lead key first, then those
sharing the most bands (:func:`wiredesk.dedupe.rank_candidates`). Below those bounds the
candidates, and so the decisions, are the in-memory index's.

Key rows are written by :meth:`DuplicateDesk.sync`, at the start of each session: it indexes the
versions stored since the last one indexed (a counter in
:class:`~wiredesk.newsroom.write.deskstate.DeskCounter`), whoever stored them -- ingest, a restore,
any process -- and forgets keys older than :data:`KEEP`. Within a session, what the session itself
added (items of the same payload, stored or about to be) is in a small in-memory index that
dies with the session, so a failed transaction leaves nothing behind.

Decisions are serialised: the write desk's session
(:class:`~wiredesk.newsroom.write.desk.WriteDesk`) holds its process lock, and on PostgreSQL a
transaction-level advisory lock, from the catch-up to the commit. Otherwise two workers receiving
the same story through two feeds at the same moment could both find nothing and publish it twice.
Only the deciding and writing is serialised; fetching and parsing stay parallel.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Max, Min

from wiredesk.core.items import Article
from wiredesk.core.text import html_to_text
from wiredesk.dedupe import (
    Decision,
    DocMeta,
    Fingerprint,
    Fingerprinter,
    IndexConfig,
    IndexStats,
    KeyScheme,
    Match,
    NearDuplicateIndex,
    NewItem,
    Policy,
    best_first,
    decide,
    fingerprint_from_bytes,
    fingerprint_to_bytes,
    parse_headline,
    rank_candidates,
    verified_matches,
)
from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Source, Story, StoryVersion
from wiredesk.newsroom.write.deskstate import DeskCounter, DuplicateKey, insert_rows, stored_time

log = logging.getLogger(__name__)

# How long a version stays in the index after it was received. Longer than the match window
# (72 h between the two items' own times) so that a late copy still finds its original.
KEEP = timedelta(days=4)
# Stored versions read per lookup key, most recent first, and candidates verified per decision:
# the guard against templated copy (see the module docstring). Ordinary news shares a bucket
# with a handful of versions at most; these only bind when thousands do.
PER_KEY = 50
VERIFY = 64
# The DeskCounter holding the id of the last version whose keys are written.
INDEXED = "dedupe.indexed_version"
# Versions read per step when a desk first looks for where the window starts.
_STEP = 2000
# The PostgreSQL advisory lock that serialises duplicate decisions across processes.
ADVISORY_LOCK_KEY = 0x57D_D0_0E


@dataclass(frozen=True, slots=True)
class Doc:
    """An item as the index sees it: its fingerprint and metadata (``story_id`` left empty)."""

    fingerprint: Fingerprint
    meta: DocMeta
    text: str = field(default="", repr=False)  # the text fingerprinted, for the clusterer too

    @property
    def blob(self) -> bytes:
        """The fingerprint as stored with the version."""
        return fingerprint_to_bytes(self.fingerprint)


def item_text(article: Article) -> str:
    """The text compared: the body as plain text, or the summary when there is no body."""
    return html_to_text(article.body_html) or article.summary


def item_time(article: Article, received: datetime) -> datetime:
    """The item's own time: when this version was created, else published, else received."""
    return article.wire.version_created or article.published_at or received


class DuplicateDesk:
    """Duplicate decisions for one process: the rules for reading and writing the key rows.

    Holds no state between sessions but a fingerprinter, so a fresh desk -- a new process --
    takes exactly the decisions an old one would. A process holds one in its
    :class:`~wiredesk.newsroom.write.desk.WriteDesk`, whose sessions call :meth:`sync` and
    :meth:`reset`.
    """

    def __init__(self, config: IndexConfig | None = None) -> None:
        self.config = config or IndexConfig()
        self.fingerprinter = Fingerprinter()
        self.scheme = KeyScheme.for_config(self.config)
        self.stats = IndexStats()
        self._session: NearDuplicateIndex | None = None
        self._removed: set[str] = set()
        # Key -> the ids of its stored versions a lookup reads (PER_KEY, most recent first), as
        # read in this session: key rows are written only at a session's start (sync), so what
        # a key holds does not change until the session ends.
        self._stored_keys: dict[int, list[int]] = {}

    def reset(self) -> None:
        """Drop the session's additions (at its end); nothing else is kept."""
        self._session = None
        self._removed.clear()
        self._stored_keys.clear()

    def sync(self) -> None:
        """At the start of a session's transaction: take the cross-process lock, write the keys of
        the versions stored since the last session, and forget keys that left the window."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        self._session = NearDuplicateIndex(self.config)
        self._removed = set()
        self._stored_keys.clear()
        cutoff = clock.now() - KEEP
        self._catch_up(cutoff)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {DuplicateKey._meta.db_table} WHERE received_at < %s",
                           [_db_time(cutoff)])

    def describe(self, source: Source, article: Article, received: datetime) -> Doc:
        """Fingerprint an item (no lookup): every stored version gets one."""
        text = item_text(article)
        meta = DocMeta("", str(source.pk), item_time(article, received),
                       parse_headline(article.headline))
        return Doc(self.fingerprinter.fingerprint(text), meta, text)

    def prefetch(self, fingerprints: Iterable[Fingerprint]) -> None:
        """Read the stored versions under every key of these fingerprints (items about to be
        checked in this session) in one statement, instead of one statement an item."""
        self._ready()
        self._read_keys({key for fingerprint in fingerprints
                         for key in self.scheme.keys(fingerprint)})

    def check(self, source: Source, doc: Doc) -> Decision:
        """What a new item from ``source`` is: a new story, a version of a stored one, a
        syndicated copy, or a duplicate kept apart -- with the evidence (see dedupe.decide)."""
        return decide(NewItem(doc.meta.source_id, doc.meta.headline, doc.meta.time),
                      self.matches(doc.fingerprint, doc.meta), Policy(source.duplicate_policy))

    def matches(self, fingerprint: Fingerprint, meta: DocMeta) -> list[Match]:
        """Verified matches among the stored versions and this session's additions, best first."""
        session = self._ready()
        found = {match.doc_id: match for match in session.matches(fingerprint, meta)}
        for match in self._stored_matches(fingerprint, meta, exclude=session):
            found.setdefault(match.doc_id, match)
        return sorted(found.values(), key=best_first)

    def add(self, doc_id: str, story_id: str, doc: Doc, received: datetime) -> None:
        """Make a document a candidate for the rest of the session. ``doc_id`` is a stored
        version's id, or a placeholder for one about to be stored in this chunk; a stored
        version's keys are written by the next session's :meth:`sync`."""
        meta = DocMeta(story_id, doc.meta.source_id, doc.meta.time, doc.meta.headline)
        self._ready().add(doc_id, doc.fingerprint, meta)
        self._removed.discard(doc_id)

    def remove(self, doc_id: str) -> None:
        """No longer a candidate in this session (a placeholder replaced by its version)."""
        self._ready().remove(doc_id)
        self._removed.add(doc_id)

    def word_count(self, version_id: int) -> int | None:
        """The word count of a version this session added, or None (read its stored one)."""
        session = self._ready()
        doc_id = str(version_id)
        return session.fingerprint(doc_id).word_count if doc_id in session else None

    # -------------------------------------------------------------------------------- inside

    def _ready(self) -> NearDuplicateIndex:
        if self._session is None:
            raise RuntimeError("DuplicateDesk.sync() must run first, inside a session")
        return self._session

    def _stored_matches(self, fingerprint: Fingerprint, meta: DocMeta,
                        exclude: NearDuplicateIndex) -> list[Match]:
        """Candidates from the key rows (bounded, see the module docstring), verified."""
        keys = self.scheme.keys(fingerprint)
        if not keys:
            return []
        self._read_keys(set(keys))
        hits = {(doc_id, key) for key in keys for doc_id in map(str, self._stored_keys[key])
                if doc_id not in exclude and doc_id not in self._removed}
        if not hits:
            return []
        recency = {doc_id: float(doc_id) for doc_id, _ in hits}
        wanted = rank_candidates(sorted(hits), self.scheme.strong_keys(fingerprint), VERIFY,
                                 recency)
        return verified_matches(fingerprint, meta, self._stored(wanted), self.config.rules,
                                self.stats)

    def _read_keys(self, keys: set[int]) -> None:
        """Read what these keys hold (those not read yet in this session) into _stored_keys."""
        wanted = sorted(key for key in keys if key not in self._stored_keys)
        if not wanted:
            return
        cutoff = clock.now() - KEEP
        per_statement = _ARRAY_KEYS if connection.vendor == "postgresql" else _SQLITE_KEYS
        with connection.cursor() as cursor:
            for start in range(0, len(wanted), per_statement):
                batch = wanted[start:start + per_statement]
                for key in batch:
                    self._stored_keys[key] = []
                cursor.execute(*_candidates_sql(batch, cutoff))
                for version_id, key in cursor.fetchall():
                    self._stored_keys[key].append(version_id)

    def _stored(self, doc_ids: list[str]) -> Iterator[tuple[str, Fingerprint, DocMeta]]:
        """The stored fingerprints and metadata of some versions (unreadable ones skipped).

        Plain SQL, in the order the ORM would give (none: the caller sorts the matches): this
        runs for every item that has candidates, and building the query through the ORM cost
        more than running it."""
        if not doc_ids:
            return
        marks = ", ".join(["%s"] * len(doc_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT v.id, v.story_id, s.source_id, v.version_created, v.published_at, "
                f"v.headline, v.fingerprint FROM {StoryVersion._meta.db_table} v "
                f"JOIN {Story._meta.db_table} s ON s.id = v.story_id WHERE v.id IN ({marks})",
                [int(doc_id) for doc_id in doc_ids])
            rows = cursor.fetchall()
        for pk, story_id, source_id, created, published, headline, blob in rows:
            fingerprint = _readable(pk, blob)
            if fingerprint is not None:
                time = stored_time(created) or stored_time(published)
                assert time is not None  # published_at is NOT NULL
                yield str(pk), fingerprint, DocMeta(str(story_id), str(source_id), time,
                                                    parse_headline(headline))

    def _catch_up(self, cutoff: datetime) -> None:
        """Write the keys of versions stored since the last ones indexed (received inside the
        window; own texts only, not mirrored copies), and move the counter past them."""
        # Plain SQL: this runs at the start of every session (every polled feed that changed),
        # and building these two reads through the ORM cost more than running them.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT value FROM {DeskCounter._meta.db_table} WHERE name = %s",
                           [INDEXED])
            found = cursor.fetchone()
        counter = found[0] if found else None
        last = int(counter) if counter is not None else self._window_start(cutoff)
        keys: list[tuple[int, int, str | datetime | None]] = []
        newest = last
        for pk, blob, stored_at, from_story in _versions_after(last):
            newest = pk
            received = stored_time(stored_at)
            if blob is None or from_story is not None or received is None or received < cutoff:
                continue
            fingerprint = _readable(pk, blob)
            if fingerprint is not None:
                at = _db_time(received)
                keys += [(key, pk, at) for key in self.scheme.keys(fingerprint)]
        # Multi-row statements of plain values: bulk_create built each row through the ORM.
        insert_rows(DuplicateKey._meta.db_table, "key, version_id, received_at",
                    "(%s, %s, %s)", keys)
        with connection.cursor() as cursor:
            if newest != last or counter is None:
                cursor.execute(f"INSERT INTO {DeskCounter._meta.db_table} (name, value) "
                               "VALUES (%s, %s) ON CONFLICT (name) DO UPDATE "
                               "SET value = excluded.value", [INDEXED, float(newest)])

    @staticmethod
    def _window_start(cutoff: datetime) -> int:
        """The first time a desk runs on a database (an upgrade): a version id below every
        version received inside the window, found by stepping back from the newest version --
        work in proportion to the window, once, never to the archive."""
        start = StoryVersion.objects.aggregate(top=Max("pk"))["top"] or 0
        while start > 0:
            low = max(0, start - _STEP)
            oldest = (StoryVersion.objects.filter(pk__gt=low, pk__lte=start)
                      .aggregate(oldest=Min("received_at"))["oldest"])
            start = low
            if oldest is not None and oldest < cutoff:
                break
        return start


def _versions_after(last: int) -> Iterator[tuple[int, object, datetime, int | None]]:
    """Id, fingerprint, time received and merged-from story of the versions stored after
    ``last``, in id order, read in steps (a first catch-up may span days of versions)."""
    table = StoryVersion._meta.db_table
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, fingerprint, received_at, from_story_id FROM {table} "
                           f"WHERE id > %s ORDER BY id LIMIT {_STEP:d}", [last])
            rows = cursor.fetchall()
        yield from rows
        if len(rows) < _STEP:
            return
        last = rows[-1][0]


# Keys per statement read by _read_keys. SQLite: a UNION ALL branch each, two parameters each
# (under its 500 compound SELECTs and its oldest parameter limit, 999); PostgreSQL: one array.
_SQLITE_KEYS = 400
_ARRAY_KEYS = 5_000


def _candidates_sql(keys: list[int], cutoff: datetime) -> tuple[str, list[Any]]:
    """The statement reading each key's :data:`PER_KEY` most recent versions in the window.

    PostgreSQL: one index scan per key through a LATERAL join over the array of keys -- a plan
    of a few nodes, where a UNION ALL of one branch per key (~44) cost more to plan than to run.
    SQLite has no arrays: there it stays the UNION ALL, which it plans cheaply."""
    table = DuplicateKey._meta.db_table
    if connection.vendor == "postgresql":
        return (f"SELECT d.version_id, k.key FROM unnest(%s::bigint[]) AS k(key) "
                f"CROSS JOIN LATERAL (SELECT version_id FROM {table} WHERE key = k.key "
                f"AND received_at >= %s ORDER BY received_at DESC LIMIT {PER_KEY:d}) AS d",
                [keys, cutoff])
    branch = (f"SELECT * FROM (SELECT version_id, key FROM {table} WHERE key = %s "
              f"AND received_at >= %s ORDER BY received_at DESC LIMIT {PER_KEY:d}) AS k")
    params: list[Any] = []
    for key in keys:
        params += [key, cutoff]
    return " UNION ALL ".join(f"{branch}{n}" for n in range(len(keys))), params


def _db_time(moment: datetime) -> str | datetime | None:
    """A time as the database takes it in plain SQL (SQLite: Django's text form, in UTC)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _readable(pk: int, blob: object) -> Fingerprint | None:
    try:
        return fingerprint_from_bytes(bytes(blob or b""))  # type: ignore[call-overload]
    except ValueError as error:  # an older scheme: the version is simply not indexed
        log.warning("version %s: unreadable fingerprint (%s)", pk, error)
        return None

