"""Realistic archives of N stories for benchmarks/scale.py, written through a bulk path.

The rows are the ones the pipeline leaves behind, written in bulk (PostgreSQL ``COPY``; SQLite
``executemany`` of plain tuples in one transaction per batch):

- ``Section``, ``Source`` (named after the real feeds' channels), ``RawPayload`` (one per 25
  stories, a small body: the payloads are never read by what is measured);
- ``Story``, ``StoryVersion`` (with its duplicate fingerprint), ``StoryEvent`` (``create``), every
  column of each model filled with its default unless set here, so a column another change adds is
  written too;
- enrichment: ``Entity`` (countries, IPTC topics, places, organisations and people, Zipf-distributed
  over stories, about one entity per five stories), ``Enrichment`` (the API's shape),
  ``StoryEntity`` (with ``published_at`` and ``linked``, as publishing and linking leave them),
  ``StoryQuote`` (a third of stories quote one or two of the people they name);
- publishing: ``StoryListings`` (the keys :func:`wiredesk.newsroom.write.listing_state.current_keys`
  gives), ``ListingState`` (one row per listing, its version the number of stories published in
  it), and the search index through :func:`wiredesk.newsroom.search.index` (PostgreSQL: GIN indexes
  dropped during the load and created again after it, as any bulk load does);
- the desks' state for the window a running desk holds (the last four days): the stories of the
  window are placed into event clusters by the pipeline's own :class:`ClusterDesk`
  (``place_new``, the clock set to each batch's time), and their duplicate keys are written by
  the pipeline's own :class:`DuplicateDesk` (``sync``) from their real fingerprints. Older
  stories belong to retired clusters of one to eight stories and share a pool of fingerprint
  blobs (they are never read again).

Stories arrive every 30 s (a million span about a year), published up to ten minutes before they
arrive; 2% killed, 1% held, 2% merged as syndicated copies of the story before, 8% excerpt-only and
2% headline-only (publication gate), 3% untimely; 5% of those older than the window have a
second version (``last_updated_at``, up to two days after the first). ``templated`` stories of
the window are templated copy (one frame, another invented company each): the worst case of
duplicate and cluster lookups.

Text is recombined from the real feeds of ``../shared/data/feeds`` (and the bundled demo feeds):
each story takes a real headline and five to twelve real sentences, with invented names put in,
so that rare words are rare and common words common.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import sys
import time
import zlib
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
DEMO_FEEDS = ROOT / "src" / "wiredesk" / "demo" / "feeds"
# The shared evaluation data (../shared/data beside the repository, or WIREDESK_SHARED_DATA).
SHARED_DATA = Path(os.environ.get("WIREDESK_SHARED_DATA") or ROOT.parent / "shared" / "data")
SHARED_FEEDS = SHARED_DATA / "feeds"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".json", ".rdf"}
SPACING = timedelta(seconds=30)
WINDOW = timedelta(days=4)  # the duplicate keys' KEEP and the clusterer's 96 h
BATCH = 5000
PLACE_BATCH = 100  # window stories placed per place_new call (a feed's worth, as ingest does)
POOL = 200
MARKER = "bench.scale.size"
END_MARKER = "bench.scale.end"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W\d_]{4,}")
SECTIONS = ("World", "Business", "Science", "Sport", "Politics")
TOPICS = (("01000000", "arts, culture, entertainment and media"),
          ("02000000", "crime, law and justice"), ("03000000", "disaster, accident and emergency"),
          ("04000000", "economy, business and finance"), ("05000000", "education"),
          ("06000000", "environment"), ("07000000", "health"), ("08000000", "human interest"),
          ("09000000", "labour"), ("10000000", "lifestyle and leisure"), ("11000000", "politics"),
          ("12000000", "religion"), ("13000000", "science and technology"),
          ("14000000", "society"), ("15000000", "sport"),
          ("16000000", "conflict, war and peace"), ("17000000", "weather"))
COUNTRIES = (("us", "United States"), ("gb", "United Kingdom"), ("de", "Germany"),
             ("fr", "France"), ("cn", "China"), ("in", "India"), ("br", "Brazil"),
             ("ua", "Ukraine"), ("ru", "Russia"), ("jp", "Japan"), ("au", "Australia"),
             ("ca", "Canada"), ("mx", "Mexico"), ("it", "Italy"), ("es", "Spain"),
             ("za", "South Africa"), ("ng", "Nigeria"), ("il", "Israel"), ("tr", "Turkey"),
             ("kr", "South Korea"))
TEMPLATE = (
    "{name} reported quarterly results on {day}, with revenue and profit in line with the "
    "expectations of analysts polled by the agency, the company said in a statement.",
    "Shares of {name} were little changed in early trading, and the company kept its forecast "
    "for the full year, citing steady demand from customers in its main markets.",
    "{name} will hold a call with analysts later on {day} to discuss the results.",
)


def feed_files() -> list[Path]:
    """The real feeds (absent: a message, and the demo feeds alone)."""
    files = sorted(p for p in DEMO_FEEDS.iterdir() if p.suffix in FEED_SUFFIXES)
    if SHARED_FEEDS.is_dir():
        files += sorted(p for p in SHARED_FEEDS.rglob("*") if p.suffix in FEED_SUFFIXES)
    else:
        print(f"{SHARED_FEEDS} not present: text from the bundled demo feeds only")
    return files


class Corpus:
    """Headlines, sentences, vocabulary and channel names of real feed items."""

    def __init__(self) -> None:
        import feedparser
        import lxml.html

        files = feed_files()
        headlines: set[str] = set()
        sentences: set[str] = set()
        channels: set[str] = set()
        for path in files:
            parsed = feedparser.parse(path.read_bytes())
            title = " ".join(str(parsed.feed.get("title", "")).split())
            if 2 <= len(title) <= 60:
                channels.add(title)
            for entry in parsed.entries:
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
                    if 6 <= len(sentence.split()) <= 60:
                        sentences.add(sentence)
        self.headlines = sorted(headlines)
        self.sentences = sorted(sentences)
        self.channels = sorted(channels)
        self.vocabulary = sorted({w.lower() for s in self.sentences for w in _WORD.findall(s)})
        print(f"corpus: {len(files)} feeds, {len(self.headlines)} headlines, "
              f"{len(self.sentences)} sentences, {len(self.vocabulary)} words")

    def name(self, rng: random.Random) -> str:
        """An invented name: the start of one word and the end of another ('Marketon')."""
        return (rng.choice(self.vocabulary)[:4] + rng.choice(self.vocabulary)[-4:]).capitalize()

    def story(self, rng: random.Random, names: Sequence[str]) -> tuple[str, list[str]]:
        """A real headline with the first name put in front, and paragraphs of real sentences
        with the names put in (so that events are told apart, and names are rare words)."""
        headline = f"{names[0]}: {rng.choice(self.headlines)}" if names else \
            rng.choice(self.headlines)
        sentences = rng.sample(self.sentences, rng.randint(5, 12))
        for n, name in enumerate(names[:len(sentences)]):
            words = sentences[n].split()
            words[rng.randrange(len(words))] = name
            sentences[n] = " ".join(words)
        return headline[:500], [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]

    def templated(self, rng: random.Random) -> tuple[str, list[str]]:
        name = f"{self.name(rng)} {rng.choice(['Corp', 'Group', 'Holdings', 'Inc'])}"
        day = rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
        return (f"{name} reports quarterly results",
                [line.format(name=name, day=day) for line in TEMPLATE])


def templated_feed(corpus: Corpus, rng: random.Random, tag: str, items: int = 20) -> bytes:
    """An RSS document of templated items dated now: the worst case of lookups."""
    entries = []
    for _ in range(items):
        headline, paragraphs = corpus.templated(rng)
        entries.append((headline, "".join(f"<p>{escape(p)}</p>" for p in paragraphs)))
    return rss(tag, entries)


def real_feed(tag: str) -> bytes | None:
    """The Guardian's captured feed (55 real items) as new items dated now: guids and links
    made new with ``tag``, and the texts made new too (:func:`reworded`), so that every import
    is 55 new stories -- as they were, a second import (another of this run, or a run on a
    reused archive) was 55 syndicated copies merged into the first, other work than an import of
    news. None when the data is absent."""
    import feedparser

    path = SHARED_FEEDS / "rss-parser" / "guardian.rss"
    if not path.is_file():
        return None
    parsed = feedparser.parse(path.read_bytes())
    entries = [(str(e.get("title", "")), str(e.get("summary", ""))) for e in parsed.entries]
    swap = _word_swap(tag, [text for entry in entries for text in entry])
    return rss(tag, [(reworded(title, swap), reworded(html, swap)) for title, html in entries])


_MARKUP = re.compile(r"(<[^>]*>|&\w+;|&#\w+;)")
_LOWER_WORD = re.compile(r"\b[a-z]{4,}\b")


def _word_swap(tag: str, texts: Sequence[str]) -> dict[str, str]:
    """A shuffle of the texts' lower-case words of four letters or more among themselves, one
    for each ``tag``: the same words, so the text stays English to the publication gate, in new
    places, so that no story is a near copy of one imported before."""
    words = sorted({word for text in texts for part in _MARKUP.split(text)
                    if not part.startswith(("<", "&")) for word in _LOWER_WORD.findall(part)})
    shuffled = list(words)
    random.Random(tag).shuffle(shuffled)
    return dict(zip(words, shuffled, strict=True))


def reworded(text: str, swap: dict[str, str]) -> str:
    """``text`` with its lower-case words swapped (:func:`_word_swap`); markup, entities, names
    (capitalised words), numbers and short function words as they were."""
    return "".join(part if part.startswith(("<", "&"))
                   else _LOWER_WORD.sub(lambda m: swap.get(m.group(0), m.group(0)), part)
                   for part in _MARKUP.split(text))


def rss(tag: str, entries: Sequence[tuple[str, str]]) -> bytes:
    from email.utils import format_datetime

    items = []
    for n, (title, html) in enumerate(entries):
        date = format_datetime(datetime.now(UTC) - timedelta(minutes=n))
        items.append(f'<item><guid isPermaLink="false">{tag}-{n}</guid>'
                     f"<title>{escape(title)}</title>"
                     f"<link>https://bench.example/{tag}/{n}</link><pubDate>{date}</pubDate>"
                     f"<description>{escape(html)}</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Bench</title><link>https://bench.example/</link>"
            f"<description>bench</description>{''.join(items)}</channel></rss>").encode()


# -- Writing rows in bulk ------------------------------------------------------------------------

class Table:
    """One model's table written in bulk: every concrete column, defaults filled once."""

    def __init__(self, model: Any, *, ids: bool = True) -> None:
        """``ids``: rows give their primary key (else the database numbers them)."""
        from django.db import connection, models

        self.vendor = connection.vendor
        self.name = model._meta.db_table
        with connection.cursor() as cursor:
            # Columns of the table as migrated (a model may be ahead of its migrations).
            present = {c.name for c in
                       connection.introspection.get_table_description(cursor, self.name)}
        self.fields = [f for f in model._meta.concrete_fields if f.column in present
                       and (ids or not (f.primary_key and isinstance(f, models.AutoField)))]
        self.columns = [f.column for f in self.fields]
        self.index = {f.attname: n for n, f in enumerate(self.fields)}
        self.defaults: list[Any] = []
        self.converters: list[Callable[[Any], Any] | None] = []
        for f in self.fields:
            value = None if f.primary_key else f.get_default()
            self.defaults.append(None if value is None else self._convert(f, value))
            if isinstance(f, models.DateTimeField):
                self.converters.append(self._datetime)
            elif isinstance(f, models.JSONField):
                self.converters.append(json.dumps)
            elif isinstance(f, models.BooleanField) and self.vendor == "sqlite":
                self.converters.append(int)
            else:
                self.converters.append(None)

    def _datetime(self, value: datetime) -> Any:
        if self.vendor == "sqlite":
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        return value

    def _convert(self, f: Any, value: Any) -> Any:
        from django.db import models

        if isinstance(f, models.DateTimeField):
            return self._datetime(value)
        if isinstance(f, models.JSONField):
            return json.dumps(value)
        if isinstance(f, models.BooleanField) and self.vendor == "sqlite":
            return int(value)
        return value

    def row(self, **values: Any) -> tuple[Any, ...]:
        row = list(self.defaults)
        for name, value in values.items():
            n = self.index[name]
            convert = self.converters[n]
            # Values already in the database's form (a datetime as SQLite's text) pass as they are.
            row[n] = (convert(value) if convert is not None and value is not None
                      and not isinstance(value, str) else value)
        return tuple(row)

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        from django.db import connection

        if not rows:
            return
        connection.ensure_connection()
        raw = connection.connection
        columns = ", ".join(f'"{c}"' for c in self.columns)
        if self.vendor == "postgresql":
            copy_sql = f'COPY "{self.name}" ({columns}) FROM STDIN'
            with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(self.columns))
            raw.executemany(f'INSERT INTO "{self.name}" ({columns}) VALUES ({marks})', rows)


@dataclass
class Archive:
    """What the build leaves for the measurements to pick URLs and queries from."""

    size: int
    end: datetime
    seconds: float = 0.0
    people: list[tuple[str, str]] = field(default_factory=list)  # (key, slug), most named first
    coined: list[str] = field(default_factory=list)  # rare words written, for queries
    phases: dict[str, float] = field(default_factory=dict)


def zipf_picker(count: int, rng: random.Random, s: float = 1.0) -> Callable[[], int]:
    weights = list(accumulate(1.0 / (n + 1) ** s for n in range(count)))
    total = weights[-1]
    return lambda: min(count - 1, bisect(weights, rng.random() * total))


def build(corpus: Corpus, size: int, templated: int, log: Callable[[str], None] = print,
          ) -> Archive:
    """Write an archive of ``size`` stories ending now into the (empty, migrated) database."""
    from django.db import connection, transaction
    from django.utils.text import slugify

    from wiredesk.dedupe import Fingerprinter, fingerprint_to_bytes
    from wiredesk.enrich.pipeline import ENRICHER_VERSION
    from wiredesk.newsroom import search
    from wiredesk.newsroom.models import Cluster as ClusterRow
    from wiredesk.newsroom.models import (
        Enrichment,
        Entity,
        ListingState,
        RawPayload,
        Section,
        Source,
        Story,
        StoryEntity,
        StoryEvent,
        StoryListings,
        StoryQuote,
        StoryVersion,
    )
    from wiredesk.newsroom.write import duplicates, event_sizes, listing_state, sitemap_flags
    from wiredesk.newsroom.write.deskstate import DeskCounter

    started = time.perf_counter()
    phase = started
    archive = Archive(size, datetime.now(UTC).replace(microsecond=0))
    end = archive.end
    rng = random.Random(20261207)

    def lap(name: str) -> None:
        nonlocal phase
        now = time.perf_counter()
        archive.phases[name] = now - phase
        phase = now

    sections = [Section.objects.create(name=n, slug=n.lower()) for n in SECTIONS]
    names = (corpus.channels + [f"Wire {n}" for n in range(40)])[:40]
    sources = []
    for n, name in enumerate(names):
        slug = (slugify(name)[:90] or "source") + f"-{n}"
        sources.append(Source.objects.create(
            name=name, slug=slug, url=f"https://feeds{n}.example/rss.xml",
            section=sections[n % len(sections)], publication_mode="full"))
    section_slug: dict[Any, str] = {s.pk: s.slug for s in sections}

    # Entities: countries and topics named everywhere, then a long Zipf tail.
    entity_table = Table(Entity)
    tail = max(3000, size // 5)
    kinds = ["place"] * (tail // 20) + ["organisation"] * (tail // 4)
    kinds += ["person"] * (tail - len(kinds))
    rng.shuffle(kinds)
    entities: list[tuple[int, str, str, str, str]] = []  # (id, key, slug, kind, name)
    seen_slugs: set[str] = set()
    for code, name in COUNTRIES:
        entities.append((len(entities) + 1, f"country:{code}", f"country-{code}", "country",
                         name))
    for qcode, label in TOPICS:
        entities.append((len(entities) + 1, f"topic:medtop:{qcode}", f"topic-medtop-{qcode}",
                         "topic", label))
    for kind in kinds:
        name = f"{corpus.name(rng)} {corpus.name(rng)}"
        slug = slugify(f"{kind}-{name}")[:180]
        while slug in seen_slugs:
            slug = f"{slug}-{rng.randrange(10**6)}"
        seen_slugs.add(slug)
        entities.append((len(entities) + 1, f"{kind}:{slug.removeprefix(kind + '-')}", slug,
                         kind, name))
    rows = []
    for pk, key, slug, kind, name in entities:
        code = key.split(":", 1)[1] if kind in ("country", "topic") else ""
        rows.append(entity_table.row(id=pk, key=key, slug=slug, kind=kind, name=name,
                                     code=code, created_at=end - size * SPACING,
                                     linked=kind != "place" or pk % 3 != 0))
    with transaction.atomic():
        entity_table.write(rows)
    countries = [e for e in entities if e[3] == "country"]
    topics = [e for e in entities if e[3] == "topic"]
    others = [e for e in entities if e[3] not in ("country", "topic")]
    people_index = [n for n, e in enumerate(others) if e[3] == "person"]
    pick_country = zipf_picker(len(countries), rng)
    pick_topic = zipf_picker(len(topics), rng, 0.7)
    pick_other = zipf_picker(len(others), rng)
    archive.people = [(e[1], e[2]) for e in others if e[3] == "person"][:50]
    lap("entities")

    tables: dict[Any, Table] = {model: Table(model) for model in (
        RawPayload, Story, StoryVersion, ClusterRow, StoryListings)}
    tables.update({model: Table(model, ids=False) for model in (
        StoryEvent, Enrichment, StoryEntity, StoryQuote)})
    fingerprinter = Fingerprinter()
    pool = [fingerprint_to_bytes(fingerprinter.fingerprint(
        "\n".join(corpus.story(rng, [corpus.name(rng)])[1]))) for _ in range(POOL)]
    window_start = end - WINDOW
    window_count = max(1, min(size, int(WINDOW / SPACING)))
    templated_share = min(1.0, templated / window_count)
    window_texts: dict[int, str] = {}
    window_keys: dict[int, set[str]] = {}
    listing: dict[str, list[Any]] = {}  # key -> [version, changed_at]
    cluster_id = cluster_left = 0
    payload_id = 0
    gin: list[str] = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A bulk load: the index pages stay in memory, no sync per commit (a crash loses
            # the archive being built, nothing else).
            cursor.execute("PRAGMA cache_size = -524288")
            cursor.execute("PRAGMA synchronous = OFF")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                           "AND indexdef LIKE '%%USING gin%%'", [search.TABLE])
            for name, definition in cursor.fetchall():
                gin.append(definition)
                cursor.execute(f'DROP INDEX "{name}"')

    def bump(keys: Iterable[str], at: datetime) -> None:
        for key in keys:
            state = listing.get(key)
            if state is None:
                listing[key] = [1, at]
            else:
                state[0] += 1
                if at > state[1]:
                    state[1] = at

    stamp = tables[Story]._datetime

    @lru_cache(maxsize=4096)
    def slug_part(text: str) -> str:
        return slugify(text)

    def slug_of(headline: str) -> str:
        # Headlines are an invented name and one of a few hundred real ones: slug each once.
        name, _, rest = headline.partition(": ")
        return ("-".join(filter(None, (slug_part(name), slug_part(rest))))[:100]
                or "story")

    written = extra_versions = 0
    for low in range(1, size + 1, BATCH):
        high = min(size, low + BATCH - 1)
        out: dict[Any, list[tuple[Any, ...]]] = {model: [] for model in tables}
        entries = []
        for n in range(low, high + 1):
            received = end - (size - n) * SPACING
            published = received - timedelta(seconds=rng.randrange(600))
            in_window = received >= window_start
            db_received, db_published = stamp(received), stamp(published)
            source = sources[rng.randrange(len(sources))]
            if (n - 1) % 25 == 0:
                payload_id += 1
                body = b"<rss><channel><title>bench</title></channel></rss>"
                out[RawPayload].append(tables[RawPayload].row(
                    id=payload_id, source_id=source.pk, received_at=db_received,
                    origin=source.url, transport="poll", content_type="application/rss+xml",
                    compressed_body=zlib.compress(body), size=len(body),
                    sha256=hashlib.sha256(b"%d" % payload_id).hexdigest(), outcome="parsed",
                    format="rss", item_count=25))
            # What it names: a country, a topic, two to five others (Zipf), a third quote.
            country = countries[pick_country()]
            topic = topics[pick_topic()]
            named = {others[pick_other()] for _ in range(rng.randint(2, 5))}
            if rng.random() < 0.35:
                named.add(others[people_index[min(len(people_index) - 1,
                                                   int(rng.paretovariate(1.2)) - 1)]])
            named_list = sorted(named, key=lambda e: e[0])
            if in_window and rng.random() < templated_share:
                headline, paragraphs = corpus.templated(rng)
            else:
                people_names = [e[4].split()[0] for e in named_list if e[3] == "person"][:2]
                coined = corpus.name(rng)
                headline, paragraphs = corpus.story(rng, [coined, *people_names])
                if n % 97 == 0:
                    archive.coined.append(coined)
            text = "\n\n".join(paragraphs)
            body_html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
            roll = rng.random()
            status = "killed" if roll < 0.02 else ("held" if roll < 0.03 else "published")
            merged = n - 1 if 0.03 <= roll < 0.05 and n > 1 else None
            mode_roll = rng.random()
            mode = "headline" if mode_roll < 0.02 else ("excerpt" if mode_roll < 0.10
                                                        else "full")
            timely = rng.random() >= 0.03
            story_cluster = None
            if not in_window:
                if merged is None:
                    if cluster_left == 0:
                        cluster_id += 1
                        cluster_left = rng.randint(1, 8)
                        out[ClusterRow].append(tables[ClusterRow].row(
                            id=cluster_id, key=str(n), title=headline, created_at=db_received,
                            changed_at=received + SPACING * cluster_left * 3,
                            story_count=cluster_left))
                    cluster_left -= 1
                story_cluster = cluster_id
            if in_window:
                blob = fingerprint_to_bytes(fingerprinter.fingerprint(text))
            else:
                blob = pool[n % POOL]
            content_hash = hashlib.sha256(body_html.encode()).hexdigest()
            # 5% of the stories older than the window got a second version up to two days on.
            updated = None
            if not in_window and merged is None and rng.random() < 0.05:
                updated = min(end, received + timedelta(minutes=rng.randint(5, 2880)))
                extra_versions += 1
            summary = paragraphs[0][:300]
            out[Story].append(tables[Story].row(
                id=n, source_id=source.pk, external_id=f"https://{source.slug}.example/{n}",
                identity_basis="guid", slug=slug_of(headline),
                section_id=source.section_id, status=status,
                current_version_id=n if updated is None else size + extra_versions,
                last_updated_at=updated, version_count=1 if updated is None else 2,
                headline=headline, summary=summary, first_published_at=db_published,
                changed_at=db_received if updated is None else updated, merged_into_id=merged,
                merge_kind="copy" if merged else "", cluster_id=story_cluster,
                status_reason="Killed by the source" if status == "killed" else "",
                duplicate_check=({"outcome": "new", "rule": "no-match"} if merged is None else
                                 {"outcome": "syndicated-copy", "rule": "near-duplicate",
                                  "matched_story": merged}),
                publication_mode=mode, gate_outcome="publish" if mode == "full" else mode,
                gate_reasons=[], timely=timely))
            out[StoryVersion].append(tables[StoryVersion].row(
                id=n, story_id=n, number=1, received_at=db_received, headline=headline,
                body_html=body_html, summary=summary, published_at=db_published, language="en",
                link=f"https://{source.slug}.example/{n}", content_hash=content_hash,
                payload_id=payload_id, fingerprint=blob))
            if updated is not None:
                out[StoryVersion].append(tables[StoryVersion].row(
                    id=size + extra_versions, story_id=n, number=2, received_at=updated,
                    headline=headline, body_html=body_html + "<p>Updated.</p>",
                    summary=summary, published_at=published, source_updated_at=updated,
                    language="en", link=f"https://{source.slug}.example/{n}",
                    content_hash=hashlib.sha256(b"%d" % n).hexdigest(), payload_id=payload_id,
                    fingerprint=blob))
            out[StoryEvent].append(tables[StoryEvent].row(
                story_id=n, at=db_received, action="create", status=status, version_id=n,
                cause=f"poll {source.url}"))
            keys = {listing_state.ALL, listing_state.source_key(source.slug),
                    listing_state.section_key(section_slug[source.section_id])}
            data_entities, data_quotes = [], []
            for rank, entity in enumerate([country, topic, *named_list]):
                pk, key, slug, kind, name = entity
                linked = kind != "place" or pk % 3 != 0
                out[StoryEntity].append(tables[StoryEntity].row(
                    story_id=n, entity_id=pk, count=rng.randint(1, 4), rank=rank,
                    published_at=db_published, linked=linked))
                keys.add(listing_state.entity_key(slug))
                if kind != "topic":
                    data_entities.append({"key": key, "name": name, "kind": kind, "count": 1,
                                          "aliases": [], "country_code": "", "linked": linked,
                                          "confidence": 1.0, "needs_support": False})
            speakers = [e for e in named_list if e[3] == "person"]
            if speakers and rng.random() < 0.6:
                for position, speaker in enumerate(speakers[:rng.randint(1, 2)]):
                    quote = rng.choice(corpus.sentences)
                    out[StoryQuote].append(tables[StoryQuote].row(
                        story_id=n, position=position, text=quote, speaker_name=speaker[4],
                        speaker_id=speaker[0], published_at=db_published))
                    keys.add(listing_state.quotes_key(speaker[2]))
                    data_quotes.append({"text": quote, "speaker": speaker[4],
                                        "speaker_key": speaker[1], "partial": False})
            out[Enrichment].append(tables[Enrichment].row(
                story_id=n, version=ENRICHER_VERSION, content_hash=content_hash,
                enriched_at=db_received, data={
                    "version": ENRICHER_VERSION, "methods": {}, "entities": data_entities,
                    "quotes": data_quotes, "figures": [], "countries": [], "places": [],
                    "dateline_place": "", "tags": [], "summary": "",
                    "topics": [{"qcode": f"medtop:{topic[1].rsplit(':', 1)[1]}",
                                "label": topic[4], "source": "text", "detail": "",
                                "detail_qcode": ""}]}))
            if in_window:
                window_texts[n] = text
                window_keys[n] = keys
            else:
                if story_cluster is not None:
                    keys.add(listing_state.cluster_key(story_cluster))
                out[StoryListings].append(tables[StoryListings].row(
                    story_id=n, keys="\n".join(sorted(keys))))
                bump(keys, received if updated is None else updated)
            if status == "published" and merged is None:
                entries.append(search.Entry(n, headline, " ".join(paragraphs)))
        with transaction.atomic():
            for model, table in tables.items():
                table.write(out[model])
            search.index(entries)
        written = high
        if written % 100_000 == 0 or written == size:
            log(f"  {written:,} stories written ({time.perf_counter() - started:.0f} s)")
    lap("stories")

    if gin:
        with connection.cursor() as cursor:
            for definition in gin:
                cursor.execute(definition)
        lap("search GIN index")
    _reset_sequences()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    lap("sequences, analyze")

    # A running desk has written the keys of every version before the window: its counter says
    # so (a second version's id is past the first versions' but it was received before the
    # window, so stepping back from the newest id, as a desk's first start does, would stop at
    # once).
    with transaction.atomic():
        DeskCounter.objects.update_or_create(name=duplicates.INDEXED, defaults={
            "value": min(window_texts, default=size + 1) - 1})
    place_window(window_texts, end)
    # Merged copies share their story's cluster, as apply does.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Story._meta.db_table} SET cluster_id = (SELECT r.cluster_id FROM "
            f"{Story._meta.db_table} r WHERE r.id = {Story._meta.db_table}.merged_into_id) "
            f"WHERE merged_into_id IS NOT NULL AND cluster_id IS NULL")
    lap("window: duplicate keys, clusters")

    clusters = dict(Story.objects.filter(pk__in=list(window_keys)).values_list("pk",
                                                                                "cluster_id"))
    rows = []
    for n, keys in window_keys.items():
        if clusters.get(n) is not None:
            keys.add(listing_state.cluster_key(clusters[n]))
        rows.append(tables[StoryListings].row(story_id=n, keys="\n".join(sorted(keys))))
        bump(keys, end - (size - n) * SPACING)
    state = Table(ListingState, ids=False)
    with transaction.atomic():
        tables[StoryListings].write(rows)
        state.write([state.row(key=key, version=version, changed_at=at)
                     for key, (version, at) in sorted(listing.items())])
        event_sizes.recount()  # the events' public sizes, as the bumps store them
        sitemap_flags.refresh(Story.objects.all())  # and the stories' sitemap flags
        DeskCounter.objects.update_or_create(name=END_MARKER,
                                             defaults={"value": end.timestamp()})
        DeskCounter.objects.update_or_create(name=MARKER, defaults={"value": size})
    _reset_sequences()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    lap("listing states, analyze")
    archive.seconds = time.perf_counter() - started
    sys.stdout.flush()
    return archive


def place_window(texts: dict[int, str], end: datetime) -> None:
    """The window's stories through the pipeline's own desks: duplicate keys written by the
    duplicate desk's ``sync`` (from the stored fingerprints), clusters by
    ``ClusterDesk.place_new`` in batches, oldest first, the desk's clock at each batch's newest
    story."""
    from wiredesk.newsroom import clock
    from wiredesk.newsroom.models import Story

    ids = sorted(Story.objects.filter(pk__in=list(texts), merged_into__isnull=True)
                 .values_list("pk", flat=True))
    real_now = clock.now
    desk = Desk()
    try:
        with desk.session():
            for start in range(0, len(ids), PLACE_BATCH):
                chunk = ids[start:start + PLACE_BATCH]
                stories = list(Story.objects.filter(pk__in=chunk).select_related(
                    "current_version").order_by("pk"))
                moment = max(s.current_version.received_at for s in stories
                             if s.current_version is not None)
                # The desk's clock at the batch's time (the one seam every desk reads).
                vars(clock)["now"] = lambda moment=moment: moment
                desk.clusters.place_new(stories, {s.pk: texts[s.pk] for s in stories})
    finally:
        vars(clock)["now"] = real_now
        desk.reset()


class Desk:
    """The duplicate desk and cluster desk one process writes with: a ``WriteDesk`` where the
    tree has one, else the module desks it replaced."""

    def __init__(self) -> None:
        try:
            from wiredesk.newsroom.write.desk import WriteDesk
        except ImportError:
            from wiredesk.newsroom.write import clustering, duplicates

            self.write: Any = None
            self.duplicates: Any = vars(duplicates)["desk"]
            self.clusters: Any = vars(clustering)["clusters"]
        else:
            self.write = WriteDesk()
            self.duplicates, self.clusters = self.write.duplicates, self.write.clusters

    def reset(self) -> None:
        self.duplicates.reset()
        self.clusters.reset()

    @contextmanager
    def session(self) -> Iterator[None]:
        """One transaction with both desks caught up with the database."""
        from django.db import transaction

        if self.write is not None:
            with self.write.session():
                yield
            return
        with self.duplicates.session(), transaction.atomic():
            self.duplicates.sync()
            self.clusters.sync()
            yield

    def process(self, payload: Any) -> Any:
        """``process_payload`` with this desk (or the module desks)."""
        from wiredesk.newsroom.transports.ingest import process_payload

        if self.write is not None:
            return process_payload(self.write, payload)
        return process_payload(payload)


def _reset_sequences() -> None:
    """Ids were assigned up front: move PostgreSQL's sequences past them."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    models = list(apps.get_app_config("newsroom").get_models())
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
