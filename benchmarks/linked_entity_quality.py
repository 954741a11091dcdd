"""Linked-entity quality: how many of the entities that get a public page are right, and how many
right ones get one (precision and recall of *linked* entities, :mod:`wiredesk.enrich.linking`).

    .venv/bin/python benchmarks/linked_entity_quality.py   # CoNLL++ dev/test, feed stories
    .venv/bin/python benchmarks/linked_entity_quality.py --errors 30

Two sets:

- **CoNLL++** dev (tuning) and test (report), read from ``../shared/data/conllpp`` as in
  ``benchmarks/entity_quality.py``. Each document is enriched as a story; an entity of the story
  (people, organisations, places, countries, one per canonical key) is *right* when one of its
  mentions is exactly a gold span of its type. Recall: the distinct gold PER/ORG/LOC names of a
  document (by surface and type) of which some linked entity has an exact mention. The newsroom's
  cross-story counts are simulated over the split (stories naming the key); all documents come
  from one source (Reuters), so the several-sources rule never fires here.
- **50 real feed stories** (The Guardian, ``tests/fixtures/linking/guardian_entities.json``:
  only guids and hand labels; the text is read from ``../shared/data/feeds``). Every entity the
  recogniser reports there is labelled; precision is over linked entities, recall over the
  labelled real entities the recogniser found (a name it missed altogether is not counted: that
  is the recogniser's recall, see ``entity_quality.py``). "tune" half and "report" half.

"all" rows are what was published before linking (every entity got a page). Skips with a message
when ``../shared/data`` is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from entity_quality import DATA, KIND_TO_TYPE, SHARED, read_documents
from wiredesk.core.text import html_to_text
from wiredesk.enrich import entities as entity_rules
from wiredesk.enrich import linking, ner
from wiredesk.enrich.pipeline import country_linked, entity_evidence, is_sports_copy

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "linking" / \
    "guardian_entities.json"


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    found: int = 0  # gold entities found
    gold: int = 0

    def line(self, label: str) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.found / self.gold if self.gold else 0.0
        return (f"  {label:<22} precision {p:6.3f} ({self.tp}/{self.tp + self.fp})   "
                f"recall {r:6.3f} ({self.found}/{self.gold})")


def _linked(text: str, entity: entity_rules.Entity, stories: int) -> bool:
    sports = is_sports_copy(text.split("\n", 1)[0], text)  # a CoNLL document opens on its headline
    if entity.is_country:
        return country_linked(text, entity.mentions, sports)  # as the pipeline decides
    evidence = replace(entity_evidence(text, entity, sports), stories=stories)
    return linking.decide(evidence).linked


def conll(recogniser: ner.Recogniser, split: str, errors: Counter[str]) -> tuple[Tally, Tally]:
    """(linked, all) tallies on one CoNLL++ split."""
    documents = read_documents(DATA / f"conllpp_{split}.txt")
    per_doc = [(doc, entity_rules.entities_for(doc.text, recogniser.recognise(doc.text)))
               for doc in documents]
    stories = Counter(e.key for _, found in per_doc for e in {x.key: x for x in found}.values())
    linked, every = Tally(), Tally()
    for doc, found in per_doc:
        gold_names = {(doc.text[a:b], t) for a, b, t in doc.gold}
        linked.gold += len(gold_names)
        every.gold += len(gold_names)
        hits_linked: set[tuple[str, str]] = set()
        hits_all: set[tuple[str, str]] = set()
        for e in found:
            kind = "place" if e.is_country else e.kind
            exact = {(doc.text[a:b], KIND_TO_TYPE[kind]) for a, b in e.mentions
                     if (a, b, KIND_TO_TYPE[kind]) in doc.gold}
            right = bool(exact)
            every.tp += right
            every.fp += not right
            hits_all |= exact
            if _linked(doc.text, e, stories[e.key]):
                linked.tp += right
                linked.fp += not right
                hits_linked |= exact
                if not right:
                    errors[f"FP {kind} {e.name!r}"] += 1
        linked.found += len(hits_linked)
        every.found += len(hits_all)
    return linked, every


def feed_stories() -> Iterable[tuple[str, str, dict[str, list[str]]]]:
    """(half, text, labels) of each labelled feed story."""
    from wiredesk.ingest.formats import parse_feed

    spec = json.loads(FIXTURE.read_text())
    feed = parse_feed((SHARED / "data" / spec["feed"]).read_bytes())
    items = {item.guid: item for item in feed.items}
    for story in spec["stories"]:
        item = items[story["guid"]]
        yield story["half"], html_to_text(item.content_html or item.summary_html), story["labels"]


def feeds(recogniser: ner.Recogniser, errors: Counter[str]) -> dict[str, tuple[Tally, Tally]]:
    out = {half: (Tally(), Tally()) for half in ("tune", "report")}
    unlabelled = 0
    for half, text, labels in feed_stories():
        linked, every = out[half]
        found = entity_rules.entities_for(text, recogniser.recognise(text))
        real = {name for name, kinds in labels.items() if kinds != ["none"]}
        linked.gold += len(real)
        every.gold += len(real)
        seen_linked: set[str] = set()
        for e in found:
            if e.is_country:
                continue  # countries are not in the labels (they are always linked)
            kinds = labels.get(e.name)
            if kinds is None:
                unlabelled += 1
                kinds = ["none"]  # strict: a name nobody labelled counts as wrong
            right = e.kind in kinds
            every.tp += right
            every.fp += not right
            if right:
                every.found += 1
            if _linked(text, e, 1):
                linked.tp += right
                linked.fp += not right
                if right and e.name not in seen_linked:
                    linked.found += 1
                    seen_linked.add(e.name)
                if not right:
                    errors[f"FP {e.kind} {e.name!r} ({half})"] += 1
    if unlabelled:
        print(f"  ({unlabelled} entities reported now were not in the labels: counted wrong)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", type=int, default=0, help="print the N commonest errors")
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    args = parser.parse_args()
    if not (SHARED / "data").is_dir():
        print(f"skipped: {SHARED / 'data'} is absent (evaluation data is kept outside the repo)")
        return 0
    recogniser = ner.build_recogniser()
    print(f"recogniser: {recogniser.name}")
    errors: Counter[str] = Counter()
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    if DATA.is_dir():
        for split in splits:
            linked, every = conll(recogniser, split, errors)
            print(f"\nCoNLL++ {split} ({'tuning' if split == 'dev' else 'report'})")
            print(linked.line("linked entities"))
            print(every.line("all entities (before)"))
    if FIXTURE.is_file():
        print("\nreal feed stories (The Guardian, 50 labelled)")
        for half, (linked, every) in feeds(recogniser, errors).items():
            print(linked.line(f"linked, {half} half"))
            print(every.line(f"all, {half} half"))
    for what, count in errors.most_common(args.errors):
        print(f"    {count:3d} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
