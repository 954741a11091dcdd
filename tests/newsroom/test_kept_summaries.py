"""Clusters a desk process keeps decoded between its sessions (write/clustering.py): used again
without reading their rows while no other process has written, read again when their row
changed, never kept from a failed session, bounded -- and the decisions are those of a fresh
desk that decodes every cluster from its row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
from wiredesk.cluster import Cluster as Summary
from wiredesk.cluster import Clusterer
from wiredesk.cluster.clusters import Headline
from wiredesk.newsroom.write import clustering
from wiredesk.newsroom.write.clustering import DatabaseStore
from wiredesk.newsroom.write.desk import WriteDesk
from wiredesk.newsroom.write.deskstate import (
    ClusterPosting,
    ClusterSummary,
    DeskCounter,
    TermCount,
)

pytestmark = pytest.mark.django_db

NOW = 1_700_000_000.0
SUMMARIES = ClusterSummary._meta.db_table


def cluster(key: str, size: int = 1, word: str = "quake") -> Summary:
    summary = Summary(id=key, first_seen=NOW, last_seen=NOW + size, size=size,
                      terms={word: 0.1 + 0.2, f"{key}-only": 1 / 3}, entities={"chile": 0.5},
                      headlines=[Headline(key, f"{word} {size}", NOW)], members=[key],
                      index_keys=[word])
    summary.cap(100, 60, 8)
    return summary


def session(store: DatabaseStore) -> None:
    """What a desk's session does first (ClusterDesk.sync)."""
    store.begin()
    store.mark_started()
    store.advance(NOW + 10, NOW - 3600)


def write(store: DatabaseStore, *summaries: Summary) -> None:
    session(store)
    for summary in summaries:
        store.save(summary)
    store.flush()


def summary_reads(store: DatabaseStore, keys: list[str]) -> tuple[dict[str, Summary], int]:
    """The clusters found and how many statements read the summaries' table for them."""
    with CaptureQueriesContext(connection) as captured:
        found = store.get(keys)
    return found, sum(SUMMARIES in query["sql"] for query in captured.captured_queries)


def test_a_kept_cluster_is_used_again_without_reading_its_row() -> None:
    store = DatabaseStore()
    write(store, cluster("c1"))
    session(store)
    found, reads = summary_reads(store, ["c1"])
    assert reads == 0
    fresh = DatabaseStore()
    session(fresh)
    decoded, reads = summary_reads(fresh, ["c1"])
    assert reads == 1
    assert found["c1"].to_state() == decoded["c1"].to_state()
    assert found["c1"].terms_norm == decoded["c1"].terms_norm


def test_a_cluster_another_desk_changed_is_read_again_and_the_others_are_not_decoded() -> None:
    mine, other = DatabaseStore(), DatabaseStore()
    write(mine, cluster("c1"), cluster("c2"))
    session(mine)
    kept, _ = summary_reads(mine, ["c1", "c2"])
    mine.flush()
    write(other, cluster("c2", size=5, word="flood"))
    session(mine)
    found, reads = summary_reads(mine, ["c1", "c2"])
    assert reads == 1  # one statement: c2's state, and c1's revision alone
    assert found["c1"] is kept["c1"]
    assert found["c2"].size == 5 and "flood" in found["c2"].terms
    again, reads = summary_reads(mine, ["c1", "c2"])  # in the session: no statement at all
    assert reads == 0 and again["c2"] is found["c2"]


def test_a_cluster_retired_or_dropped_by_another_desk_is_gone() -> None:
    mine, other = DatabaseStore(), DatabaseStore()
    write(mine, cluster("c1"), cluster("c2"))
    session(mine)
    summary_reads(mine, ["c1", "c2"])
    session(other)
    other.drop("c2")
    other.flush()
    session(mine)
    found, _ = summary_reads(mine, ["c1", "c2"])
    assert list(found) == ["c1"]


def test_a_failed_session_keeps_nothing_it_changed() -> None:
    desk = WriteDesk()
    store = desk.clusters.store
    with desk.session():
        store.save(cluster("c1"))
    with pytest.raises(RuntimeError), desk.session():
        changed = store.get(["c1"])["c1"]
        changed.size = 99
        store.save(changed)
        store.flush()  # written, then rolled back with the session
        raise RuntimeError("the session fails after its flush")
    assert ClusterSummary.objects.get(key="c1").state["size"] == 1
    with desk.session():
        found, reads = summary_reads(store, ["c1"])
    assert reads == 1 and found["c1"].size == 1


def test_a_revision_rolled_back_does_not_pass_for_the_row() -> None:
    """Even a desk that kept a cluster from a rolled-back flush (as if nobody had told it of the
    failure) reads the row again: the row's revision is not the one that flush drew."""
    from django.db import transaction

    store = DatabaseStore()
    write(store, cluster("c1"))
    session(store)
    changed = store.get(["c1"])["c1"]
    with pytest.raises(RuntimeError), transaction.atomic():
        changed.size = 99
        store.save(changed)
        store.flush()
        raise RuntimeError("rolled back")
    session(store)  # keeps what the rolled-back flush wrote, as it believes
    found, reads = summary_reads(store, ["c1"])
    assert reads == 1 and found["c1"].size == 1


def test_kept_clusters_are_bounded_least_recently_used_first(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clustering, "KEPT_SUMMARIES", 2)
    store = DatabaseStore()
    write(store, cluster("c1"), cluster("c2"), cluster("c3"))
    session(store)
    _, reads = summary_reads(store, ["c2", "c3"])
    assert reads == 0
    _, reads = summary_reads(store, ["c1"])
    assert reads == 1


STREAM = [
    [later(QUAKE_SUMATRA_A, "s1", 0.0), later(QUAKE_SULAWESI_A, "s2", 0.0)],
    [later(QUAKE_SUMATRA_B, "s3", 0.01), later(QUAKE_SULAWESI_B, "s4", 0.01)],
    [WILDFIRE_A, QUAKE_SULAWESI_C],
    [WILDFIRE_B, later(QUAKE_SULAWESI_B, "s5", 0.2)],
    [later(QUAKE_SULAWESI_A, "s6", 0.2), later(QUAKE_SUMATRA_B, "s7", 0.1)],
    [later(WILDFIRE_A, "s8", 0.3), later(QUAKE_SUMATRA_A, "s9", 0.3)],
]


def decide_stream(fresh_each_session: bool) -> tuple[list[object], list[tuple[object, ...]]]:
    """Every session's assignments, and the stored clusters and counts at the end."""
    store = DatabaseStore()
    clusterer = Clusterer(store=store)
    assignments: list[object] = []
    for n, docs in enumerate(STREAM):
        if fresh_each_session:
            store = DatabaseStore()
            clusterer = Clusterer(store=store)
        store.begin()
        store.mark_started()
        if n == 0:  # the young cluster of two events, which splits (see test_clusterer)
            for doc in docs + STREAM[1]:
                clusterer.place(doc, "mixed")
        elif n > 1:
            assignments += [clusterer.assign(doc) for doc in docs]
        store.flush()
    rows = [(s.key, s.last_seen, s.state) for s in ClusterSummary.objects.order_by("key")]
    rows += [(p.term, p.cluster_key, p.last_seen)
             for p in ClusterPosting.objects.order_by("term", "cluster_key")]
    rows += [(t.kind, t.term, t.count) for t in TermCount.objects.order_by("kind", "term")]
    rows += [(c.name, c.value) for c in DeskCounter.objects.exclude(name=clustering.REVISION)
             .order_by("name")]
    return assignments, rows


def test_a_kept_clusters_sample_affinity_is_what_a_decoded_one_computes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = DatabaseStore()
    clusterer = Clusterer(store=store)
    store.begin()
    store.mark_started()
    for doc in STREAM[0] + STREAM[1]:
        clusterer.place(doc, "mixed")
    store.flush()
    store.begin()
    keys = list(ClusterSummary.objects.order_by("key").values_list("key", flat=True))
    assert len(keys) == 2  # the young cluster and the group split off it
    similarities = []
    compare = clusterer._member_similarity
    monkeypatch.setattr(clusterer, "_member_similarity",
                        lambda a, b: similarities.append(1) or compare(a, b))
    with CaptureQueriesContext(connection) as captured:
        kept = clusterer._fetch(keys)
    assert not any(SUMMARIES in query["sql"] for query in captured.captured_queries)
    assert similarities == []  # kept with its affinity, not computed again
    fresh = Clusterer(store=DatabaseStore())
    fresh.store.begin()  # type: ignore[attr-defined]
    decoded = fresh._fetch(keys)
    for key in keys:
        assert len(kept[key].samples) >= 2
        assert kept[key].affinity == decoded[key].affinity  # to the last bit


def test_a_desk_that_keeps_clusters_decides_as_fresh_desks_do() -> None:
    kept = decide_stream(fresh_each_session=False)
    for model in (ClusterSummary, ClusterPosting, TermCount, DeskCounter):
        model.objects.all().delete()
    fresh = decide_stream(fresh_each_session=True)
    assert kept == fresh
    assignments = kept[0]
    assert len({a.cluster_id for a in assignments}) >= 3  # type: ignore[attr-defined]
    assert any(a.created and a.match is not None  # type: ignore[attr-defined]
               for a in assignments)  # the split-off group claimed: a kept pending cluster
