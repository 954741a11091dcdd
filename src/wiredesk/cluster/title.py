"""A title for a cluster's "Full coverage" page: the member headline that best speaks for all.

Writing a new headline would need a language model and could state things no outlet said; picking
one of the members' headlines cannot. The pick is the headline whose words the most members share
(the cluster's term sums say that directly), per word, so a long headline does not win by length;
wire prefixes ("UPDATE 2-", "REFILE-") are removed because they describe the copy, not the event.
"""

from __future__ import annotations

import re

from wiredesk.cluster.clusters import Cluster, Headline
from wiredesk.cluster.tokens import tokenize

# Copy-desk labels that open wire headlines: "UPDATE 2-", "REFILE-", "CORRECTED-", "WRAPUP 1-".
_WIRE_PREFIX = re.compile(
    r"^\s*(?:(?:UPDATE|REFILE|CORRECTED|CORRECTION|WRAPUP|EXCLUSIVE|BREAKING|URGENT|FLASH)"
    r"(?:\s+\d+)?\s*[-:\N{EN DASH}\N{EM DASH}]\s*)+"
)
_UNTITLED = "Untitled event"


def cluster_title(cluster: Cluster) -> str:
    """The title for ``cluster``: its most representative headline, wire prefixes removed."""
    candidates = [h for h in cluster.headlines if clean_headline(h.text)]
    if not candidates:
        return _UNTITLED
    best = max(candidates, key=lambda h: (_representativeness(h, cluster), -h.time))
    return clean_headline(best.text)


def clean_headline(headline: str) -> str:
    """``headline`` without wire prefixes and surrounding or doubled whitespace."""
    return " ".join(_WIRE_PREFIX.sub("", headline).split())


def _representativeness(headline: Headline, cluster: Cluster) -> float:
    """Mean over the headline's distinct terms of how much of the cluster uses each term."""
    terms = set(tokenize(headline.text))
    if not terms:
        return 0.0
    return sum(cluster.terms.get(term, 0.0) for term in terms) / len(terms)
