"""A month -- or a year -- of wire on one machine (issue 11): search, listings, process start and
ingest on archives of 10k, 100k and 1M stories, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/scale.py [--sizes 10k,100k,1M] [--database sqlite|postgresql|both]
        [--keep] [--reuse] [--only search,listings,start,import] [--requests 20] [--queries 20]
        [--templated 3000] [--feeds 3] [--plans] [--pg-url postgresql://postgres@127.0.0.1:5432]
        [--name wd_scale]

Each size is its own archive, ending now, built by :mod:`archive_builder` (the rows the pipeline
writes, in bulk: see its docstring) in its own database: PostgreSQL ``<name>_<size>`` (dropped
and created again), SQLite ``$TMPDIR/<name>/sqlite-<size>/wiredesk.sqlite3``; ``--name`` (default
``wd_scale``) keeps the archives of concurrent runs apart. ``--keep`` leaves
it there afterwards, ``--reuse`` measures a kept archive of that size again instead of building it
(a run can be resumed size by size; the measurements' own imports add a few stories each time).
Every size runs in a process of its own (Django's settings are fixed once a process has set up).

At each size it prints:

- **build**: stories/s of the bulk path and its phases;
- **search**: p50/p95 (ms) of :func:`wiredesk.newsroom.search.search` (ranked ids and the result
  count: the search module's public entry), per class -- common words, rare words (invented names
  found in a handful of stories), several words, phrases, hostile input (FTS syntax, unbalanced
  quotes, NUL, emoji, very long input, stop words) -- after one warm pass; beside it the p95 of
  the reader's page, :func:`wiredesk.site.searching.search_page` with its cache off (the ids, the
  count and the page's story rows), and on PostgreSQL the server's CPU per query (the backend's
  user and system time from /proc, summed over the class);
- **listings**: p50/p95 (ms) of each page, feed, sitemap and API list requested through Django's
  test ``Client`` with the response body cache and the teasers' fragment cache emptied before
  every request:
  the **cache-miss** cost, fingerprint + queries + rendering, what the first reader after a
  change pays when every teaser must be rendered again; beside it (``warm``, "fragments kept")
  the p95 with the body alone evicted, the teasers' kept fragments
  (:mod:`wiredesk.site.fragments`) still there: what the first reader after a change to one
  story pays, bar that story's teaser (about 0.3 ms); and p95 of a revalidation
  (If-None-Match, 304): the validator alone. The in-process
  response cache and nginx of the deployment sit in front of Django and are not involved.
  With ``--plans``, every statement of a listing that takes over 5 ms is printed with its
  EXPLAIN (PostgreSQL: EXPLAIN ANALYZE with buffers, run again);
- **start**: a new process's desk taking its first session (the write desk's ``session()``:
  duplicate keys caught up, cluster state read) -- the time before it can decide; the median and
  max of 5, each with a fresh desk; and the desk state's row counts;
- **import**: one real feed (the Guardian's 55 captured items, as new items dated now, their words
  shuffled anew for each import so that every import is news, not copies merged) stored and
  processed through the whole pipeline with a fresh desk, as a new ``import`` process would; and a
  feed of 20 templated items (the worst case: the archive's window holds ``--templated``
  near-identical stories); median of ``--feeds`` imports. The closing table gives each as a ratio
  to the smallest size.

The machine is shared: the load average is printed at the start and end of each size, and every
time is given twice, wall clock and this process's CPU time (``cpu``: unaffected by other load; on
PostgreSQL it leaves out the server's share of the work).
Targets (issue 11): search p95 < 50 ms and listings p95 < 20 ms at 1M, flat from 10k; start
< 2 s at 1M; one feed <= 1.5x from the smallest size to 1M.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import archive_builder  # a sibling module, found through the path above
from archive_builder import SHARED_FEEDS, Corpus, Desk

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
NAME = "wd_scale"
_WORD = re.compile(r"[^\W\d_]{4,}")
_STOP_WORDS = """about above after again against also because been before being below between both
could does doing down during each from further have having here hers herself himself into itself
just more most myself once only other ours over same should some such than that their theirs them
then there these they this those through under until very were what when where which while whom
will with would your said says"""
STOP = frozenset(_STOP_WORDS.split())


def size_label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k"


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- Setting up one size's database ----------------------------------------------------------------

def sqlite_root(name: str) -> Path:
    return Path(tempfile.gettempdir()) / name


def setup(database: str, size: int, pg_server: str, reuse: bool, name: str) -> bool:
    """Point Django at this size's database, migrate; True when a built archive is reused."""
    label = size_label(size).lower()
    root = sqlite_root(name)
    data_dir = root / f"sqlite-{label}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    os.environ["WIREDESK_LOG_LEVEL"] = "WARNING"
    os.environ["WIREDESK_ENRICH"] = "false"
    os.environ["WIREDESK_ALLOWED_HOSTS"] = "testserver"
    os.environ["WIREDESK_BASE_URL"] = "http://testserver"
    os.environ.pop("WIREDESK_DATABASE_URL", None)
    if database == "postgresql":
        import psycopg

        os.environ["WIREDESK_DATA_DIR"] = str(root / f"pg-{label}-data")
        db = f"{name}_{label}"
        with psycopg.connect(f"{pg_server}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [db]).fetchone() is not None
            if exists and not reuse:
                conn.execute(f'DROP DATABASE "{db}"')
            if not exists or not reuse:
                conn.execute(f'CREATE DATABASE "{db}"')
        os.environ["WIREDESK_DATABASE_URL"] = f"{pg_server}/{db}"
    else:
        if data_dir.exists() and not reuse:
            shutil.rmtree(data_dir)
        os.environ["WIREDESK_DATA_DIR"] = str(data_dir)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from wiredesk.newsroom.write.deskstate import DeskCounter

    built = DeskCounter.objects.filter(name=archive_builder.MARKER).values_list(
        "value", flat=True).first()
    if reuse and built != size:
        print(f"  no complete archive of {size:,} stories to reuse: building it")
        return False
    return built == size


def drop(database: str, size: int, pg_server: str, name: str) -> None:
    label = size_label(size).lower()
    if database == "postgresql":
        import psycopg

        with psycopg.connect(f"{pg_server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}_{label}" WITH (FORCE)')
        shutil.rmtree(sqlite_root(name) / f"pg-{label}-data", ignore_errors=True)
    else:
        shutil.rmtree(sqlite_root(name) / f"sqlite-{label}", ignore_errors=True)


# -- Search ----------------------------------------------------------------------------------------

def query_classes(corpus: Corpus, per_class: int) -> dict[str, list[str]]:
    """Queries per class, from the corpus and the archive's own rare words."""
    from wiredesk.newsroom.models import Story

    rng = random.Random(11)
    frequency: Counter[str] = Counter()
    for sentence in corpus.sentences:
        frequency.update({w.lower() for w in _WORD.findall(sentence)})
    common = [w for w, _ in frequency.most_common() if w not in STOP][:60]
    ranked = [w for w, _ in frequency.most_common()]
    # Rare: the invented name a story's headline starts with ("Marketon: ...").
    top = Story.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    rare = []
    for headline in Story.objects.filter(pk__in=[rng.randint(1, top) for _ in range(400)],
                                         headline__contains=": ").values_list("headline",
                                                                              flat=True):
        name = headline.split(":", 1)[0]
        if name.isalpha():
            rare.append(name.lower())
    sentences = [s.split() for s in corpus.sentences if len(s.split()) >= 6]

    def words(k: int) -> str:
        sentence = rng.choice(sentences)
        start = rng.randrange(len(sentence) - k)
        return " ".join(w.strip('.,;:!?"()') for w in sentence[start:start + k])

    hostile = [
        '"unbalanced quote', "NEAR(market rates, 2)", "market OR rates NOT bank", "*", "-", "'",
        "headline:bank", "{headline body}: market", "^market", "market*", "a\x00b",
        "bank \U0001F4C8 rates", "'; DROP TABLE newsroom_story; --", " ".join(common[:40]),
        "x" * 2000, " ".join(rng.choice(ranked) for _ in range(300)), "the",
        "the of and to a in", '""', '"the" "and"', "(((", "AND", "market AND", "\\", "%_%",
        "<script>alert(1)</script>", 'col:umn:"x"', "\x00", "\U0001F600",
        "\U0001F3F3\uFE0F\u200D\U0001F308 flag",
    ]
    return {
        "common": [rng.choice(common) if i % 2 else f"{rng.choice(common)} {rng.choice(common)}"
                   for i in range(per_class)],
        "rare": [rng.choice(rare) for _ in range(per_class)] if rare else [],
        "words": [words(rng.randint(3, 4)) for _ in range(per_class)],
        "phrases": [f'"{words(rng.randint(2, 3))}"' for _ in range(per_class)],
        "hostile": hostile,
    }


def measure_search(classes: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    from wiredesk.newsroom import search
    from wiredesk.site import searching

    figures: dict[str, dict[str, Any]] = {}
    for name, queries in classes.items():
        if not queries:
            continue
        for query in queries:  # warm: a running server's caches are warm
            search.search(query, limit=20)
        times, cpu, totals, pages = [], [], [], []
        server = server_cpu()
        for query in queries:
            started, used = time.perf_counter(), time.process_time()
            page = search.search(query, limit=20)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
            totals.append(_total(page))
        server = (server_cpu() - server) / len(queries)
        for query in queries:  # the reader's page: ids, count and the page's stories
            started = time.perf_counter()
            searching.search_page(query, limit=20, offset=0, cached=False)
            pages.append((time.perf_counter() - started) * 1000)
        slowest = max(range(len(queries)), key=times.__getitem__)
        figures[name] = {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95),
                         "cpu50": percentile(cpu, 0.5), "cpu95": percentile(cpu, 0.95),
                         "max": max(times), "median_total": statistics.median(totals),
                         "page95": percentile(pages, 0.95), "server": server,
                         "slowest": queries[slowest][:40]}
    return figures


def server_cpu() -> float:
    """CPU milliseconds this connection's PostgreSQL backend has used (user and system, from
    /proc, in clock ticks: meaningful summed over many queries); 0 on SQLite or a remote
    server."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _total(page: Any) -> int:
    for name in ("total", "count"):
        if hasattr(page, name):
            return int(getattr(page, name))
    return len(getattr(page, "story_ids", []) or [])


# -- Listings --------------------------------------------------------------------------------------

def listing_urls() -> dict[str, str]:
    """One of each page, feed, sitemap and API list, with deep pages and ?since=."""
    from django.db.models import Count

    from wiredesk.newsroom import clock
    from wiredesk.newsroom.models import Cluster, Entity, Source, Story, StoryQuote
    from wiredesk.site.params import make_cursor
    from wiredesk.site.sitemaps import StorySitemap

    top = Story.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    middle = (Story.objects.filter(pk__lte=top // 2, status="published",
                                   merged_into__isnull=True).order_by("-pk").first())
    assert middle is not None
    deep = make_cursor(middle.first_published_at, middle.pk)
    source = Source.objects.order_by("pk").values_list("slug", flat=True)[3]
    recent = (Story.objects.filter(status="published", merged_into__isnull=True)
              .order_by("-pk").values_list("cluster_id", flat=True)[:400])
    window_cluster = (Cluster.objects.filter(pk__in=[c for c in recent if c])
                      .order_by("-story_count", "pk").first())
    old_cluster = Story.objects.filter(pk=middle.pk).values_list("cluster_id", flat=True)[0]
    country = Entity.objects.get(key="country:us")
    topic = Entity.objects.filter(kind="topic").order_by("pk").first()
    person = (StoryQuote.objects.values("speaker_id").annotate(n=Count("pk"))
              .order_by("-n").first()) if StoryQuote.objects.exists() else None
    speaker = Entity.objects.get(pk=person["speaker_id"]) if person else country
    rare = Entity.objects.filter(kind="person").order_by("-pk").first() or country
    since_hour = (clock.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    since_month = (clock.now() - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    last_page = StorySitemap().paginator.num_pages
    article = Story.objects.filter(status="published", merged_into__isnull=True,
                                   publication_mode="full").order_by("-pk").first()
    assert article is not None and window_cluster is not None
    return {
        "home": "/",
        "home ?page=50": "/?page=50",
        "home deep cursor": f"/?before={deep}",
        "section": "/section/world/",
        "section deep cursor": f"/section/world/?before={deep}",
        "source": f"/source/{source}/",
        "entity: country": f"/entity/{country.slug}/",
        "entity: country deep": f"/entity/{country.slug}/?before={deep}",
        "entity: topic": f"/entity/{topic.slug}/" if topic else "/",
        "entity: person": f"/entity/{speaker.slug}/",
        "entity: rare": f"/entity/{rare.slug}/",
        "cluster (window)": f"/cluster/{window_cluster.pk}/",
        "cluster (old)": f"/cluster/{old_cluster}/",
        "quotes": f"/entity/{speaker.slug}/quotes/",
        "quotes ?page=20": f"/entity/{speaker.slug}/quotes/?page=20",
        "article": article.get_absolute_url(),
        "sitemap.xml (index)": "/sitemap.xml",
        "sitemap-stories p1": "/sitemap-stories.xml",
        "sitemap-stories last": f"/sitemap-stories.xml?p={last_page}",
        "sitemap-entities": "/sitemap-entities.xml",
        "news-sitemap.xml": "/news-sitemap.xml",
        "feed latest.rss": "/feeds/latest.rss",
        "feed latest.atom": "/feeds/latest.atom",
        "feed latest.json": "/feeds/latest.json",
        "feed section.atom": "/feeds/section/business.atom",
        "feed source.rss": f"/feeds/source/{source}.rss",
        "feed country.json": f"/feeds/entity/{country.slug}.json",
        "feed topic.rss": f"/feeds/entity/{topic.slug}.rss" if topic else "/feeds/latest.rss",
        "feed cluster.rss": f"/feeds/cluster/{window_cluster.pk}.rss",
        "feed quotes.rss": f"/feeds/entity/{speaker.slug}/quotes.rss",
        "api stories": "/api/v1/stories",
        "api ?page=50": "/api/v1/stories?page=50",
        "api deep cursor": f"/api/v1/stories?before={deep}",
        "api ?section=": "/api/v1/stories?section=sport",
        "api ?source=": f"/api/v1/stories?source={source}",
        "api ?entity=": f"/api/v1/stories?entity={country.key}",
        "api ?entity= deep": f"/api/v1/stories?entity={country.key}&before={deep}",
        "api ?cluster=": f"/api/v1/stories?cluster={window_cluster.pk}",
        "api ?since=1h": f"/api/v1/stories?since={since_hour}",
        "api ?since=30d": f"/api/v1/stories?since={since_month}",
        "api ?since=30d page 20": f"/api/v1/stories?since={since_month}&page=20",
        "api ?section&since": f"/api/v1/stories?section=sport&since={since_month}",
        "api quotes": f"/api/v1/quotes?speaker={speaker.key}",
    }


def measure_listings(urls: dict[str, str], requests: int, plans: bool
                     ) -> dict[str, dict[str, Any]]:
    from django.conf import settings
    from django.core.cache import cache, caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wiredesk.site.http import body_key

    def empty_caches() -> None:  # the response bodies and the teasers' fragments
        for alias in settings.CACHES:
            caches[alias].clear()

    client = Client()
    gc.freeze()  # as a web process does once loaded (wiredesk.site.served)
    figures: dict[str, dict[str, Any]] = {}
    for name, url in urls.items():
        empty_caches()
        first = client.get(url)
        etag = first.get("ETag", "")
        misses, cpu, revalidations = [], [], []
        for _ in range(requests):
            empty_caches()
            started, used = time.perf_counter(), time.process_time()
            client.get(url)
            misses.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        for _ in range(max(5, requests // 2)):
            started = time.perf_counter()
            client.get(url, HTTP_IF_NONE_MATCH=etag)
            revalidations.append((time.perf_counter() - started) * 1000)
        # The body alone evicted: the teasers' fragments (wiredesk.site.fragments, in a cache of
        # their own) stay, as for the first reader after a change to another story.
        warm, warm_cpu = [], []
        for _ in range(requests):
            cache.delete(body_key(etag))
            started, used = time.perf_counter(), time.process_time()
            client.get(url)
            warm.append((time.perf_counter() - started) * 1000)
            warm_cpu.append((time.process_time() - used) * 1000)
        empty_caches()
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        slow = [q for q in captured.captured_queries if float(q["time"]) * 1000 > 5]
        figures[name] = {"status": first.status_code, "p50": percentile(misses, 0.5),
                         "p95": percentile(misses, 0.95), "cpu50": percentile(cpu, 0.5),
                         "cpu95": percentile(cpu, 0.95), "304": percentile(revalidations, 0.95),
                         "warm95": percentile(warm, 0.95), "warmcpu95": percentile(warm_cpu, 0.95),
                         "queries": len(captured.captured_queries), "slow": len(slow)}
        if plans:
            for query in slow:
                print(f"    slow query in {name} ({float(query['time']) * 1000:.1f} ms): "
                      f"{query['sql'][:400]}")
                print("      " + explain(query["sql"]).replace("\n", "\n      "))
    return figures


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # (the listings' statements only read)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


# -- Start and import ------------------------------------------------------------------------------

def measure_start() -> dict[str, Any]:
    from wiredesk.newsroom.write.deskstate import (
        ClusterPosting,
        ClusterSummary,
        DuplicateKey,
        TermCount,
    )

    times, cpu = [], []
    for _ in range(5):
        started, used = time.perf_counter(), time.process_time()
        desk = Desk()
        with desk.session():
            pass
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return {"median": statistics.median(times), "max": max(times),
            "cpu": statistics.median(cpu),
            "rows": {"duplicate keys": DuplicateKey.objects.count(),
                     "cluster summaries": ClusterSummary.objects.count(),
                     "cluster postings": ClusterPosting.objects.count(),
                     "term counts": TermCount.objects.count()}}


def measure_import(corpus: Corpus, feeds: int) -> dict[str, Any]:
    from wiredesk.newsroom.models import Source
    from wiredesk.newsroom.transports.ingest import store_payload

    source, _ = Source.objects.get_or_create(
        slug="bench-import", defaults={"name": "Bench import", "url": "https://bench.example/"})
    rng = random.Random(time.time_ns())
    figures: dict[str, Any] = {}
    tag = f"r{time.time_ns()}"
    kinds = {"real feed": lambda n: archive_builder.real_feed(f"{tag}-{n}"),
             "templated feed": lambda n: archive_builder.templated_feed(corpus, rng,
                                                                         f"{tag}-t{n}")}
    for kind, make in kinds.items():
        times, cpu, reports = [], [], []
        for n in range(feeds):
            body = make(n)
            if body is None:
                print(f"  {SHARED_FEEDS} absent: no real feed to import")
                break
            started, used = time.perf_counter(), time.process_time()
            desk = Desk()  # a new process's desk
            report = desk.process(store_payload(source, body, origin="bench"))
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
            reports.append(f"{report.new} new, {report.merged} merged")
        if times:
            figures[kind] = {"median": statistics.median(times), "max": max(times),
                             "cpu": statistics.median(cpu),
                             "report": "; ".join(dict.fromkeys(reports))}
    return figures


# -- One size, in its own process ------------------------------------------------------------------

def run_one(database: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {database} at {size:,} stories ({load()})")
    sys.stdout.flush()
    reused = setup(database, size, args.pg_url, args.reuse, args.name)
    corpus = Corpus()
    result: dict[str, Any] = {"database": database, "size": size, "load_start": os.getloadavg()}
    if reused:
        print("  archive reused")
    else:
        archive = archive_builder.build(corpus, size, args.templated)
        result["build"] = archive.seconds
        phases = ", ".join(f"{k} {v:.0f} s" for k, v in archive.phases.items())
        print(f"  built in {archive.seconds:.0f} s ({size / archive.seconds:,.0f} stories/s): "
              f"{phases}")
    only = set(args.only.split(","))
    if "start" in only:
        start = measure_start()
        result["start"] = start
        rows = ", ".join(f"{k} {v:,}" for k, v in start["rows"].items())
        print(f"  start (desk able to decide): median {start['median']:.0f} ms (cpu "
              f"{start['cpu']:.0f} ms), max {start['max']:.0f} ms; state rows: {rows}")
    if "search" in only:
        figures = measure_search(query_classes(corpus, args.queries))
        result["search"] = figures
        print(f"  {'search':<24} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8} "
              f"{'db cpu':>8} {'max ms':>8} {'page p95':>8} {'median hits':>12}  slowest")
        for name, row in figures.items():
            print(f"  {name:<24} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['cpu50']:>8.1f} "
                  f"{row['cpu95']:>8.1f} {row['server']:>8.1f} {row['max']:>8.1f} "
                  f"{row['page95']:>8.1f} {row['median_total']:>12,.0f}  {row['slowest']!r}")
    if "listings" in only:
        figures = measure_listings(listing_urls(), args.requests, args.plans)
        result["listings"] = figures
        print(f"  {'listing (cache miss)':<24} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} "
              f"{'cpu p95':>8} {'warm p95':>8} {'cpu p95':>8} {'304 p95':>8} {'queries':>8}")
        for name, row in figures.items():
            flag = "" if row["status"] == 200 else f"  status {row['status']}"
            flag += f"  {row['slow']} statements > 5 ms" if row["slow"] else ""
            print(f"  {name:<24} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['cpu50']:>8.1f} "
                  f"{row['cpu95']:>8.1f} {row['warm95']:>8.1f} {row['warmcpu95']:>8.1f} "
                  f"{row['304']:>8.1f} {row['queries']:>8}{flag}")
    if "import" in only:
        figures = measure_import(corpus, args.feeds)
        result["import"] = figures
        for name, row in figures.items():
            print(f"  import {name:<17} median {row['median']:7.0f} ms (cpu {row['cpu']:6.0f} "
                  f"ms)  max {row['max']:7.0f} ms  ({row['report']})")
    result["load_end"] = os.getloadavg()
    print(f"  ({load()})")
    sys.stdout.flush()
    return result


def summary(results: list[dict[str, Any]]) -> None:
    """The figures of every size side by side, imports as ratios to the smallest size."""
    for database in dict.fromkeys(r["database"] for r in results):
        rows = [r for r in results if r["database"] == database]
        labels = [size_label(r["size"]) for r in rows]
        print(f"\n== {database}: " + "  ".join(
            f"{label} (load {r['load_start'][0]:.1f} -> {r['load_end'][0]:.1f})"
            for label, r in zip(labels, rows, strict=True)))
        header = f"  {'':<28}" + "".join(f"{label:>10}" for label in labels)
        print(header)

        def line(name: str, values: list[Any], fmt: str = "{:>10.1f}") -> None:
            print(f"  {name:<28}" + "".join(
                fmt.format(v) if v is not None else f"{'-':>10}" for v in values))

        if any("build" in r for r in rows):
            line("build s", [r.get("build") for r in rows], "{:>10.0f}")
        if any("start" in r for r in rows):
            line("start ms (median)", [r.get("start", {}).get("median") for r in rows])
        for kind in ("search", "listings"):
            names = list(dict.fromkeys(n for r in rows for n in r.get(kind, {})))
            for name in names:
                line(f"{kind[:6]} p95 {name}"[:28],
                     [r.get(kind, {}).get(name, {}).get("p95") for r in rows])
                line("  cpu p95",
                     [r.get(kind, {}).get(name, {}).get("cpu95") for r in rows])
                if kind == "listings":
                    line("  fragments kept p95",
                         [r.get(kind, {}).get(name, {}).get("warm95") for r in rows])
                if kind == "search":
                    line("  page p95",
                         [r.get(kind, {}).get(name, {}).get("page95") for r in rows])
        for name in dict.fromkeys(n for r in rows for n in r.get("import", {})):
            values = [r.get("import", {}).get(name, {}).get("median") for r in rows]
            line(f"import ms {name}", values, "{:>10.0f}")
            line("  cpu ms", [r.get("import", {}).get(name, {}).get("cpu") for r in rows],
                 "{:>10.0f}")
            base = values[0]
            if base:
                line(f"  ratio to {labels[0]}", [v / base if v else None for v in values],
                     "{:>9.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--database", default="sqlite",
                        choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--keep", action="store_true", help="keep each archive afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept archive again")
    parser.add_argument("--only", default="start,search,listings,import")
    parser.add_argument("--requests", type=int, default=20, help="requests per URL")
    parser.add_argument("--queries", type=int, default=20, help="queries per search class")
    parser.add_argument("--templated", type=int, default=3000,
                        help="templated stories in the window")
    parser.add_argument("--feeds", type=int, default=3, help="imports per kind of feed")
    parser.add_argument("--plans", action="store_true",
                        help="print the EXPLAIN of every listing statement over 5 ms")
    parser.add_argument("--pg-url", default=PG_SERVER, help="the PostgreSQL server")
    parser.add_argument("--name", default=NAME,
                        help="the archives' name: PostgreSQL <name>_<size>, SQLite $TMPDIR/<name>/")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # database:size, in this process
    parser.add_argument("--results", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        database, size = args.one.split(":")
        result = run_one(database, int(size), args)
        if args.results:
            with open(args.results, "a") as out:
                out.write(json.dumps(result) + "\n")
        if not args.keep:
            drop(database, int(size), args.pg_url, args.name)
        return 0
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    results_file = Path(tempfile.mkstemp(prefix="wd-scale-", suffix=".jsonl")[1])
    # Every other option is passed on to each size's process as given.
    options = []
    it = iter(sys.argv[1:])
    for a in it:
        if a in ("--sizes", "--database"):
            next(it, None)
        elif not a.startswith(("--sizes=", "--database=")):
            options.append(a)
    for database in databases:
        for size in sizes:
            command = [sys.executable, __file__, "--one", f"{database}:{size}",
                       "--results", str(results_file), *options]
            if subprocess.run(command, cwd=ROOT).returncode:
                return 1
    results = [json.loads(line) for line in results_file.read_text().splitlines()]
    results_file.unlink()
    summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
