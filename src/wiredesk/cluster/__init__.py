"""Online event clustering: stories about the same event, from any outlet, in one cluster.

Pure Python, framework-free. The caller feeds stories in arrival order::

    clusterer = Clusterer(ClusterConfig())
    assignment = clusterer.assign(ClusterDoc(id, headline, body, published))
    assignment.cluster_id, assignment.created, assignment.score, assignment.runner_up
    cluster_title(clusterer.cluster(assignment.cluster_id))
    state = clusterer.to_state()          # JSON-serialisable; Clusterer.from_state(state) resumes

How a story is scored against a cluster: TF-IDF cosine of its terms (headline weighted, IDF kept
incrementally) against the cluster centroid, blended with the cosine of their named entities (real
ones from enrichment, or the cheap proxies of :mod:`.entities`), times a time decay on the gap
between the story and the cluster's stories, halved when the story's lead dates it to a year the
cluster's leads never state (:mod:`.dates`). Candidates come from an inverted index over active
clusters only, so the cost per story does not grow with the corpus. Clusters quiet for longer than
``ClusterConfig.active_window_hours`` are retired from memory: the caller keeps their stories'
assignments and titles; a story about them arriving later starts a new cluster.

Young clusters are re-checked (:mod:`.split`): a cluster keeps its first few members' vectors, and
when they fall into two groups far apart (the second of two look-alike events joined the first
one's cluster before anything could tell them apart), the founder's group keeps the cluster and the
other group is split off as a pending cluster. Nothing already assigned moves; the next story that
fits the split-off group best starts a new cluster seeded with it (``Assignment.created``), and the
original cluster is compared as its own group only. ``Clusterer.place`` records a stored assignment
as if ``assign`` had made it, so a clusterer can be rebuilt or kept in step with other workers.

Figures (ECB+ dev BCubed, cost per story) and what was tuned: ``benchmarks/cluster_quality.py``
and ``benchmarks/cluster_cost.py``.
"""

from wiredesk.cluster.bcubed import BCubed, bcubed
from wiredesk.cluster.clusterer import Clusterer
from wiredesk.cluster.clusters import Cluster, Headline
from wiredesk.cluster.config import ClusterConfig
from wiredesk.cluster.entities import extract_entities
from wiredesk.cluster.model import Assignment, ClusterDoc, Match, TextFeatures
from wiredesk.cluster.title import clean_headline, cluster_title

__all__ = [
    "Assignment", "BCubed", "Cluster", "ClusterConfig", "ClusterDoc", "Clusterer", "Headline",
    "Match", "TextFeatures", "bcubed", "clean_headline", "cluster_title", "extract_entities",
]
