"""The search interface: what a query means, what it finds, how it counts, and that its plan
starts from the full-text index whatever the size of the archive."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries

from tests.support.clock import FakeClock
from tests.support.factories import make_story, set_status
from wiredesk.newsroom import search
from wiredesk.newsroom.models import Story
from wiredesk.newsroom.search import Query, parse
from wiredesk.site import searching

HOSTILE = [
    '"unbalanced quote', 'NEAR(copper price, 2)', "copper OR price NOT bank", "*", "-", "'",
    "headline:copper", "{headline body}: copper", "^copper", "copper*", "cop\x00per", "\x00",
    "copper \U0001F4C8 price \U0001F525", "\U0001F600", "'; DROP TABLE newsroom_story; --",
    "x" * 5000, " ".join(["copper"] * 500), '""', '"" "', "(((", "AND", "copper AND", "\\",
    "%_%", "<script>alert(1)</script>", 'col:umn:"x"', "\u202e\u200b", "copper\tprice\r\n",
    # Many terms, stop words only, a phrase per word, prefix and column syntax at length.
    " OR ".join(f"w{n}" for n in range(300)), "the of and to a in", '"the" "and"',
    '"copper" ' * 200, "copper* " * 200, "headline:copper body:price " * 50, '"' * 101,
]


def headlines(story_ids: list[int]) -> list[str]:
    by_id = Story.objects.in_bulk(story_ids)
    return [by_id[i].headline for i in story_ids]


def test_a_query_is_its_words_and_quoted_phrases() -> None:
    assert parse('Copper  "price of GOLD" falls, copper!') == Query(
        ("copper", "falls"), (("price", "of", "gold"),))
    assert parse('"one"') == Query(("one",), ())
    assert parse('NEAR(a b) OR c*') == Query(("near", "a", "b", "or", "c"), ())
    assert not parse("!!! \U0001F600 \x00 \"\" * -")


def test_hostile_input_is_bounded_and_holds_no_syntax() -> None:
    for text in HOSTILE:
        query = parse(text)
        terms = [*query.words, *(w for p in query.phrases for w in p)]
        assert len(terms) <= search.MAX_TERMS, text
        assert all(term.isalnum() or "_" in term for term in terms), text
    assert parse("cop\x00per") == Query(("copper",), ())


@pytest.mark.django_db
def test_hostile_queries_answer_without_error() -> None:
    make_story("Copper price rises", body_html="<p>Copper rose.</p>")
    for text in HOSTILE:
        page = search.search(text, limit=10)
        assert page.exact, text
        assert headlines(page.story_ids) in ([], ["Copper price rises"]), text


@pytest.mark.django_db
def test_words_are_stemmed_and_phrases_keep_their_order() -> None:
    make_story("Migration rules change", body_html="<p>The copper price rose.</p>")
    make_story("Markets", body_html="<p>The price of copper fell.</p>")
    assert headlines(search.search("migrations", limit=10).story_ids) == [
        "Migration rules change"]
    assert headlines(search.search('"copper price"', limit=10).story_ids) == [
        "Migration rules change"]
    assert sorted(headlines(search.search("copper price", limit=10).story_ids)) == [
        "Markets", "Migration rules change"]


@pytest.mark.django_db
def test_the_count_is_exact_up_to_the_cap_then_more_than_the_cap() -> None:
    start = timezone.now() - timedelta(days=1)
    stories = [make_story(f"Harbour report {n}", published_at=start + timedelta(minutes=n))
               for n in range(5)]
    complete = search.search("harbour", limit=10, cap=5)
    assert (complete.total, complete.exact) == (5, True)
    assert sorted(complete.story_ids) == sorted(s.pk for s in stories)

    capped = search.search("harbour", limit=10, cap=3)
    assert (capped.total, capped.exact) == (3, False)
    # The newest matches are the ones ranked.
    assert sorted(capped.story_ids) == sorted(s.pk for s in stories[2:])
    assert search.search("harbour", limit=2, offset=2, cap=3).story_ids == capped.story_ids[2:]


@pytest.mark.django_db
def test_the_best_match_ranks_first_among_the_candidates() -> None:
    make_story("Volcano erupts", body_html="<p>Lava reached the coast.</p>")
    make_story("Markets fall", body_html="<p>Traders blamed a volcano far away.</p>")
    assert headlines(search.search("volcano", limit=10).story_ids) == [
        "Volcano erupts", "Markets fall"]


@pytest.mark.django_db
def test_a_story_past_its_expiry_is_not_found_even_before_the_scheduler_runs(
        desk_clock: FakeClock) -> None:
    story = make_story("Licensed harbour photo essay")
    Story.objects.filter(pk=story.pk).update(expires_at=desk_clock.moment + timedelta(hours=1))
    assert search.search("harbour", limit=10).story_ids == [story.pk]
    desk_clock.advance(timedelta(hours=2))
    assert search.search("harbour", limit=10) == search.SearchPage([], 0, True)


@pytest.mark.django_db
def test_results_are_cached_by_query_and_desk_state(
        django_assert_num_queries: DjangoAssertNumQueries) -> None:
    cache.clear()
    story = make_story("Harbour deal signed")
    other = make_story("Harbour strike ends")
    assert sorted(searching.ranked("harbour").story_ids) == sorted([story.pk, other.pk])
    # The same query typed another way is the same cache entry: only the state is read.
    with django_assert_num_queries(1):
        assert len(searching.ranked("  HARBOUR!! ").story_ids) == 2
    set_status(story, Story.Status.HELD)
    assert searching.ranked("harbour").story_ids == [other.pk]
    set_status(story, Story.Status.PUBLISHED)
    assert len(searching.ranked("harbour").story_ids) == 2


@pytest.mark.django_db
def test_a_deleted_story_leaves_cached_results() -> None:
    from wiredesk.newsroom.write.editorial import delete_for_good

    cache.clear()
    story = make_story("Harbour deal signed")
    assert searching.ranked("harbour").story_ids == [story.pk]
    delete_for_good(story)
    assert searching.ranked("harbour").story_ids == []


# -- The plan starts from the full-text index ----------------------------------------------

def explain(sql: str, params: list[Any]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["harbour", "harbour deal", '"harbour deal" signed'])
def test_sqlite_plan_walks_the_fts_index_then_looks_stories_up_by_key(text: str) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan")
    make_story("Harbour deal signed")
    plan = explain(*search.candidates_sql(parse(text), 101)).splitlines()
    assert plan[0].startswith(f"SCAN {search.TABLE} VIRTUAL TABLE INDEX"), plan
    # Each match's story is then found by its key: through the primary key, or -- with the
    # statistics ANALYZE leaves (migration 0030 runs it) -- through the status index, whose
    # entries hold the key: a point lookup either way, never a scan of the stories.
    assert plan[1].startswith("SEARCH s USING ") and "rowid=?)" in plan[1], plan
    # FTS5 returns rows newest first itself: no sort of all the matches.
    assert not any("TEMP B-TREE" in line for line in plan), plan


@pytest.mark.django_db
def test_postgresql_plan_reads_the_gin_index_in_every_window() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan")
    make_story("Harbour deal signed")
    with connection.cursor() as cursor:
        # A table of one row is read whole, or walked by its primary key, by any planner; what
        # matters is that the statement can start from the GIN index (the tsquery comes from a
        # CTE, which could prevent it), so the cheaper ways for a tiny table are switched off.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    for window in [None, search.Window.newest(search.FIRST_WINDOW, 100_000),
                   search.Window(50_176, 91_136)]:
        plan = explain(*search.candidates_sql(parse("harbour deal"), 101, window, 100_000))
        assert f"Bitmap Index Scan on {search.TABLE}_document" in plan, plan
        assert "Seq Scan" not in plan, plan


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 154, 1001])
def test_postgresql_never_walks_the_key_index_to_find_a_window_s_newest(limit: int) -> None:
    # With the key index's order on offer, the planner walked the whole table backwards through
    # it for a small limit, testing every document (6.7 s at a million stories), as if the
    # window's count could stop early. The ids are sorted as an expression no index holds.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan")
    make_story("Harbour deal signed")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = explain(*search.candidates_sql(parse("harbour deal"), limit,
                                          search.Window(50_176, 91_136), 100_000))
    assert "Index Scan Backward" not in plan, plan
    assert f"Bitmap Index Scan on {search.TABLE}_document" in plan, plan


def record_windows(monkeypatch: pytest.MonkeyPatch) -> list[search.Window]:
    """The windows the PostgreSQL search probes, in order, recorded as it goes."""
    windows: list[search.Window] = []
    probe = search._pg_probe

    def recorded(cursor: Any, query: Query, limit: int, window: search.Window | None,
                 newest: int, deadline: float) -> list[tuple[Any, ...]] | None:
        assert window is not None
        windows.append(window)
        return probe(cursor, query, limit, window, newest, deadline)

    monkeypatch.setattr(search, "_pg_probe", recorded)
    return windows

@pytest.mark.django_db
def test_newest_windows_then_the_whole_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tiny buckets and windows, so that a few dozen stories span several of them (on SQLite,
    # which needs no windows, the same answers).
    monkeypatch.setattr(search, "LEVELS", (1, 2, 3))
    monkeypatch.setattr(search, "FIRST_WINDOW", 2)
    start = timezone.now() - timedelta(days=1)
    stories = [make_story(f"Harbour report {n}", published_at=start + timedelta(minutes=n),
                          body_html="<p>A rare word: zyzzyva.</p>" if n == 0 else "<p>x</p>")
               for n in range(24)]
    ids = [s.pk for s in stories]
    windows = record_windows(monkeypatch)
    capped = search.matches(parse("harbour"), cap=3)
    assert (sorted(capped.story_ids), capped.complete) == (sorted(ids[-3:]), False)
    middle = search.matches(parse("harbour"), cap=6)
    assert (sorted(middle.story_ids), middle.complete) == (sorted(ids[-6:]), False)
    windows.clear()
    everything = search.matches(parse("harbour"), cap=50)
    assert (sorted(everything.story_ids), everything.complete) == (sorted(ids), True)
    if connection.vendor == "postgresql":
        # Each window is older than the last and ends where it starts: no match is read twice.
        assert len(windows) >= 2 and windows[0].stop is None, windows
        assert all(older.stop == newer.start for newer, older in itertools.pairwise(windows))
        assert windows[-1].start <= ids[0]
    assert search.matches(parse("zyzzyva harbour"), cap=3) == search.Matches([ids[0]], True)
    assert search.matches(parse("the"), cap=3) == search.Matches([], True)


@pytest.mark.parametrize(("stop", "size", "newest"), [
    (None, 22_000, 1_000_961), (None, 2_200, 1_000_961), (958_464, 372_000, 1_000_961),
    (991_232, 9_000, 1_000_961), (973_824, 100_000, 1_000_961), (5_120, 2_048, 9_999),
    (None, 3_000_000, 10_000_000), (4_100, 100, 9_000),
])
def test_a_window_is_a_few_buckets_from_its_start_past_its_end(stop: int | None, size: int,
                                                               newest: int) -> None:
    window = search.Window.before(stop, size, 1, newest)
    end = newest + 1 if stop is None else stop
    # About the size asked, from a boundary of buckets at least a sixteenth of it.
    assert end - size - size // 16 - (1 << window.level) < window.start <= end - size
    assert window.start % (1 << window.level) == 0
    buckets = window.buckets(newest)
    ranges = sorted((bucket << level, (bucket + 1) << level) for level, bucket in buckets)
    # Every id of the window once, from its start to its end rounded up to its level (the
    # statement tests the ids as well: the rest of the last bucket is not taken).
    assert ranges[0][0] == window.start
    assert end <= ranges[-1][1] < end + (1 << window.level)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert min(level for level, _ in buckets) >= window.level
    assert len(buckets) <= 8, buckets
    assert window.tsquery(newest).count("|") == len(buckets) - 1
    assert window.span(newest) == min(newest + 1, end) - window.start


def test_a_window_reaching_the_oldest_story_is_every_older_one() -> None:
    assert search.Window.before(500_000, 400_000, 150_000, 1_000_000) == search.Window(
        0, 500_000)
    assert search.Window.before(None, 5_000, 1_000, 4_000) == search.Window(0)


def test_bucket_lexemes_are_no_word() -> None:
    assert search.bucket_lexemes(5000)[0] == search.lexeme(search.LEVELS[0], 5000 >> 10)
    # No word of any text is a bucket lexeme: they start with a space.
    assert all(lexeme.startswith(" ") for lexeme in search.bucket_lexemes(5000))


# -- Counts: exact when small, about how many when large -------------------------------------

def test_about_rounds_an_estimate_to_two_figures_and_never_below_what_is_known() -> None:
    ranked = list(range(1000))
    assert search.about(search.Matches(ranked, False, 12_345)) == 12_000
    assert search.about(search.Matches(ranked, False, 1_049)) == 1_000 + 1
    assert search.about(search.Matches(ranked, False, 1_051)) == 1_100
    assert search.about(search.Matches(ranked, False, 7)) == 1_001
    assert search.about(search.Matches(ranked[:3], True)) == 3


@pytest.mark.django_db
def test_a_capped_count_is_estimated_from_the_newest_matches() -> None:
    # Every other story holds the word: about half the archive matches.
    start = timezone.now() - timedelta(days=1)
    for n in range(40):
        make_story(f"Harbour report {n}" if n % 2 else f"Market report {n}",
                   published_at=start + timedelta(minutes=n))
    page = search.search("harbour", limit=2, cap=5)
    assert (page.total, page.exact, len(page.story_ids)) == (5, False, 2)
    assert page.estimate is not None and 15 <= page.estimate <= 25
    # Below the cap the count is exact, with no estimate.
    exact = search.search("harbour", limit=2, cap=50)
    assert (exact.total, exact.exact, exact.estimate) == (20, True, None)


@pytest.mark.django_db
def test_a_killed_story_leaves_cached_results_at_once() -> None:
    from wiredesk.newsroom.write.editorial import kill

    cache.clear()
    story = make_story("Harbour deal signed")
    other = make_story("Harbour strike ends")
    assert sorted(searching.ranked("harbour").story_ids) == sorted([story.pk, other.pk])
    kill(story, reason="legal")
    assert searching.ranked("harbour").story_ids == [other.pk]
    page = searching.search_page("harbour", limit=10, offset=0)
    assert ([s.pk for s in page.stories], page.total, page.exact) == ([other.pk], 1, True)


@pytest.mark.django_db
def test_a_query_out_of_time_answers_with_what_it_found(monkeypatch: pytest.MonkeyPatch) -> None:
    stories = [make_story(f"Harbour report {n}") for n in range(3)]
    monkeypatch.setattr(search, "TIME_BUDGET", -1.0)
    for text in ["harbour", '"harbour report"', *HOSTILE]:
        found = search.matches(parse(text))
        # Never an error; some of the newest matches (or none), and no claim that is all.
        assert set(found.story_ids) <= {s.pk for s in stories}, text
        if found.complete:  # (SQLite may finish before its progress handler looks at the time)
            assert sorted(found.story_ids) in ([], sorted(s.pk for s in stories)), text


@pytest.mark.django_db
def test_stop_words_are_left_out_of_words_but_not_of_phrases() -> None:
    make_story("Harbour reopens", body_html="<p>Ships returned.</p>")
    make_story("Markets", body_html="<p>The price of copper fell.</p>")
    make_story("Metals", body_html="<p>Copper, the price said.</p>")
    # "is" and "to" are in neither story: as on PostgreSQL, they do not have to be.
    assert headlines(search.search("the harbour is to", limit=10).story_ids) == [
        "Harbour reopens"]
    assert headlines(search.search('"price of copper"', limit=10).story_ids) == ["Markets"]


@pytest.mark.django_db
def test_a_phrase_in_the_headline_ranks_first() -> None:
    start = timezone.now() - timedelta(days=1)
    make_story("Copper price hits record", published_at=start,
               body_html="<p>Traders cheered.</p>")
    make_story("Markets", published_at=start + timedelta(hours=1),
               body_html="<p>The copper price rose, and copper price forecasts too.</p>")
    assert headlines(search.search('"copper price"', limit=10).story_ids) == [
        "Copper price hits record", "Markets"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["the", "the of and to a in", '"of a"', '"the" "and"'])
def test_a_query_of_stop_words_only_finds_nothing_on_either_database(text: str) -> None:
    make_story("The harbour of a town", body_html="<p>The end of a day.</p>")
    assert search.search(text, limit=10) == search.SearchPage([], 0, True)


# -- PostgreSQL: the first window from the lexemes' statistics ---------------------------------

def test_the_first_window_would_hold_about_the_limit_at_the_rarest_lexeme_s_frequency() -> None:
    frequencies = search.Frequencies({"said": 0.5, "market": 0.05}, least=0.02)
    assert 1001 / 0.5 <= search.first_window(1001, ["said"], frequencies) <= 1.2 * 1001 / 0.5
    # Every lexeme must be in a match: the rarest bounds how common the query can be.
    assert search.first_window(1001, ["said", "market"], frequencies) == search.first_window(
        1001, ["market"], frequencies)
    # A lexeme left out of the statistics is no more common than the least listed.
    assert search.first_window(1001, ["said", "zyzzyva"], frequencies) == search.first_window(
        1001, ["anything"], frequencies) >= 1001 / 0.02
    # Never below the smallest bucket; the fixed first window without statistics or lexemes.
    assert search.first_window(1, ["said"], frequencies) == 1 << search.LEVELS[0]
    assert search.first_window(1001, ["said"], None) == search.FIRST_WINDOW
    assert search.first_window(1001, [], frequencies) == search.FIRST_WINDOW


@pytest.mark.django_db
def test_postgresql_sizes_the_first_window_from_the_statistics(
        monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statistics")
    monkeypatch.setattr(search, "LEVELS", (1, 2, 3))
    monkeypatch.setattr(search, "_statistics_read", None)
    start = timezone.now() - timedelta(days=1)
    stories = [make_story(f"Harbour report {n}" if n % 4 == 0 else f"Market report {n}",
                          published_at=start + timedelta(minutes=n)) for n in range(80)]
    with connection.cursor() as cursor:
        # Never analysed: no statistics yet.
        assert search._pg_start(cursor, parse("harbour"))[3] is None
        monkeypatch.setattr(search, "_statistics_read", None)
        cursor.execute(f"ANALYZE {search.TABLE}")
        first, newest, lexemes, frequencies = search._pg_start(cursor,
                                                               parse('harbours "the reports"'))
        assert (first, newest) == (stories[0].pk, stories[-1].pk)
        assert lexemes == ["harbour", "report"]
        assert frequencies is not None
        assert frequencies.common["harbour"] == pytest.approx(0.25, abs=0.02)
        assert frequencies.common["report"] == pytest.approx(1.0, abs=0.02)
        # Read again only when they are old.
        assert search._pg_start(cursor, parse("harbour"))[3] is frequencies
    windows = record_windows(monkeypatch)
    found = search.matches(parse("harbour report"), cap=5)
    # Six candidates are wanted (the cap and one to know there are more): a harbour report
    # is one story in four, so about 6 x 1.1 x 4 = 26 of the newest ids are looked at first.
    assert 24 <= stories[-1].pk + 1 - windows[0].start <= 28, windows
    assert (sorted(found.story_ids), found.complete) == (
        sorted(s.pk for s in stories[::4][-5:]), False)
