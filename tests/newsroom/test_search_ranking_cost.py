"""What a PostgreSQL search reads at a million stories (issue 11, point 2): a window's matches are
counted and sorted by id alone, and only the newest ``limit`` documents are read again, by their
row's address, to be ranked (ranking every match carried each document through the count and
spilled to disk; reading them by key took a leaf of the key index each). On SQLite, a query
with phrases scores its matches alone, not every story of their span that holds its words. Ranks
and answers: tests/newsroom/test_search.py and tests/site/test_search.py."""

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
    plan = explain(*search.candidates_sql(parse("harbour deal"), 101, window, 100_000))
    lines = plan.splitlines()

    def depth(marker: str) -> int:
        [line] = [line for line in lines if marker in line]
        return len(line) - len(line.lstrip(" ->"))

    # The ranked documents are read again by their row's address (the scan of ``d``: a TID
    # scan, on the heap page just read, no index) outside the limit -- beside or above it,
    # never below it, where every match would be read whole. (How the window's matches are
    # found is the planner's choice from the statistics, and not what this test is about.)
    assert f"Tid Scan on {search.TABLE} d" in plan, plan
    assert "TID Cond: (ctid = f.ctid)" in plan or "TID Cond: (ctid = x.row)" in plan, plan
    assert depth(f"on {search.TABLE} d") <= depth("Limit"), plan


def test_sqlite_scores_a_phrase_query_s_matches_alone_by_the_bm25_of_its_words() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's ranking of phrase queries")
    first = make_story("Copper price hits record", body_html="<p>Traders cheered.</p>")
    # Between the two matches: the words, not the phrase; walked, neither scored nor found.
    make_story("Price of copper", body_html="<p>The price rose; copper followed.</p>")
    second = make_story("Markets", body_html="<p>The copper price rose, and copper too.</p>")
    query = parse('"copper price"')
    statement = search.rank_sql(query, [second.pk, first.pk])
    assert statement is not None
    # One walk of the FTS index over the matches' id range (FTS5's index string: M for the
    # MATCH, > and < for the range), not one lookup per id (=), which would count the words'
    # stories over the whole index again for every id.
    [walk, *_] = explain(*statement).splitlines()
    assert walk.startswith(f"SCAN {search.TABLE} VIRTUAL TABLE INDEX"), walk
    index = walk.rsplit(":", 1)[1]
    assert ">" in index and "<" in index and "=" not in index, walk
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        scored = dict(cursor.fetchall())
        # The same scores as bm25 of the words over every story of the span.
        cursor.execute(f"SELECT rowid, bm25({search.TABLE}, %s, 1.0) FROM {search.TABLE} "
                       f"WHERE {search.TABLE} MATCH '\"copper\" AND \"price\"'",
                       [search.HEADLINE_WEIGHT])
        every = dict(cursor.fetchall())
    assert len(every) == 3
    assert scored == {first.pk: every[first.pk], second.pk: every[second.pk]}
    assert search.search('"copper price"', limit=10).story_ids == [first.pk, second.pk]
