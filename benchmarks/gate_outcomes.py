"""What the publication gate does to real feeds, and whether the site then holds its promises.

    .venv/bin/python benchmarks/gate_outcomes.py            # counts and checks
    .venv/bin/python benchmarks/gate_outcomes.py --show 5   # also up to 5 headlines per reason

Imports every real feed in ``../shared/data/feeds/`` (publisher snapshots; skipped with a message
when absent) into a fresh desk (a temporary SQLite data folder, every setting at its default), one
polled source per feed file, as a desk polling them would. Prints the count of stories per gate
outcome, per check that fired and per status, the gate's own cost per item, then checks:

- no article page with fewer than 15 words of body text;
- no page whose ``lang`` differs from the language detected from its text (texts of 30 words or
  more);
- no undated story in the news sitemap or among the home page's top ten;
- polled publisher items are excerpts (or stricter: headlines, held, dropped).

Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

SHARED_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds"
MIN_WORDS = 15
LANG_WORDS = 30
TOP = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", type=int, default=0, help="headlines shown per reason")
    args = parser.parse_args()
    files = sorted(path for path in SHARED_FEEDS.rglob("*") if path.is_file()
                   and path.suffix.lower() not in {".txt", ".md"}) if SHARED_FEEDS.is_dir() else []
    if not files:
        print(f"skipped: no feeds in {SHARED_FEEDS} (evaluation data is kept outside the repo)")
        return 0
    for name in [name for name in os.environ if name.startswith("WIREDESK_")]:
        del os.environ[name]  # the defaults, whatever the caller's environment says
    os.environ["WIREDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="wiredesk-gate-")
    os.environ["WIREDESK_ALLOWED_HOSTS"] = "testserver"
    os.environ["WIREDESK_ENRICH"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    return run(files, args.show)


def run(files: list[Path], show: int) -> int:
    from django.test import Client

    from wiredesk.core import gate
    from wiredesk.core.language import detect, primary
    from wiredesk.core.text import html_to_text
    from wiredesk.newsroom.models import Source, Story
    from wiredesk.newsroom.sources import unique_slug
    from wiredesk.newsroom.transports.ingest import process_payload, store_payload
    from wiredesk.newsroom.write.desk import WriteDesk

    timed = _time_the_gate(gate)
    started = time.perf_counter()
    failed: list[str] = []
    desk = WriteDesk()
    for path in files:
        name = f"{path.parent.name}/{path.name}"
        source = Source.objects.create(name=name, slug=unique_slug(path.stem),
                                       url=f"https://feeds.example/{path.parent.name}/{path.name}",
                                       transport=Source.Transport.POLL)
        try:
            process_payload(desk, store_payload(source, path.read_bytes(),
                                                origin=path.as_uri()))
        except Exception as exc:  # a feed the desk refuses is counted, never fatal here
            failed.append(f"{name}: {type(exc).__name__}: {str(exc)[:80]}")
    elapsed = time.perf_counter() - started

    stories = list(Story.objects.select_related("current_version", "source"))
    print(f"{len(files)} feed files, {len(failed)} refused, {len(stories)} stories "
          f"in {elapsed:.1f} s; gate {timed['per_item'] * 1000:.2f} ms per item "
          f"({timed['items']} items, language detection included)")
    for line in failed:
        print(f"  refused: {line}")
    _table("outcome", Counter(story.gate_outcome or "(none)" for story in stories))
    reasons: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for story in stories:
        for finding in story.gate_reasons:
            key = f"{finding['check']} -> {finding['outcome']}"
            reasons[key] += 1
            if len(examples[key]) < show:
                examples[key].append(f"{story.headline[:70]!r}: {finding['reason'][:90]}")
    _table("check fired", reasons)
    for key, lines in examples.items() if show else ():
        print(f"  {key}:")
        for line in lines:
            print(f"    {line}")
    _table("language of stories held for their language", Counter(
        story.current_version.language for story in stories if story.current_version
        and any(finding["check"] == "language" for finding in story.gate_reasons)))
    _table("status", Counter(story.status for story in stories))
    _table("publication mode (public stories)",
           Counter(story.publication_mode for story in stories if story.is_public))

    client = Client()
    problems: list[str] = []
    public = [story for story in stories if story.is_public and story.current_version]
    paged = 0
    for story in public:
        version = story.current_version
        assert version is not None
        response = client.get(story.get_absolute_url())
        if not story.has_page:
            if response.status_code != 302:
                problems.append(f"headline story {story.pk} answers {response.status_code}")
            continue
        paged += 1
        text = html_to_text(version.body_html)
        words = len(text.split())
        if words < MIN_WORDS:
            problems.append(f"article page with {words} words: story {story.pk} "
                            f"{story.headline[:60]!r}")
        page = response.content.decode()
        found = re.search(r'<article class="story" lang="([^"]*)"', page)
        lang = primary(found.group(1)) if found else ""
        if words >= LANG_WORDS:
            detected = detect(f"{version.headline}. {text}")
            if detected and detected != lang:
                problems.append(f"story {story.pk} page lang {lang!r}, text {detected!r}")
    undated = {story.get_absolute_url() for story in public if story.current_version
               and story.current_version.date_is_fallback}
    news = client.get("/news-sitemap.xml").content.decode()
    in_news = [url for url in undated if url in news]
    problems += [f"undated story in the news sitemap: {url}" for url in in_news]
    home = client.get("/").content.decode()
    top = re.findall(r'class="teaser-headline"><a href="([^"]+)"', home)[:TOP]
    problems += [f"undated story in the home page's top ten: {url}" for url in top
                 if url in undated]
    full_polled = [story for story in public if story.publication_mode == "full"]
    problems += [f"polled publisher item published in full: story {story.pk}"
                 for story in full_polled]
    news_entries = news.count("<url>")
    print(f"\nchecked {paged} article pages, {len(public) - paged} headline redirects, "
          f"{news_entries} news sitemap entries ({len(undated)} undated public stories), "
          f"home top {len(top)}")
    print(f"  article pages under {MIN_WORDS} words: "
          f"{sum('article page with' in p for p in problems)}")
    print(f"  page lang != detected language (texts >= {LANG_WORDS} words): "
          f"{sum('page lang' in p for p in problems)}")
    print(f"  undated in news sitemap: {len(in_news)}; undated in home top ten: "
          f"{sum('top ten' in p for p in problems)}")
    print(f"  polled publisher items in full: {len(full_polled)}")
    for problem in problems[:20]:
        print(f"  FAIL {problem}")
    print("all checks passed" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


def _time_the_gate(gate: object) -> dict[str, float]:
    """The gate's cost alone: every item of every feed parsed and normalised once, then judged."""
    from datetime import UTC, datetime

    from wiredesk.core.gate import judge
    from wiredesk.core.rights import Mode
    from wiredesk.ingest.formats import parse_feed
    from wiredesk.ingest.normalize import normalize

    now = datetime.now(UTC)
    articles = []
    for path in sorted(SHARED_FEEDS.rglob("*")):
        try:
            feed = parse_feed(path.read_bytes())
        except Exception:  # not a feed: the import above reports it
            continue
        articles += [normalize(item, received_at=now) for item in feed.items]
    judge(articles[0], source_mode=Mode.EXCERPT, now=now)  # the detector's models load once
    started = time.perf_counter()
    for article in articles:
        judge(article, source_mode=Mode.EXCERPT, now=now)
    spent = time.perf_counter() - started
    return {"items": len(articles), "per_item": spent / max(len(articles), 1)}


def _table(title: str, counts: Counter[str]) -> None:
    print(f"\n{title}:")
    for key, count in counts.most_common():
        print(f"  {count:6d}  {key}")


if __name__ == "__main__":
    sys.exit(main())
