"""Scoring a pair of documents, and the rules that make a score a verified match.

The LSH index only proposes candidates; this module decides. Every score is computed for every
candidate and kept as evidence (:class:`Scores`), and :func:`verify` applies the rules in
:class:`MatchRules`, in order, reporting which one fired -- so an editor looking at a merge in the
admin sees *why* (e.g. "version: containment 0.62, headline 0.71, 2.5 h apart").

Why these scores:

* **Containment** (|A∩B| / min(|A|, |B|) over shingle sets) rather than Jaccard: a truncated copy
  or a summary is wholly *contained* in the full story although their Jaccard similarity is low,
  and an update that adds two paragraphs still contains most of the original.
* **Headline similarity** separates the hard cases containment cannot: an update whose lead was
  rewritten keeps its headline's subject words, while a different story on the same topic that
  repeats a background paragraph has its own headline.
* **Kind** (news, factbox, analysis...) must be equal: a factbox shares the story's facts but is a
  separate piece.
* **Time**: versions and copies of a story arrive within hours; the window (72 h by default)
  keeps a story from matching the same event's anniversary piece a year later.

The thresholds were tuned on the dev pairs only (``benchmarks/dedupe_quality.py --tune``); see
tests/fixtures/dedupe/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from wiredesk.dedupe.fingerprints import EMPTY_HASH, Fingerprint
from wiredesk.dedupe.headlines import HeadlineInfo, headline_similarity


@dataclass(frozen=True, slots=True)
class Scores:
    """Everything measured about one pair. ``gap_seconds`` is absolute (order is not evidence)."""

    exact: bool
    jaccard: float  # MinHash estimate
    containment: float  # exact, over shingle sets
    headline: float
    headlines_known: bool  # False when either side has no headline (headline is then 0)
    gap_seconds: float
    same_kind: bool
    new_size: int  # shingles in the new document
    old_size: int  # shingles in the stored one


@dataclass(frozen=True, slots=True)
class MatchRules:
    """The verification thresholds. Defaults were tuned on the dev pairs only.

    On dev, updates of a story keep 0.61-0.9 of the shorter text's shingles and copies 0.9-1.0,
    while different stories on the same topic share at most 0.44 (a next-day story repeating a
    background paragraph) and template-written stories (two companies' results) 0.33-0.35. The
    near-copy threshold sits between the two groups; the version rule takes the band below it
    only when the headlines still share subject words.
    """

    window: timedelta = timedelta(hours=72)
    # Below this many shingles a text is too short to match on content (an alert, a caption):
    # only an exact copy of it counts.
    min_shingles: int = 10
    # A near copy or a version: most of the shorter text is in the longer one.
    copy_containment: float = 0.55
    # A version whose text changed more: some of the text kept, and the headline still about the
    # same thing.
    version_containment: float = 0.4
    version_headline: float = 0.3


@dataclass(frozen=True, slots=True)
class Verdict:
    accepted: bool
    rule: str  # the rule that accepted, or the reason for refusing


@dataclass(frozen=True, slots=True)
class Side:
    """One document of a pair, as the scorer sees it."""

    fingerprint: Fingerprint
    headline: HeadlineInfo
    time: datetime


def score(new: Side, old: Side) -> Scores:
    exact = new.fingerprint.exact_hash != EMPTY_HASH and (
        new.fingerprint.exact_hash == old.fingerprint.exact_hash)
    return Scores(
        exact=exact,
        jaccard=jaccard_estimate(new.fingerprint, old.fingerprint),
        containment=containment(new.fingerprint, old.fingerprint),
        headline=headline_similarity(new.headline, old.headline),
        headlines_known=bool(new.headline.key and old.headline.key),
        gap_seconds=abs((new.time - old.time).total_seconds()),
        same_kind=new.headline.kind is old.headline.kind,
        new_size=new.fingerprint.size,
        old_size=old.fingerprint.size,
    )


def containment(first: Fingerprint, second: Fingerprint) -> float:
    """|A∩B| / min(|A|, |B|) over the two shingle sets; 0 when either is empty."""
    smaller = min(first.size, second.size)
    if smaller == 0:
        return 0.0
    common = np.intersect1d(first.shingles, second.shingles, assume_unique=True).size
    return common / smaller


def jaccard_estimate(first: Fingerprint, second: Fingerprint) -> float:
    """The MinHash estimate of Jaccard similarity: the share of equal signature slots."""
    if first.signature.size != second.signature.size or first.size == 0 or second.size == 0:
        return 0.0
    return float(np.count_nonzero(first.signature == second.signature)) / first.signature.size


def verify(scores: Scores, rules: MatchRules) -> Verdict:
    """Whether a scored pair is the same story, and which rule says so (first that applies)."""
    if scores.gap_seconds > rules.window.total_seconds():
        return Verdict(False, "outside-window")
    if not scores.same_kind:
        return Verdict(False, "different-kind")
    if scores.exact:
        return Verdict(True, "exact")
    if min(scores.new_size, scores.old_size) < rules.min_shingles:
        return Verdict(False, "too-short")
    if scores.containment >= rules.copy_containment:
        return Verdict(True, "near-copy")
    if (scores.containment >= rules.version_containment
            and scores.headline >= rules.version_headline):
        return Verdict(True, "version")
    return Verdict(False, "not-similar")
