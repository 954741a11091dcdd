"""End-to-end ingest throughput against feedparser's parse alone, over the same bytes, in one run.

    .venv/bin/python benchmarks/ingest_throughput.py [--rounds 5] [--corpus DIR]

The corpus is ``../shared/data/feeds`` when present (real captured feeds), else the bundled demo
feeds plus the test fixtures. The pipeline measured is the whole ingest of each file into a fresh
SQLite database (WAL) in a temporary directory: store the raw payload → parse → normalise →
identify → decide → store story and version → index for search. Every round ingests each file into a
new source, so every item is new work (nothing is skipped as unchanged).

Prints items per second for both, their ratio, and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from feed_corpus import corpus_files


def setup_django() -> None:
    os.environ["WIREDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="wiredesk-bench-")
    os.environ.pop("WIREDESK_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def time_feedparser(bodies: list[bytes], rounds: int) -> tuple[int, float]:
    import feedparser

    items, started = 0, time.perf_counter()
    for _ in range(rounds):
        for body in bodies:
            items += len(feedparser.parse(body).entries)
    return items, time.perf_counter() - started


_SOURCE_NUMBERS = itertools.count(1)


def time_prepare(bodies: list[bytes], rounds: int) -> tuple[int, float]:
    """The framework-free stages alone: parse → normalise → identify (no database)."""
    from datetime import UTC, datetime

    from wiredesk.core.errors import ParseError
    from wiredesk.ingest.pipeline import prepare

    items, started = 0, time.perf_counter()
    for _ in range(rounds):
        for body in bodies:
            try:
                batch = prepare(body, content_type="", url="", received_at=datetime.now(UTC),
                                iframe_hosts=frozenset())
            except ParseError:
                continue
            items += len(batch.candidates)
    return items, time.perf_counter() - started


def time_pipeline(bodies: list[bytes], rounds: int, policy: str = "keep-both"
                  ) -> tuple[int, float, int]:
    """Ingest every body into a source of its own (created before the clock starts).

    The same corpus is ingested round after round, so with a merging policy every round after
    the first is all duplicates of the first. ``keep-both`` (the default) measures the path of a
    new story -- the duplicate check and clustering included -- every round; ``also-reported``
    measures the duplicate path instead.
    """
    from wiredesk.core.errors import ParseError
    from wiredesk.newsroom.ingest import process_payload, store_payload
    from wiredesk.newsroom.models import Source

    sources = []
    for _ in range(rounds * len(bodies)):
        number = next(_SOURCE_NUMBERS)
        sources.append(Source.objects.create(name=f"bench {number}", slug=f"bench-{number}",
                                             transport=Source.Transport.LOCAL,
                                             duplicate_policy=policy))
    items = failed = 0
    started = time.perf_counter()
    for source, body in zip(sources, bodies * rounds, strict=True):
        payload = store_payload(source, body, origin="bench://corpus")
        try:
            report = process_payload(payload)
        except ParseError:
            failed += 1
            continue
        items += report.new + report.updated + report.unchanged + report.stale + report.merged
    return items, time.perf_counter() - started, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--policy", default="keep-both", choices=["keep-both", "also-reported"],
                        help="duplicate policy of the benchmark's sources (see time_pipeline)")
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()
    files = corpus_files(args.corpus)
    if not files:
        print("no feed files found", file=sys.stderr)
        return 1
    bodies = [f.read_bytes() for f in files]
    setup_django()
    print(f"corpus: {len(files)} files, {sum(map(len, bodies)) / 1e6:.2f} MB, "
          f"{args.rounds} rounds, duplicate policy {args.policy}")
    time_pipeline(bodies, 1, args.policy)  # warm-up: imports, caches, SQLite pages
    fp_items, fp_seconds = time_feedparser(bodies, args.rounds)
    wd_items, wd_seconds, failed = time_pipeline(bodies, args.rounds, args.policy)
    pure_items, pure_seconds = time_prepare(bodies, args.rounds)
    fp_rate, wd_rate = fp_items / fp_seconds, wd_items / wd_seconds
    pure_rate = pure_items / pure_seconds
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"feedparser.parse alone : {fp_items:7d} items in {fp_seconds:6.2f} s = "
          f"{fp_rate:8.1f} items/s")
    print(f"wiredesk full pipeline : {wd_items:7d} items in {wd_seconds:6.2f} s = "
          f"{wd_rate:8.1f} items/s  ({failed // args.rounds} files refused per round)")
    print(f"  of which parse+normalise+identify alone: {pure_items:7d} items in "
          f"{pure_seconds:6.2f} s = {pure_rate:8.1f} items/s")
    print(f"ratio (pipeline / feedparser): {wd_rate / fp_rate:.2f}x"
          f"   (parse+normalise+identify / feedparser: {pure_rate / fp_rate:.2f}x)")
    print(f"peak resident memory: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
