"""The clusterer's decisions on hand-written stories, and its state."""

from __future__ import annotations

import json

import pytest

from tests.cluster.stories import (
    QUAKE_SULAWESI_A,
    QUAKE_SULAWESI_B,
    QUAKE_SUMATRA_A,
    QUAKE_SUMATRA_B,
    WILDFIRE_A,
    WILDFIRE_B,
    later,
)
from wiredesk.cluster import ClusterConfig, ClusterDoc, Clusterer

STREAM = [WILDFIRE_A, QUAKE_SUMATRA_A, QUAKE_SULAWESI_A, WILDFIRE_B, QUAKE_SUMATRA_B,
          QUAKE_SULAWESI_B]


def assign_all(clusterer: Clusterer, docs: list[ClusterDoc]) -> dict[str, str]:
    return {d.id: clusterer.assign(d).cluster_id for d in docs}


def test_same_event_from_two_outlets_joins_one_cluster() -> None:
    clusterer = Clusterer()
    first = clusterer.assign(WILDFIRE_A)
    second = clusterer.assign(WILDFIRE_B)
    assert first.created and first.cluster_id == WILDFIRE_A.id
    assert not second.created and second.cluster_id == WILDFIRE_A.id
    assert second.match is not None and second.score == second.match.score
    assert second.score >= ClusterConfig().threshold


def test_two_different_earthquakes_on_the_same_day_stay_apart() -> None:
    clusters = assign_all(Clusterer(), STREAM)
    assert clusters[QUAKE_SUMATRA_B.id] == clusters[QUAKE_SUMATRA_A.id]
    assert clusters[QUAKE_SULAWESI_B.id] == clusters[QUAKE_SULAWESI_A.id]
    assert clusters[QUAKE_SUMATRA_A.id] != clusters[QUAKE_SULAWESI_A.id]
    assert clusters[WILDFIRE_B.id] == clusters[WILDFIRE_A.id]
    assert len(set(clusters.values())) == 3


def test_the_runner_up_is_kept_as_evidence() -> None:
    clusterer = Clusterer()
    assign_all(clusterer, STREAM[:-1])
    decision = clusterer.assign(QUAKE_SULAWESI_B)
    assert decision.runner_up is not None
    assert decision.runner_up.cluster_id == QUAKE_SUMATRA_A.id  # the other earthquake
    assert decision.runner_up.score < decision.score


def test_a_story_weeks_later_on_the_same_topic_starts_a_new_cluster() -> None:
    clusterer = Clusterer()
    clusterer.assign(WILDFIRE_A)
    same_day = clusterer.assign(later(WILDFIRE_A, "next-day", days=0.5))
    weeks_later = clusterer.assign(later(WILDFIRE_A, "weeks-later", days=21))
    assert same_day.cluster_id == WILDFIRE_A.id
    assert weeks_later.created and weeks_later.cluster_id == "weeks-later"


def test_time_decay_lowers_the_score_before_the_cluster_retires() -> None:
    clusterer = Clusterer(ClusterConfig(active_window_hours=24 * 30))
    clusterer.assign(WILDFIRE_A)
    decision = clusterer.assign(later(WILDFIRE_B, "four-days-on", days=4))
    evidence = decision.match or decision.runner_up
    assert evidence is not None and evidence.decay == pytest.approx(0.5 ** 2, rel=0.05)
    assert evidence.score < evidence.text


def test_quiet_clusters_are_retired() -> None:
    clusterer = Clusterer()
    clusterer.assign(WILDFIRE_A)
    clusterer.assign(later(QUAKE_SUMATRA_A, "much-later", days=10))
    assert clusterer.cluster(WILDFIRE_A.id) is None
    assert [c.id for c in clusterer.clusters()] == ["much-later"]


def test_a_story_seen_again_keeps_its_cluster_and_does_not_count_twice() -> None:
    clusterer = Clusterer()
    clusterer.assign(WILDFIRE_A)
    again = clusterer.assign(WILDFIRE_A)
    cluster = clusterer.cluster(WILDFIRE_A.id)
    assert again.cluster_id == WILDFIRE_A.id and not again.created
    assert cluster is not None and cluster.size == 1


def test_state_round_trips_through_json_and_decides_the_same() -> None:
    running = Clusterer()
    assign_all(running, STREAM[:4])
    state = json.loads(json.dumps(running.to_state()))
    restored = Clusterer.from_state(state)
    assert restored.to_state() == running.to_state()
    for doc in STREAM[4:]:
        assert restored.assign(doc) == running.assign(doc)
    assert restored.to_state() == running.to_state()


def test_an_unknown_state_version_is_refused() -> None:
    with pytest.raises(ValueError, match="version"):
        Clusterer.from_state({"version": 99})


def test_given_entities_are_used_instead_of_the_proxies() -> None:
    clusterer = Clusterer()
    clusterer.assign(ClusterDoc("a", "Talks resume", "Negotiators met again.", WILDFIRE_A.published,
                                entities=("Acme Corp", "Jane Roe")))
    cluster = clusterer.cluster("a")
    assert cluster is not None and set(cluster.entities) == {"acme corp", "jane roe"}


def test_config_round_trips_and_ignores_unknown_keys() -> None:
    config = ClusterConfig(threshold=0.3)
    assert ClusterConfig.from_dict({**config.to_dict(), "from_a_newer_version": 1}) == config
