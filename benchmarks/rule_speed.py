"""How long routing rules take per item (issue 12: under 0.1 ms per item with 50 rules).

    .venv/bin/python benchmarks/rule_speed.py              # 50 rules, the real feeds' items
    .venv/bin/python benchmarks/rule_speed.py --rules 200  # a longer list

Items: every item of the real feeds in ``../shared/data/feeds/`` (parsed and normalised as the desk
does), or, when they are absent, generated wire-like items of 50 to 800 words. Rules: a desk-like
mix (wiredesk.core.rules) -- source and language filters, word lists on headline and body,
phrases, topics, urgency and length ranges, time of day, not/any, and a few regular expressions
-- each rule global or for one source, so most items meet most of the list.

Prints the time per item of the whole list (compiled once): preparing the item's fields (lower-
cased text, word count; the plain text itself is the gate's and is made beforehand) and running
every rule; best of five rounds, in CPU time (time.process_time: on a shared, loaded machine the
wall clock also counts the time other processes held the CPU). Pure core: no database.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wiredesk.core.rules import Item, RuleSet, RuleSpec, compile_rules
from wiredesk.core.text import html_to_text

SHARED_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds"
SOURCES = ("reuters", "ap", "afp", "dpa", "guardian", "uol", "bbc", "pti")
WORDS = ["election", "minister", "police", "court", "football", "storm", "market", "shares",
         "killed", "protest", "strike", "virus", "vaccine", "earthquake", "flood", "wildfire",
         "parliament", "budget", "inflation", "bank", "climate", "summit", "talks", "ceasefire",
         "trial", "verdict", "arrested"]


def rules(count: int, seed: int = 12) -> RuleSet:
    """A desk-like list of ``count`` rules."""
    rng = random.Random(seed)
    makers = [
        lambda n: ({"words": rng.sample(WORDS, 3)}, {"tags": [f"t{n}"]}),
        lambda n: ({"headline_words": rng.sample(WORDS, 2)}, {"section": "world"}),
        lambda n: ({"body_words": [f"{rng.choice(WORDS)} {rng.choice(WORDS)}"]},
                   {"priority": 3}),
        lambda n: ({"language": "de"}, {"action": "hold"}),
        lambda n: ({"source": rng.choice(SOURCES), "urgency": "1-2"}, {"pin": 2}),
        lambda n: ({"topic": ["medtop:15000000", "sport"]}, {"section": "sport"}),
        lambda n: ({"length": "<40", "has_image": False}, {"mode": "headline"}),
        lambda n: ({"time": "22:00-06:00", "not": {"language": "en"}}, {"delay": 10}),
        lambda n: ({"any": [{"words": ["live"]}, {"headline_regex": r"^live\b"}]},
                   {"tags": ["live"]}),
        lambda n: ({"headline_regex": r"^(update|urgent|flash)\b"},
                   {"strip_prefix": [r"(UPDATE \d+|URGENT|FLASH)[-:]"]}),
    ]
    specs = []
    for n in range(count):
        when, then = makers[n % len(makers)](n)
        if n % 10 == 9:  # a few catch-all decisions near the end of the list
            when, then = {"words": ["advisory", "test"]}, {"action": "drop"}
        scoped = rng.choice(SOURCES) if n % 3 == 0 else ""
        specs.append(RuleSpec(f"rule {n}", when=when, then=then, source=scoped))
    return compile_rules(specs)


def real_items() -> list[tuple[str, str, str, int | None, bool]]:
    """(source, headline, text, urgency, has image) of every real feed item."""
    if not SHARED_FEEDS.is_dir():
        return []
    from wiredesk.core.errors import ParseError
    from wiredesk.ingest.pipeline import prepare

    found = []
    for n, path in enumerate(sorted(p for p in SHARED_FEEDS.rglob("*") if p.is_file()
                                    and p.suffix.lower() not in {".txt", ".md"})):
        try:
            batch = prepare(path.read_bytes(), content_type="", url="https://example.com/",
                            received_at=datetime(2026, 11, 28, tzinfo=UTC),
                            iframe_hosts=frozenset())
        except ParseError:
            continue
        for candidate in batch.candidates:
            article = candidate.article
            found.append((SOURCES[n % len(SOURCES)], article.headline,
                          html_to_text(article.body_html), article.wire.urgency,
                          bool(article.images)))
    return found


def made_items(count: int = 2000, seed: int = 3) -> list[tuple[str, str, str, int | None, bool]]:
    rng = random.Random(seed)
    filler = ["the", "a", "of", "to", "in", "and", "said", "on", "for", "with", "that", "was",
              "at", "by", "from", "its", *WORDS]
    return [(rng.choice(SOURCES), " ".join(rng.choices(filler, k=8)).capitalize(),
             " ".join(rng.choices(filler, k=rng.randint(50, 800))) + ".",
             rng.choice([None, 1, 3, 5]), rng.random() < 0.5) for _ in range(count)]


def measure(ruleset: RuleSet, items: list[tuple[str, str, str, int | None, bool]]
            ) -> tuple[float, float, int]:
    """Best of five: (µs per item preparing fields + routing, µs routing alone, matches)."""
    now = datetime(2026, 11, 28, 23, tzinfo=UTC)
    best_all = best_route = float("inf")
    matched = 0
    for _ in range(5):
        start = time.process_time()
        prepared = [Item(source=source, format="rss2.0", language="en", section="world",
                         topics=(), headline=headline, text=text, urgency=urgency,
                         has_image=image, received=now)
                    for source, headline, text, urgency, image in items]
        middle = time.process_time()
        routed = [ruleset.route(item, headline) for item, (_, headline, *_rest)
                  in zip(prepared, items, strict=True)]
        end = time.process_time()
        matched = sum(len(r.matched) for r in routed)
        best_all = min(best_all, (end - start) / len(items) * 1e6)
        best_route = min(best_route, (end - middle) / len(items) * 1e6)
    return best_all, best_route, matched


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rules", type=int, default=50)
    args = parser.parse_args()
    items = real_items()
    origin = f"{len(items)} items of the real feeds"
    if not items:
        items, origin = made_items(), "2000 generated items (no real feeds found)"
    ruleset = rules(args.rules)
    words = sum(len(text.split()) for _, _, text, _, _ in items) / len(items)
    per_item, routing, matched = measure(ruleset, items)
    print(f"{args.rules} rules over {origin}, {words:.0f} words of text on average")
    print(f"  preparing the item and running every rule: {per_item:.1f} µs per item "
          f"({per_item / 1000:.4f} ms; target < 0.1 ms)")
    print(f"  running the rules alone:                   {routing:.1f} µs per item")
    print(f"  rules matched per item: {matched / len(items):.2f}")
    return 0 if per_item < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
