"""What a PostgreSQL search reads at a million stories (issue 11, point 2): a window's matches are
counted and sorted by id alone, and only the newest ``limit`` documents are read again by their
key to be ranked (ranking every match carried each document through the count and spilled to
disk). Ranks and answers: tests/newsroom/test_search.py and tests/site/test_search.py."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.newsroom.test_search import explain
from tests.support.factories import make_story
from wiredesk.newsroom import search
from wiredesk.newsroom.search import parse

pytestmark = pytest.mark.django_db


def test_only_the_newest_matches_are_read_again_and_ranked() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan")
    make_story("Harbour deal signed")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    window = search.Window.newest(search.FIRST_WINDOW, 100_000)
    plan = explain(*search.candidates_sql(parse("harbour deal"), 101, window))
    assert f"Bitmap Index Scan on {search.TABLE}_document" in plan, plan
    # The ranked documents, read again by key after the limit (ranking, in the select list
    # above it, sees only those rows).
    assert f"Index Scan using {search.TABLE}_pkey" in plan, plan

