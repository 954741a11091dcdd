"""IPTC Media Topic quality on hand-labelled real stories: per-topic P/R/F1, macro-F1, stories/s.

    .venv/bin/python benchmarks/topic_quality.py               # dev and test figures
    .venv/bin/python benchmarks/topic_quality.py --errors dev  # list the dev stories it gets wrong
    .venv/bin/python benchmarks/topic_quality.py --show 17     # headline and text of label line 17

Data: the stories named in ``tests/fixtures/topics/labels.jsonl`` are read at run time from
``../shared/data/`` (override with ``WIREDESK_SHARED``); their texts may not be copied into the
repository. When that folder is absent the harness says so and exits 0. How the sample was drawn and
labelled, and the dev/test split, are in ``tests/fixtures/topics/README.md``.

Scoring, over the 17 top-level topics only:

- gold: the 1-3 top-level topics of a label line; predicted: the distinct top-level topics of
  :func:`wiredesk.enrich.topics.classify` for the story's headline and text, *without* the source's
  subject codes (most sources send none, and the point is to measure the text classifier; the
  agency items that do carry codes are scored with them separately, as a check of the mapping);
- per topic: precision, recall and F1 from true/false positives and false negatives summed over the
  stories (a multi-label count: a story with two gold topics contributes to both);
- macro-F1: the unweighted mean of the per-topic F1 over the topics with at least one gold example
  in that half. A topic with no gold example in a half has no recall to measure; it is left out of
  that half's mean and listed, with its false positives, so a spurious prediction is still visible.
  Micro-F1 and the main-topic accuracy (the first predicted topic is among the gold topics) are
  printed too.

Speed: stories per second of ``classify`` over all loaded stories, best of three passes.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wiredesk.enrich import topics

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WIREDESK_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data"
LABELS = ROOT / "tests" / "fixtures" / "topics" / "labels.jsonl"

NO_SPACE_BEFORE = frozenset({",", ".", ":", ";", ")", "]", "'s", "'S", "n't", "%", "?", "!"})
NO_SPACE_AFTER = frozenset({"(", "[", "$"})


@dataclass(frozen=True, slots=True)
class Story:
    """One story as the classifier sees it, with the source's subject codes kept apart."""

    headline: str
    text: str
    subjects: tuple[str, ...] = ()


# --- reading the sources -------------------------------------------------------------------------


def _detokenise(tokens: list[str]) -> str:
    out = ""
    previous = ""
    for index, token in enumerate(tokens):
        if index and token not in NO_SPACE_BEFORE and previous not in NO_SPACE_AFTER:
            out += " "
        out += token
        previous = token
    return out


_cache: dict[str, Any] = {}


def _jsonl(path: Path) -> list[dict[str, Any]]:
    key = str(path)
    if key not in _cache:
        with path.open(encoding="utf-8") as handle:
            _cache[key] = [json.loads(line) for line in handle if line.strip()]
    rows: list[dict[str, Any]] = _cache[key]
    return rows


def conll_documents(path: Path) -> list[list[str]]:
    """A CoNLL file as documents, each a list of detokenised sentences."""
    key = str(path)
    if key in _cache:
        cached: list[list[str]] = _cache[key]
        return cached
    documents: list[list[str]] = []
    sentences: list[str] = []
    tokens: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("-DOCSTART-") or not raw.strip():
            if tokens:
                sentences.append(_detokenise(tokens))
                tokens = []
            if raw.startswith("-DOCSTART-") and sentences:
                documents.append(sentences)
                sentences = []
            continue
        tokens.append(raw.split(" ")[0])
    if tokens:
        sentences.append(_detokenise(tokens))
    if sentences:
        documents.append(sentences)
    _cache[key] = documents
    return documents


def gum_story(path: Path) -> Story:
    """A GUM news XML file: the title attribute and the first column of its token lines."""
    raw = path.read_text(encoding="utf-8")
    title_match = re.search(r'title="([^"]*)"', raw)
    title = html.unescape(title_match.group(1)) if title_match else ""
    body = raw.split("</head>", 1)[-1]
    paragraphs: list[str] = []
    tokens: list[str] = []
    for line in body.splitlines():
        if line.startswith("<"):
            if line.startswith(("</p>", "</head>", "</s>")) and tokens:
                paragraphs.append(_detokenise(tokens))
                tokens = []
            continue
        tokens.append(html.unescape(line.split("\t", 1)[0]))
    if tokens:
        paragraphs.append(_detokenise(tokens))
    return Story(title, "\n".join(paragraphs))


def _plain(markup: str) -> str:
    text = re.sub(r"<(?:br|/p|/div|/li|/h\d)[^>]*>", "\n", markup, flags=re.IGNORECASE)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def feed_items(path: Path) -> list[tuple[str, Story]]:
    """A feed or agency file through the project's own parsers: (guid, story) per item."""
    from wiredesk.ingest.formats import parse_feed

    key = str(path)
    if key not in _cache:
        parsed = parse_feed(path.read_bytes())
        _cache[key] = [
            (
                item.guid,
                Story(
                    item.title,
                    _plain(item.content_html or item.summary_html),
                    tuple(s.code for s in item.wire.subjects if s.code),
                ),
            )
            for item in parsed.items
        ]
    items: list[tuple[str, Story]] = _cache[key]
    return items


def load(label: dict[str, Any]) -> Story:
    """The story a label line refers to; raises ``LookupError`` when it no longer matches."""
    source = label["source"]
    ref = label["ref"]
    path = DATA / source
    if source.endswith("ggt_quotes_dev.jsonl"):
        row = _jsonl(path)[ref["line"]]
        if row["_id"] != ref["id"]:
            raise LookupError(f"{source} line {ref['line']} is not {ref['id']}")
        return Story("", row["articleBodyText"].replace("\n .\n", "\n"))
    if source.endswith("ecbplus_dev.jsonl"):
        row = _jsonl(path)[ref["line"]]
        if row["doc_name"] != ref["id"]:
            raise LookupError(f"{source} line {ref['line']} is not {ref['id']}")
        head, _, rest = row["text"].strip().partition("\n")
        return Story(head, rest)
    if source.startswith("conllpp/"):
        sentences = conll_documents(path)[ref["doc"]]
        return Story(sentences[0], "\n".join(sentences[1:]))
    if source.startswith("gum-news/"):
        return gum_story(path)
    guid, story = feed_items(path)[ref["index"]]
    if guid != ref.get("guid", guid):
        raise LookupError(f"{source} item {ref['index']} is not {ref['guid']}")
    return story


# --- the sample ----------------------------------------------------------------------------------

AGENCY_MIN_WORDS = 40


def _english(story: Story, language: str) -> bool:
    if language:
        return language.lower().startswith("en")
    words = re.findall(r"[a-z]+", story.text.lower())
    common = sum(
        w in {"the", "and", "of", "to", "in", "a", "is", "for", "on", "said"} for w in words
    )
    return bool(words) and common / len(words) > 0.12


def draw_sample() -> list[dict[str, Any]]:
    """The sample's references, drawn by the fixed rules in the fixtures' README (no texts)."""
    from wiredesk.ingest.formats import parse_feed

    refs: list[dict[str, Any]] = []

    def add(source: str, ref: dict[str, Any], story: Story) -> None:
        words = (story.headline or story.text).split()[:8]
        refs.append({"source": source, "ref": ref, "check": " ".join(words)})

    source = "ggt-quotes-dev/ggt_quotes_dev.jsonl"
    for line, row in enumerate(_jsonl(DATA / source)):
        if len(row["articleBodyText"].split()) >= AGENCY_MIN_WORDS:  # one row has no text
            add(source, {"line": line, "id": row["_id"]}, Story("", row["articleBodyText"]))
    for path in sorted((DATA / "gum-news" / "xml").glob("GUM_news_*.xml")):
        add(str(path.relative_to(DATA)), {}, gum_story(path))
    source = "ecbplus-dev/ecbplus_dev.jsonl"
    for line, row in enumerate(_jsonl(DATA / source)):
        if line % 10 == 0:
            add(source, {"line": line, "id": row["doc_name"]}, Story(row["text"], ""))
    source = "conllpp/conllpp_test.txt"
    for doc, sentences in enumerate(conll_documents(DATA / source)):
        if doc % 4 == 0:
            add(source, {"doc": doc}, Story(sentences[0], ""))
    source = "feeds/rss-parser/guardian.rss"
    for index, (guid, story) in enumerate(feed_items(DATA / source)):
        add(source, {"index": index, "guid": guid}, story)
    seen: set[str] = set()
    for path in sorted((DATA / "wire-agency" / "superdesk-core").iterdir()):
        try:
            parsed = parse_feed(path.read_bytes())
        except Exception:  # not a feed or an item: not part of the sample
            continue
        for index, (guid, story) in enumerate(feed_items(path)):
            item = parsed.items[index]
            if len(story.text.split()) < AGENCY_MIN_WORDS or not _english(story, item.language):
                continue
            # Test copies of one item under other headlines count once.
            opening = " ".join(story.text.split()[:30])
            if opening in seen:
                continue
            seen.add(opening)
            add(str(path.relative_to(DATA)), {"index": index, "guid": guid}, story)
    return refs


# --- scoring -------------------------------------------------------------------------------------

SHORT = {qcode: name for name, qcode in topics.NAMES.items()}


@dataclass
class Tally:
    """Multi-label counts per top-level topic, plus story-level figures."""

    tp: Counter[str]
    fp: Counter[str]
    fn: Counter[str]
    stories: int = 0
    main_hits: int = 0
    exact: int = 0

    def add(self, gold: list[str], predicted: list[str]) -> None:
        """Count one story (topic lists in short names, best first)."""
        self.stories += 1
        wanted, got = set(gold), set(predicted)
        for name in got & wanted:
            self.tp[name] += 1
        for name in got - wanted:
            self.fp[name] += 1
        for name in wanted - got:
            self.fn[name] += 1
        self.main_hits += bool(predicted) and predicted[0] in wanted
        self.exact += wanted == got

    def prf(self, name: str) -> tuple[float, float, float]:
        """Precision, recall and F1 of one topic (0 where undefined)."""
        tp, fp, fn = self.tp[name], self.fp[name], self.fn[name]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def macro_f1(self) -> tuple[float, list[str]]:
        """Mean F1 over topics with gold examples, and the topics left out for having none."""
        present = [n for n in topics.NAMES if self.tp[n] + self.fn[n]]
        absent = [n for n in topics.NAMES if n not in present]
        return sum(self.prf(n)[2] for n in present) / len(present), absent

    def micro_f1(self) -> float:
        """F1 over all topic decisions pooled."""
        tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def predict(story: Story, with_subjects: bool = False) -> list[str]:
    """The short names of the topics ``classify`` gives the story, best first."""
    subjects = story.subjects if with_subjects else ()
    found = topics.classify(story.headline, story.text, subjects)
    return [SHORT[t.qcode] for t in found]


def report(title: str, tally: Tally) -> None:
    """Print one half's per-topic table and summary figures."""
    macro, absent = tally.macro_f1()
    print(f"\n== {title}: {tally.stories} stories")
    print(f"{'topic':<12} {'gold':>4} {'pred':>4} {'P':>6} {'R':>6} {'F1':>6}")
    for name in topics.NAMES:
        gold = tally.tp[name] + tally.fn[name]
        pred = tally.tp[name] + tally.fp[name]
        p, r, f = tally.prf(name)
        note = "" if gold else "  (no gold: not in macro-F1)"
        print(f"{name:<12} {gold:>4} {pred:>4} {p:>6.3f} {r:>6.3f} {f:>6.3f}{note}")
    print(
        f"macro-F1 {macro:.3f} over {17 - len(absent)} topics"
        f"{' (without ' + ', '.join(absent) + ')' if absent else ''}; "
        f"micro-F1 {tally.micro_f1():.3f}; main topic right {tally.main_hits / tally.stories:.3f}; "
        f"exact set {tally.exact / tally.stories:.3f}"
    )


def main() -> int:
    """Score dev and test halves; print per-topic figures, macro-F1 and speed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--errors", choices=("dev", "test"), help="list that half's mistakes")
    parser.add_argument("--show", type=int, metavar="N", help="print label line N's story")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent (the labelled stories are read from there)")
        return 0
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line]
    if args.show is not None:
        story = load(labels[args.show])
        print(json.dumps(labels[args.show], ensure_ascii=False))
        print(f"HEADLINE: {story.headline}\nSUBJECTS: {story.subjects}\n\n{story.text}")
        print(
            "\nscores:",
            {
                k: round(v, 1)
                for k, v in topics.text_scores(story.headline, story.text).items()
                if v
            },
        )
        return 0
    stories: list[tuple[dict[str, Any], Story]] = []
    for label in labels:
        try:
            stories.append((label, load(label)))
        except (LookupError, OSError, IndexError, KeyError) as error:
            print(f"label line {label['n']}: cannot load ({error}); skipped", file=sys.stderr)
    tallies = {
        "dev": Tally(Counter(), Counter(), Counter()),
        "test": Tally(Counter(), Counter(), Counter()),
    }
    for label, story in stories:
        predicted = predict(story)
        tallies[label["split"]].add(label["names"], predicted)
        if args.errors == label["split"] and set(predicted) != set(label["names"]):
            print(f"[{label['n']}] gold {label['names']} got {predicted}: {label['check']}")
    for split in ("dev", "test"):
        report(f"{split} half (text only)", tallies[split])
    coded = [(label, story) for label, story in stories if story.subjects]
    if coded:
        with_codes = Tally(Counter(), Counter(), Counter())
        text_only = Tally(Counter(), Counter(), Counter())
        for label, story in coded:
            with_codes.add(label["names"], predict(story, with_subjects=True))
            text_only.add(label["names"], predict(story))
        print(
            f"\nagency items with subject codes ({len(coded)}, both halves): micro-F1 "
            f"{with_codes.micro_f1():.3f} with the codes, {text_only.micro_f1():.3f} text only"
        )
    texts = [(story.headline, story.text) for _, story in stories]
    words = sum(len(h.split()) + len(t.split()) for h, t in texts)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for headline, text in texts:
            topics.classify(headline, text)
        best = min(best, time.perf_counter() - start)
    print(
        f"\nspeed: {len(texts) / best:,.0f} stories/s ({1000 * best / len(texts):.3f} ms a story, "
        f"{words / len(texts):.0f} words on average), best of 3 passes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
