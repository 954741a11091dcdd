"""Listings, feeds, sitemaps and API lists on a large archive: p50/p95 per listing, on SQLite and
PostgreSQL.

    .venv/bin/python benchmarks/listing_scale.py [--sizes 10000,100000]
        [--databases sqlite,postgresql] [--requests 60] [--pg-url postgresql://...]

Builds an archive in a fresh database per engine (SQLite in a temporary data directory; PostgreSQL
in the database ``wd_listing_scale``, dropped and created again) and grows it to each size in turn,
through a bulk path that writes the rows the pipeline writes: stories and their versions, event
clusters (1 to 8 stories each), entities and the stories' links to them (a few very common places,
a long tail of people and organisations), quotes with speakers, and the listing states and
memberships that ``publish_changes`` keeps (:mod:`wiredesk.newsroom.write.listing_state`). Stories
are
30 seconds apart (a million span about a year), 5 sections, 40 sources; about 3% are killed or held
and 2% are merged duplicates. Headlines come from the bundled demo feeds and, when present, the
captured feeds of ``../shared/data/feeds`` (skipped with a message when absent).

Each URL is requested in-process with Django's test Client, three ways, and p50/p95 (ms) printed:

- ``miss``: the body cache emptied before each request (the validator, the page's queries and
  rendering: what the first reader after a change pays);
- ``hit``: the body served from the cache (the validator query only);
- ``304``: a revalidation with the ETag (the validator query only).

Targets (issue 11): p95 < 20 ms at 1M, flat from 10k.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO_FEEDS = ROOT / "src" / "wiredesk" / "demo" / "feeds"
SHARED_FEEDS = ROOT.parent / "shared" / "data" / "feeds"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".json", ".rdf"}
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/wd_listing_scale"
BATCH = 5000
SPACING = timedelta(seconds=30)
BODY = ("<p>Officials said the talks would continue next week, according to people familiar with "
        "the matter.</p><p>A further meeting is planned.</p>") * 4


def headlines() -> list[str]:
    import feedparser

    files = sorted(p for p in DEMO_FEEDS.iterdir() if p.suffix in FEED_SUFFIXES)
    if SHARED_FEEDS.is_dir():
        files += sorted(p for p in SHARED_FEEDS.rglob("*") if p.suffix in FEED_SUFFIXES)
    else:
        print(f"{SHARED_FEEDS} not present: headlines from the bundled demo feeds only")
    found: set[str] = set()
    for path in files:
        for entry in feedparser.parse(path.read_bytes()).entries:
            title = " ".join(str(entry.get("title", "")).split())
            if 3 <= len(title.split()) <= 25:
                found.add(title)
    print(f"headlines: {len(found)} from {len(files)} feeds")
    return sorted(found)


def setup_django(database: str, pg_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    os.environ["WIREDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="wiredesk-listing-scale-")
    os.environ["WIREDESK_LOG_LEVEL"] = "WARNING"
    os.environ["WIREDESK_ENRICH"] = "false"
    os.environ["WIREDESK_ALLOWED_HOSTS"] = "testserver"
    os.environ["WIREDESK_BASE_URL"] = "http://testserver"
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


class Builder:
    """Writes stories in batches through the bulk path, ids assigned up front."""

    def __init__(self, titles: list[str], start: datetime) -> None:
        from wiredesk.newsroom.models import Entity, Section, Source

        self.titles = titles
        self.start = start
        self.rng = random.Random(20261207)
        self.size = 0
        self.cluster_id = 0
        self.cluster_left = 0
        sections = [Section.objects.create(name=n, slug=n.lower())
                    for n in ("World", "Business", "Science", "Sport", "Politics")]
        self.sources = [Source.objects.create(name=f"Wire {n}", slug=f"wire-{n}",
                                              url=f"https://wire{n}.example/feed.xml",
                                              section=sections[n % len(sections)])
                        for n in range(40)]
        kinds = ["country"] * 20 + ["organisation"] * 400 + ["person"] * 1580
        self.entities = Entity.objects.bulk_create([
            Entity(key=f"{kind}:e{n}", kind=kind, name=f"Entity {n}", slug=f"{kind}-e{n}")
            for n, kind in enumerate(kinds)])
        self.people = [e for e in self.entities if e.kind == "person"]
        # Zipf-like: entity n is named about 1/(n+1) as often as the first.
        self.weights = [1 / (n + 1) for n in range(len(self.entities))]

    def grow(self, size: int) -> float:
        started = time.perf_counter()
        added = size - self.size
        while self.size < size:
            self._batch(min(BATCH, size - self.size))
        return added / (time.perf_counter() - started)

    def _batch(self, count: int) -> None:
        import hashlib

        from django.db import transaction
        from django.utils.text import slugify

        from wiredesk.newsroom.models import (
            Cluster,
            Story,
            StoryEntity,
            StoryListings,
            StoryQuote,
            StoryVersion,
        )
        from wiredesk.newsroom.write import listing_state

        stories, versions, clusters, links, quotes, memberships = [], [], [], [], [], []
        keys: set[str] = set()
        section_slugs = {s.pk: s.section.slug for s in self.sources if s.section}
        for n in range(self.size + 1, self.size + count + 1):
            headline = self.rng.choice(self.titles)
            when = self.start + n * SPACING
            source = self.sources[n % len(self.sources)]
            if self.cluster_left == 0:
                self.cluster_id += 1
                self.cluster_left = self.rng.randint(1, 8)
                clusters.append(Cluster(id=self.cluster_id, key=f"c{self.cluster_id}",
                                        title=headline[:500], created_at=when, changed_at=when,
                                        story_count=self.cluster_left))
            self.cluster_left -= 1
            roll = self.rng.random()
            status = Story.Status.KILLED if roll < 0.02 else (
                Story.Status.HELD if roll < 0.03 else Story.Status.PUBLISHED)
            merged = n - 1 if 0.03 <= roll < 0.05 and n > 1 else None
            stories.append(Story(
                id=n, source_id=source.pk, external_id=f"bench-{n}", identity_basis="guid",
                slug=slugify(headline)[:100] or "story", section_id=source.section_id,
                status=status, current_version_id=n, headline=headline, summary=headline,
                first_published_at=when, changed_at=when, version_count=1,
                merged_into_id=merged, merge_kind=Story.MergeKind.COPY if merged else "",
                cluster_id=self.cluster_id))
            versions.append(StoryVersion(
                id=n, story_id=n, number=1, received_at=when, headline=headline, body_html=BODY,
                summary=headline, published_at=when, language="en",
                link=f"https://wire.example/news/{n}",
                content_hash=hashlib.sha256(f"{n}".encode()).hexdigest()))
            named = {e.pk: e for e in self.rng.choices(self.entities, self.weights, k=4)}
            story_keys = {listing_state.ALL, listing_state.source_key(source.slug),
                          listing_state.cluster_key(self.cluster_id)}
            if source.section_id:
                story_keys.add(listing_state.section_key(section_slugs[source.pk]))
            for rank, entity in enumerate(named.values()):
                links.append(StoryEntity(story_id=n, entity_id=entity.pk, rank=rank,
                                         published_at=when))
                story_keys.add(listing_state.entity_key(entity.slug))
            if self.rng.random() < 0.2:
                speaker = self.rng.choice(self.people[:200])
                quotes.append(StoryQuote(story_id=n, position=0, speaker=speaker,
                                         speaker_name=speaker.name, published_at=when,
                                         text="We will continue the talks next week."))
                story_keys.add(listing_state.quotes_key(speaker.slug))
            memberships.append(StoryListings(story_id=n, keys="\n".join(sorted(story_keys))))
            keys |= story_keys
        with transaction.atomic():
            Cluster.objects.bulk_create(clusters, batch_size=1000)
            Story.objects.bulk_create(stories, batch_size=1000)
            StoryVersion.objects.bulk_create(versions, batch_size=1000)
            StoryEntity.objects.bulk_create(links, batch_size=1000)
            StoryQuote.objects.bulk_create(quotes, batch_size=1000)
            StoryListings.objects.bulk_create(memberships, batch_size=1000)
            listing_state.bump(keys, stories[-1].changed_at)
        self.size += count


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def urls(builder: Builder) -> dict[str, str]:
    """The URLs measured: one of each listing, feed, sitemap and API list, and a deep page."""
    from django.test import Client

    from wiredesk.newsroom.models import Story
    from wiredesk.site.params import make_cursor

    cluster = (Story.objects.filter(status=Story.Status.PUBLISHED, merged_into__isnull=True)
               .order_by("-pk").values_list("cluster_id", flat=True)[5])
    country, person = builder.entities[0], builder.people[0]
    client = Client()
    # A deep page: the cursor of a story half-way down the archive.
    middle = Story.objects.get(pk=builder.size // 2)
    deep = make_cursor(middle.first_published_at, middle.pk)
    found = {
        "home": "/",
        "home page 3": "/?page=3",
        "home deep (cursor)": f"/?before={deep}",
        "section": "/section/world/",
        "source": "/source/wire-7/",
        "cluster": f"/cluster/{cluster}/",
        "entity (common)": f"/entity/{country.slug}/",
        "entity (rare)": f"/entity/{builder.entities[-1].slug}/",
        "quotes": f"/entity/{person.slug}/quotes/",
        "feed latest.rss": "/feeds/latest.rss",
        "feed section.atom": "/feeds/section/business.atom",
        "feed entity.json": f"/feeds/entity/{country.slug}.json",
        "news-sitemap.xml": "/news-sitemap.xml",
        "sitemap.xml": "/sitemap.xml",
        "api stories": "/api/v1/stories",
        "api stories section": "/api/v1/stories?section=sport",
        "api stories entity": f"/api/v1/stories?entity={country.key}",
        "api quotes": f"/api/v1/quotes?speaker={person.key}",
    }
    for name, url in found.items():
        status = client.get(url).status_code
        if status != 200:
            print(f"  ! {name} {url} answered {status}")
    return found


def measure(url: str, requests: int) -> dict[str, tuple[float, float]]:
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    etag = client.get(url).get("ETag", "")
    ways: dict[str, Callable[[], Any]] = {
        "miss": lambda: (cache.clear(), client.get(url)),
        "hit": lambda: client.get(url),
        "304": lambda: client.get(url, HTTP_IF_NONE_MATCH=etag),
    }
    figures = {}
    for way, request in ways.items():
        request()  # warm
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            request()
            times.append((time.perf_counter() - started) * 1000)
        figures[way] = (percentile(times, 0.5), percentile(times, 0.95))
    return figures


def run_one(database: str, sizes: list[int], requests: int, pg_url: str) -> None:
    setup_django(database, pg_url)
    from django.db import connection

    from wiredesk.newsroom import clock

    # The archive ends now, so the news sitemap's 48 hours hold its newest stories.
    start = clock.now() - max(sizes) * SPACING
    builder = Builder(headlines(), start)
    for size in sizes:
        rate = builder.grow(size)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        # Stories newer than the archive so far are "in the future" until it is fully grown:
        # measure at the clock of the newest story written.
        clock.now = lambda size=size: start + size * SPACING + timedelta(seconds=1)  # type: ignore[misc]
        print(f"\n{database} at {size:,} stories (built at {rate:,.0f} stories/s)")
        print(f"  {'listing':<22} {'miss p50':>9} {'miss p95':>9} {'hit p50':>8} "
              f"{'hit p95':>8} {'304 p50':>8} {'304 p95':>8}")
        for name, url in urls(builder).items():
            row = measure(url, requests)
            print(f"  {name:<22} {row['miss'][0]:>9.1f} {row['miss'][1]:>9.1f} "
                  f"{row['hit'][0]:>8.1f} {row['hit'][1]:>8.1f} "
                  f"{row['304'][0]:>8.1f} {row['304'][1]:>8.1f}")
        sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=60, help="requests per URL and way")
    parser.add_argument("--pg-url", default=PG_DEFAULT)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # run one database in this process
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.one:
        run_one(args.one, sizes, args.requests, args.pg_url)
        return 0
    # One process per database: Django's settings are fixed once a process has set up.
    for database in args.databases.split(","):
        command = [sys.executable, __file__, "--one", database, "--sizes", args.sizes,
                   "--requests", str(args.requests), "--pg-url", args.pg_url]
        if subprocess.run(command, cwd=ROOT).returncode:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
