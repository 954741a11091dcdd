"""Full-text search over published stories, behind one small interface.

SQLite uses an FTS5 table ranked by BM25; PostgreSQL a stored tsvector with a GIN index ranked by
ts_rank_cd. The index holds public stories only:
:func:`wiredesk.newsroom.write.publishing.publish_change`
adds a story when it becomes public and removes it when it stops being public. Queries still check
each candidate against the story table (status, merge, embargo and expiry times), so a stale index
row can never leak a story that is not public.

Built for a million stories: every query starts from the full-text index and stops after
``cap + 1`` public matches, newest first (story ids are the order stories arrived). SQLite's FTS5
walks its index newest first by itself; on PostgreSQL, whose GIN index returns matches in no
order, each document carries lexemes naming its id bucket at several levels, and a query walks
back from the newest story in windows of ids, each found through a few buckets and older
than the last: the first holds about the cap if the query were as common as its rarest lexeme
(the planner's statistics), each next one what is still missing, sized from the matches found
so far; the rest of the archive when nothing matched yet. Only those candidates are ranked, so
the cost of a query depends on the cap, not on how many stories hold a common word. News
readers want the recent stories about a subject: a common word's best matches are looked for
among its newest thousand.

The count is exact up to the cap; beyond it, about how many match is estimated from the density
of matches among the newest stories looked at ("about 12,000"). No query runs longer than
:data:`TIME_BUDGET`.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import OperationalError, connection, transaction

from wiredesk.newsroom import clock

TABLE = "newsroom_search"
# How many public matches a query ranks, at most; past it the count is "more than this".
MAX_RESULTS = 1000
# Input past this length, and terms past this number, are ignored: they could only narrow the
# results further, and they bound the work a hostile query can ask for.
MAX_INPUT = 1000
MAX_TERMS = 12
# Seconds a query may take: past it, the newest matches found so far are the answer.
TIME_BUDGET = 0.25
# PostgreSQL: stories are bucketed by id at several levels (2**level ids a bucket; in each
# document a lexeme per level that no text can produce), and queries look at windows of ids
# covered by buckets: the newest FIRST_WINDOW ids first when there are no statistics to size it.
LEVELS = (10, 12, 14, 16, 18, 20, 22)
FIRST_WINDOW = 1 << 13
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
    than ``len(story_ids)``: the query hit its cap, and ``estimate`` says about how many match)."""

    story_ids: list[int]
    complete: bool
    estimate: int | None = None


@dataclass(frozen=True, slots=True)
class SearchPage:
    story_ids: list[int]
    # Exact when ``exact``; otherwise the cap, and there are more matches than that.
    total: int
    exact: bool = True
    # When not exact: about how many stories match in all (above ``total``; see :func:`about`).
    estimate: int | None = None


def search(text: str, *, limit: int, offset: int = 0, cap: int | None = None) -> SearchPage:
    """A page of public story ids best match first, and how many match (see :class:`SearchPage`)."""
    found = matches(parse(text), cap=cap)
    return SearchPage(found.story_ids[offset:offset + limit], len(found.story_ids),
                      found.complete, None if found.complete else about(found))


def about(found: Matches) -> int:
    """How many stories match: exact when the matches are complete, else the estimate rounded to
    two significant figures ("about 12,000"), never below what is known to match."""
    if found.complete or found.estimate is None:
        return len(found.story_ids)
    estimate = max(found.estimate, len(found.story_ids) + 1)
    step = 10 ** max(0, len(str(estimate)) - 2)
    return max(round(estimate / step) * step, len(found.story_ids) + 1)


def matches(query: Query, *, cap: int | None = None) -> Matches:
    """The newest ``cap`` (default :data:`MAX_RESULTS`) public matches of ``query``, ranked best
    first."""
    cap = MAX_RESULTS if cap is None else cap
    if not query:
        return Matches([], True)
    found = _candidates(query, cap + 1)
    if connection.vendor == "postgresql":
        best_first = sorted(found.scored, key=lambda row: (-row[1], -row[0]))
    else:
        best_first = sorted(found.scored, key=lambda row: (row[1], -row[0]))  # BM25: lower first
    ids = [story_id for story_id, _ in best_first]
    if len(ids) > cap:
        # The oldest candidate only told us there are more; it is not among the ranked.
        oldest = min(ids)
        ids = [i for i in ids if i != oldest]
    if not found.more:
        return Matches(ids, True)
    return Matches(ids, False, found.estimate)


@dataclass(frozen=True, slots=True)
class _Found:
    scored: list[tuple[int, float]]  # public candidates and their scores
    more: bool  # whether more than the limit match
    estimate: int  # how many match in all (exact when not ``more``)


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


@dataclass(frozen=True, slots=True)
class Window:
    """Story ids from ``start`` up to ``stop`` (excluded; None: up to the newest and on), found
    through a few id buckets no smaller than ``level``'s that cover the range, from its start
    (on a boundary of that level) to its end rounded up. The statement tests the ids too, so
    the part of the last bucket past the end is read (matches already read: in the buffers)
    but not taken again."""

    start: int
    stop: int | None = None
    level: int = LEVELS[0]

    @classmethod
    def newest(cls, size: int, newest_id: int) -> Window:
        """The newest ``size`` ids (up to the newest story and on), to the smallest bucket."""
        return cls(max(0, newest_id - size + 1) >> LEVELS[0] << LEVELS[0])

    @classmethod
    def before(cls, stop: int | None, size: int, first: int, newest_id: int) -> Window:
        """About ``size`` ids before ``stop`` (None: the newest and on), from a boundary of the
        smallest level whose buckets are at least a sixteenth of that (so at most about that
        much more, and a few buckets: every bucket is a list GIN looks each candidate up in);
        from id 0, every older story, once that reaches the oldest story ``first``."""
        end = newest_id + 1 if stop is None else stop
        level = next((lv for lv in LEVELS if 16 << lv >= size), LEVELS[-1])
        start = (end - size) >> level << level
        return cls(start, stop, level) if start > first else cls(0, stop)

    def buckets(self, newest_id: int) -> list[tuple[int, int]]:
        """The (level, bucket) pairs that cover the window: from its start, the buckets that
        bring it to the boundary of each larger level in turn (at most three a level), then the
        largest that fit before its end rounded up (at most three a level, but the largest)."""
        levels = [level for level in LEVELS if level >= self.level] or [LEVELS[-1]]
        unit = 1 << levels[0]
        position = self.start // unit * unit
        stop = newest_id + 1 if self.stop is None else self.stop
        stop = -(-stop // unit) * unit
        found: list[tuple[int, int]] = []
        for level, larger in itertools.pairwise(levels):
            while position % (1 << larger) and position + (1 << level) <= stop:
                found.append((level, position >> level))
                position += 1 << level
        for level in reversed(levels):
            while position + (1 << level) <= stop:
                found.append((level, position >> level))
                position += 1 << level
        return found

    def span(self, newest_id: int) -> int:
        """How many ids the window covers, up to the newest."""
        stop = newest_id + 1 if self.stop is None else min(self.stop, newest_id + 1)
        return max(1, stop - self.start)

    def tsquery(self, newest_id: int) -> str:
        """The window's buckets as a tsquery: any of their lexemes."""
        return " | ".join(f"'{lexeme(level, bucket)}'"
                          for level, bucket in self.buckets(newest_id))


def candidates_sql(query: Query, limit: int, window: Window | None = None,
                   newest_id: int = 0) -> tuple[str, list[Any]]:
    """The statement that finds the newest ``limit`` public matches with their scores, on this
    database, and its parameters (separate so that tests can EXPLAIN it).

    PostgreSQL: within ``window`` (else the whole archive; ``newest_id`` is where a window open
    at its end is closed, and one from id 0 is every older story); each row is a candidate
    (id, score, whether it is public) with the number of matches in the window.
    SQLite: each row a public match (id, BM25 score), newest first."""
    now = _now()
    if connection.vendor == "postgresql":
        tsquery, params = tsquery_sql(query)
        if window is None or window == Window(0):
            match, window_params = "f.document @@ q.q", list[Any]()
        elif window.start == 0:
            # Everything older than the windows looked at: the query's own posting lists, as
            # the buckets would exclude only the matches already read (still in the buffers,
            # and left out here by their ids), and cost GIN a walk through their long lists.
            match, window_params = "f.document @@ q.q AND f.story_id + 0 < %s", [window.stop]
        else:
            # GIN intersects the query's posting lists with those of the window's buckets, and
            # skips through the long lists of common words: the cost follows the window.
            # The ids are tested as ``story_id + 0``, which no index holds: a range of the key
            # index, ANDed with the GIN bitmap or alone, reads every id of the window.
            match = "f.document @@ (q.q && %s::tsquery) AND f.story_id + 0 >= %s"
            window_params = [window.tsquery(newest_id), window.start]
            if window.stop is not None:
                match += " AND f.story_id + 0 < %s"
                window_params.append(window.stop)
        # The inner query counts the window's matches and keeps the ids of the newest, nothing
        # else; only those documents are read again and ranked, and checked against the story
        # table. (Ranking every match as it was read carried each document through the count's
        # tuple store, which spilled to disk past a few thousand: at a million stories, 3,944
        # matches of 'test' took 64 ms that way, 41 ms this way.) They are read again by their
        # row's address (ctid: the same row version within the statement), on the heap page
        # the bitmap scan has just read; by the key, each took a leaf of the key index as well,
        # rarely in the server's buffers at a million stories.
        # A query of stop words only ("the") is empty: no row in q, so no match (an empty tsquery
        # ANDed with the window's buckets would match every story in the window).
        # The ids are sorted as ``story_id + 0``, which no index holds: with the key index's
        # order on offer, the planner walked the whole table backwards through it for a small
        # limit, testing every document (6.7 s at a million stories for 'large', limit 154),
        # because it costs the limit as if the window's count stopped early; it never does.
        return (f"WITH q AS MATERIALIZED (SELECT q FROM (SELECT {tsquery} AS q) t "
                "WHERE numnode(q) > 0) "
                f"SELECT x.story_id, ts_rank_cd(d.document, q.q), x.found, "
                f"s.id IS NOT NULL AND {_PUBLIC} "
                f"FROM (SELECT f.ctid AS row, f.story_id, count(*) OVER () AS found "
                f"FROM {TABLE} f, q "
                f"WHERE {match} ORDER BY f.story_id + 0 DESC LIMIT %s) x "
                f"CROSS JOIN q JOIN {TABLE} d ON d.ctid = x.row "
                "LEFT JOIN newsroom_story s ON s.id = x.story_id",
                [*params, now, now, *window_params, limit])
    # CROSS JOIN fixes the join order: SQLite walks the FTS index newest first (ORDER BY rowid
    # DESC is consumed by FTS5) and looks each match up in the story table by primary key, so
    # the query stops after ``limit`` public matches. Any other order re-runs the full-text match
    # once per story.
    # bm25 counts, once per query, every row each phrase of the expression matches: cheap for
    # words, a full evaluation for a phrase. A query with phrases is ranked apart (_sqlite_rank).
    phrases = any(not STOP_WORDS.issuperset(phrase) for phrase in query.phrases)
    score = "0.0" if phrases else f"bm25({TABLE}, %s, 1.0)"
    return (f"SELECT {TABLE}.rowid, {score} "
            f"FROM {TABLE} CROSS JOIN newsroom_story s ON s.id = {TABLE}.rowid "
            f"WHERE {TABLE} MATCH %s AND {_PUBLIC} "
            f"ORDER BY {TABLE}.rowid DESC LIMIT %s",
            [*([] if phrases else [HEADLINE_WEIGHT]), fts5_expression(query), now, now, limit])


def _id_range(cursor: Any) -> tuple[int, int]:
    """The oldest and the newest story id (two index ends)."""
    cursor.execute("SELECT (SELECT MIN(id) FROM newsroom_story), "
                   "(SELECT MAX(id) FROM newsroom_story)")
    oldest, newest = cursor.fetchone()
    return int(oldest or 0), int(newest or 0)


def _candidates(query: Query, limit: int) -> _Found:
    """The newest ``limit`` public matches with their scores, whether there are more, and about
    how many: the density of matches among the newest stories looked at, times the archive
    (measured in story ids, which count every story, public or not: the matches and the archive
    are thinned alike by the stories that are not public).

    No query runs longer than :data:`TIME_BUDGET`: past it, the newest matches found so far are
    the answer (a phrase of common words that rarely meet, whose every candidate is checked)."""
    deadline = time.monotonic() + TIME_BUDGET
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            first, newest, lexemes, frequencies = _pg_start(cursor, query)
            size = first_window(limit, lexemes, frequencies)
            return _pg_walk(cursor, query, limit, first, newest, size, deadline)
        first, newest = _id_range(cursor)
        archive = max(1, newest - first + 1)
        if not fts5_expression(query):  # stop words only
            return _Found([], False, 0)
        rows, interrupted = _sqlite_walk(cursor, query, limit, deadline)
        if len(rows) < limit and not interrupted:
            return _Found(rows, False, len(rows))
        reached = min((story_id for story_id, _ in rows), default=newest)
        return _Found(rows, True,
                      max(len(rows), limit) * archive // max(1, newest - reached + 1))


# PostgreSQL's statistics of the documents' lexemes: how often the most common occur. A process
# reads them again after this many seconds (ANALYZE, run by autovacuum, changes them slowly).
STATISTICS_AGE = 600.0
_statistics_read: tuple[float, str, Frequencies | None] | None = None


@dataclass(frozen=True, slots=True)
class Frequencies:
    """The share of documents holding each of the most common lexemes, and the least of those
    shares: a lexeme left out of the list is about that common at most."""

    common: dict[str, float]
    least: float

    def at_most(self, lexemes: Sequence[str]) -> float | None:
        """The largest share of documents that could match all these lexemes (each must be in
        the document, phrase or not): that of the rarest of them."""
        if not lexemes:
            return None
        return min(self.common.get(lexeme, self.least) for lexeme in lexemes)


def first_window(limit: int, lexemes: Sequence[str], frequencies: Frequencies | None) -> int:
    """How many of the newest ids to look at first: as many as hold about ``limit`` matches if
    the query were as common as its rarest lexeme -- so no more than about the limit of a common
    word's matches are read, and a rarer query's count over that window sizes the next well
    (its matches there are never read again). :data:`FIRST_WINDOW` without statistics."""
    share = frequencies.at_most(lexemes) if frequencies is not None else None
    if not share:
        return FIRST_WINDOW
    return max(int(limit * 1.1 / share), 1 << LEVELS[0])


def _pg_start(cursor: Any,
              query: Query) -> tuple[int, int, list[str], Frequencies | None]:
    """In one statement: the oldest and the newest story id (two index ends), the lexemes of
    the query as the full-text configuration makes them (stop words out), and the frequencies
    of the most common lexemes from pg_stats, read again at most every
    :data:`STATISTICS_AGE` seconds per database (None before the table was first analysed)."""
    global _statistics_read
    text = " ".join([*query.words, *(w for phrase in query.phrases for w in phrase)])
    database = connection.settings_dict["NAME"]
    now = time.monotonic()
    fresh = (_statistics_read is not None and _statistics_read[1] == database
             and now - _statistics_read[0] < STATISTICS_AGE)
    statistics = ("" if fresh else
                  ", s.most_common_elems::text::text[], s.most_common_elem_freqs FROM "
                  "(SELECT 1) o LEFT JOIN pg_stats s ON s.schemaname = current_schema() "
                  "AND s.tablename = %s AND s.attname = 'document'")
    cursor.execute("SELECT (SELECT MIN(id) FROM newsroom_story), "
                   "(SELECT MAX(id) FROM newsroom_story), "
                   f"tsvector_to_array(to_tsvector('english', %s)){statistics}",
                   [text, *([] if fresh else [TABLE])])
    row = cursor.fetchone()
    if not fresh:
        found = None
        if row[3]:
            lexemes, shares = row[3], row[4]
            # The frequencies hold two more values after the lexemes' (their least and most).
            common = {lexeme: float(share)
                      for lexeme, share in zip(lexemes, shares[:len(lexemes)], strict=True)}
            found = Frequencies(common, min(common.values()))
        _statistics_read = (now, database, found)
    assert _statistics_read is not None
    return int(row[0] or 0), int(row[1] or 0), list(row[2] or []), _statistics_read[2]


def _pg_walk(cursor: Any, query: Query, limit: int, first: int, newest: int, size: int,
             deadline: float) -> _Found:
    """PostgreSQL: the newest matches, window by window back from the newest story, each
    window older than the last and sized from the matches found so far, so that no match is
    read twice (each is a heap page read, past the server's buffers at a million stories).
    Every match of a window is read to sort the ids, so a window much larger than needed
    costs every extra match: the next is sized to hold about what is missing, with a margin;
    a window read short costs one more window. When nothing has matched yet (a rare word,
    whose posting list is short), the next window is the rest of the archive."""
    archive = max(1, newest - first + 1)
    scored: list[tuple[int, float]] = []  # the public candidates
    taken = 0  # candidates taken, public or not
    found = 0  # matches in the windows looked at
    stop: int | None = None
    looked = 0  # ids looked at, up to the newest
    while True:
        window = Window.before(stop, size, first, newest)
        result = _pg_probe(cursor, query, limit - taken, window, newest, deadline)
        if result is None:  # out of time: the newest matches found so far
            return _Found(scored, True, max(found * archive // max(1, looked), limit))
        looked = newest + 1 - max(first, window.start)
        found += int(result[0][2]) if result else 0
        taken += len(result)
        scored += [(int(r[0]), float(r[1])) for r in result if r[3]]
        if taken >= limit:
            return _Found(scored, True, found * archive // looked)
        if window.start <= first:
            return _Found(scored, False, found)
        stop = window.start
        if not found:
            size = archive
            continue
        # What is missing with a margin of about one standard deviation of the count found (x1.2
        # from 25 matches, x1.05 from 400): a window read long costs every extra match, read
        # short, one more window for the few missing.
        margin = 1 + 1 / math.sqrt(found)
        size = max(int(looked * (limit - taken) * margin / found), 1 << LEVELS[0])


def _pg_probe(cursor: Any, query: Query, limit: int, window: Window | None, newest: int,
              deadline: float) -> list[tuple[Any, ...]] | None:
    """The rows of one window's statement, or None when it ran out of time (cancelled by the
    server: ``statement_timeout``, for this statement only)."""
    left = int((deadline - time.monotonic()) * 1000)
    if left <= 0:
        return None
    # In a transaction of its own, the timeout ends with it; in a savepoint of an outer one, it
    # would last as long as that, so it is set back.
    nested = connection.in_atomic_block
    try:
        with transaction.atomic():
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(left)])
            cursor.execute(*candidates_sql(query, limit, window, newest))
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            if nested:
                cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
            return rows
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "57014":  # query_canceled
            return None
        raise


def _sqlite_walk(cursor: Any, query: Query, limit: int,
                 deadline: float) -> tuple[list[tuple[int, float]], bool]:
    """The matches newest first, read a hundred at a time until the limit or the deadline
    (SQLite's progress handler interrupts the statement); and whether it was interrupted."""
    raw = connection.connection
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    rows: list[tuple[int, float]] = []
    try:
        cursor.execute(*candidates_sql(query, limit))
        while chunk := cursor.fetchmany(100):
            rows.extend((int(row[0]), float(row[1])) for row in chunk)
        if rows and any(not STOP_WORDS.issuperset(phrase) for phrase in query.phrases):
            rows = _sqlite_rank(cursor, query, rows)
    except OperationalError as exc:
        if "interrupted" not in str(exc):
            raise
        return rows, True
    finally:
        raw.set_progress_handler(None, 0)
    return rows, False


def _sqlite_rank(cursor: Any, query: Query,
                 rows: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """BM25 scores for the matches of a query with phrases (see :func:`rank_sql`). Unscored (0)
    when only stop words are left."""
    ids = [story_id for story_id, _ in rows]
    statement = rank_sql(query, ids)
    if statement is None:
        return rows
    cursor.execute(*statement)
    scores = {int(row[0]): float(row[1]) for row in cursor.fetchall()}
    return [(story_id, scores.get(story_id, 0.0)) for story_id in ids]


def rank_sql(query: Query, story_ids: Sequence[int]) -> tuple[str, list[Any]] | None:
    """SQLite: the statement that scores these matches of a query with phrases, by BM25 of the
    words of the query (stop words aside), so that no phrase is left for bm25 to evaluate over
    the whole index; None when no word is left.

    FTS5 walks the stories of the matches' span that hold the words (a fraction of a
    microsecond each), and bm25 is computed for the matches only: the IN test comes before the
    result columns. It is written ``+rowid`` so that it stays a test on the walk, not a lookup
    per id (each lookup would count the words' stories over the whole index again, for bm25).
    '"any other side"' at 100k: 273 matches among the 5,604 stories of their span holding
    "side"; scoring all of them took 6.2 ms, the matches alone 1.0 ms."""
    words = [w for w in dict.fromkeys([*query.words, *(w for p in query.phrases for w in p)])
             if w not in STOP_WORDS]
    if not words or not story_ids:
        return None
    return (f"SELECT rowid, bm25({TABLE}, %s, 1.0) FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s AND rowid BETWEEN %s AND %s "
            "AND +rowid IN (SELECT value FROM json_each(%s))",
            [HEADLINE_WEIGHT, " AND ".join(f'"{w}"' for w in words), min(story_ids),
             max(story_ids), json.dumps(list(story_ids))])


# PostgreSQL's 'english' stop words (Snowball's list): its queries leave them out, and so do
# SQLite's, outside phrases ("Google is dedicated to" is "google dedicated" on both; in FTS5, "is"
# and "to" are posting lists of every story, walked and counted by bm25 for nothing).
_STOP = """i me my myself we our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs themselves what which
who whom this that these those am is are was were be been being have has had having do does did
doing a an the and but if or because as until while of at by for with about against between into
through during before after above below to from up down in out on off over under again further
then once here there when where why how all any both each few more most other some such no nor not
only own same so than too very s t can will just don should now"""
STOP_WORDS = frozenset(_STOP.split())


def fts5_expression(query: Query) -> str:
    """An FTS5 MATCH expression: each word and phrase a quoted string, all required. Words come
    from ``\\w+`` and hold no quote, so quoting makes every FTS5 operator in the input inert.
    Stop words are left out of the words, and phrases of stop words only ("of a") left out; a
    query of nothing else matches nothing (as on PostgreSQL: it would be every story, and its
    posting lists the longest there are)."""
    terms = [f'"{word}"' for word in query.words if word not in STOP_WORDS]
    terms += ['"' + " ".join(phrase) + '"' for phrase in query.phrases
              if not STOP_WORDS.issuperset(phrase)]
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
            "array_to_tsvector(ARRAY[' b' || (story_id >> 10)])"]


def relevel_buckets_sql(vendor: str) -> list[str]:
    """Replace every PostgreSQL document's one-level bucket lexeme (migration 0013) with the
    lexemes of every level (a migration's step; the GIN index is built again once, after)."""
    if vendor != "postgresql":
        return []
    return [f"DROP INDEX IF EXISTS {TABLE}_document",
            f"UPDATE {TABLE} SET document = "
            f"ts_delete(document, ' b' || (story_id >> 10)) || {_buckets_sql('story_id')}",
            *(s for s in create_index_sql(vendor) if "USING GIN" in s)]


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
                [(e.story_id, e.headline, e.body_text, bucket_lexemes(e.story_id))
                 for e in entries],
            )
            return
        cursor.executemany(
            f"INSERT OR REPLACE INTO {TABLE} (rowid, headline, body) VALUES (%s, %s, %s)",
            [(e.story_id, e.headline, e.body_text) for e in entries],
        )


def bulk_index(entries: Sequence[Entry]) -> None:
    """:func:`index` for a bulk load of new stories: on PostgreSQL the texts go in by COPY to a
    temporary table and the documents are built from it in one statement (a million-story
    archive in minutes, not hours); elsewhere the same as :func:`index`."""
    if connection.vendor != "postgresql" or not entries:
        index(entries)
        return
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS search_load "
                       "(story_id bigint, headline text, body text) ON COMMIT DELETE ROWS")
        with cursor.copy("COPY search_load (story_id, headline, body) FROM STDIN") as copy:
            for e in entries:
                copy.write_row((e.story_id, e.headline, e.body_text))
        cursor.execute(
            f"INSERT INTO {TABLE} (story_id, document) SELECT story_id, "
            "setweight(to_tsvector('english', headline), 'A') || "
            "setweight(to_tsvector('english', body), 'B') || "
            f"{_buckets_sql('story_id')} FROM search_load "
            "ON CONFLICT (story_id) DO UPDATE SET document = EXCLUDED.document")
        cursor.execute("TRUNCATE search_load")


def lexeme(level: int, bucket: int) -> str:
    """The lexeme of an id bucket: it starts with a space, which no parsed word holds."""
    return f" w{level}_{bucket}"


def bucket_lexemes(story_id: int) -> list[str]:
    """The lexemes of the story's bucket at every level."""
    return [lexeme(level, story_id >> level) for level in LEVELS]


def _buckets_sql(story_id: str) -> str:
    """:func:`bucket_lexemes` as a SQL expression of a story id column (a tsvector)."""
    parts = ", ".join(f"' w{level}_' || ({story_id} >> {level})" for level in LEVELS)
    return f"array_to_tsvector(ARRAY[{parts}])"


def remove(story_ids: Sequence[int]) -> None:
    if story_ids:
        key = "story_id" if connection.vendor == "postgresql" else "rowid"
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE {key} = %s",
                               [(story_id,) for story_id in story_ids])
