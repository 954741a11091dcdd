"""Full-text search over published stories, behind one small interface.

SQLite uses an FTS5 table ranked by BM25; PostgreSQL a tsvector column with a GIN index ranked by
ts_rank_cd. The index holds public stories only: :func:`wiredesk.newsroom.publishing.publish_change`
adds a story when it becomes public and removes it when it stops being public. Queries still join
the story table on its status, so a stale index row can never leak a story that is not public.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

TABLE = "newsroom_search"
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SearchPage:
    story_ids: list[int]
    total: int


def create_index_sql(vendor: str) -> list[str]:
    """DDL for the search table on this database (used by the migration)."""
    if vendor == "postgresql":
        return [
            # No foreign key: Django flushes tables with TRUNCATE, which a reference from this
            # unmanaged table would block. Rows go when their story does (publish_change), and
            # every query joins the story table anyway.
            f"CREATE TABLE {TABLE} (story_id bigint PRIMARY KEY, document tsvector NOT NULL)",
            f"CREATE INDEX {TABLE}_document ON {TABLE} USING GIN (document)",
        ]
    return [
        # The story id is the FTS rowid: lookups by rowid are indexed, an UNINDEXED column is not.
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(headline, body, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    ]


def drop_index_sql(vendor: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS {TABLE}"]


@dataclass(frozen=True, slots=True)
class Entry:
    story_id: int
    headline: str
    body_text: str


def index(entries: Sequence[Entry]) -> None:
    """Add or replace the entries of these stories, in one statement per step."""
    if not entries:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                f"INSERT INTO {TABLE} (story_id, document) VALUES (%s, "
                "setweight(to_tsvector('english', %s), 'A') || "
                "setweight(to_tsvector('english', %s), 'B')) "
                "ON CONFLICT (story_id) DO UPDATE SET document = EXCLUDED.document",
                [(e.story_id, e.headline, e.body_text) for e in entries],
            )
            return
        cursor.executemany(
            f"INSERT OR REPLACE INTO {TABLE} (rowid, headline, body) VALUES (%s, %s, %s)",
            [(e.story_id, e.headline, e.body_text) for e in entries],
        )


def remove(story_ids: Sequence[int]) -> None:
    if story_ids:
        key = "story_id" if connection.vendor == "postgresql" else "rowid"
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE {key} = %s",
                               [(story_id,) for story_id in story_ids])


def search(query: str, *, limit: int, offset: int = 0) -> SearchPage:
    """Public story ids best match first, with the total number of matches."""
    words = _WORD.findall(query)[:20]
    if not words:
        return SearchPage([], 0)
    if connection.vendor == "postgresql":
        return _search_postgresql(" ".join(words), limit, offset)
    return _search_sqlite(words, limit, offset)


def _search_sqlite(words: list[str], limit: int, offset: int) -> SearchPage:
    # Each word quoted (so FTS5 operators in user input are inert), all required, the last one
    # as a prefix so "migr" finds "migration" while typing.
    terms = [f'"{word}"' for word in words]
    terms[-1] += "*"
    match = " AND ".join(terms)
    base = (f"FROM {TABLE} JOIN newsroom_story s ON s.id = {TABLE}.rowid "
            f"WHERE {TABLE} MATCH %s AND s.status = 'published'")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {base}", [match])
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT {TABLE}.rowid {base} "
            f"ORDER BY bm25({TABLE}, 5.0, 1.0), s.first_published_at DESC LIMIT %s OFFSET %s",
            [match, limit, offset],
        )
        return SearchPage([int(row[0]) for row in cursor.fetchall()], int(total))


def _search_postgresql(text: str, limit: int, offset: int) -> SearchPage:
    base = (f"FROM {TABLE} JOIN newsroom_story s ON s.id = {TABLE}.story_id, "
            "plainto_tsquery('english', %s) q "
            f"WHERE {TABLE}.document @@ q AND s.status = 'published'")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {base}", [text])
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT {TABLE}.story_id {base} "
            f"ORDER BY ts_rank_cd({TABLE}.document, q) DESC, s.first_published_at DESC "
            "LIMIT %s OFFSET %s",
            [text, limit, offset],
        )
        return SearchPage([int(row[0]) for row in cursor.fetchall()], int(total))
