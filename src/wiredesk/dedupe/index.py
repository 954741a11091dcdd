"""An incremental near-duplicate index: add a document, ask which stored documents it duplicates.

Candidates come from three places, all hash buckets, so a lookup never scans the corpus and its
cost stays flat as the corpus grows:

* the **exact hash** of the normalised text (copies that differ only in boilerplate);
* the **lead key**, a hash of the first words (a partner's summary or first-paragraphs copy of a
  long story, whose Jaccard similarity to it is far too low for LSH);
* a datasketch **MinHashLSH** over the MinHash signatures, built for a *low* Jaccard threshold
  (0.3): an updated or truncated wire copy can have Jaccard similarity 0.5 or less to its
  original, so the 0.8 usually used for near-duplicates would miss most updates. The low
  threshold lets through more false candidates, which is why every candidate is verified.

Every candidate is then scored and verified (:mod:`.similarity`): containment over the exact
shingle sets, headline similarity, kind, and the time window. Only verified matches come back.

The index holds what it needs in memory (signature, shingles, a little metadata per document: about
4 KiB of index structures plus the 2-3 KiB fingerprint, see ``benchmarks/dedupe_quality.py``). It
survives restarts by being rebuilt from stored fingerprints (:meth:`NearDuplicateIndex.rebuild`,
no text re-read), and it stays small by forgetting documents older than the window
(:meth:`NearDuplicateIndex.expire`): nothing older can match anyway. Each worker process can hold
its own index and rebuild it from the database; the index is a cache of stored state, never the
record (see the package docstring).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from wiredesk.dedupe.fingerprints import EMPTY_HASH, SCHEME, Fingerprint
from wiredesk.dedupe.headlines import HeadlineInfo
from wiredesk.dedupe.similarity import MatchRules, Scores, Side, score, verify
from wiredesk.dedupe.sketches import LeanMinHash, MinHashLSH
from wiredesk.dedupe.sketches import lsh_bands as _sketch_bands


@dataclass(frozen=True, slots=True)
class DocMeta:
    """What the index keeps about a document besides its fingerprint.

    ``story_id`` is the story the document is (a version of): several versions of one story are
    separate documents with the same story id, so a later update matches the latest version it
    resembles, not only the first.
    """

    story_id: str
    source_id: str
    time: datetime  # the version's creation (or publication) time, UTC
    headline: HeadlineInfo


@dataclass(frozen=True, slots=True)
class Match:
    """A verified match: the stored document, its story and source, the scores and the rule."""

    doc_id: str
    story_id: str
    source_id: str
    scores: Scores
    rule: str


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """LSH parameters and verification rules. ``num_perm`` must equal the fingerprinter's."""

    num_perm: int = 128
    lsh_threshold: float = 0.3
    # (false positive weight, false negative weight) for datasketch's band/row optimisation:
    # a missed duplicate costs a second article, a false candidate only a verification.
    lsh_weights: tuple[float, float] = (0.3, 0.7)
    rules: MatchRules = field(default_factory=MatchRules)


@dataclass(slots=True)
class IndexStats:
    """Work counters, for the flat-cost test and the benchmark."""

    queries: int = 0
    candidates: int = 0  # candidates examined, all sources together
    scored: int = 0  # candidates inside the window that were scored
    verified: int = 0


@dataclass(frozen=True, slots=True)
class _Entry:
    fingerprint: Fingerprint
    meta: DocMeta
    in_lsh: bool


class NearDuplicateIndex:
    """See the module docstring. Not thread-safe: one index per worker."""

    def __init__(self, config: IndexConfig | None = None) -> None:
        self.config = config or IndexConfig()
        self._lsh = MinHashLSH(num_perm=self.config.num_perm, params=lsh_bands(self.config))
        self._lsh.hashtables = [_Buckets() for _ in self._lsh.hashtables]
        self._entries: dict[str, _Entry] = {}
        self._by_exact: dict[str, set[str]] = {}
        self._by_lead: dict[str, set[str]] = {}
        self._by_time: list[tuple[datetime, str]] = []  # a heap; removed ids are skipped lazily
        self.stats = IndexStats()

    @classmethod
    def rebuild(cls, documents: Iterable[tuple[str, Fingerprint, DocMeta]],
                config: IndexConfig | None = None) -> NearDuplicateIndex:
        """An index of stored documents (e.g. the last window's versions read from the database).

        Costs one LSH insertion per document -- no text is re-read or re-hashed.
        """
        index = cls(config)
        for doc_id, fingerprint, meta in documents:
            index.add(doc_id, fingerprint, meta)
        return index

    @property
    def bands(self) -> tuple[int, int]:
        """The LSH (bands, rows per band) datasketch chose for the threshold."""
        return int(self._lsh.b), int(self._lsh.r)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._entries

    def meta(self, doc_id: str) -> DocMeta:
        return self._entries[doc_id].meta

    def fingerprint(self, doc_id: str) -> Fingerprint:
        return self._entries[doc_id].fingerprint

    def add(self, doc_id: str, fingerprint: Fingerprint, meta: DocMeta) -> None:
        """Index a document. Adding an id again replaces what was stored under it."""
        if fingerprint.signature.size != self.config.num_perm:
            raise ValueError(f"signature has {fingerprint.signature.size} values, the index "
                             f"expects {self.config.num_perm}")
        self.remove(doc_id)
        in_lsh = fingerprint.size >= self.config.rules.min_shingles
        if in_lsh:
            self._lsh.insert(doc_id, _lean(fingerprint), check_duplication=False)
        if fingerprint.exact_hash != EMPTY_HASH:
            self._by_exact.setdefault(fingerprint.exact_hash, set()).add(doc_id)
        if fingerprint.lead_key:
            self._by_lead.setdefault(fingerprint.lead_key, set()).add(doc_id)
        self._entries[doc_id] = _Entry(fingerprint, meta, in_lsh)
        heapq.heappush(self._by_time, (meta.time, doc_id))

    def remove(self, doc_id: str) -> bool:
        """Forget a document (a killed story, an editor's split); False if it was not there."""
        entry = self._entries.pop(doc_id, None)
        if entry is None:
            return False
        if entry.in_lsh:
            self._lsh.remove(doc_id)
        _discard(self._by_exact, entry.fingerprint.exact_hash, doc_id)
        _discard(self._by_lead, entry.fingerprint.lead_key, doc_id)
        return True

    def expire(self, before: datetime) -> int:
        """Forget every document older than ``before`` (now minus the window); returns how many.

        Keeps memory and bucket sizes bounded by the window rather than by the corpus.
        """
        removed = 0
        while self._by_time and self._by_time[0][0] < before:
            time, doc_id = heapq.heappop(self._by_time)
            entry = self._entries.get(doc_id)
            if entry is not None and entry.meta.time == time and self.remove(doc_id):
                removed += 1
        return removed

    def candidates(self, fingerprint: Fingerprint) -> list[str]:
        """Stored ids that share a bucket with the fingerprint: unverified, in a stable order."""
        found: set[str] = set()
        if fingerprint.exact_hash != EMPTY_HASH:
            found |= self._by_exact.get(fingerprint.exact_hash, set())
        if fingerprint.lead_key:
            found |= self._by_lead.get(fingerprint.lead_key, set())
        if fingerprint.size >= self.config.rules.min_shingles:
            found.update(self._lsh.query(_lean(fingerprint)))
        return sorted(found)

    def matches(self, fingerprint: Fingerprint, meta: DocMeta) -> list[Match]:
        """The verified matches of a new document, best first (see :func:`best_first`)."""
        stored = ((doc_id, self._entries[doc_id].fingerprint, self._entries[doc_id].meta)
                  for doc_id in self.candidates(fingerprint))
        return verified_matches(fingerprint, meta, stored, self.config.rules, self.stats)


def verified_matches(fingerprint: Fingerprint, meta: DocMeta,
                     stored: Iterable[tuple[str, Fingerprint, DocMeta]], rules: MatchRules,
                     stats: IndexStats | None = None) -> list[Match]:
    """Score and verify candidates, however they were found, and return the matches best first.

    Shared by the in-memory index and by callers that find candidates elsewhere (the newsroom
    asks the database by :mod:`.keys`), so that both take the same decisions.
    """
    stats = stats if stats is not None else IndexStats()
    stats.queries += 1
    new = Side(fingerprint, meta.headline, meta.time)
    found = []
    for doc_id, old_fingerprint, old_meta in stored:
        stats.candidates += 1
        if abs(old_meta.time - meta.time) > rules.window:
            continue  # cheap refusal before any set arithmetic
        stats.scored += 1
        scores = score(new, Side(old_fingerprint, old_meta.headline, old_meta.time))
        verdict = verify(scores, rules)
        if verdict.accepted:
            found.append(Match(doc_id, old_meta.story_id, old_meta.source_id, scores,
                               verdict.rule))
    stats.verified += len(found)
    return sorted(found, key=best_first)


def lsh_bands(config: IndexConfig) -> tuple[int, int]:
    """The (bands, rows) datasketch chooses for the config's threshold and weights (recorded for
    the settings in use, else computed once per setting: see :mod:`wiredesk.dedupe.sketches`)."""
    return _sketch_bands(config.lsh_threshold, config.num_perm, config.lsh_weights)


class _Buckets:
    """One LSH band's buckets, in place of datasketch's ``defaultdict(set)`` storage.

    Almost every bucket holds a single document, and an empty Python set costs 216 bytes: with 42
    bands that was 9 KiB per document. Here a bucket is the document id itself until a second id
    arrives. It implements the part of datasketch's storage protocol that MinHashLSH's insert,
    query and remove use (checked by tests/dedupe/test_index.py against datasketch 2.x).
    """

    def __init__(self) -> None:
        self._buckets: dict[bytes, str | set[str]] = {}

    def get(self, key: bytes) -> Collection[str]:
        value = self._buckets.get(key)
        if value is None:
            return ()
        return (value,) if isinstance(value, str) else value

    def insert(self, key: bytes, *values: str, buffer: bool = False) -> None:
        for value in values:
            current = self._buckets.get(key)
            if current is None:
                self._buckets[key] = value
            elif isinstance(current, str):
                if current != value:
                    self._buckets[key] = {current, value}
            else:
                current.add(value)

    def remove_val(self, key: bytes, value: str, buffer: bool = False) -> None:
        current = self._buckets.get(key)
        if current == value:
            del self._buckets[key]
        elif isinstance(current, set):
            current.discard(value)
            if len(current) == 1:
                self._buckets[key] = next(iter(current))

    def remove(self, *keys: bytes, buffer: bool = False) -> None:
        for key in keys:
            self._buckets.pop(key, None)

    def size(self) -> int:
        return len(self._buckets)


def best_first(match: Match) -> tuple[bool, float, float, str]:
    """Sort key: exact copies first, then by containment, then headline; ties by id."""
    return (not match.scores.exact, -match.scores.containment, -match.scores.headline,
            match.doc_id)


def _lean(fingerprint: Fingerprint) -> LeanMinHash:
    return LeanMinHash(seed=fingerprint.seed, hashvalues=fingerprint.signature, scheme=SCHEME)


def _discard(buckets: dict[str, set[str]], key: str, doc_id: str) -> None:
    bucket = buckets.get(key)
    if bucket is None:
        return
    bucket.discard(doc_id)
    if not bucket:
        del buckets[key]
