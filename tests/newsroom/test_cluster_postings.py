"""The cluster store's posting read (write/clustering.py ``_postings_sql``): for each term its
own number of most recent rows seen since the horizon, on either database (PostgreSQL reads
them through arrays, SQLite through one branch per term)."""

from __future__ import annotations

import pytest
from django.db import connection

from wiredesk.newsroom.write.clustering import _postings_sql
from wiredesk.newsroom.write.deskstate import ClusterPosting

pytestmark = pytest.mark.django_db


def test_each_term_reads_its_own_number_of_most_recent_rows_since_the_horizon() -> None:
    rows = [ClusterPosting(term=term, cluster_key=f"c{term}-{seen}", last_seen=float(seen))
            for term, seens in ((-(2 ** 63), range(1, 8)), (2 ** 63 - 1, range(1, 4)),
                                (7, range(1, 3)))
            for seen in seens]
    ClusterPosting.objects.bulk_create(rows)
    limits = {-(2 ** 63): 3, 2 ** 63 - 1: 10, 8: 5}  # the last term has no rows
    with connection.cursor() as cursor:
        cursor.execute(*_postings_sql(limits, horizon=2.0))
        found = sorted(cursor.fetchall())
    assert found == sorted([(-(2 ** 63), f"c{-(2 ** 63)}-{seen}", float(seen))
                            for seen in (5, 6, 7)]
                           + [(2 ** 63 - 1, f"c{2 ** 63 - 1}-{seen}", float(seen))
                              for seen in (2, 3)])


def test_a_single_term_reads_its_rows_alone() -> None:
    ClusterPosting.objects.bulk_create([ClusterPosting(term=1, cluster_key="a", last_seen=5.0),
                                        ClusterPosting(term=2, cluster_key="b", last_seen=5.0)])
    with connection.cursor() as cursor:
        cursor.execute(*_postings_sql({1: 1}, horizon=0.0))
        assert cursor.fetchall() == [(1, "a", 5.0)]
