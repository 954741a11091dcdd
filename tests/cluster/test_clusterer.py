"""The clusterer's decisions on hand-written stories, and its state."""

from __future__ import annotations

import json

import pytest

from tests.cluster.stories import (
    QUAKE_SULAWESI_A,
    QUAKE_SULAWESI_B,
    QUAKE_SULAWESI_C,
    QUAKE_SUMATRA_A,
    QUAKE_SUMATRA_B,
    WILDFIRE_A,
    WILDFIRE_B,
    later,
)
from tests.cluster.stories import (
    doc as story_doc,
)
from wiredesk.cluster import ClusterConfig, ClusterDoc, Clusterer
from wiredesk.cluster.store import MemoryStore

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


def test_state_round_trips_with_young_samples_and_a_split_off_group() -> None:
    running = Clusterer()
    place_all(running, MIXED, "mixed")
    state = json.loads(json.dumps(running.to_state()))
    restored = Clusterer.from_state(state)
    assert restored.to_state() == running.to_state()
    assert restored.assign(QUAKE_SULAWESI_C) == running.assign(QUAKE_SULAWESI_C)


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


# Two earthquakes forced into one cluster, as happens when the second event's first story joins the
# first event's cluster before anything could tell them apart.
MIXED = [QUAKE_SUMATRA_A, QUAKE_SULAWESI_A, QUAKE_SUMATRA_B, QUAKE_SULAWESI_B]


def place_all(clusterer: Clusterer, docs: list[ClusterDoc], cluster_id: str) -> None:
    for doc in docs:
        clusterer.place(doc, cluster_id)


def test_place_records_a_story_where_it_is_told() -> None:
    clusterer = Clusterer()
    clusterer.place(WILDFIRE_A, "event-7")
    clusterer.place(QUAKE_SUMATRA_A, "event-7")  # a caller's decision is taken as it is
    cluster = clusterer.cluster("event-7")
    assert cluster is not None and cluster.members == [WILDFIRE_A.id, QUAKE_SUMATRA_A.id]
    assert clusterer.assign(WILDFIRE_A).cluster_id == "event-7"  # a known story keeps its cluster
    assert clusterer.to_state()["terms"]["documents"] == 2


def test_placing_a_story_twice_changes_nothing() -> None:
    clusterer = Clusterer()
    clusterer.place(WILDFIRE_A, "event-7")
    before = clusterer.to_state()
    clusterer.place(WILDFIRE_A, "event-7")
    clusterer.place(WILDFIRE_A, "elsewhere")
    assert clusterer.to_state() == before
    assert clusterer.cluster("elsewhere") is None


def test_replaying_assignments_through_place_rebuilds_the_same_clusterer() -> None:
    original = Clusterer()
    decisions = [(doc, original.assign(doc).cluster_id) for doc in STREAM[:5]]
    rebuilt = Clusterer()
    for doc, cluster_id in decisions:
        rebuilt.place(doc, cluster_id)
    assert rebuilt.to_state() == original.to_state()
    assert rebuilt.assign(STREAM[5]) == original.assign(STREAM[5])


def test_place_moves_the_clock_and_retires_quiet_clusters() -> None:
    clusterer = Clusterer()
    clusterer.place(WILDFIRE_A, "fire")
    clusterer.place(later(QUAKE_SUMATRA_A, "much-later", days=10), "quake")
    assert clusterer.cluster("fire") is None
    clusterer.place(later(WILDFIRE_B, "fire-again", days=10), "fire")  # retired: started anew
    cluster = clusterer.cluster("fire")
    assert cluster is not None and cluster.members == ["fire-again"]


def test_a_young_cluster_of_two_events_splits_and_the_next_story_starts_the_other() -> None:
    clusterer = Clusterer()
    place_all(clusterer, MIXED, "mixed")
    mixed = clusterer.cluster("mixed")
    assert mixed is not None and mixed.size == 4  # nothing already assigned moves
    assert [s.story_id for s in mixed.samples] == [QUAKE_SUMATRA_A.id, QUAKE_SUMATRA_B.id]
    assert "sulawesi" not in mixed.terms  # but the cluster now describes its founder's event
    assert [c.id for c in clusterer.clusters()] == ["mixed"]  # the split-off group is internal
    decision = clusterer.assign(QUAKE_SULAWESI_C)
    assert decision.created and decision.cluster_id == QUAKE_SULAWESI_C.id
    assert decision.match is not None and decision.match.cluster_id == QUAKE_SULAWESI_C.id
    assert decision.score >= ClusterConfig().threshold
    assert decision.runner_up is not None and decision.runner_up.cluster_id == "mixed"
    started = clusterer.cluster(QUAKE_SULAWESI_C.id)
    assert started is not None and started.members == [QUAKE_SULAWESI_C.id]
    assert "sulawesi" in started.terms  # seeded with the split-off stories


def test_without_the_split_the_same_story_joins_the_mixed_cluster() -> None:
    clusterer = Clusterer(ClusterConfig(split_ratio=0.0))
    place_all(clusterer, MIXED, "mixed")
    assert clusterer.assign(QUAKE_SULAWESI_C).cluster_id == "mixed"


def test_a_cluster_of_one_event_does_not_split() -> None:
    clusterer = Clusterer()
    place_all(clusterer, [QUAKE_SULAWESI_A, QUAKE_SULAWESI_B, QUAKE_SULAWESI_C,
                          later(QUAKE_SULAWESI_B, "sulawesi-4", days=0.1)], "sulawesi")
    cluster = clusterer.cluster("sulawesi")
    assert cluster is not None and len(cluster.samples) == 4
    assert len(clusterer.to_state()["clusters"]) == 1


def test_replaying_through_place_reproduces_a_split_and_its_claim() -> None:
    original = Clusterer()
    place_all(original, MIXED, "mixed")
    claimed = original.assign(QUAKE_SULAWESI_C)
    rebuilt = Clusterer()
    place_all(rebuilt, MIXED, "mixed")
    rebuilt.place(QUAKE_SULAWESI_C, claimed.cluster_id)
    assert rebuilt.to_state() == original.to_state()
    follow_up = later(QUAKE_SULAWESI_B, "sulawesi-5", days=0.2)
    assert rebuilt.assign(follow_up) == original.assign(follow_up)
    assert original.assign(later(QUAKE_SULAWESI_A, "sulawesi-6", days=0.2)).cluster_id == (
        claimed.cluster_id)


def test_samples_are_dropped_once_a_cluster_is_settled() -> None:
    clusterer = Clusterer(ClusterConfig(split_samples=2))
    place_all(clusterer, [QUAKE_SULAWESI_A, QUAKE_SULAWESI_B, QUAKE_SULAWESI_C], "sulawesi")
    cluster = clusterer.cluster("sulawesi")
    assert cluster is not None and cluster.size == 3 and cluster.samples == []


TEMPLATE = ("{name} reported quarterly results on Tuesday, with revenue and profit in line with "
            "the expectations of analysts, the company said. Shares of {name} were little "
            "changed in early trading, and {name} kept its forecast for the full year, citing "
            "steady demand from customers in its main markets.")


def templated(n: int, story_id: str, hours: float = 0.0) -> ClusterDoc:
    name = f"Zorblax{n}"
    return story_doc(story_id, f"{name} reports quarterly results", TEMPLATE.format(name=name),
                     hours)


def test_templated_copy_reads_at_most_max_posting_clusters_per_term() -> None:
    """Hundreds of active clusters under the same template words: a lookup skips those words'
    posting lists (longer than max_posting), and the company's own name still finds its
    cluster."""
    config = ClusterConfig(max_posting=20)
    store = MemoryStore(config)
    clusterer = Clusterer(config, store)
    first = [clusterer.assign(templated(n, f"t{n}", hours=n / 100)) for n in range(300)]
    # Early on the template's words look rare and join companies; once the IDF has seen them,
    # each company gets its own cluster.
    assert len({a.cluster_id for a in first[200:]}) == 100
    store._index.reads = 0
    again = clusterer.assign(templated(210, "t210-again", hours=3.5))
    assert again.cluster_id == first[210].cluster_id == "t210" and not again.created
    assert store._index.reads <= config.query_terms * (config.max_posting + 1)


def test_text_read_ahead_gives_the_decisions_of_reading_in_place() -> None:
    plain, ahead = Clusterer(), Clusterer()
    plain.prepare(STREAM)
    reader = Clusterer()  # any clusterer with the config reads alike: reading holds no state
    read = {doc.id: reader.read(doc.headline, doc.body) for doc in STREAM}
    ahead.prepare(STREAM, read)
    for doc in STREAM:
        assert ahead.assign(doc) == plain.assign(doc)
    assert json.dumps(ahead.to_state(), sort_keys=True) == json.dumps(plain.to_state(),
                                                                       sort_keys=True)


def test_text_read_from_another_text_is_not_used() -> None:
    wrong = {WILDFIRE_A.id: Clusterer().read(QUAKE_SULAWESI_A.headline, QUAKE_SULAWESI_A.body),
             WILDFIRE_B.id: Clusterer().read(WILDFIRE_B.headline, WILDFIRE_A.body)}
    clusterer, reference = Clusterer(), Clusterer()
    clusterer.prepare([WILDFIRE_A, WILDFIRE_B], wrong)
    reference.prepare([WILDFIRE_A, WILDFIRE_B])
    for doc in (WILDFIRE_A, WILDFIRE_B):
        assert clusterer.assign(doc) == reference.assign(doc)
    assert clusterer.cluster(WILDFIRE_A.id) == reference.cluster(WILDFIRE_A.id)
