"""Search latency on a large archive: p50/p95/p99 per query class, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/search_scale.py [--sizes 10000,100000]
        [--databases sqlite,postgresql] [--queries 40] [--rounds 3] [--pg-url postgresql://...]
        [--keep] [--reuse] [--data-dir DIR]

Builds an archive in a fresh database per engine (SQLite in a temporary data directory; PostgreSQL
in the database ``wd_search_scale``, dropped and created again), grows it to each size in turn and
deletes it at the end (``--keep`` keeps it; ``--reuse`` grows a kept one). Stories are written
through a bulk path: the same story and version rows the pipeline writes (every concrete column,
prepared by its model field, ids assigned up front; COPY on PostgreSQL, executemany on SQLite),
and the search index rows as ``publish_changes`` writes them (:func:`search.bulk_index`: COPY of the
texts, documents built in the database). A few percent of the stories are not public (killed,
held, merged), as on a real desk. A million stories build in about 15 minutes on PostgreSQL.

Text is recombined from real feeds: the bundled demo feeds, and the captured feeds of
``../shared/data/feeds`` when present (skipped with a message when absent). Each story takes a real
headline and sentences from real items, with a couple of words swapped for random words of the
corpus' vocabulary, so that rare words are rare and common words common, as in a real archive.

At each size it times :func:`wiredesk.site.searching.search_page` (the reader's page: ranked ids,
the result count, the story rows) with the result cache off, for these query classes:

- common: the most frequent words of the corpus, alone and in pairs;
- rare: words found in a handful of stories;
- words: three or four words taken from one sentence;
- phrases: two or three consecutive words in quotes;
- hostile: FTS syntax and operators, unbalanced quotes, NUL, emoji, very long input, stop words.

and prints p50/p95/p99 (ms) per class, with the build rate. The target is p95 < 50 ms at 1M.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO_FEEDS = ROOT / "src" / "wiredesk" / "demo" / "feeds"
SHARED_FEEDS = ROOT.parent / "shared" / "data" / "feeds"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".json", ".rdf"}
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/wd_search_scale"
BATCH = 5000
COINED = "bench_coined_words"
START = datetime(2025, 12, 1, tzinfo=UTC)
SPACING = timedelta(seconds=30)  # a million stories span about a year
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP = """a about above after again against all am an and any are as at be because been
before being below between both but by can did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom why will
with you your yours yourself yourselves also would could said says may might must shall"""
STOP_WORDS = set(_STOP.split())


# -- The corpus ------------------------------------------------------------------------------------

class Corpus:
    """Headlines, sentences and vocabulary of real feed items."""

    def __init__(self) -> None:
        import feedparser
        import lxml.html

        files = sorted(p for p in DEMO_FEEDS.iterdir() if p.suffix in FEED_SUFFIXES)
        if SHARED_FEEDS.is_dir():
            files += sorted(p for p in SHARED_FEEDS.rglob("*") if p.suffix in FEED_SUFFIXES)
        else:
            print(f"{SHARED_FEEDS} not present: using the bundled demo feeds only")
        headlines: set[str] = set()
        sentences: set[str] = set()
        for path in files:
            for entry in feedparser.parse(path.read_bytes()).entries:
                title = " ".join(str(entry.get("title", "")).split())
                if 3 <= len(title.split()) <= 25:
                    headlines.add(title)
                html = " ".join(str(c.get("value", "")) for c in entry.get("content", [])) \
                    or str(entry.get("summary", ""))
                if not html.strip():
                    continue
                try:
                    text = lxml.html.fragment_fromstring(html, create_parent="div").text_content()
                except Exception:  # a broken fragment is simply not used
                    continue
                for sentence in _SENTENCE.split(" ".join(text.split())):
                    if 5 <= len(sentence.split()) <= 60:
                        sentences.add(sentence)
        self.headlines = sorted(headlines)
        self.sentences = sorted(sentences)
        self.vocabulary = sorted({w.lower() for s in self.sentences for w in _WORD.findall(s)})
        self.last_coined = ""
        print(f"corpus: {len(files)} feeds, {len(self.headlines)} headlines, "
              f"{len(self.sentences)} sentences, {len(self.vocabulary)} words")

    def story(self, rng: random.Random) -> tuple[str, list[str]]:
        """A headline and paragraphs of sentences, one word swapped for a random word of the
        vocabulary and one for a coined word (as a name is: rare in the archive)."""
        headline = rng.choice(self.headlines)
        sentences = rng.sample(self.sentences, rng.randint(5, 12))
        self.last_coined = self.coined(rng)
        for word in (rng.choice(self.vocabulary), self.last_coined):
            n = rng.randrange(len(sentences))
            words = sentences[n].split()
            words[rng.randrange(len(words))] = word
            sentences[n] = " ".join(words)
        paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
        return headline, paragraphs

    def coined(self, rng: random.Random) -> str:
        """The start of one word and the end of another: 'Marketon', 'Harbestry'."""
        return (rng.choice(self.vocabulary)[:4] + rng.choice(self.vocabulary)[-4:]).capitalize()


# -- Building ------------------------------------------------------------------------------------

def setup_django(database: str, pg_url: str, data_dir: str | None, reuse: bool) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    os.environ["WIREDESK_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="wd_search_")
    os.environ["WIREDESK_LOG_LEVEL"] = "WARNING"
    os.environ["WIREDESK_ENRICH"] = "false"
    os.environ.pop("WIREDESK_DATABASE_URL", None)
    if database == "postgresql":
        import psycopg

        name = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [name]).fetchone()
            if not (reuse and exists):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["WIREDESK_DATABASE_URL"] = pg_url
    elif not reuse:
        Path(os.environ["WIREDESK_DATA_DIR"], "wiredesk.sqlite3").unlink(missing_ok=True)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


class Builder:
    """Writes stories in batches through the bulk path, ids assigned up front. An archive built
    before (``--reuse``) is grown from where it stopped; the rare words written are kept in a
    table of their own, so that its queries are the same."""

    def __init__(self, corpus: Corpus) -> None:
        from django.db import connection

        from wiredesk.newsroom.models import Section, Source, Story

        self.corpus = corpus
        self.rng = random.Random(20261206)
        self.size = Story.objects.count()
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {COINED} (word text)")
            cursor.execute(f"SELECT word FROM {COINED}")
            # A sample of the rare words written, for queries.
            self.coined: list[str] = [row[0] for row in cursor.fetchall()]
        if self.size:
            self.rng.seed(self.size)  # not the same stories again
            self.sources = list(Source.objects.order_by("pk"))
            return
        sections = [Section.objects.create(name=n, slug=n.lower())
                    for n in ("World", "Business", "Science", "Sport", "Politics")]
        self.sources = [Source.objects.create(name=f"Wire {n}", slug=f"wire-{n}",
                                              url=f"https://wire{n}.example/feed.xml",
                                              section=sections[n % len(sections)])
                        for n in range(40)]

    def grow(self, size: int) -> float:
        """Add stories up to ``size``; returns stories per second."""
        from django.db import connection

        from wiredesk.newsroom import search

        started = time.perf_counter()
        added = size - self.size
        # PostgreSQL: the GIN index is built once after the rows, as any bulk load does.
        gin = connection.vendor == "postgresql"
        if gin and added > 0:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX IF EXISTS {search.TABLE}_document")
        while self.size < size:
            coined = len(self.coined)
            self._batch(min(BATCH, size - self.size))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {COINED} (word) VALUES (%s)",
                                   [(word,) for word in self.coined[coined:]])
            if self.size % 100_000 == 0 or self.size == size:
                print(f"  {self.size:,} stories, {time.perf_counter() - started:.0f} s",
                      flush=True)
        if gin and added > 0:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '512MB'")
                for statement in search.create_index_sql("postgresql"):
                    if "USING GIN" in statement:
                        cursor.execute(statement)
        return max(added, 0) / (time.perf_counter() - started)

    def _batch(self, count: int) -> None:
        import hashlib

        from django.db import transaction
        from django.utils.text import slugify

        from wiredesk.newsroom import search
        from wiredesk.newsroom.models import Story, StoryVersion

        stories, versions, entries = [], [], []
        for n in range(self.size + 1, self.size + count + 1):
            headline, paragraphs = self.corpus.story(self.rng)
            if n % 97 == 0:
                self.coined.append(self.corpus.last_coined)
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            when = START + n * SPACING
            source = self.sources[n % len(self.sources)]
            roll = self.rng.random()
            # About 3% killed or held (never indexed), 2% merged duplicates of the story before.
            status = Story.Status.KILLED if roll < 0.02 else (
                Story.Status.HELD if roll < 0.03 else Story.Status.PUBLISHED)
            merged = n - 1 if 0.03 <= roll < 0.05 and n > 1 else None
            stories.append(Story(
                id=n, source_id=source.pk, external_id=f"bench-{n}", identity_basis="guid",
                slug=slugify(headline)[:100] or "story", section_id=source.section_id,
                status=status, current_version_id=n, headline=headline, summary=paragraphs[0][:300],
                first_published_at=when, changed_at=when, version_count=1,
                merged_into_id=merged, merge_kind=Story.MergeKind.COPY if merged else ""))
            versions.append(StoryVersion(
                id=n, story_id=n, number=1, received_at=when, headline=headline, body_html=body,
                summary=paragraphs[0][:300], published_at=when, language="en",
                link=f"https://wire.example/news/{n}",
                content_hash=hashlib.sha256(body.encode()).hexdigest()))
            if status == Story.Status.PUBLISHED and merged is None:
                entries.append(search.Entry(n, headline, " ".join(paragraphs)))
        with transaction.atomic():
            write_rows(Story, stories)
            write_rows(StoryVersion, versions)
            if connection_vendor() == "postgresql":
                search.bulk_index(entries)
            else:
                search.index(entries)
        self.size += count


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def write_rows(model: Any, objects: list[Any]) -> None:
    """Insert model instances as ``save()`` would write them (every concrete column, values
    prepared by their fields), in one COPY on PostgreSQL or one executemany on SQLite: the ORM's
    ``bulk_create`` spends most of a million-story build building statements."""
    from django.db import connection

    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields]
            for o in objects]
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, \
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


# -- Queries -------------------------------------------------------------------------------------

def query_classes(corpus: Corpus, coined: list[str], rng: random.Random,
                  per_class: int) -> dict[str, list[str]]:
    """Queries per class, chosen from the corpus by how many stories hold each word."""
    sample = random.Random(7)
    frequency: Counter[str] = Counter()
    for _ in range(3000):
        _, paragraphs = corpus.story(sample)
        frequency.update({w.lower() for p in paragraphs for w in _WORD.findall(p)})
    ranked = [w for w, _ in frequency.most_common()]
    # Stop words ("the", "also") are not indexed on PostgreSQL: they are hostile queries here.
    common = [w for w in ranked if w not in STOP_WORDS][:60]
    rare = [w.lower() for w in coined]
    sentences = [s.split() for s in corpus.sentences if len(s.split()) >= 6]

    def words(k: int) -> str:
        sentence = rng.choice(sentences)
        start = rng.randrange(len(sentence) - k)
        return " ".join(sentence[start:start + k])

    hostile = [
        '"unbalanced quote', 'NEAR(market rates, 2)', "market OR rates NOT bank", "*", "-", "'",
        "headline:bank", "{headline body}: market", "^market", "market*", "a\x00b", "\x00",
        "bank \U0001F4C8 rates \U0001F525", "\U0001F600", "'; DROP TABLE newsroom_story; --",
        " ".join(common[:40]), "x" * 2000, " ".join(rng.choice(ranked) for _ in range(300)),
        "the", "the of and to a in", '""', '"the" "and"', "(((", "AND", "market AND",
        "\\", "%_%", "<script>alert(1)</script>", "col:umn:\"x\"", "🏳️‍🌈 flag",
    ]
    return {
        "common": [rng.choice(common) if i % 2 else f"{rng.choice(common)} {rng.choice(common)}"
                   for i in range(per_class)],
        "rare": [rng.choice(rare) for _ in range(per_class)] if rare else [],
        "words": [words(rng.randint(3, 4)) for _ in range(per_class)],
        "phrases": [f'"{words(rng.randint(2, 3))}"' for _ in range(per_class)],
        "hostile": [hostile[i % len(hostile)] for i in range(max(per_class, len(hostile)))],
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(classes: dict[str, list[str]], rounds: int) -> dict[str, dict[str, Any]]:
    """Every query of every class ``rounds`` times; the percentiles are over all the times."""
    from wiredesk.site import searching

    figures: dict[str, dict[str, Any]] = {}
    for name, queries in classes.items():
        if not queries:  # (an archive built without its rare words noted)
            continue
        times, cpu, totals = [], [], []
        server_before = server_cpu()
        worst = (0.0, "")
        for _ in range(rounds):
            for query in queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                found = searching.search_page(query, limit=20, offset=0, cached=False)
                elapsed = (time.perf_counter() - started) * 1000
                cpu.append((time.process_time() - started_cpu) * 1000)
                times.append(elapsed)
                totals.append(found.total)
                worst = max(worst, (elapsed, query))
        figures[name] = {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95),
                         "p99": percentile(times, 0.99), "max": max(times),
                         "cpu95": percentile(cpu, 0.95),
                         "server": (server_cpu() - server_before) / len(times),
                         "median_total": statistics.median(totals), "slowest": worst[1]}
    return figures


def server_cpu() -> float:
    """CPU milliseconds the PostgreSQL backend of this connection has used (user and system,
    from /proc, in clock ticks: meaningful summed over many queries); 0 on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server on another machine
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def run_one(database: str, sizes: list[int], args: argparse.Namespace) -> None:
    setup_django(database, args.pg_url, args.data_dir, args.reuse)
    corpus = Corpus()
    builder = Builder(corpus)
    from django.db import connection

    classes: dict[str, list[str]] = {}
    for size in sizes:
        rate = builder.grow(size)
        classes = classes or query_classes(corpus, builder.coined, random.Random(11),
                                           args.queries)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        measure(classes, 1)  # warm the database's caches, as a running server's are
        load = os.getloadavg()
        figures = measure(classes, args.rounds)
        print(f"\n{database} at {builder.size:,} stories (built at {rate:,.0f} stories/s; "
              f"{args.rounds} rounds; load average {load[0]:.2f} {load[1]:.2f} -> "
              f"{os.getloadavg()[0]:.2f})")
        # cpu p95: this process's CPU time per query (all of SQLite's work; on PostgreSQL the
        # client's share); db cpu: the PostgreSQL backend's mean per query. Both are less
        # sensitive than wall time to other sessions' load on a shared machine.
        print(f"  {'class':<8} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'max ms':>8} {'cpu p95':>8} {'db cpu':>7} {'median count':>13}")
        for name, row in figures.items():
            print(f"  {name:<8} {len(classes[name]):>7} {row['p50']:>8.1f} {row['p95']:>8.1f} "
                  f"{row['p99']:>8.1f} {row['max']:>8.1f} {row['cpu95']:>8.1f} "
                  f"{row['server']:>7.1f} {row['median_total']:>13,.0f}  "
                  f"slowest: {row['slowest'][:40]!r}")
        sys.stdout.flush()
    if not args.keep:
        drop(database, args.pg_url)
    if not args.data_dir and (database == "postgresql" or not args.keep):
        import shutil

        # The temporary data directory: settings' secret key and static files (and SQLite's
        # database, unless kept).
        shutil.rmtree(os.environ["WIREDESK_DATA_DIR"], ignore_errors=True)


def drop(database: str, pg_url: str) -> None:
    """Delete the archive: its PostgreSQL database, or SQLite's data directory."""
    from django.db import connection

    connection.close()
    if database == "postgresql":
        import psycopg

        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_url.rsplit("/", 1)[1]}"')
    else:
        import shutil

        shutil.rmtree(os.environ["WIREDESK_DATA_DIR"], ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=40, help="queries per class")
    parser.add_argument("--rounds", type=int, default=3, help="times each query is timed")
    parser.add_argument("--pg-url", default=PG_DEFAULT)
    parser.add_argument("--data-dir", help="SQLite's data directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the archive when done")
    parser.add_argument("--reuse", action="store_true",
                        help="grow the kept archive (--pg-url, --data-dir) instead of a new one")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # run one database in this process
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.one:
        run_one(args.one, sizes, args)
        return 0
    # One process per database: Django's settings are fixed once a process has set up.
    for database in args.databases.split(","):
        command = [sys.executable, __file__, "--one", database, *sys.argv[1:]]
        if subprocess.run(command, cwd=ROOT).returncode:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
