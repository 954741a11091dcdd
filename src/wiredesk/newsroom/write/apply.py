"""Applying lifecycle decisions to stored stories: the write half of an ingest.

For each candidate version, :func:`wiredesk.core.lifecycle.decide` says what it means; this module
makes it so -- creating stories and versions, changing statuses, leaving tombstones and recording
events -- in the same transaction as the publication of the change.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DataError, IntegrityError, connection

from wiredesk.cluster import TextFeatures
from wiredesk.core.gate import GateResult
from wiredesk.core.gate import languages as gate_languages
from wiredesk.core.items import Article, PubStatus
from wiredesk.core.lifecycle import (
    Action,
    Decision,
    Incoming,
    StoryState,
    VersionOrder,
    decide,
)
from wiredesk.core.lifecycle import Status as LifecycleStatus
from wiredesk.dedupe import Decision as DuplicateDecision
from wiredesk.dedupe import Fingerprint, fingerprint_from_bytes
from wiredesk.dedupe import Outcome as DuplicateOutcome
from wiredesk.ingest.pipeline import Candidate
from wiredesk.newsroom import clock
from wiredesk.newsroom.models import (
    RawPayload,
    Source,
    Story,
    StoryEvent,
    StoryVersion,
    Tombstone,
)
from wiredesk.newsroom.write import gating, sitemap_flags
from wiredesk.newsroom.write.desk import WriteDesk
from wiredesk.newsroom.write.deskstate import insert_objects
from wiredesk.newsroom.write.duplicates import Doc

log = logging.getLogger(__name__)


# What happened to a candidate: a lifecycle action, or MERGED (a new item that turned out to be
# another source's story, or a re-send under a new id: see newsroom/write/duplicates.py).
MERGED = "merged"


def apply_candidates(desk: WriteDesk, source: Source, candidates: list[Candidate],
                     payload: RawPayload | None) -> list[str]:
    """Decide and apply a payload's candidates, in chunks of one transaction each.

    Everything the decisions need is read in three queries per chunk, and new stories (the
    common case) are written in bulk. If the bulk write fails -- another process inserted one of
    the stories meanwhile -- the chunk is applied again one item at a time, each in its own
    transaction, so one bad item never takes the others down with it.

    Each chunk is one session of the process's write desk (:mod:`wiredesk.newsroom.write.desk`):
    duplicate and cluster decisions are taken one transaction at a time across all workers.
    """
    ahead = Ahead.prepare(desk, source, candidates, payload)
    outcomes: list[str] = []
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start:start + CHUNK]
        try:
            with desk.session():
                outcomes += _apply_chunk(desk, ahead, source, chunk, [payload] * len(chunk))
        except (IntegrityError, DataError):
            if desk.in_session:
                raise  # part of a caller's session: the caller starts again, payload by payload
            log.info("bulk apply for source %s failed; applying one by one", source.pk)
            outcomes += [apply_candidate(desk, source, candidate, payload, ahead)
                         for candidate in chunk]
    return outcomes


def prepare_backlog(desk: WriteDesk, source: Source,
                    batches: Sequence[tuple[RawPayload, list[Candidate]]]) -> Ahead:
    """What :func:`apply_backlog` needs of these payloads that does not depend on the stored
    state (see :class:`Ahead`), worked out before the caller's session."""
    return Ahead.prepare_many(desk, source, batches)


def apply_backlog(desk: WriteDesk, source: Source,
                  batches: Sequence[tuple[RawPayload, list[Candidate]]],
                  ahead: Ahead | None = None) -> list[list[str]]:
    """Decide and apply several payloads of one source, oldest first, inside the caller's
    session (a backlog: see :func:`wiredesk.newsroom.transports.ingest.process_payloads`).

    Consecutive payloads are applied together, as one payload holding all their items would be
    -- a few statements for all of them -- as long as no item id comes twice: a payload that
    repeats an id, its own or an earlier one's, starts a new chunk, so a story's versions are
    still applied in the order they came. Returns each payload's outcomes. ``ahead``: from
    :func:`prepare_backlog`, else everything is worked out inside the session.
    """
    if not desk.in_session:
        raise RuntimeError("apply_backlog runs inside a session of the desk")
    prepared = ahead or Ahead(desk, None, clock.now())
    results: list[list[str]] = []
    run: list[tuple[RawPayload, list[Candidate]]] = []
    seen: set[str] = set()

    def apply_run() -> None:
        chunk = [candidate for _, candidates in run for candidate in candidates]
        payloads = [payload for payload, candidates in run for _ in candidates]
        outcomes = _apply_chunk(desk, prepared, source, chunk, payloads)
        for _, candidates in run:
            results.append(outcomes[:len(candidates)])
            outcomes = outcomes[len(candidates):]
        run.clear()
        seen.clear()

    for payload, candidates in batches:
        ids = [candidate.identity.external_id for candidate in candidates]
        if run and (seen.intersection(ids) or len(set(ids)) < len(ids)
                    or len(seen) + len(ids) > CHUNK):
            apply_run()
        run.append((payload, candidates))
        seen.update(ids)
    if run:
        apply_run()
    return results


def apply_candidate(desk: WriteDesk, source: Source, candidate: Candidate,
                    payload: RawPayload | None, ahead: Ahead | None = None) -> str:
    """Decide and apply one candidate in its own transaction. Retries once on a racing insert."""
    ahead = ahead or Ahead.prepare(desk, source, [candidate], payload)
    try:
        with desk.session():
            return _apply_chunk(desk, ahead, source, [candidate], [payload])[0]
    except IntegrityError:
        # Another process created the same story between our read and our insert: decide again.
        with desk.session():
            return _apply_chunk(desk, ahead, source, [candidate], [payload])[0]


CHUNK = 500
# A version's headline as stored (StoryVersion.headline's length).
HEADLINE_LENGTH = 500


class Ahead:
    """What a payload's decisions need that does not depend on the stored state: each item's
    publication gate (language detection included) and fingerprint, worked out before the
    session, so that the desk's lock (see :mod:`wiredesk.newsroom.write.duplicates`) is held
    only to decide and write. Computed for the items that are new or carry a new text (the ones
    that will be gated and fingerprinted); anything else asked for is worked out when asked, so
    the decisions are exactly those of working everything out inside the session."""

    def __init__(self, desk: WriteDesk, payload: RawPayload | None, now: datetime) -> None:
        self.desk, self.payload, self.now = desk, payload, now
        self._gates: dict[tuple[int, int, bool], GateResult] = {}
        self._docs: dict[tuple[int, int], Doc] = {}
        self._cluster_texts: dict[tuple[int, int], TextFeatures] = {}

    @classmethod
    def prepare(cls, desk: WriteDesk, source: Source, candidates: list[Candidate],
                payload: RawPayload | None) -> Ahead:
        return cls.prepare_many(desk, source, [(payload, candidates)])

    @classmethod
    def prepare_many(cls, desk: WriteDesk, source: Source,
                     batches: Sequence[tuple[RawPayload | None, list[Candidate]]]) -> Ahead:
        """Prepared for the candidates of one or more payloads of ``source``."""
        ahead = cls(desk, batches[0][0] if len(batches) == 1 else None, clock.now())
        ids = [c.identity.external_id for _, candidates in batches for c in candidates]
        if desk.in_session or not ids:
            return ahead  # already holding the desk: nothing to gain
        known: dict[str, set[str]] = {}
        for start in range(0, len(ids), CHUNK):  # bound parameters stay few
            known.update(_known_texts(source, ids[start:start + CHUNK]))
        gated = [(payload, candidate, hashes is None) for payload, candidates in batches
                 for candidate in candidates
                 if (hashes := known.get(candidate.identity.external_id)) is None
                 or (hashes and candidate.content_hash not in hashes)]
        # The items' languages in one call, spread over the cores (the gate's largest cost).
        found = (gate_languages([candidate.article for _, candidate, _ in gated])
                 if gating.enabled() else [None] * len(gated))
        for (payload, candidate, first_sight), language in zip(gated, found, strict=True):
            ahead.gate(source, candidate, payload, ahead.now, first_sight=first_sight,
                       language=language)
            doc = ahead.describe(desk, source, candidate.article, ahead.now)
            ahead.cluster_text(desk, source, candidate.article, doc)
        return ahead

    def gate(self, source: Source, candidate: Candidate, payload: RawPayload | None,
             now: datetime, *, first_sight: bool, language: str | None = None) -> GateResult:
        key = (id(candidate), source.pk, first_sight)
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = _gate(source, candidate, payload, now,
                                            first_sight=first_sight, language=language)
        elif gate.language:
            candidate.article.language = gate.language  # as _gate does
        return gate

    def describe(self, desk: WriteDesk, source: Source, article: Article, now: datetime) -> Doc:
        key = (id(article), source.pk)
        doc = self._docs.get(key)
        if doc is None:
            doc = self._docs[key] = desk.duplicates.describe(source, article, now)
        return doc

    def fingerprints(self, source: Source, candidates: Sequence[Candidate]) -> list[Fingerprint]:
        """The fingerprints worked out ahead for these candidates (those new or changed)."""
        docs = (self._docs.get((id(candidate.article), source.pk)) for candidate in candidates)
        return [doc.fingerprint for doc in docs if doc is not None]

    def cluster_text(self, desk: WriteDesk, source: Source, article: Article, doc: Doc
                     ) -> TextFeatures:
        """What the clusterer reads of the item's text, as a new story's first version will
        hold it (the headline as stored; the body as the fingerprint read it)."""
        key = (id(article), source.pk)
        features = self._cluster_texts.get(key)
        if features is None:
            features = self._cluster_texts[key] = desk.clusters.read_ahead(
                article.headline[:HEADLINE_LENGTH], doc.text)
        return features


def _known_texts(source: Source, ids: list[str]) -> dict[str, set[str]]:
    """For the ids among these that have a story, its versions' content hashes; for those that
    only have a tombstone, an empty set. One indexed query, outside any session."""
    marks = ", ".join(["%s"] * len(ids))
    known: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.external_id, v.content_hash FROM {Story._meta.db_table} s "
            f"LEFT JOIN {StoryVersion._meta.db_table} v ON v.story_id = s.id "
            f"WHERE s.source_id = %s AND s.external_id IN ({marks}) UNION ALL "
            f"SELECT external_id, NULL FROM {Tombstone._meta.db_table} "
            f"WHERE source_id = %s AND external_id IN ({marks})",
            [source.pk, *ids, source.pk, *ids])
        for external_id, content_hash in cursor.fetchall():
            hashes = known.setdefault(external_id, set())
            if content_hash is not None:
                hashes.add(content_hash)
    return known


@dataclass(slots=True)
class _Loaded:
    """The stored state of a chunk's stories, read in three queries."""

    stories: dict[str, Story]
    tombstoned: set[str]
    known: dict[int, set[str]]

    @classmethod
    def read(cls, source: Source, ids: list[str]) -> _Loaded:
        ids = _known_ids(source, ids)
        if not ids:  # all new: the common case when a feed is first read
            return cls({}, set(), defaultdict(set))
        stories = {story.external_id: story for story in
                   Story.objects.select_for_update(of=("self",)).select_related("current_version")
                   .filter(source=source, external_id__in=ids)}
        tombstoned = set(Tombstone.objects.filter(source=source, external_id__in=ids)
                         .values_list("external_id", flat=True))
        known: dict[int, set[str]] = defaultdict(set)
        for story_id, content_hash in StoryVersion.objects.filter(
                story__in=list(stories.values())).values_list("story_id", "content_hash"):
            known[story_id].add(content_hash)
        return cls(stories, tombstoned, known)


def _known_ids(source: Source, ids: list[str]) -> list[str]:
    """The ids among these that have a story or a tombstone, in one indexed query.

    Plain SQL on purpose: this runs for every payload, and the ORM's per-query overhead is ten
    times the query's own cost here.
    """
    if not ids:  # an empty feed among a backlog's payloads: "IN ()" is not SQL
        return []
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT external_id FROM {Story._meta.db_table} "
            f"WHERE source_id = %s AND external_id IN ({marks}) UNION "
            f"SELECT external_id FROM {Tombstone._meta.db_table} "
            f"WHERE source_id = %s AND external_id IN ({marks})",
            [source.pk, *ids, source.pk, *ids])
        return [row[0] for row in cursor.fetchall()]


@dataclass(slots=True)
class _New:
    """A candidate that creates a story: its own, or one merged into another source's story."""

    position: int
    candidate: Candidate
    decision: Decision
    doc: Doc
    duplicate: DuplicateDecision
    gate: GateResult
    payload: RawPayload | None = None  # the payload it came in
    merged_into: Story | None = None
    cluster_text: TextFeatures | None = None  # read ahead for the clusterer

    @property
    def placeholder(self) -> str:
        """Its id in the duplicate index until its version is stored."""
        return f"p{self.position}"


def _apply_chunk(desk: WriteDesk, ahead: Ahead, source: Source, chunk: list[Candidate],
                 payloads: Sequence[RawPayload | None]) -> list[str]:
    """Decide and apply candidates, ``payloads[n]`` being the payload ``chunk[n]`` came in."""
    ids = [candidate.identity.external_id for candidate in chunk]
    repeated = {external_id for external_id, n in Counter(ids).items() if n > 1}
    loaded = _Loaded.read(source, ids)
    now = ahead.now
    outcomes: dict[int, str] = {}
    fresh: list[_New] = []  # stories of their own, created in bulk
    duplicates: list[_New] = []  # merged into a stored story (or one created just now)
    changed: list[Story] = []
    # The stored versions under the new items' keys, in one statement for the chunk.
    desk.duplicates.prefetch(ahead.fingerprints(source, chunk))
    for position, candidate in enumerate(chunk):
        if candidate.identity.external_id in repeated:
            continue  # several versions of one story in this chunk: applied in order below
        decision = _decide(source, loaded, candidate, now)
        outcomes[position] = decision.action
        if decision.action is Action.CREATE:
            new = _check(desk, ahead, source, position, candidate, decision, payloads[position],
                         now)
            if new.duplicate.story_id is None:
                # In the index under a placeholder, so the chunk's later items can match it.
                desk.duplicates.add(new.placeholder, new.placeholder, new.doc, now)
                fresh.append(new)
            else:
                duplicates.append(new)
        elif (story := _apply_decision(desk, ahead, source, loaded, candidate, decision,
                                       payloads[position], now)):
            changed.append(story)
    placeholders = {new.placeholder: story for new, story in
                    zip(fresh, _create_stories(desk, source, fresh, now), strict=True)}
    for new, outcome in _create_duplicates(desk, ahead, source, duplicates, placeholders, now):
        outcomes[new.position] = outcome
        if new.merged_into is not None:
            changed.append(new.merged_into)
    for position, candidate in enumerate(chunk):
        if candidate.identity.external_id in repeated:
            loaded = _Loaded.read(source, [candidate.identity.external_id])
            decision = _decide(source, loaded, candidate, now)
            outcomes[position] = decision.action
            if decision.action is Action.CREATE:
                new = _check(desk, ahead, source, position, candidate, decision,
                             payloads[position], now)
                if new.duplicate.story_id is None:
                    _create_stories(desk, source, [new], now)
                else:
                    [(_, outcomes[position])] = _create_duplicates(desk, ahead, source, [new], {},
                                                                   now)
                    if new.merged_into is not None:
                        changed.append(new.merged_into)
            elif (story := _apply_decision(desk, ahead, source, loaded, candidate, decision,
                                           payloads[position], now)):
                changed.append(story)
    desk.publish(list({story.pk: story for story in changed}.values()))
    return [outcomes[position] for position in range(len(chunk))]


def _check(desk: WriteDesk, ahead: Ahead, source: Source, position: int, candidate: Candidate,
           decision: Decision,
           payload: RawPayload | None, now: datetime) -> _New:
    gate = ahead.gate(source, candidate, payload, now, first_sight=True)
    doc = ahead.describe(desk, source, candidate.article, now)
    return _New(position, candidate, decision, doc, desk.duplicates.check(source, doc), gate,
                payload, cluster_text=ahead.cluster_text(desk, source, candidate.article, doc))


def _gate(source: Source, candidate: Candidate, payload: RawPayload | None, now: datetime, *,
          first_sight: bool, language: str | None = None) -> GateResult:
    """The publication gate's decision for a candidate (wiredesk.core.gate). The language it
    detected from the text replaces the feed's claim, so the version, the page's lang and the
    enrichers all go by what the text is written in. ``language``: detected already."""
    gate = gating.decide(source, candidate.article, now, first_sight=first_sight,
                         payload_format=payload.format if payload else "", language=language)
    if gate.language:
        candidate.article.language = gate.language
    return gate


def _create_duplicates(desk: WriteDesk, ahead: Ahead, source: Source, duplicates: list[_New],
                       placeholders: dict[str, Story], now: datetime
                       ) -> list[tuple[_New, str]]:
    """Store duplicates as stories merged into their matched stories' roots (in bulk), and mirror
    the text of those that are the same story's new version. Sets each one's ``merged_into``
    (left None for one whose match is gone: it becomes a story of its own)."""
    if not duplicates:
        return []
    roots = _roots([new.duplicate.story_id or "" for new in duplicates], placeholders)
    merged: list[_New] = []
    alone: list[_New] = []
    for new in duplicates:
        new.merged_into = roots.get(new.duplicate.story_id or "")
        (merged if new.merged_into is not None else alone).append(new)
    _create_stories(desk, source, alone, now)  # the matched story was deleted meanwhile
    stories = _create_stories(desk, source, merged, now)
    copies = []
    for story, new in zip(stories, merged, strict=True):
        root = new.merged_into
        assert root is not None
        if story.merge_kind == Story.MergeKind.VERSION:
            _mirror(desk, ahead, root, story, new.candidate, new.doc, new.payload, now)
        else:
            copies.append(StoryEvent(story=root, at=now, action="also_reported",
                                     status=root.status,
                                     cause=f"also reported by {source.name} (story {story.pk})"))
    StoryEvent.objects.bulk_create(copies)
    return [(new, MERGED if new.merged_into is not None else Action.CREATE)
            for new in duplicates]


def _roots(matched: list[str], placeholders: dict[str, Story]) -> dict[str, Story]:
    """The stories matched stories stand for (themselves, or the story each was merged into),
    locked, in a query or two: matched id -> root story. Deleted stories are left out."""
    roots = {key: placeholders[key] for key in matched if key in placeholders}
    wanted = {int(key) for key in matched if key.isdigit() and key not in placeholders}
    found = _locked(wanted)
    for _ in range(5):  # merges point at roots; a bounded walk covers a root merged later
        parents = {story.merged_into_id for story in found.values()
                   if story.merged_into_id is not None} - found.keys()
        if not parents:
            break
        found.update(_locked(parents))
    for key in wanted:
        story = found.get(key)
        for _ in range(6):
            if story is None or story.merged_into_id is None:
                break
            story = found.get(story.merged_into_id)
        if story is not None:
            roots[str(key)] = story
    return roots


def _locked(ids: set[int]) -> dict[int, Story]:
    if not ids:
        return {}
    return {story.pk: story for story in Story.objects.select_for_update(of=("self",))
            .select_related("current_version").filter(pk__in=ids)}


def root_of(story_id: int) -> Story | None:
    """The story a stored story stands for (itself, or the story it was merged into), locked;
    None if it no longer exists."""
    return _roots([str(story_id)], {}).get(str(story_id))


# A copy this much shorter than the story's current text (a partner's first paragraphs, a
# truncated feed item) never replaces the full text: it is kept in the history instead.
TRUNCATED_SHARE = 0.6


def _mirror(desk: WriteDesk, ahead: Ahead, root: Story, merged: Story, candidate: Candidate,
            doc: Doc,
            payload: RawPayload | None, now: datetime) -> None:
    """Make a merged item's text a version of the root story, ordered by creation time.

    Version numbers of two feeds do not compare, so the order is the versions' creation (else
    publication) times; a truncated copy is kept in history, never made current.
    """
    known = {root.pk: set(root.versions.values_list("content_hash", flat=True))}
    state = _state(root, known)
    incoming = _incoming(merged.source, candidate)
    incoming = dataclasses.replace(incoming, order=dataclasses.replace(incoming.order,
                                                                       number=None))
    if state is not None:
        state = dataclasses.replace(state, current_order=dataclasses.replace(
            state.current_order, number=None))
    decision = decide(state, incoming, tombstoned=False, now=now)
    if decision.action is Action.NEW_VERSION and _truncated(desk, root, doc):
        decision = Decision(Action.STALE, None, "a shorter copy of the current text")
    _apply_to(desk, ahead, root, known, candidate, decision, payload, now, from_story=merged)


def _truncated(desk: WriteDesk, root: Story, doc: Doc) -> bool:
    current = root.current_version
    if current is None or not current.fingerprint:
        return False
    words = desk.duplicates.word_count(current.pk)
    if words is None:
        words = fingerprint_from_bytes(bytes(current.fingerprint)).word_count
    return doc.fingerprint.word_count < TRUNCATED_SHARE * words


def _decide(source: Source, loaded: _Loaded, candidate: Candidate, now: datetime) -> Decision:
    external_id = candidate.identity.external_id
    story = loaded.stories.get(external_id)
    return decide(_state(story, loaded.known), _incoming(source, candidate),
                  tombstoned=external_id in loaded.tombstoned, now=now)


def _apply_decision(desk: WriteDesk, ahead: Ahead, source: Source, loaded: _Loaded,
                    candidate: Candidate,
                    decision: Decision, payload: RawPayload | None, now: datetime) -> Story | None:
    """Apply any decision but CREATE; returns the story when its public state changed."""
    story = loaded.stories.get(candidate.identity.external_id)
    if decision.action is Action.KILL:
        _tombstone(source, candidate.identity.external_id, decision.reason)
        loaded.tombstoned.add(candidate.identity.external_id)
    if story is None or decision.action is Action.IDENTICAL:
        return None
    changed = _apply_to(desk, ahead, story, loaded.known, candidate, decision, payload, now)
    if story.merged_into_id is not None and decision.action in (Action.NEW_VERSION, Action.KILL):
        return _follow_merge(desk, ahead, story, candidate, decision, payload, now)
    return story if changed else None


def _follow_merge(desk: WriteDesk, ahead: Ahead, story: Story, candidate: Candidate,
                  decision: Decision,
                  payload: RawPayload | None, now: datetime) -> Story | None:
    """A merged story changed: carry the change to the story it was merged into."""
    root = root_of(story.pk)
    if root is None or root.pk == story.pk:
        return None
    if story.merge_kind == Story.MergeKind.VERSION:
        doc = ahead.describe(desk, story.source, candidate.article, now)
        _mirror(desk, ahead, root, story, candidate, doc, payload, now)
    return root  # a copy's headline, link or status shows in the root's "Also reported by"


def _apply_to(desk: WriteDesk, ahead: Ahead, story: Story, known: dict[int, set[str]],
              candidate: Candidate,
              decision: Decision, payload: RawPayload | None, now: datetime,
              from_story: Story | None = None) -> bool:
    """Apply a decision to a stored story; True when its public state changed."""
    action = decision.action
    if action in (Action.IDENTICAL, Action.CREATE):
        return False
    version = None
    if action is Action.NEW_VERSION:
        gate = ahead.gate(story.source, candidate, payload, now, first_sight=False)
        version = _add_version(desk, ahead, story, candidate, payload, now, current=True,
                               from_story=from_story)
        decision = _gated(story, decision, gate)
    elif action in (Action.STALE, Action.KILL) and \
            candidate.content_hash not in known[story.pk]:
        version = _add_version(desk, ahead, story, candidate, payload, now, current=False,
                               from_story=from_story)
    if action in (Action.NEW_VERSION, Action.KILL):
        _take_status(story, candidate, decision, now)
    known[story.pk].add(candidate.content_hash)
    cause = _cause(decision, payload)
    if from_story is not None:
        cause = f"{cause} [merged from story {from_story.pk}, {from_story.source.name}]"[:500]
    StoryEvent.objects.create(story=story, at=now, action=action, status=story.status,
                              version=version, cause=cause)
    return action in (Action.NEW_VERSION, Action.KILL)


def _gated(story: Story, decision: Decision, gate: GateResult) -> Decision:
    """A new version passes the gate as a new story does: one it holds or drops is held (a
    published story leaves every public surface); one that passes releases a story the gate
    held, never one an editor held. Its mode and findings replace the story's."""
    story.save(update_fields=gating.stamp(story, gate, clock.now()))
    status, reason = decision.status, decision.reason
    if not gate.public and status is LifecycleStatus.PUBLISHED:
        status, reason = LifecycleStatus.HELD, gating.held_reason(gate)
    elif status is LifecycleStatus.HELD and story.status_reason.startswith(gating.HELD_BY_GATE):
        # Still the gate's hold when this version fails too (with this version's reasons), so a
        # later passing version or the review queue's release can tell it from an editor's.
        status, reason = (LifecycleStatus.PUBLISHED, reason) if gate.public else \
            (status, gating.held_reason(gate))
    return dataclasses.replace(decision, status=status, reason=reason)


def _cause(decision: Decision, payload: RawPayload | None) -> str:
    origin = f" ({payload.transport}: {payload.origin})" if payload else ""
    return (decision.reason + origin)[:500]


def _tombstone(source: Source, external_id: str, reason: str) -> None:
    Tombstone.objects.get_or_create(source=source, external_id=external_id,
                                    defaults={"reason": reason[:500]})


def _take_status(story: Story, candidate: Candidate, decision: Decision, now: datetime) -> None:
    """Bring the story's lifecycle fields in line with the version that now rules it."""
    wire = candidate.article.wire
    if decision.status is not None:
        story.status = decision.status
    story.status_reason = decision.reason[:500]
    if decision.action is not Action.KILL:
        story.embargoed_until = wire.embargoed_until
        story.expires_at = _expiry(story.source, candidate, story.first_published_at)
        if "correction" in wire.signals or wire.correction_note:
            story.corrected_at = candidate.article.updated_at or now
            story.correction_note = wire.correction_note
    story.save(update_fields=["status", "status_reason", "embargoed_until", "expires_at",
                              "corrected_at", "correction_note"])


def _expiry(source: Source, candidate: Candidate, first_published: datetime | None
            ) -> datetime | None:
    """The source's expiry time, else the source's retention period, else none."""
    if candidate.article.wire.expires_at is not None:
        return candidate.article.wire.expires_at
    if source.retention_days and first_published is not None:
        return first_published + timedelta(days=source.retention_days)
    return None


def _state(story: Story | None, known: dict[int, set[str]]) -> StoryState | None:
    if story is None or story.current_version is None:
        return None
    current = story.current_version
    return StoryState(
        status=LifecycleStatus(story.status),
        current_hash=current.content_hash,
        current_order=VersionOrder(current.version_number, current.version_created,
                                   current.source_updated_at or current.published_at),
        known_hashes=frozenset(known[story.pk]),
        embargoed_until=current.embargoed_until,
        pubstatus=PubStatus(current.pubstatus),
    )


def _incoming(source: Source, candidate: Candidate) -> Incoming:
    article = candidate.article
    wire = article.wire
    return Incoming(
        candidate.content_hash,
        order=VersionOrder(wire.version_number, wire.version_created,
                           article.updated_at or article.published_at),
        pubstatus=wire.pubstatus, embargoed_until=wire.embargoed_until,
        expires_at=_expiry(source, candidate, article.published_at),
    )


def _create_stories(desk: WriteDesk, source: Source, created: list[_New], now: datetime
                    ) -> list[Story]:
    """Create new stories with their first versions: a few statements however many there are.

    Each first version is fingerprinted and indexed for duplicate detection (replacing its
    placeholder), and each story of its own is placed in an event cluster.
    """
    if not created:
        return []
    stories = [_story(source, new, now) for new in created]
    insert_objects(stories)
    versions = [_version(story, 1, new.candidate, new.payload, now, current=True,
                         fingerprint=new.doc.blob)
                for story, new in zip(stories, created, strict=True)]
    insert_objects(versions)
    for story, version, new in zip(stories, versions, created, strict=True):
        story.current_version = version
        desk.duplicates.remove(new.placeholder)
        desk.duplicates.add(str(version.pk), str(story.pk), new.doc, now)
    insert_objects([
        StoryEvent(story=story, at=now, action=Action.CREATE, status=story.status,
                   version=version, cause=_creation_cause(new))
        for story, version, new in zip(stories, versions, created, strict=True)])
    texts = {story.pk: new.doc.text for story, new in zip(stories, created, strict=True)}
    read = {story.pk: new.cluster_text for story, new in zip(stories, created, strict=True)
            if new.cluster_text is not None}
    desk.clusters.assign_new([story for story in stories if story.merged_into_id is None],
                             texts, read)
    # The rest of each row in one UPDATE (a prepared statement for all of them): its current
    # version, which could not be named before the version existed, and its event. Each UPDATE
    # of an indexed column of a story writes a new entry in every index of the table, so a
    # story is written twice, not once for each (the sitemap flag was set on the INSERT).
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Story._meta.db_table} SET current_version_id = %s, cluster_id = %s, "
            "cluster_score = %s WHERE id = %s",
            [(version.pk, story.cluster_id, story.cluster_score, story.pk)
             for story, version in zip(stories, versions, strict=True)])
    desk.publish(stories, created=True)
    return stories


def _story(source: Source, new: _New, now: datetime) -> Story:
    article, wire, decision = new.candidate.article, new.candidate.article.wire, new.decision
    duplicate = new.duplicate
    root = new.merged_into
    status = decision.status or Story.Status.PUBLISHED
    reason = decision.reason
    if not new.gate.public and status == Story.Status.PUBLISHED:
        status, reason = Story.Status.HELD, gating.held_reason(new.gate)
    kind = ""
    if root is not None:
        kind = (Story.MergeKind.VERSION
                if duplicate.outcome is DuplicateOutcome.SAME_STORY_NEW_VERSION
                else Story.MergeKind.COPY)
    story = Story(
        source=source, external_id=new.candidate.identity.external_id,
        identity_basis=new.candidate.identity.basis, slug=article.slug[:100] or "story",
        section_id=source.section_id, headline=article.headline[:500],
        summary=article.summary, first_published_at=article.published_at or now,
        version_count=1, changed_at=now, status=status,
        status_reason=reason[:500], embargoed_until=wire.embargoed_until,
        expires_at=_expiry(source, new.candidate, article.published_at or now),
        corrected_at=(article.updated_at or now) if "correction" in wire.signals else None,
        correction_note=wire.correction_note,
        merged_into=root, merge_kind=kind,
        cluster_id=root.cluster_id if root is not None else None,
        duplicate_check={"outcome": str(duplicate.outcome), **duplicate.evidence.as_dict()},
        publication_mode=new.gate.mode.value, gate_outcome=new.gate.outcome.value,
        full_without_original=sitemap_flags.flag(new.gate.mode.value, article.link[:2000]),
        gate_reasons=[verdict.as_dict() for verdict in new.gate.verdicts],
        timely=new.gate.timely)
    gating.place(story, new.gate, now, first_sight=True)  # what the routing rules set
    return story


def _creation_cause(new: _New) -> str:
    cause = _cause(new.decision, new.payload)
    if new.merged_into is not None:
        cause = f"{cause} [merged into story {new.merged_into.pk}: " \
                f"{new.duplicate.evidence.rule}]"
    if not new.gate.public:
        cause = f"{cause} [{gating.held_reason(new.gate)}]"
    return cause[:500]


def _version(story: Story, number: int, candidate: Candidate, payload: RawPayload | None,
             now: datetime, *, current: bool, fingerprint: bytes | None = None,
             from_story: Story | None = None) -> StoryVersion:
    article = candidate.article
    wire = article.wire
    return StoryVersion(
        story=story, number=number, received_at=now, is_superseded=not current,
        headline=article.headline[:HEADLINE_LENGTH], byline=article.byline[:500],
        dateline=article.dateline[:200], body_html=article.body_html, summary=article.summary,
        link=article.link[:2000], language=article.language[:20],
        images=[dataclasses.asdict(image) for image in article.images],
        categories=list(article.categories), published_at=article.published_at or now,
        source_updated_at=article.updated_at, date_is_fallback=article.date_is_fallback,
        unparsed_dates=list(article.unparsed_dates), content_hash=candidate.content_hash,
        source_version=wire.version[:100], version_number=wire.version_number,
        version_created=wire.version_created, pubstatus=wire.pubstatus.value,
        signals=list(wire.signals), correction_note=wire.correction_note,
        embargoed_until=wire.embargoed_until, expires_at=wire.expires_at,
        located=wire.located[:200], urgency=wire.urgency,
        subjects=[{"code": subject.code, "name": subject.name} for subject in wire.subjects],
        payload=payload, fingerprint=fingerprint, from_story=from_story,
    )


def _add_version(desk: WriteDesk, ahead: Ahead, story: Story, candidate: Candidate,
                 payload: RawPayload | None,
                 now: datetime, *, current: bool, from_story: Story | None = None
                 ) -> StoryVersion:
    """Add a version to an existing story; the caller publishes the change.

    A story's own version is fingerprinted and indexed (a later re-send matches the latest text);
    a version mirrored from a merged story is not: the merged story's own version is.
    """
    doc = (ahead.describe(desk, story.source, candidate.article, now)
           if from_story is None else None)
    version = _version(story, story.version_count + 1, candidate, payload, now, current=current,
                       fingerprint=doc.blob if doc else None, from_story=from_story)
    version.save()
    if doc is not None:
        desk.duplicates.add(str(version.pk), str(story.pk), doc, now)
    story.version_count = version.number
    fields = ["version_count"]
    if current:
        article = candidate.article
        story.current_version = version
        story.headline, story.summary = article.headline[:500], article.summary
        story.last_updated_at = _update_time(story, article.updated_at, now)
        fields += ["current_version", "headline", "summary", "last_updated_at"]
    story.save(update_fields=fields)
    return version


def _update_time(story: Story, source_updated: datetime | None, now: datetime) -> datetime:
    """The source's update time when it gave a plausible one, else when we received the change."""
    if source_updated and story.first_published_at < source_updated <= now:
        return source_updated
    return now
