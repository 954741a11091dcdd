"""What to do with a new item, given its verified matches: one pure function, :func:`decide`.

Outcomes:

* ``NEW`` -- no verified match: a story of its own.
* ``SAME_STORY_NEW_VERSION`` -- the same copy again under a new id: an agency's "UPDATE 1-" or
  "REFILE-" re-send, or (with the ``merge`` policy) the same agency copy through another feed.
  The item becomes a version of the matched story; the lifecycle rules then order it.
* ``SYNDICATED_COPY`` -- the same story from another source whose policy is ``also-reported``:
  keep one article and list this source under "Also reported by".
* ``KEEP_BOTH`` -- a match was found but the source's policy is ``keep-both``: publish it as its
  own story, and keep the evidence so an editor can merge by hand.

A match from the item's *own* source is always a version of that story (listing a source as "also
reported by" itself makes no sense), unless the source's policy is ``keep-both``. Stories an
editor split away from this item are passed in ``forbidden`` and never joined again, so a split
survives re-ingest.

The :class:`Evidence` is small, flat and JSON-ready (:meth:`Evidence.as_dict`) so the newsroom can
store it with the decision and show it in the admin.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from wiredesk.dedupe.headlines import HeadlineInfo
from wiredesk.dedupe.index import Match


class Outcome(enum.StrEnum):
    NEW = "new"
    SAME_STORY_NEW_VERSION = "same_story_new_version"
    SYNDICATED_COPY = "syndicated_copy"
    KEEP_BOTH = "keep_both"


class Policy(enum.StrEnum):
    """A source's duplicate policy: what its items do when they duplicate another source's."""

    MERGE = "merge"  # same agency copy via another feed: a version of the existing story
    ALSO_REPORTED = "also-reported"  # one article, this source listed as also reporting
    KEEP_BOTH = "keep-both"  # always a separate article


@dataclass(frozen=True, slots=True)
class NewItem:
    """The new item as the decision sees it."""

    source_id: str
    headline: HeadlineInfo
    time: datetime


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why the decision was taken: the best match's scores and the rules that fired."""

    rule: str  # the decision rule ("same-source", "policy:also-reported", "no-match"...)
    match_rule: str = ""  # the verification rule of the best match ("exact", "version"...)
    matched_doc: str = ""
    matched_story: str = ""
    matched_source: str = ""
    exact: bool = False
    jaccard: float = 0.0
    containment: float = 0.0
    headline: float = 0.0
    gap_seconds: float = 0.0
    signals: tuple[str, ...] = ()  # the new headline's re-send marks
    matches: int = 0  # verified matches considered

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["signals"] = list(self.signals)
        return data


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    story_id: str | None  # the existing story joined or copied; None for NEW
    evidence: Evidence


def decide(item: NewItem, matches: Sequence[Match], policy: Policy,
           forbidden: Collection[str] = ()) -> Decision:
    """The outcome for ``item`` given its verified ``matches`` (best first) and its source's
    ``policy``. Matches to ``forbidden`` stories (split by an editor) are ignored."""
    allowed = [match for match in matches if match.story_id not in forbidden]
    signals = tuple(str(signal) for signal in item.headline.signals)
    if not allowed:
        rule = "only-forbidden-matches" if matches else "no-match"
        return Decision(Outcome.NEW, None, Evidence(rule, signals=signals))
    best = _preferred(allowed, item.source_id)
    outcome, rule = _outcome(best.source_id == item.source_id, policy)
    story = None if outcome is Outcome.KEEP_BOTH else best.story_id
    return Decision(outcome, story, _evidence(rule, best, signals, len(allowed)))


def _preferred(matches: Sequence[Match], source_id: str) -> Match:
    """The best match, preferring the item's own source: a re-send joins its own story even
    when another feed's copy of it happens to score a little higher."""
    own = [match for match in matches if match.source_id == source_id]
    return (own or list(matches))[0]


def _outcome(same_source: bool, policy: Policy) -> tuple[Outcome, str]:
    if policy is Policy.KEEP_BOTH:
        return Outcome.KEEP_BOTH, "policy:keep-both"
    if same_source:
        return Outcome.SAME_STORY_NEW_VERSION, "same-source"
    if policy is Policy.MERGE:
        return Outcome.SAME_STORY_NEW_VERSION, "policy:merge"
    return Outcome.SYNDICATED_COPY, "policy:also-reported"


def _evidence(rule: str, match: Match, signals: tuple[str, ...], count: int) -> Evidence:
    scores = match.scores
    return Evidence(
        rule=rule,
        match_rule=match.rule,
        matched_doc=match.doc_id,
        matched_story=match.story_id,
        matched_source=match.source_id,
        exact=scores.exact,
        jaccard=round(scores.jaccard, 4),
        containment=round(scores.containment, 4),
        headline=round(scores.headline, 4),
        gap_seconds=scores.gap_seconds,
        signals=signals,
        matches=count,
    )
