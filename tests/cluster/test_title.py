"""Titles for "Full coverage" pages."""

from __future__ import annotations

from tests.cluster.stories import QUAKE_SUMATRA_A, WILDFIRE_A, WILDFIRE_B, doc
from wiredesk.cluster import Cluster, Clusterer, clean_headline, cluster_title


def test_the_title_is_the_most_representative_headline_without_wire_prefixes() -> None:
    clusterer = Clusterer()
    off_angle = doc("aside", "Okanagan tourism operators count the cost",
                    WILDFIRE_B.body, hours=4)
    for story in (WILDFIRE_A, WILDFIRE_B, off_angle):
        clusterer.assign(story)
    cluster = clusterer.cluster(WILDFIRE_A.id)
    assert cluster is not None and cluster.size == 3
    assert cluster_title(cluster) in {
        "Wildfire forces thousands to flee Kelowna", clean_headline(WILDFIRE_B.headline)}


def test_a_single_story_cluster_is_titled_by_its_headline() -> None:
    clusterer = Clusterer()
    clusterer.assign(QUAKE_SUMATRA_A)
    cluster = clusterer.cluster(QUAKE_SUMATRA_A.id)
    assert cluster is not None and cluster_title(cluster) == QUAKE_SUMATRA_A.headline


def test_wire_prefixes_are_removed() -> None:
    assert clean_headline("UPDATE 2-Storm hits coast") == "Storm hits coast"
    assert clean_headline("REFILE-CORRECTED-Storm  hits coast ") == "Storm hits coast"
    assert clean_headline("Update on the storm") == "Update on the storm"


def test_a_cluster_without_headlines_has_a_fallback_title() -> None:
    assert cluster_title(Cluster(id="x", first_seen=0.0, last_seen=0.0)) == "Untitled event"
