"""Process start and the cost of importing one feed, as the archive grows (issue 11, point 4).

    .venv/bin/python benchmarks/start_scale.py [--sizes 1000,10000,100000]
        [--databases sqlite,postgresql] [--templated 9000] [--feeds 3] [--pg-url ...]

For each database and size it builds an archive in a fresh database (SQLite in a temporary data
directory; PostgreSQL in ``wd_start_scale``, dropped and created again) and measures what a new
``wiredesk import`` / ``fetch`` / worker process pays:

- **state load**: a fresh duplicate desk and cluster desk (as a new process has) taking their
  first session -- ``desk.sync()`` and ``clusters.sync()`` -- which used to replay the window;
- **import one feed**: a new RSS payload of 20 items (4 of them templated copy when the archive
  has a templated block) stored and processed through the real pipeline (``store_payload`` +
  ``process_payload``: parse, normalise, lifecycle, duplicates, clusters, publish), with fresh
  desks, as a new process would; the median of ``--feeds`` feeds, and their work (candidates
  verified per duplicate check).

The archive goes through a bulk path writing the rows the pipeline leaves behind: stories and
versions one story every 30 s up to now (a million stories span about a year), each version with
its fingerprint blob; event clusters (``Cluster`` rows and ``Story.cluster``); and for the stories
of the last four days (the duplicate window, and the clusterer's 96 h active window) the state
rows a running desk would hold: the versions' ``DuplicateKey`` rows, and the clusterer's
summaries, postings, term counts and clock from a real :class:`wiredesk.cluster.Clusterer`
run over those stories in order. Older stories have no state rows (the pipeline deletes them as
they leave the window) and share a pool of fingerprint blobs (they are never read). Term counts
cover the window's stories only (a running desk's would cover all it saw: a bigger table, read by
key just the same).

``--templated N`` makes the newest N stories of the window templated copy -- one sentence frame,
a different invented company each -- the worst case measured in the issue (9,000 such stories,
62 s of CPU to import one item).

Text is recombined from the bundled demo feeds and, when present, ``../shared/data/feeds``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
DEMO_FEEDS = ROOT / "src" / "wiredesk" / "demo" / "feeds"
SHARED_FEEDS = ROOT.parent / "shared" / "data" / "feeds"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".json", ".rdf"}
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/wd_start_scale"
SPACING = timedelta(seconds=30)
WINDOW = timedelta(days=4)
BATCH = 5000
POOL = 200  # fingerprint blobs shared by the stories older than the window
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W\d_]{4,}")
TEMPLATE = (
    "{name} reported quarterly results on {day}, with revenue and profit in line with the "
    "expectations of analysts polled by the agency, the company said in a statement.",
    "Shares of {name} were little changed in early trading, and the company kept its forecast "
    "for the full year, citing steady demand from customers in its main markets.",
    "{name} will hold a call with analysts later on {day} to discuss the results.",
)


class Corpus:
    """Headlines and sentences of real feed items, and invented names."""

    def __init__(self) -> None:
        import feedparser
        import lxml.html

        files = sorted(p for p in DEMO_FEEDS.iterdir() if p.suffix in FEED_SUFFIXES)
        if SHARED_FEEDS.is_dir():
            files += sorted(p for p in SHARED_FEEDS.rglob("*") if p.suffix in FEED_SUFFIXES)
        headlines: set[str] = set()
        sentences: set[str] = set()
        for path in files:
            for entry in feedparser.parse(path.read_bytes()).entries:
                title = " ".join(str(entry.get("title", "")).split())
                if 3 <= len(title.split()) <= 25:
                    headlines.add(title)
                html = " ".join(str(c.get("value", "")) for c in entry.get("content", [])) \
                    or str(entry.get("summary", ""))
                try:
                    text = lxml.html.fragment_fromstring(html, create_parent="div").text_content()
                except Exception:  # an empty or broken fragment is simply not used
                    continue
                for sentence in _SENTENCE.split(" ".join(text.split())):
                    if 6 <= len(sentence.split()) <= 60:
                        sentences.add(sentence)
        self.headlines = sorted(headlines)
        self.sentences = sorted(sentences)
        self.words = sorted({w.lower() for s in self.sentences for w in _WORD.findall(s)})
        print(f"corpus: {len(files)} feeds, {len(self.headlines)} headlines, "
              f"{len(self.sentences)} sentences")

    def name(self, rng: random.Random) -> str:
        return (rng.choice(self.words)[:4] + rng.choice(self.words)[-4:]).capitalize()

    def story(self, rng: random.Random) -> tuple[str, list[str]]:
        """A real headline with an invented name, and paragraphs of real sentences, each story
        naming its own invented people and places (so that events are told apart)."""
        names = [self.name(rng) for _ in range(3)]
        headline = f"{names[0]}: {rng.choice(self.headlines)}"
        sentences = rng.sample(self.sentences, rng.randint(6, 12))
        for n, name in enumerate(names):
            words = sentences[n].split()
            words[rng.randrange(len(words))] = name
            sentences[n] = " ".join(words)
        return headline, [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]

    def templated(self, rng: random.Random) -> tuple[str, list[str]]:
        name = f"{self.name(rng)} {rng.choice(['Corp', 'Group', 'Holdings', 'Inc'])}"
        day = rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
        return (f"{name} reports quarterly results",
                [line.format(name=name, day=day) for line in TEMPLATE])


def setup_django(database: str, pg_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    os.environ["WIREDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="wiredesk-start-scale-")
    os.environ["WIREDESK_LOG_LEVEL"] = "WARNING"
    os.environ["WIREDESK_ENRICH"] = "false"
    os.environ.pop("WIREDESK_DATABASE_URL", None)
    if database == "postgresql":
        import psycopg

        name = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["WIREDESK_DATABASE_URL"] = pg_url
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build(corpus: Corpus, size: int, templated: int, now: datetime) -> dict[str, Any]:
    """Write an archive of ``size`` stories ending at ``now``; returns build figures."""
    from django.db import transaction
    from django.utils.text import slugify

    from wiredesk.cluster import ClusterConfig, ClusterDoc, Clusterer
    from wiredesk.cluster.store import MemoryStore
    from wiredesk.dedupe import Fingerprinter, KeyScheme, fingerprint_to_bytes
    from wiredesk.newsroom.models import Cluster, Section, Source, Story, StoryVersion
    from wiredesk.newsroom.write import clustering, duplicates
    from wiredesk.newsroom.write.deskstate import (
        ClusterPosting,
        ClusterSummary,
        DeskCounter,
        DuplicateKey,
        TermCount,
    )

    started = time.perf_counter()
    rng = random.Random(20261207 + size)
    fingerprinter = Fingerprinter()
    scheme = KeyScheme.for_config()
    section = Section.objects.create(name="World", slug="world")
    sources = [Source.objects.create(name=f"Wire {n}", slug=f"wire-{n}",
                                     url=f"https://wire{n}.example/feed.xml", section=section)
               for n in range(20)]
    pool = []
    for _ in range(POOL):
        _, paragraphs = corpus.story(rng)
        pool.append(fingerprint_to_bytes(fingerprinter.fingerprint("\n".join(paragraphs))))
    first = now - SPACING * size
    window_start = max(1, size - int(WINDOW / SPACING) + 1)
    store = MemoryStore(ClusterConfig())
    clusterer = Clusterer(ClusterConfig(), store)
    cluster_rows: dict[str, int] = {}
    next_cluster = 1
    for low in range(1, size + 1, BATCH):
        high = min(size, low + BATCH - 1)
        stories, versions, keys, clusters = [], [], [], []
        for n in range(low, high + 1):
            when = first + SPACING * n
            in_window = n >= window_start
            is_template = in_window and n > size - templated
            headline, paragraphs = (corpus.templated(rng) if is_template
                                    else corpus.story(rng))
            text = "\n".join(paragraphs)
            body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
            source = sources[n % len(sources)]
            if in_window:
                fingerprint = fingerprinter.fingerprint(text)
                blob = fingerprint_to_bytes(fingerprint)
                keys += [DuplicateKey(key=key, version_id=n, received_at=when)
                         for key in scheme.keys(fingerprint)]
                key = clusterer.assign(ClusterDoc(str(n), headline, text, when)).cluster_id
            else:
                blob = pool[n % POOL]
                key = str(n - n % 3 or n)  # old events of three stories each
            if key not in cluster_rows:
                cluster_rows[key] = next_cluster
                clusters.append(Cluster(id=next_cluster, key=key, title=headline[:500],
                                        created_at=when, changed_at=when, story_count=1))
                next_cluster += 1
            stories.append(Story(
                id=n, source_id=source.pk, external_id=f"bench-{n}", identity_basis="guid",
                slug=slugify(headline)[:100] or "story", section_id=section.pk,
                current_version_id=n, headline=headline[:500], summary=paragraphs[0][:300],
                first_published_at=when, changed_at=when, cluster_id=cluster_rows[key],
                duplicate_check={"outcome": "new", "rule": "no-match"}))
            versions.append(StoryVersion(
                id=n, story_id=n, number=1, received_at=when, headline=headline[:500],
                body_html=body, summary=paragraphs[0][:300], published_at=when, language="en",
                link=f"https://wire.example/news/{n}", fingerprint=blob,
                content_hash=hashlib.sha256(body.encode()).hexdigest()))
        with transaction.atomic():
            Cluster.objects.bulk_create(clusters, batch_size=1000)
            Story.objects.bulk_create(stories, batch_size=1000)
            StoryVersion.objects.bulk_create(versions, batch_size=1000)
            DuplicateKey.objects.bulk_create(keys, batch_size=5000)
    # The clusterer's state, as the database store would hold it after those stories.
    summaries, postings = [], []
    for cluster in store.active():
        state = cluster.to_state()
        state["members"] = []
        summaries.append(ClusterSummary(key=cluster.id, last_seen=cluster.last_seen, state=state))
        postings += [ClusterPosting(term=clustering.term_key(term), cluster_key=cluster.id,
                                    last_seen=cluster.last_seen)
                     for term in dict.fromkeys(cluster.index_keys)]
    counts = []
    for kind, table in ((clustering.TERMS, store.terms), (clustering.ENTITIES, store.entities)):
        merged: dict[int, int] = {}
        for term, count in table.counts.items():
            merged[clustering.term_key(term)] = merged.get(clustering.term_key(term), 0) + count
        counts += [TermCount(kind=kind, term=term, count=count) for term, count in merged.items()]
    with transaction.atomic():
        ClusterSummary.objects.bulk_create(summaries, batch_size=2000)
        ClusterPosting.objects.bulk_create(postings, batch_size=5000)
        TermCount.objects.bulk_create(counts, batch_size=5000)
        DeskCounter.objects.bulk_create([
            DeskCounter(name=clustering.CLOCK, value=store.clock),
            DeskCounter(name=clustering.DOCUMENTS[clustering.TERMS],
                        value=store.terms.documents),
            DeskCounter(name=clustering.DOCUMENTS[clustering.ENTITIES],
                        value=store.entities.documents),
            DeskCounter(name=duplicates.INDEXED, value=size)])
    _reset_sequences()
    return {"seconds": time.perf_counter() - started, "window": size - window_start + 1,
            "clusters": len(summaries), "keys": DuplicateKey.objects.count()}


def _reset_sequences() -> None:
    """Ids were assigned up front: move PostgreSQL's sequences past them."""
    from django.core.management.color import no_style
    from django.db import connection

    from wiredesk.newsroom.models import Cluster, Story, StoryVersion

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Cluster, Story, StoryVersion]):
            cursor.execute(sql)
        cursor.execute("VACUUM ANALYZE")


def feed(corpus: Corpus, rng: random.Random, tag: str, templated: bool) -> bytes:
    """An RSS document of 20 new items (4 templated when ``templated``), dated this hour."""
    items = []
    for n in range(20):
        headline, paragraphs = (corpus.templated(rng) if templated and n % 5 == 0
                                else corpus.story(rng))
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        date = format_datetime(datetime.now(UTC) - timedelta(minutes=n))
        items.append(f"<item><guid isPermaLink=\"false\">{tag}-{n}</guid>"
                     f"<title>{escape(headline)}</title>"
                     f"<link>https://bench.example/{tag}/{n}</link><pubDate>{date}</pubDate>"
                     f"<description>{escape(body)}</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Bench</title><link>https://bench.example/</link>"
            f"<description>bench</description>{''.join(items)}</channel></rss>").encode()


def measure(corpus: Corpus, feeds: int, templated: bool) -> dict[str, Any]:
    """State load of a fresh process, then ``feeds`` imports of one feed each."""
    from django.db import connection

    from wiredesk.newsroom.models import Source
    from wiredesk.newsroom.transports.ingest import process_payload, store_payload
    from wiredesk.newsroom.write.desk import WriteDesk

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    source = Source.objects.create(name="Bench feed", slug="bench-feed",
                                   url="https://bench.example/feed.xml")
    rng = random.Random(7)
    loads, imports, candidates = [], [], []
    for n in range(feeds):
        desk = WriteDesk()  # a fresh process's
        started = time.perf_counter()
        with desk.session():
            pass
        loads.append(time.perf_counter() - started)
        body = feed(corpus, rng, f"f{n}", templated)
        desk = WriteDesk()
        started = time.perf_counter()
        report = process_payload(desk, store_payload(source, body, origin="bench"))
        imports.append(time.perf_counter() - started)
        stats = desk.duplicates.stats
        candidates.append(stats.candidates / max(1, stats.queries))
        if report.errors or report.new + report.merged != 20:
            print(f"  unexpected report: {report}")
    return {"load": statistics.median(loads), "import": statistics.median(imports),
            "candidates": statistics.mean(candidates)}


def run_one(database: str, size: int, templated: int, feeds: int, pg_url: str) -> None:
    setup_django(database, pg_url)
    corpus = Corpus()
    now = datetime.now(UTC) - timedelta(minutes=30)
    built = build(corpus, size, min(templated, size), now)
    figures = measure(corpus, feeds, templated > 0)
    print(f"{database:<10} {size:>9,} stories  window {built['window']:>6,}  "
          f"templated {min(templated, size):>5,}  built {built['seconds']:6.1f} s | "
          f"state load {figures['load'] * 1000:7.1f} ms  "
          f"import 20 items {figures['import'] * 1000:7.0f} ms  "
          f"(candidates verified per check {figures['candidates']:.1f})")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--templated", type=int, default=0,
                        help="newest stories of the window that are templated copy")
    parser.add_argument("--feeds", type=int, default=3, help="feeds imported per size")
    parser.add_argument("--pg-url", default=PG_DEFAULT)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # database:size, in this process
    args = parser.parse_args()
    if args.one:
        database, size = args.one.split(":")
        run_one(database, int(size), args.templated, args.feeds, args.pg_url)
        return 0
    # One process per database and size: a fresh database and a fresh process each time.
    for database in args.databases.split(","):
        for size in args.sizes.split(","):
            command = [sys.executable, __file__, "--one", f"{database}:{size}",
                       "--templated", str(args.templated), "--feeds", str(args.feeds),
                       "--pg-url", args.pg_url]
            if subprocess.run(command, cwd=ROOT).returncode:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
