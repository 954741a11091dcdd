"""Full-text search over published stories, behind one small interface.

SQLite uses an FTS5 table ranked by BM25; PostgreSQL a stored tsvector with a GIN index ranked by
ts_rank_cd. The index holds public stories only:
:func:`wiredesk.newsroom.write.publishing.publish_change`
adds a story when it becomes public and removes it when it stops being public. Queries still check
each candidate against the story table (status, merge, embargo and expiry times), so a stale index
row can never leak a story that is not public.

Built for a million stories: every query starts from the full-text index and stops after
``cap + 1`` public matches, newest first (the index is walked in story-id order, which is the order
stories arrived). Only those candidates are ranked, so the cost of a query depends on the cap, not
on how many stories hold a common word; the result count is exact up to the cap and reported as
"more than ``cap``" beyond it. News readers want the recent stories about a subject: a common
word's best matches are looked for among its newest thousand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from wiredesk.newsroom import clock

TABLE = "newsroom_search"
# How many public matches a query ranks, at most; past it the count is "more than this".
MAX_RESULTS = 1000
# Input past this length, and terms past this number, are ignored: they could only narrow the
# results further, and they bound the work a hostile query can ask for.
MAX_INPUT = 1000
MAX_TERMS = 12
# PostgreSQL: stories are bucketed by id (2**BUCKET_BITS ids a bucket, a lexeme in the document
# that no text can produce), and queries look at the newest FIRST_WINDOW ids first.
BUCKET_BITS = 10
FIRST_WINDOW = 1 << 12
# Headline matches weigh this many times a body match (SQLite's BM25 column weights; the
# PostgreSQL document is built with the headline at weight A, the body at weight B).
HEADLINE_WEIGHT = 5.0

_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True, slots=True)
class Query:
    """What a reader asked for: every word, and every quoted phrase, must match."""

    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def key(self) -> str:
        """The same for every way of typing the same query (case, spacing, punctuation)."""
        return " ".join([*self.words, *('"' + " ".join(p) + '"' for p in self.phrases)])


def parse(text: str) -> Query:
    """The words and "quoted phrases" of a query; everything else (operators, FTS syntax,
    control characters, emoji) is not a word and is ignored, so no input is an error."""
    text = "".join(ch for ch in text[:MAX_INPUT] if unicodedata.category(ch)[0] != "C")
    phrases: list[tuple[str, ...]] = []
    words: list[str] = []
    budget = MAX_TERMS

    def take(found: list[str]) -> list[str]:
        nonlocal budget
        kept = found[:budget]
        budget -= len(kept)
        return kept

    for quoted in _QUOTED.findall(text):
        phrase = take([w.lower() for w in _WORD.findall(quoted)])
        if len(phrase) > 1:
            phrases.append(tuple(phrase))
        else:
            words.extend(phrase)
    for word in take([w.lower() for w in _WORD.findall(_QUOTED.sub(" ", text))]):
        if word not in words:
            words.append(word)
    return Query(tuple(words), tuple(dict.fromkeys(phrases)))


@dataclass(frozen=True, slots=True)
class Matches:
    """Public story ids best match first, and whether that is all of them (else there are more
    than ``len(story_ids)``: the query hit its cap)."""

    story_ids: list[int]
    complete: bool


@dataclass(frozen=True, slots=True)
class SearchPage:
    story_ids: list[int]
    # Exact when ``exact``; otherwise the cap, and there are more matches than that.
    total: int
    exact: bool = True


def search(text: str, *, limit: int, offset: int = 0, cap: int | None = None) -> SearchPage:
    """A page of public story ids best match first, and how many match (see :class:`SearchPage`)."""
    found = matches(parse(text), cap=cap)
    return SearchPage(found.story_ids[offset:offset + limit], len(found.story_ids),
                      found.complete)


def matches(query: Query, *, cap: int | None = None) -> Matches:
    """The newest ``cap`` (default :data:`MAX_RESULTS`) public matches of ``query``, ranked best
    first."""
    cap = MAX_RESULTS if cap is None else cap
    if not query:
        return Matches([], True)
    scored, more = _candidates(query, cap + 1)
    if connection.vendor == "postgresql":
        best_first = sorted(scored, key=lambda row: (-row[1], -row[0]))
    else:
        best_first = sorted(scored, key=lambda row: (row[1], -row[0]))  # BM25: lower is better
    ids = [story_id for story_id, _ in best_first]
    if len(ids) > cap:
        # The oldest candidate only told us there are more; it is not among the ranked.
        oldest = min(ids)
        ids = [i for i in ids if i != oldest]
    return Matches(ids, not more)


# What makes an indexed story public, checked per candidate (``queries.public_stories`` says the
# same in the ORM; the index holds public stories only, so this only catches what the scheduler
# has not applied yet: an embargo or expiry time that has passed).
_PUBLIC = ("s.status = 'published' AND s.merged_into_id IS NULL "
           "AND s.current_version_id IS NOT NULL "
           "AND (s.embargoed_until IS NULL OR s.embargoed_until <= %s) "
           "AND (s.expires_at IS NULL OR s.expires_at > %s)")


def _now() -> Any:
    now: datetime = clock.now()
    return connection.ops.adapt_datetimefield_value(now)


def candidates_sql(query: Query, limit: int,
                   window: int | None = None) -> tuple[str, list[Any]]:
    """The statement that finds the newest ``limit`` public matches with their scores, on this
    database, and its parameters (separate so that tests can EXPLAIN it).

    On PostgreSQL, ``window`` limits the search to the newest ``window`` story ids (through the
    bucket lexemes, see :func:`bucket_lexeme`), and each row starts with the newest id indexed;
    one row with no story when nothing matches."""
    now = _now()
    if connection.vendor == "postgresql":
        tsquery, params = tsquery_sql(query)
        if window is None:
            match, buckets, window_params = "f.document @@ q.q", "", []
        else:
            # GIN intersects the query's posting lists with those of the newest buckets, skipping
            # through the long lists of common words: the cost follows the window, not the word.
            match = "f.document @@ (q.q && w.b)"
            buckets = (", w AS MATERIALIZED (SELECT array_to_string(ARRAY("
                       "SELECT quote_literal(' b' || g) FROM generate_series("
                       f"GREATEST(0, (m.id - %s) >> {BUCKET_BITS}), m.id >> {BUCKET_BITS}) g), "
                       "' | ')::tsquery AS b FROM m)")
            window_params = [window]
        # The inner query takes the ids of the newest matches from the GIN index (sorting ids
        # only); those are checked against the story table and ranked, reading their documents.
        # A query of stop words only ("the") is empty: no row in q, so no match (an empty
        # tsquery ANDed with the window's buckets would match every story in the window).
        return (f"WITH q AS MATERIALIZED (SELECT q FROM (SELECT {tsquery} AS q) t "
                "WHERE numnode(q) > 0), "
                f"m AS MATERIALIZED (SELECT COALESCE(MAX(story_id), 0) AS id FROM {TABLE})"
                f"{buckets} "
                "SELECT m.id, c.story_id, c.rank, c.found FROM m LEFT JOIN ("
                "SELECT d.story_id, ts_rank_cd(d.document, q.q) AS rank, x.found "
                "FROM q, (SELECT y.story_id, count(*) OVER () AS found FROM ("
                f"SELECT f.story_id FROM {TABLE} f, q{', w' if buckets else ''} "
                f"WHERE {match} ORDER BY f.story_id DESC LIMIT %s) y) x "
                f"JOIN {TABLE} d ON d.story_id = x.story_id "
                f"JOIN newsroom_story s ON s.id = x.story_id WHERE {_PUBLIC}) c ON true",
                [*params, *window_params, limit, now, now])


    # CROSS JOIN fixes the join order: SQLite walks the FTS index newest first (ORDER BY rowid
    # DESC is consumed by FTS5) and looks each match up in the story table by primary key, so
    # the query stops after ``limit`` public matches. Any other order re-runs the full-text match
    # once per story.
    return (f"SELECT {TABLE}.rowid, bm25({TABLE}, %s, 1.0) "
            f"FROM {TABLE} CROSS JOIN newsroom_story s ON s.id = {TABLE}.rowid "
            f"WHERE {TABLE} MATCH %s AND {_PUBLIC} "
            f"ORDER BY {TABLE}.rowid DESC LIMIT %s",
            [HEADLINE_WEIGHT, fts5_expression(query), now, now, limit])


def _candidates(query: Query, limit: int) -> tuple[list[tuple[int, float]], bool]:
    """The newest ``limit`` public matches with their scores, and whether there are more."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(*candidates_sql(query, limit))
            rows = [(int(row[0]), float(row[1])) for row in cursor.fetchall()]
            return rows, len(rows) >= limit
        # Newest stories first: a window of the newest ids, then one sized from the matches found
        # so far to hold about the limit (the rows a window matches are all read to sort them,
        # so a window much larger than needed costs as much as the whole archive); the whole
        # archive once that window would cover it, or when nothing matched (a rare word, whose
        # posting list is short).
        window: int | None = FIRST_WINDOW
        while True:
            cursor.execute(*candidates_sql(query, limit, window))
            result = cursor.fetchall()
            newest = int(result[0][0]) if result else 0
            rows = [(int(r[1]), float(r[2])) for r in result if r[1] is not None]
            found = max((int(r[3]) for r in result if r[3] is not None), default=0)
            if window is None or found >= limit or window >= newest:
                return rows, found >= limit
            larger = int(window * limit * 1.5 / found) if found else newest
            window = larger if larger < newest else None


def fts5_expression(query: Query) -> str:
    """An FTS5 MATCH expression: each word and phrase a quoted string, all required. Words come
    from ``\\w+`` and hold no quote, so quoting makes every FTS5 operator in the input inert."""
    terms = [f'"{word}"' for word in query.words]
    terms += ['"' + " ".join(phrase) + '"' for phrase in query.phrases]
    return " AND ".join(terms)


def tsquery_sql(query: Query) -> tuple[str, list[Any]]:
    """A tsquery expression and its parameters: the words with plainto_tsquery, each phrase with
    phraseto_tsquery, all required. Both functions read their argument as plain words."""
    parts: list[str] = []
    params: list[Any] = []
    if query.words:
        parts.append("plainto_tsquery('english', %s)")
        params.append(" ".join(query.words))
    for phrase in query.phrases:
        parts.append("phraseto_tsquery('english', %s)")
        params.append(" ".join(phrase))
    return " && ".join(parts), params


# -- Writing the index ----------------------------------------------------------------------------

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
    return [_fts5_table(TABLE, FTS5_TOKENIZE)]


# Porter stemming over unicode61, as PostgreSQL's 'english' configuration stems: "migrations"
# finds "migration" on both databases. (Prefix queries, which stemming replaces, cost a merge of
# every matching term's postings: unbounded at a million stories.)
FTS5_TOKENIZE = "porter unicode61 remove_diacritics 2"


def _fts5_table(name: str, tokenize: str) -> str:
    # The story id is the FTS rowid: lookups by rowid are indexed, an UNINDEXED column is not.
    return f"CREATE VIRTUAL TABLE {name} USING fts5(headline, body, tokenize = '{tokenize}')"


def retokenize_sql(vendor: str, tokenize: str) -> list[str]:
    """Rebuild the SQLite table with another tokenizer, keeping its rows (a migration's step;
    nothing to do on PostgreSQL)."""
    if vendor == "postgresql":
        return []
    new = f"{TABLE}_rebuilt"
    return [
        f"DROP TABLE IF EXISTS {new}",
        _fts5_table(new, tokenize),
        f"INSERT INTO {new} (rowid, headline, body) SELECT rowid, headline, body FROM {TABLE}",
        f"DROP TABLE {TABLE}",
        f"ALTER TABLE {new} RENAME TO {TABLE}",
    ]


def add_buckets_sql(vendor: str) -> list[str]:
    """Give every PostgreSQL document its bucket lexeme (a migration's step; SQLite has none)."""
    if vendor != "postgresql":
        return []
    return [f"UPDATE {TABLE} SET document = document || "
            f"array_to_tsvector(ARRAY[' b' || (story_id >> {BUCKET_BITS})])"]


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
                "setweight(to_tsvector('english', %s), 'B') || array_to_tsvector(%s)) "
                "ON CONFLICT (story_id) DO UPDATE SET document = EXCLUDED.document",
                [(e.story_id, e.headline, e.body_text, [bucket_lexeme(e.story_id)])
                 for e in entries],
            )
            return
        cursor.executemany(
            f"INSERT OR REPLACE INTO {TABLE} (rowid, headline, body) VALUES (%s, %s, %s)",
            [(e.story_id, e.headline, e.body_text) for e in entries],
        )


def bucket_lexeme(story_id: int) -> str:
    """The lexeme of the story's id bucket: it starts with a space, which no parsed word holds."""
    return f" b{story_id >> BUCKET_BITS}"


def remove(story_ids: Sequence[int]) -> None:
    if story_ids:
        key = "story_id" if connection.vendor == "postgresql" else "rowid"
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE {key} = %s",
                               [(story_id,) for story_id in story_ids])
