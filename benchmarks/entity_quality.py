"""Named-entity quality and speed: entity-level P/R/F1 on CoNLL++ dev and test, and stories/s.

    .venv/bin/python benchmarks/entity_quality.py                 # the project's recogniser
    .venv/bin/python benchmarks/entity_quality.py --raw           # the model alone (line by line)
    .venv/bin/python benchmarks/entity_quality.py --fallback      # the degraded fallback
    .venv/bin/python benchmarks/entity_quality.py --split dev --errors 40

Data: ``../shared/data/conllpp/conllpp_{dev,test}.txt`` (CoNLL++, Wang et al. 2019: CoNLL-2003
English with a corrected test set; Reuters text, evaluation only, never copied into the
repository). Read at run time; when the folder is absent the harness says so and exits 0. Override
the location with ``WIREDESK_SHARED``.

How a CoNLL document becomes a story: its sentences, one per line, tokens joined by spaces except
before closing punctuation and clitics ("Clinton 's" -> "Clinton's", "( Reuters )" ->
"(Reuters)"), so the recogniser sees text close to wire copy and its character offsets map back to
the gold tokens. The headline and dateline lines stay as they are (often ALL CAPS).

Scoring: exact span and type, micro-averaged over PER, ORG and LOC. Mapping of our kinds:
person -> PER, organisation -> ORG, place -> LOC. Gold MISC (nationalities, events, products...)
is excluded from the score: the recogniser does not report such entities, so a MISC gold span is
neither a miss nor, when the recogniser says nothing there, a false alarm; a mention the recogniser
*does* report over a MISC span counts as a false positive. A mention whose edges do not fall on
gold token boundaries ("New York" inside the token "New York-based") is a false positive.

Speed: the test documents concatenated and cut into stories of about 600 words at line breaks;
each story is recognised on its own, one after another, in this process (after one warm-up
story); the figure is stories per second and milliseconds per story, model load excluded.

Tuning: everything in the corrections layer was decided on dev only; test is reported as is.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from wiredesk.enrich import ner

SHARED = Path(os.environ.get("WIREDESK_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DATA = SHARED / "data" / "conllpp"
TYPES = ("PER", "ORG", "LOC")
KIND_TO_TYPE = {"person": "PER", "organisation": "ORG", "place": "LOC"}
NO_SPACE_BEFORE = frozenset({",", ".", ":", ";", ")", "]", "'s", "'S", "n't", "%", "?", "!"})
NO_SPACE_AFTER = frozenset({"(", "[", "$"})
STORY_WORDS = 600


@dataclass(frozen=True, slots=True)
class Document:
    """One CoNLL document as text, with gold spans as character offsets."""

    text: str
    gold: frozenset[tuple[int, int, str]]
    starts: frozenset[int]
    ends: frozenset[int]
    words: int


def read_documents(path: Path) -> list[Document]:
    """Parse a CoNLL 4-column IOB2 file into documents (split at -DOCSTART-)."""
    documents: list[list[list[tuple[str, str]]]] = []
    sentences: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("-DOCSTART-") or not raw.strip():
            if sentence:
                sentences.append(sentence)
                sentence = []
            if raw.startswith("-DOCSTART-") and sentences:
                documents.append(sentences)
                sentences = []
            continue
        parts = raw.split(" ")
        sentence.append((parts[0], parts[-1]))
    if sentence:
        sentences.append(sentence)
    if sentences:
        documents.append(sentences)
    return [_to_document(doc) for doc in documents]


def _to_document(sentences: list[list[tuple[str, str]]]) -> Document:
    text = ""
    starts: list[int] = []
    ends: list[int] = []
    gold: set[tuple[int, int, str]] = set()
    words = 0
    for sentence in sentences:
        if text:
            text += "\n"
        entity: tuple[int, str] | None = None
        previous = ""
        for index, (token, tag) in enumerate(sentence):
            if index and token not in NO_SPACE_BEFORE and previous not in NO_SPACE_AFTER:
                text += " "
            begin = len(text)
            text += token
            starts.append(begin)
            ends.append(len(text))
            words += 1
            previous = token
            if entity and not (tag.startswith("I-") and tag[2:] == entity[1]):
                gold.add((entity[0], ends[-2], entity[1]))
                entity = None
            if tag != "O" and entity is None:
                entity = (begin, tag[2:])
        if entity:
            gold.add((entity[0], ends[-1], entity[1]))
    return Document(
        text=text,
        gold=frozenset(g for g in gold if g[2] in TYPES),
        starts=frozenset(starts),
        ends=frozenset(ends),
        words=words,
    )


@dataclass
class Score:
    """True positives, false positives and false negatives per type."""

    tp: Counter[str]
    fp: Counter[str]
    fn: Counter[str]

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        """Precision, recall, F1 for one type, or micro over all types."""
        keys = TYPES if kind is None else (kind,)
        tp = sum(self.tp[k] for k in keys)
        fp = sum(self.fp[k] for k in keys)
        fn = sum(self.fn[k] for k in keys)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(
    recogniser: ner.Recogniser, documents: list[Document], errors: Counter[tuple[str, str, str]]
) -> Score:
    """Score ``recogniser`` on ``documents``; collect error strings into ``errors``."""
    score = Score(Counter(), Counter(), Counter())
    for doc in documents:
        predicted = {(m.start, m.end, KIND_TO_TYPE[m.kind]) for m in recogniser.recognise(doc.text)}
        for span in doc.gold:
            if span in predicted:
                score.tp[span[2]] += 1
            else:
                score.fn[span[2]] += 1
                errors["FN", span[2], doc.text[span[0] : span[1]]] += 1
        for span in predicted - doc.gold:
            score.fp[span[2]] += 1
            errors["FP", span[2], doc.text[span[0] : span[1]]] += 1
    return score


def stories(documents: list[Document], words: int = STORY_WORDS) -> list[str]:
    """The documents' lines regrouped into stories of about ``words`` words."""
    out: list[str] = []
    current: list[str] = []
    count = 0
    for doc in documents:
        for line in doc.text.split("\n"):
            current.append(line)
            count += len(line.split())
            if count >= words:
                out.append("\n".join(current))
                current, count = [], 0
    return out


def speed(recogniser: ner.Recogniser, texts: list[str]) -> tuple[float, float, float]:
    """(stories per second of wall time, CPU ms per story, mean words per story).

    The CPU time is the fairer figure on a shared machine: other work slows the wall clock.
    """
    recogniser.recognise(texts[0])
    began, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        recogniser.recognise(text)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    words = sum(len(t.split()) for t in texts) / len(texts)
    return len(texts) / elapsed, 1000 * cpu / len(texts), words


def build(args: argparse.Namespace) -> ner.Recogniser:
    """The recogniser the flags ask for."""
    if args.fallback:
        return ner.FallbackRecogniser()
    if args.raw:
        return ner.SpacyRecogniser(corrections=False)
    return ner.build_recogniser()


def main() -> int:
    """Print the figures; exit 0 with a message when the data is absent."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--raw", action="store_true", help="model output without corrections")
    parser.add_argument("--fallback", action="store_true", help="the degraded fallback")
    parser.add_argument("--errors", type=int, default=0, help="print the N commonest errors")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent (CoNLL++ is evaluation data kept outside the repo)")
        return 0
    logging.basicConfig(level=logging.WARNING)
    loaded = time.perf_counter()
    recogniser = build(args)
    load_seconds = time.perf_counter() - loaded
    print(f"recogniser: {recogniser.name}{'  [DEGRADED]' if recogniser.degraded else ''}")
    print(f"load: {load_seconds:.2f} s (includes model hash check and gazetteer)")
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    test_docs: list[Document] = []
    for split in splits:
        documents = read_documents(DATA / f"conllpp_{split}.txt")
        if split == "test":
            test_docs = documents
        errors: Counter[tuple[str, str, str]] = Counter()
        score = evaluate(recogniser, documents, errors)
        print(
            f"\n{split}: {len(documents)} documents, {sum(len(d.gold) for d in documents)} "
            "gold PER/ORG/LOC entities (MISC excluded)"
        )
        print(f"  {'type':<6}{'P':>7}{'R':>7}{'F1':>7}{'tp':>7}{'fp':>7}{'fn':>7}")
        for kind in (*TYPES, None):
            p, r, f = score.prf(kind)
            keys = TYPES if kind is None else (kind,)
            print(
                f"  {kind or 'micro':<6}{p:7.3f}{r:7.3f}{f:7.3f}"
                f"{sum(score.tp[k] for k in keys):7d}{sum(score.fp[k] for k in keys):7d}"
                f"{sum(score.fn[k] for k in keys):7d}"
            )
        for (what, kind, surface), count in errors.most_common(args.errors):
            print(f"    {count:3d} {what} {kind} {surface!r}")
    if not args.no_speed:
        texts = stories(test_docs or read_documents(DATA / "conllpp_test.txt"))
        rate, cpu_ms, mean_words = speed(recogniser, texts)
        print(
            f"\nspeed: {rate:.1f} stories/s ({1000 / rate:.1f} ms wall, {cpu_ms:.1f} ms CPU per "
            f"story), {len(texts)} stories of {mean_words:.0f} words on average, one at a time"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
