"""The cluster store's posting read (write/clustering.py ``_postings_sql`` and
``DatabaseStore.lookup``): for each term its own number of most recent rows seen since the
horizon, on either database (PostgreSQL reads them through arrays, SQLite through one branch per
term); a term that fills its window is too common, answered with one row, and its rows are read
only when every term is."""

from __future__ import annotations

import pytest
from django.db import connection

from wiredesk.cluster import Cluster as Summary
from wiredesk.cluster import ClusterConfig
from wiredesk.newsroom.write.clustering import DatabaseStore, _postings_sql, term_key
from wiredesk.newsroom.write.deskstate import ClusterPosting, ClusterSummary

pytestmark = pytest.mark.django_db

LOW, HIGH = -(2 ** 63), 2 ** 63 - 1


def read(limits: dict[int, int], horizon: float, *, common_once: bool = False
         ) -> list[tuple[int, str, float, int]]:
    with connection.cursor() as cursor:
        cursor.execute(*_postings_sql(limits, horizon, common_once=common_once))
        return sorted(cursor.fetchall())


def test_each_term_reads_its_own_number_of_most_recent_rows_since_the_horizon() -> None:
    rows = [ClusterPosting(term=term, cluster_key=f"c{term}-{seen}", last_seen=float(seen))
            for term, seens in ((LOW, range(1, 8)), (HIGH, range(1, 4)), (7, range(1, 3)))
            for seen in seens]
    ClusterPosting.objects.bulk_create(rows)
    limits = {LOW: 3, HIGH: 10, 8: 5}  # the last term has no rows
    assert read(limits, horizon=2.0) == sorted(
        [(LOW, f"c{LOW}-{seen}", float(seen), 3) for seen in (5, 6, 7)]
        + [(HIGH, f"c{HIGH}-{seen}", float(seen), 2) for seen in (2, 3)])
    # A term that fills its window answers once; the others whole.
    once = read(limits, horizon=2.0, common_once=True)
    assert [row for row in once if row[0] == HIGH] == [
        (HIGH, f"c{HIGH}-{seen}", float(seen), 2) for seen in (2, 3)]
    [(_, key, _, count)] = [row for row in once if row[0] == LOW]
    assert count == 3 and key in {f"c{LOW}-{seen}" for seen in (5, 6, 7)}


def test_a_single_term_reads_its_rows_alone() -> None:
    ClusterPosting.objects.bulk_create([ClusterPosting(term=1, cluster_key="a", last_seen=5.0),
                                        ClusterPosting(term=2, cluster_key="b", last_seen=5.0)])
    assert read({1: 1}, horizon=0.0) == [(1, "a", 5.0, 1)]


def store(cap: int) -> DatabaseStore:
    found = DatabaseStore(ClusterConfig(max_posting=cap))
    found.mark_started()
    found.advance(100.0, 0.0)
    return found


def post(word: str, *keys: str, seen: float = 50.0) -> None:
    ClusterPosting.objects.bulk_create([ClusterPosting(term=term_key(word), cluster_key=key,
                                                       last_seen=seen) for key in keys])


def test_only_terms_rarer_than_the_cap_count_and_common_ones_are_read_once() -> None:
    post("quake", "a", "b")
    post("the", "a", "c", "d", "e")  # fills cap + 1 = 4: too common
    desk = store(cap=3)
    statements: list[str] = []

    def counted(run, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.extend([sql] if "clusterposting" in sql else [])
        return run(sql, params, many, context)

    with connection.execute_wrapper(counted):
        assert desk.lookup({"quake": 1.0, "the": 5.0}, limit=10) == ["a", "b"]
    assert len(statements) == 1  # the common term's rows were not read again


def test_when_every_term_is_common_the_most_recent_of_each_count() -> None:
    post("the", "a", "b", seen=10.0)
    post("the", "c", "d", seen=20.0)
    post("and", "e", "f", "g", "h", seen=30.0)
    # Each term's three most recent (newest first, then by key): d, c, b and h, g, f.
    assert store(cap=3).lookup({"the": 1.0, "and": 1.0}, limit=10) == ["b", "c", "d", "f",
                                                                         "g", "h"]


def test_a_changed_clusters_stored_rows_are_read_past_and_its_listing_counts() -> None:
    post("quake", "a", "b", "c", "x")  # fills cap + 1 = 4 as stored ...
    ClusterSummary.objects.create(key="x", last_seen=50.0, state=Summary(
        id="x", first_seen=50.0, last_seen=50.0, size=1, index_keys=["quake"]).to_state())
    desk = store(cap=3)
    [moved] = desk.get(["x"]).values()
    moved.index_keys = ["storm"]
    desk.save(moved)  # ... but x changed, and is listed under "storm" now
    assert desk.lookup({"quake": 1.0}, limit=10) == ["a", "b", "c"]  # rare after all
    assert desk.lookup({"storm": 1.0}, limit=10) == ["x"]
    desk.save(Summary(id="y", first_seen=70.0, last_seen=70.0, size=1, index_keys=["quake"]))
    # Listed in memory, y makes quake's clusters four: too common, and the only term, so its
    # three most recent count.
    assert desk.lookup({"quake": 1.0}, limit=10) == ["b", "c", "y"]
