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
    lines = plan.splitlines()

    def depth(marker: str) -> int:
        [line] = [line for line in lines if marker in line]
        return len(line) - len(line.lstrip(" ->"))

    # The ranked documents are read again by key (the scan of ``d``) outside the limit -- beside
    # or above it, never below it, where every match would be read whole. (How the window's
    # matches are found -- the GIN index, or the key index backwards on a table this small --
    # is the planner's choice from the statistics, and not what this test is about.)
    assert f"on {search.TABLE} d" in plan and "Index Cond: (story_id = f.story_id)" in plan, plan
    assert depth(f"on {search.TABLE} d") <= depth("Limit"), plan
