"""What goes into the clusterer and what comes out: plain, frozen data.

The clusterer never sees a Django model or a feed item: the caller builds a :class:`ClusterDoc`
from a story's current version and stores the :class:`Assignment` it gets back (the cluster id
and, as the decision's evidence for the admin, the scores).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    """One story as the clusterer reads it.

    ``published`` should be timezone-aware; naive datetimes are read as UTC. ``entities`` are names
    from the enrichment stage when it has run; ``None`` means "not known", and the clusterer then
    extracts cheap proxies itself (capitalised names and numbers, see :mod:`.entities`). An empty
    tuple means "enrichment ran and found nothing" and is respected.
    """

    id: str
    headline: str
    body: str
    published: datetime
    entities: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """What a story's text gives the clusterer before any weighing (its term profile and entity
    keys), read from exactly this ``headline`` and ``body``: worked out ahead of the decisions
    (:meth:`wiredesk.cluster.Clusterer.read`) and used only for a document with the same text."""

    headline: str
    body: str
    profile: dict[str, float]
    entities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """How well a story fits one candidate cluster; the evidence behind a decision."""

    cluster_id: str
    score: float  # the decision score: blended similarity x time decay (x date-conflict factor)
    text: float  # cosine of TF-IDF vectors (story vs. cluster centroid)
    entities: float  # cosine of entity vectors (0.0 when either side has none)
    decay: float  # time factor in (0, 1]: 1.0 when the story is within the cluster's time span


@dataclass(frozen=True, slots=True)
class Assignment:
    """The decision for one story.

    ``score`` is the joined cluster's score, 0.0 when the story started a cluster, and 1.0 when
    the story id was assigned before (a new version of it: it keeps its cluster). A story can also
    start a cluster by fitting a group of stories split off a look-alike cluster (see
    :mod:`wiredesk.cluster.split`): then ``created`` is True, ``score`` and ``match`` say how well
    it fit that group, and ``match.cluster_id`` is the new cluster's id.
    ``runner_up`` is the best cluster *not* chosen: the second best when the story joined one, the
    closest rejected one when it started its own. Both are kept so an editor can see near misses.
    Both only ever name clusters the caller knows.
    """

    cluster_id: str
    created: bool
    score: float
    runner_up: Match | None = None
    match: Match | None = None
