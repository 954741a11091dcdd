"""The duplicate desk: the pure near-duplicate index (:mod:`wiredesk.dedupe`) kept in step with
the database, one per process.

The database is the record; the index is a cache of the fingerprints stored with each version
(``StoryVersion.fingerprint``). It is built on first use from the versions received in the last
:data:`KEEP` (bounded by the ingest volume of a few days, never by the archive), and before each
decision it catches up with what other processes stored since (one indexed query: versions with a
higher id than the last one seen).

Decisions are serialised: :meth:`DuplicateDesk.session` holds a process lock, and on PostgreSQL a
transaction-level advisory lock, from the catch-up to the commit. Otherwise two workers receiving
the same story through two feeds at the same moment could both find nothing and publish it twice.
Only the deciding and writing is serialised; fetching and parsing stay parallel.

What a session added to the index is taken out again if its transaction fails, so the cache never
holds a document the database does not.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import QuerySet

from wiredesk.core.items import Article
from wiredesk.core.text import html_to_text
from wiredesk.dedupe import (
    Decision,
    DocMeta,
    Fingerprint,
    Fingerprinter,
    NearDuplicateIndex,
    NewItem,
    Policy,
    decide,
    fingerprint_from_bytes,
    fingerprint_to_bytes,
    parse_headline,
)
from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Source, StoryVersion

log = logging.getLogger(__name__)

# How long a version stays in the index after it was received. Longer than the match window
# (72 h between the two items' own times) so that a late copy still finds its original.
KEEP = timedelta(days=4)
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
    """One process's index and the rules for keeping it in step. Use :data:`desk`."""

    def __init__(self) -> None:
        self.fingerprinter = Fingerprinter()
        self._lock = threading.RLock()
        self._index: NearDuplicateIndex | None = None
        self._last_version = 0
        self._received: deque[tuple[datetime, str]] = deque()
        self._pending: list[str] = []

    def reset(self) -> None:
        """Forget everything; the next session rebuilds from the database (tests, restores)."""
        with self._lock:
            self._index = None
            self._last_version = 0
            self._received.clear()
            self._pending.clear()

    @contextmanager
    def session(self) -> Iterator[None]:
        """Hold the desk for one transaction's decisions. Enter *before* the transaction opens
        (the lock is taken first, so two threads never wait on each other's database locks), and
        call :meth:`sync` inside it."""
        with self._lock:
            self._pending.clear()
            last = self._last_version
            try:
                yield
            except BaseException:
                self._forget_pending(last)
                raise
            self._pending.clear()

    def sync(self) -> None:
        """Inside the session's transaction: take the cross-process lock and catch up."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        now = clock.now()
        if self._index is None:
            self._index = NearDuplicateIndex()
            self._last_version = 0
            self._received.clear()
            self._load(StoryVersion.objects.filter(received_at__gte=now - KEEP))
        else:
            self._load(StoryVersion.objects.filter(pk__gt=self._last_version))
        self._expire(now - KEEP)

    def describe(self, source: Source, article: Article, received: datetime) -> Doc:
        """Fingerprint an item (no lookup): every stored version gets one."""
        text = item_text(article)
        meta = DocMeta("", str(source.pk), item_time(article, received),
                       parse_headline(article.headline))
        return Doc(self.fingerprinter.fingerprint(text), meta, text)

    def check(self, source: Source, doc: Doc) -> Decision:
        """What a new item from ``source`` is: a new story, a version of a stored one, a
        syndicated copy, or a duplicate kept apart -- with the evidence (see dedupe.decide)."""
        matches = self._ready().matches(doc.fingerprint, doc.meta)
        return decide(NewItem(doc.meta.source_id, doc.meta.headline, doc.meta.time), matches,
                      Policy(source.duplicate_policy))

    def add(self, doc_id: str, story_id: str, doc: Doc, received: datetime) -> None:
        """Index a document (inside the session: undone if the transaction fails). ``doc_id``
        is a stored version's id, or a placeholder for one about to be stored in this chunk."""
        meta = DocMeta(story_id, doc.meta.source_id, doc.meta.time, doc.meta.headline)
        self._ready().add(doc_id, doc.fingerprint, meta)
        self._received.append((received, doc_id))
        self._pending.append(doc_id)
        if doc_id.isdigit():
            self._last_version = max(self._last_version, int(doc_id))

    def remove(self, doc_id: str) -> None:
        self._ready().remove(doc_id)

    def reindex_story(self, story_id: int) -> None:
        """Bring a story's documents up to date after an editor moved them (split or merge)."""
        self._load(StoryVersion.objects.filter(story_id=story_id), replace=True)

    def word_count(self, version_id: int) -> int | None:
        """The stored word count of an indexed version, or None if it is not in the index."""
        index = self._ready()
        doc_id = str(version_id)
        return index.fingerprint(doc_id).word_count if doc_id in index else None

    def __len__(self) -> int:
        return len(self._index) if self._index is not None else 0

    # -------------------------------------------------------------------------------- inside

    def _ready(self) -> NearDuplicateIndex:
        if self._index is None:
            raise RuntimeError("DuplicateDesk.sync() must run first, inside a session")
        return self._index

    def _load(self, versions: QuerySet[StoryVersion], *, replace: bool = False) -> None:
        """Add stored versions that have a fingerprint (own texts, not mirrored copies)."""
        index = self._ready()
        rows = (versions.filter(fingerprint__isnull=False, from_story__isnull=True)
                .order_by("pk").values_list(
                    "pk", "story_id", "story__source_id", "version_created", "published_at",
                    "headline", "fingerprint", "received_at"))
        for pk, story_id, source_id, created, published, headline, blob, received in rows:
            doc_id = str(pk)
            if doc_id in index and not replace:
                continue
            try:
                fingerprint = fingerprint_from_bytes(bytes(blob or b""))
            except ValueError as error:  # an older scheme: the version is simply not indexed
                log.warning("version %s: unreadable fingerprint (%s)", pk, error)
                continue
            index.add(doc_id, fingerprint, DocMeta(str(story_id), str(source_id),
                                                   created or published, parse_headline(headline)))
            self._received.append((received, doc_id))
            self._last_version = max(self._last_version, pk)

    def _expire(self, before: datetime) -> None:
        index = self._ready()
        while self._received and self._received[0][0] < before:
            _, doc_id = self._received.popleft()
            index.remove(doc_id)

    def _forget_pending(self, last_version: int) -> None:
        if self._index is not None:
            for doc_id in self._pending:
                self._index.remove(doc_id)
        self._pending.clear()
        self._last_version = last_version


desk = DuplicateDesk()
