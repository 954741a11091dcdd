"""End-to-end ingest throughput against feedparser's parse alone, over the same bytes, in one run.

    .venv/bin/python benchmarks/ingest_throughput.py [--rounds 5] [--corpus DIR]
        [--database sqlite | postgresql://postgres@127.0.0.1:5432/wd_ingest]

The corpus is ``../shared/data/feeds`` when present (real captured feeds), else the bundled demo
feeds plus the test fixtures. The pipeline measured is the whole ingest of each file into a fresh
database -- SQLite (WAL) in a temporary directory, or a PostgreSQL database of the given name,
dropped and created anew -- : store the raw payload → parse → normalise → identify → decide
(publication gate, duplicates) → store story and version → cluster → index for search. Every
round ingests each file into a new source, so every item is new work (nothing is skipped as
unchanged).

Prints items per second for both, their ratio, and the peak resident memory of the process. Both
are timed by the wall clock (the ratio the goal is stated in) and by this process's CPU time: on
a busy machine the CPU ratio is the steadier one, but on PostgreSQL it leaves out the server's
work, so there the wall-clock ratio is the honest figure.
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


def setup_django(database: str = "sqlite") -> None:
    os.environ["WIREDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="wiredesk-bench-")
    os.environ.pop("WIREDESK_DATABASE_URL", None)
    if database != "sqlite":
        fresh_postgres(database)
        os.environ["WIREDESK_DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def fresh_postgres(url: str) -> None:
    """Drop and create the database the URL names (never one the tests or others use: pass
    your own name, e.g. wd_ingest)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"--database needs a database of its own, not {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                           .format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Timer:
    """Wall-clock and process CPU seconds since it was made."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def time_feedparser(bodies: list[bytes], rounds: int) -> tuple[int, float, float]:
    import feedparser

    items, timer = 0, Timer()
    for _ in range(rounds):
        for body in bodies:
            items += len(feedparser.parse(body).entries)
    return items, *timer.stop()


_SOURCE_NUMBERS = itertools.count(1)


def time_prepare(bodies: list[bytes], rounds: int) -> tuple[int, float, float]:
    """The framework-free stages alone: parse → normalise → identify (no database)."""
    from datetime import UTC, datetime

    from wiredesk.core.errors import ParseError
    from wiredesk.ingest.pipeline import prepare

    items, timer = 0, Timer()
    for _ in range(rounds):
        for body in bodies:
            try:
                batch = prepare(body, content_type="", url="", received_at=datetime.now(UTC),
                                iframe_hosts=frozenset())
            except ParseError:
                continue
            items += len(batch.candidates)
    return items, *timer.stop()


def time_pipeline(bodies: list[bytes], rounds: int, policy: str = "keep-both"
                  ) -> tuple[int, float, float, int]:
    """Ingest every body into a source of its own (created before the clock starts).

    The same corpus is ingested round after round, so with a merging policy every round after
    the first is all duplicates of the first. ``keep-both`` (the default) measures the path of a
    new story -- the duplicate check and clustering included -- every round; ``also-reported``
    measures the duplicate path instead.
    """
    from wiredesk.core.errors import ParseError
    from wiredesk.newsroom.models import Source
    from wiredesk.newsroom.transports.ingest import process_payload, store_payload
    from wiredesk.newsroom.write.desk import WriteDesk

    sources = []
    for _ in range(rounds * len(bodies)):
        number = next(_SOURCE_NUMBERS)
        sources.append(Source.objects.create(name=f"bench {number}", slug=f"bench-{number}",
                                             transport=Source.Transport.LOCAL,
                                             duplicate_policy=policy))
    items = failed = 0
    desk = WriteDesk()  # the process's, as a worker's
    timer = Timer()
    for source, body in zip(sources, bodies * rounds, strict=True):
        payload = store_payload(source, body, origin="bench://corpus")
        try:
            report = process_payload(desk, payload)
        except ParseError:
            failed += 1
            continue
        items += report.new + report.updated + report.unchanged + report.stale + report.merged
    return items, *timer.stop(), failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--policy", default="keep-both", choices=["keep-both", "also-reported"],
                        help="duplicate policy of the benchmark's sources (see time_pipeline)")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--database", default="sqlite",
                        help="sqlite (a fresh file in a temporary folder, the default) or a "
                             "PostgreSQL URL naming a database of the benchmark's own, which is "
                             "dropped and created anew")
    args = parser.parse_args()
    files = corpus_files(args.corpus)
    if not files:
        print("no feed files found", file=sys.stderr)
        return 1
    bodies = [f.read_bytes() for f in files]
    setup_django(args.database)
    from django.db import connection

    print(f"corpus: {len(files)} files, {sum(map(len, bodies)) / 1e6:.2f} MB, "
          f"{args.rounds} rounds, duplicate policy {args.policy}, database {connection.vendor}")
    time_pipeline(bodies, 1, args.policy)  # warm-up: imports, caches, database pages
    from wiredesk import heap

    heap.settle()  # as a desk process does once loaded (wiredesk import, a worker)
    fp_items, fp_wall, fp_cpu = time_feedparser(bodies, args.rounds)
    wd_items, wd_wall, wd_cpu, failed = time_pipeline(bodies, args.rounds, args.policy)
    pure_items, pure_wall, pure_cpu = time_prepare(bodies, args.rounds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"feedparser.parse alone : {fp_items:7d} items in {fp_wall:6.2f} s = "
          f"{fp_items / fp_wall:8.1f} items/s  (CPU {fp_cpu:6.2f} s)")
    print(f"wiredesk full pipeline : {wd_items:7d} items in {wd_wall:6.2f} s = "
          f"{wd_items / wd_wall:8.1f} items/s  (CPU {wd_cpu:6.2f} s; "
          f"{failed // args.rounds} files refused per round)")
    print(f"  of which parse+normalise+identify alone: {pure_items:7d} items in "
          f"{pure_wall:6.2f} s = {pure_items / pure_wall:8.1f} items/s  (CPU {pure_cpu:6.2f} s)")
    fp_rate = fp_items / fp_wall
    print(f"ratio (pipeline / feedparser): {wd_items / wd_wall / fp_rate:.2f}x wall clock, "
          f"{(wd_items / wd_cpu) / (fp_items / fp_cpu):.2f}x CPU of this process"
          f"   (parse+normalise+identify / feedparser: {pure_items / pure_wall / fp_rate:.2f}x)")
    print(f"peak resident memory: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
