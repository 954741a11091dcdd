"""Enrichment throughput: stories per second through the whole enrichment pipeline (entities,
canonical names, places, quotes, figures, topics, tags, summary) on this machine's CPU.

Corpus: the news articles of ``../shared/data/ggt-quotes-dev`` (real Canadian news, average about
600 words) when present, else the bundled demo stories. Each story is cut or repeated to about
``--words`` words so the figure is per story of that length. Prints stories/s in one process and
with one process per core (the way a deployment runs ``wiredesk enrich --follow`` or several
workers), plus milliseconds per story and the recogniser used.

    .venv/bin/python benchmarks/enrich_throughput.py [--stories 200] [--words 600]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def corpus() -> tuple[str, list[tuple[str, str]]]:
    ggt = SHARED / "ggt-quotes-dev" / "ggt_quotes_dev.jsonl"
    if ggt.is_file():
        stories = []
        for line in ggt.read_text().splitlines():
            row = json.loads(line)
            text = str(row.get("articleBodyText") or "").replace("\n .\n ", "\n\n")
            if len(text.split()) >= 200:
                stories.append((str(row.get("title") or text.split(".")[0]), text))
        return "ggt-quotes-dev (real news)", stories
    from wiredesk.core.text import html_to_text
    from wiredesk.demo import DEMO_SOURCES
    from wiredesk.ingest.formats import parse_feed

    stories = []
    for demo in DEMO_SOURCES:
        for item in parse_feed(demo.path.read_bytes()).items:
            stories.append((item.title, html_to_text(item.content_html or item.summary_html)))
    return "bundled demo stories", stories


def sized(text: str, words: int) -> str:
    """About ``words`` words: whole paragraphs, repeated if the story is shorter."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    out: list[str] = []
    count = 0
    while count < words and paragraphs:
        for paragraph in paragraphs:
            out.append(paragraph)
            count += len(paragraph.split())
            if count >= words:
                break
    return "\n\n".join(out)


def run(batch: list[tuple[str, str]]) -> list[float]:
    """Enrich a batch in this process; per-story seconds (the model is loaded first, untimed)."""
    return [wall for wall, _ in run_timed(batch)]


def run_timed(batch: list[tuple[str, str]]) -> list[tuple[float, float]]:
    """Per-story (wall, CPU) seconds: on a shared machine the wall figure counts the waits for
    a core, the process's CPU time does not."""
    from wiredesk.enrich.pipeline import Enricher
    from wiredesk.enrich.result import StoryText

    enrich = Enricher().enrich
    enrich(StoryText("warm-up", "Warm-up text about Paris and Joe Smith."))
    timings = []
    for headline, text in batch:
        started, cpu = time.perf_counter(), time.process_time()
        enrich(StoryText(headline, text))
        timings.append((time.perf_counter() - started, time.process_time() - cpu))
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    name, stories = corpus()
    if not stories:
        print("no stories to enrich", file=sys.stderr)
        return 1
    batch = [(headline, sized(text, args.words))
             for headline, text in (stories * (args.stories // len(stories) + 1))[:args.stories]]
    words = statistics.mean(len(text.split()) for _, text in batch)
    from wiredesk.enrich.pipeline import Enricher

    print(f"corpus: {name}, {len(batch)} stories of {words:.0f} words on average")
    print(f"entities: {Enricher().methods()['entities']}")
    started = time.perf_counter()
    timed = run_timed(batch)
    one = len(batch) / (time.perf_counter() - started)
    timings = [wall for wall, _ in timed]
    cpu = [spent for _, spent in timed]
    print(f"one process : {one:6.1f} stories/s  (median {statistics.median(timings) * 1000:.0f} "
          f"ms, p90 {sorted(timings)[int(len(timings) * 0.9)] * 1000:.0f} ms per story)")
    print(f"  CPU time  : {len(cpu) / sum(cpu):6.1f} stories per CPU-second  (median "
          f"{statistics.median(cpu) * 1000:.0f} ms CPU per story; os.getloadavg() at the end "
          f"{os.getloadavg()[0]:.2f})")
    if args.processes > 1:
        shares = [batch[i::args.processes] for i in range(args.processes)]
        with ProcessPoolExecutor(args.processes) as pool:
            list(pool.map(run, [share[:1] for share in shares]))  # load the model in each
            started = time.perf_counter()
            list(pool.map(run, shares))
            many = len(batch) / (time.perf_counter() - started)
        print(f"{args.processes} processes : {many:6.1f} stories/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
