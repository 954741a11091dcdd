"""How fast ``normalize()`` turns parsed feed items into articles, alone (no parsing, no database).

    .venv/bin/python benchmarks/normalize_speed.py [--rounds 5] [--corpus DIR] [--profile]

The corpus is ``../shared/data/feeds`` when present (real captured feeds), else the bundled demo
feeds plus the test fixtures. Every file is parsed once, untimed; then ``normalize()`` runs over all
items ``--rounds`` times; the best round counts (the least disturbed by the rest of the machine).
Prints items per second and milliseconds per item, and a breakdown: the sanitiser alone
(``sanitize_tree``: nh3, the lxml parse and post-pass) over the same bodies, and the rest of
``normalize()`` (the editing pass, text fields, dates, serialising). ``--profile`` adds a cProfile
listing of one round, by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from feed_corpus import corpus_files
from wiredesk.core.errors import ParseError
from wiredesk.core.items import FeedItem
from wiredesk.ingest.formats import parse_feed
from wiredesk.ingest.normalize import normalize
from wiredesk.ingest.sanitize import DEFAULT_IFRAME_HOSTS, sanitize_tree

# A fixed clock, so every round does identical work.
RECEIVED_AT = datetime(2025, 1, 1, tzinfo=UTC)


def load_items(files: list[Path]) -> list[FeedItem]:
    items: list[FeedItem] = []
    for path in files:
        try:
            items += parse_feed(path.read_bytes()).items
        except ParseError:
            continue  # a corpus keeps a few deliberately unreadable files; they have no items
    return items


def normalize_all(items: list[FeedItem]) -> None:
    for item in items:
        try:
            normalize(item, received_at=RECEIVED_AT)
        except Exception:  # as the pipeline does: a bad item fails alone
            continue


def sanitize_all(items: list[FeedItem]) -> None:
    for item in items:
        html = item.content_html if item.content_html.strip() else item.summary_html
        try:
            sanitize_tree(html, base_url=item.base_url or item.link,
                          allowed_iframe_hosts=DEFAULT_IFRAME_HOSTS)
        except Exception:
            continue


def seconds_per_round(step: Callable[[list[FeedItem]], None], items: list[FeedItem],
                      rounds: int) -> float:
    """The best round's time: the least disturbed by the rest of the machine."""
    step(items)  # warm-up: imports, regex caches
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        step(items)
        times.append(time.perf_counter() - started)
    return min(times)


def report(label: str, count: int, seconds: float) -> None:
    print(f"{label:<22} {count / seconds:>9,.0f} items/s  {seconds * 1000 / count:7.3f} ms/item")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--profile", action="store_true", help="cProfile one round of normalize")
    args = parser.parse_args(argv)

    files = corpus_files(args.corpus)
    items = load_items(files)
    if not items:
        print("no feed items found: nothing to measure")
        return 1
    print(f"{len(files)} files, {len(items)} items, best of {args.rounds} rounds")

    total = seconds_per_round(normalize_all, items, args.rounds)
    sanitize = seconds_per_round(sanitize_all, items, args.rounds)
    report("normalize()", len(items), total)
    report("  sanitize_tree()", len(items), sanitize)
    report("  the rest", len(items), max(total - sanitize, 1e-9))

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(normalize_all, items)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
