"""Duplicate detection quality (precision, recall) on labelled pairs, and cost as the index grows.

    .venv/bin/python benchmarks/dedupe_quality.py                 # quality + cost (1k/10k/100k)
    .venv/bin/python benchmarks/dedupe_quality.py --sizes 1000,10000   # a quicker cost run
    .venv/bin/python benchmarks/dedupe_quality.py --no-cost --verbose   # list every error
    .venv/bin/python benchmarks/dedupe_quality.py --measure       # shingle size, num_perm, LSH
    .venv/bin/python benchmarks/dedupe_quality.py --tune          # threshold grid on dev only

**Labelled pairs.** The self-written set (tests/fixtures/dedupe/stories/, always present) has a
``dev`` split, the only data anything was tuned on, and a held-out ``test`` split. Every pair of
documents in a split is labelled: same ``family`` = the same story (duplicate), otherwise not. The
real-copy set reads agency items from ``../shared/data/wire-agency/`` (skipped with a message when
that folder is absent) as listed in tests/fixtures/dedupe/real_pairs.json: natural duplicates,
copies derived from real items by the same operations as the self-written set, and every other
pair as a negative. Real pairs are scored as if both items arrived in the same hour, so the time
window cannot help. See tests/fixtures/dedupe/README.md for how the labels were made.

A pair counts as *predicted* duplicate when the later document, looked up in an index holding all
documents of the set, gets the earlier one back as a verified match -- LSH candidate generation,
exact and lead buckets and verification, exactly as in production. The *stream* figures replay the
documents in time order through the index and :func:`~wiredesk.dedupe.decide.decide`: a decision
is right when it joins a story of the same family, or says NEW when the family is new.

**Cost.** Synthetic filler documents (Zipf-distributed words, 3% near-copies of recent ones) go
through the production path (lookup, decision, add), all inside one time window (the worst case:
nothing expires). At each size the next 300 additions are timed, with the candidates each lookup
examined. Memory is the traced size of an index rebuilt from the stored fingerprints at that size,
divided by its documents (the fingerprints, stored anyway, are counted apart); the rebuild is timed
too. Fingerprinting is reported apart: it does not depend on the corpus.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the labelled set's loader lives with the tests

from tests.dedupe.labelled import (  # noqa: E402
    FIXTURES,
    Document,
    Draft,
    Pair,
    apply_op,
    load_documents,
    pairs,
    render,
)

from wiredesk.core.errors import ParseError  # noqa: E402
from wiredesk.core.text import html_to_text  # noqa: E402
from wiredesk.dedupe import (  # noqa: E402
    DocMeta,
    Fingerprint,
    FingerprintConfig,
    Fingerprinter,
    IndexConfig,
    MatchRules,
    NearDuplicateIndex,
    NewItem,
    Outcome,
    Policy,
    Scores,
    Side,
    decide,
    parse_headline,
    score,
    verify,
)
from wiredesk.ingest.formats import parse_feed  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "wire-agency"
REAL_PAIRS = FIXTURES / "real_pairs.json"
SAME_HOUR = datetime(2026, 1, 1, 12, tzinfo=UTC)

# The duplicate policy of each fixture source (see decide.Policy).
POLICIES = {
    "northwire-world": Policy.MERGE,  # the agency's own second feed: same copy, one story
    "capital-press-world": Policy.MERGE,
}


# ============================================================================== evaluation

@dataclass(frozen=True, slots=True)
class PairResult:
    pair: Pair
    predicted: bool
    scores: Scores
    rule: str


@dataclass(frozen=True, slots=True)
class Figures:
    precision: float
    recall: float
    true_positives: int
    false_positives: int
    false_negatives: int
    negatives: int


class Evaluator:
    """Fingerprints a set of documents once and answers pair and stream questions about it."""

    def __init__(self, documents: list[Document], fingerprinter: Fingerprinter,
                 config: IndexConfig, same_hour: bool = False) -> None:
        self.documents = documents
        self.config = config
        self.same_hour = same_hour
        self.fingerprints = {d.id: fingerprinter.fingerprint(d.text) for d in documents}
        self.headlines = {d.id: parse_headline(d.headline) for d in documents}

    def time(self, document: Document) -> datetime:
        return SAME_HOUR if self.same_hour else document.time

    def meta(self, document: Document, story_id: str) -> DocMeta:
        return DocMeta(story_id, document.source, self.time(document),
                       self.headlines[document.id])

    def side(self, document: Document) -> Side:
        return Side(self.fingerprints[document.id], self.headlines[document.id],
                    self.time(document))

    def pair_results(self, pair_list: list[Pair]) -> list[PairResult]:
        index = NearDuplicateIndex(self.config)
        for document in self.documents:
            index.add(document.id, self.fingerprints[document.id], self.meta(document, document.id))
        matched: dict[str, set[str]] = {}
        for document in self.documents:
            found = index.matches(self.fingerprints[document.id], self.meta(document, document.id))
            matched[document.id] = {m.doc_id for m in found if m.doc_id != document.id}
        results = []
        for pair in pair_list:
            scores = score(self.side(pair.second), self.side(pair.first))
            verdict = verify(scores, self.config.rules)
            predicted = pair.first.id in matched[pair.second.id]
            rule = verdict.rule if predicted or not verdict.accepted else "lsh-missed"
            results.append(PairResult(pair, predicted, scores, rule))
        return results

    def stream(self) -> Figures:
        """Replay in time order through the index and decide(); see the module docstring."""
        index = NearDuplicateIndex(self.config)
        story_family: dict[str, str] = {}
        seen: set[str] = set()
        tp = fp = fn = negatives = 0
        for document in sorted(self.documents, key=lambda d: (d.time, d.id)):
            fingerprint = self.fingerprints[document.id]
            item = NewItem(document.source, self.headlines[document.id], self.time(document))
            matches = index.matches(fingerprint, self.meta(document, ""))
            policy = POLICIES.get(document.source, Policy.ALSO_REPORTED)
            decision = decide(item, matches, policy)
            joined = decision.outcome in (Outcome.SAME_STORY_NEW_VERSION, Outcome.SYNDICATED_COPY)
            if joined and decision.story_id is not None:
                story = decision.story_id
                tp, fp = (tp + 1, fp) if story_family[story] == document.family else (tp, fp + 1)
            else:
                story = document.id
                story_family[story] = document.family
                fn, negatives = (fn + 1, negatives) if document.family in seen else (
                    fn, negatives + 1)
            seen.add(document.family)
            index.add(document.id, fingerprint, self.meta(document, story))
        return _figures(tp, fp, fn, negatives)


def _figures(tp: int, fp: int, fn: int, negatives: int) -> Figures:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Figures(precision, recall, tp, fp, fn, negatives)


def pair_figures(results: list[PairResult]) -> Figures:
    tp = sum(r.predicted and r.pair.duplicate for r in results)
    fp = sum(r.predicted and not r.pair.duplicate for r in results)
    fn = sum(not r.predicted and r.pair.duplicate for r in results)
    return _figures(tp, fp, fn, sum(not r.pair.duplicate for r in results))


def report(name: str, evaluator: Evaluator, pair_list: list[Pair], verbose: bool) -> Figures:
    results = evaluator.pair_results(pair_list)
    figures = pair_figures(results)
    hard = sum(not r.pair.duplicate and r.pair.kind == "same-topic" for r in results)
    print(f"\n{name}: {len(evaluator.documents)} documents, {len(results)} pairs "
          f"({figures.true_positives + figures.false_negatives} duplicate, {figures.negatives} "
          f"not, {hard} of them same-topic)")
    print(f"  pairs:  precision {figures.precision:.3f}  recall {figures.recall:.3f}  "
          f"(TP {figures.true_positives}, FP {figures.false_positives}, "
          f"FN {figures.false_negatives})")
    stream = evaluator.stream()
    print(f"  stream: precision {stream.precision:.3f}  recall {stream.recall:.3f}  "
          f"(joined right {stream.true_positives}, joined wrong {stream.false_positives}, "
          f"missed {stream.false_negatives}, new stories {stream.negatives})")
    print_by_kind(results)
    print_errors(results, verbose)
    return figures


def print_by_kind(results: list[PairResult]) -> None:
    by_kind: dict[str, list[PairResult]] = defaultdict(list)
    for result in results:
        if result.pair.duplicate:
            by_kind[result.pair.kind].append(result)
    cells = [f"{kind} {sum(r.predicted for r in rs)}/{len(rs)}"
             for kind, rs in sorted(by_kind.items())]
    print("  recall by kind: " + ", ".join(cells))


def print_errors(results: list[PairResult], verbose: bool) -> None:
    errors = [r for r in results if r.predicted != r.pair.duplicate]
    if not errors:
        return
    shown = errors if verbose else errors[:8]
    print(f"  errors ({len(errors)}{'' if verbose else ', first 8; --verbose for all'}):")
    for result in shown:
        s = result.scores
        label = "FP" if result.predicted else "FN"
        print(f"    {label} {result.pair.kind:22} {result.pair.second.id} ~ {result.pair.first.id}"
              f"  containment {s.containment:.2f} jaccard {s.jaccard:.2f} headline "
              f"{s.headline:.2f} [{result.rule}]")


# ============================================================================== real copy

@dataclass(frozen=True, slots=True)
class RealItem:
    headline: str
    text: str


def real_items() -> dict[str, RealItem]:
    """Every readable text item of the wire-agency corpus, by reference ``folder/file#n``."""
    items: dict[str, RealItem] = {}
    for path in sorted(SHARED.rglob("*")):
        if path.is_file():
            for position, item in enumerate(_read_any(path)):
                items[f"{path.relative_to(SHARED)}#{position}"] = item
    return items


def _read_any(path: Path) -> list[RealItem]:
    data = path.read_bytes()
    if path.suffix == ".tst":
        return [read_anpa(data)]
    if b"<NewsML" in data[:2000]:
        return read_newsml12(data)
    try:
        feed = parse_feed(data)
    except ParseError:
        return []
    return [RealItem(i.title, html_to_text(i.content_html or i.summary_html)) for i in feed.items
            if i.wire.item_type == "text"]


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def read_anpa(data: bytes) -> RealItem:
    """AP ANPA-1312, just enough for evaluation: the headline line and the text lines."""
    lines = [_CONTROL.sub("", line) for line in data.decode("latin-1").splitlines()]
    caret = [line[1:].rstrip(" <=") for line in lines if line.startswith("^")]
    headline = next((line for line in caret[1:] if line.strip()), "")
    rest = caret[caret.index(headline) + 1:] if headline in caret else []
    body = [line.strip().rstrip("<").strip() for line in lines if line.startswith("\t")]
    return RealItem(headline, "\n\n".join(p for p in [*rest, *body] if p))


def read_newsml12(data: bytes) -> list[RealItem]:
    """AFP NewsML 1.2, just enough for evaluation: HeadLine and the paragraphs of the text."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    headline = root.find(".//NewsLines/HeadLine")
    text = next((item for item in root.iter("ContentItem") if _is_text(item)), None)
    paragraphs = [] if text is None else [_text_of(p) for p in text.iter("p")]
    return [RealItem(_text_of(headline) if headline is not None else "",
                     "\n\n".join(p for p in paragraphs if p))]


def _is_text(content_item: etree._Element) -> bool:
    media_type = content_item.find("MediaType")
    return media_type is not None and media_type.get("FormalName") == "Text"


def _text_of(element: etree._Element) -> str:
    return " ".join("".join(str(t) for t in element.itertext()).split())


def real_documents() -> tuple[list[Document], list[tuple[str, str, str]]] | None:
    """The real-copy documents with families from real_pairs.json, and its hard negatives."""
    if not SHARED.is_dir():
        return None
    spec = json.loads(REAL_PAIRS.read_text(encoding="utf-8"))
    items = real_items()
    family = _families(spec["items"], spec["same_story"])
    documents = [_real_document(ref, items[ref], family[ref], "original") for ref in spec["items"]]
    for derived in spec["derived"]:
        documents.append(_derived_document(derived, items[derived["from"]], family))
    return documents, [tuple(n) for n in spec["hard_negatives"]]


def _families(refs: list[str], same_story: list[list[str]]) -> dict[str, str]:
    family = {ref: ref for ref in refs}
    for first, second, _note in same_story:
        old, new = family[second], family[first]
        family = {ref: new if f == old else f for ref, f in family.items()}
    return family


def _real_document(ref: str, item: RealItem, family: str, kind: str) -> Document:
    # Each real story is its own "topic": the hard negatives are listed and reported apart.
    return Document(ref, family, kind, "agency", SAME_HOUR, item.headline, item.text, family,
                    "real")


def _derived_document(spec: dict[str, object], item: RealItem, family: dict[str, str]
                      ) -> Document:
    base = str(spec["from"])
    draft = Draft(item.text.split("\n\n"), "", item.headline, "agency")
    for op in spec["ops"]:  # type: ignore[attr-defined]
        apply_op(draft, str(op))
    source = str(spec.get("source", "harbor-daily"))
    return Document(str(spec["id"]), family[base], str(spec["kind"]), source, SAME_HOUR,
                    draft.headline, render(draft, source, str(spec["id"])), family[base], "real")


def report_real(fingerprinter: Fingerprinter, config: IndexConfig, verbose: bool) -> None:
    loaded = real_documents()
    if loaded is None:
        print(f"\nreal copy: skipped, {SHARED} is absent (a fresh clone has no ../shared)")
        return
    documents, hard_negatives = loaded
    evaluator = Evaluator(documents, fingerprinter, config, same_hour=True)
    report("real copy (wire-agency, held out)", evaluator, pairs(documents), verbose)
    by_id = {d.id: d for d in documents}
    hard = [Pair(by_id[a], by_id[b]) for a, b, _ in hard_negatives]
    wrong = [r for r in evaluator.pair_results(hard) if r.predicted]
    print(f"  listed hard negatives: {len(hard) - len(wrong)}/{len(hard)} kept apart")


# ============================================================================== measure, tune

def measure(documents: list[Document]) -> None:
    """The measurements behind shingle size, num_perm and the LSH threshold (dev only)."""
    pair_list = [p for p in pairs(documents) if p.duplicate or p.kind == "same-topic"]
    print("\nshingle size (dev): containment of duplicates vs. same-topic negatives")
    for size in (3, 4, 5):
        fingerprinter = Fingerprinter(FingerprintConfig(shingle_size=size))
        fps = {d.id: fingerprinter.fingerprint(d.text) for d in documents}
        positives, negatives = _containments(pair_list, fps)
        auc = _auc(positives, negatives)
        top = max(negatives)
        below = sum(p <= top for p in positives)
        print(f"  k={size}: AUC {auc:.4f}, highest negative {top:.2f}, duplicates at or below "
              f"it {below}/{len(positives)}, median duplicate {statistics.median(positives):.2f}"
              f", mean negative {statistics.mean(negatives):.3f}")
    print("\nnum_perm and LSH threshold (dev): duplicate pairs found as candidates, cost")
    for num_perm, threshold in ((64, 0.3), (128, 0.2), (128, 0.3), (128, 0.4), (128, 0.5),
                                (256, 0.3)):
        _measure_lsh(documents, pair_list, num_perm, threshold)


def _containments(pair_list: list[Pair], fps: dict[str, Fingerprint]
                  ) -> tuple[list[float], list[float]]:
    from wiredesk.dedupe.similarity import containment
    positives = [containment(fps[p.first.id], fps[p.second.id]) for p in pair_list if p.duplicate]
    negatives = [containment(fps[p.first.id], fps[p.second.id]) for p in pair_list
                 if not p.duplicate]
    return positives, negatives


def _auc(positives: list[float], negatives: list[float]) -> float:
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def _measure_lsh(documents: list[Document], pair_list: list[Pair], num_perm: int,
                 threshold: float) -> None:
    fingerprinter = Fingerprinter(FingerprintConfig(num_perm=num_perm))
    config = IndexConfig(num_perm=num_perm, lsh_threshold=threshold)
    fps = {d.id: fingerprinter.fingerprint(d.text) for d in documents}
    index = NearDuplicateIndex(config)
    lsh_only = NearDuplicateIndex(config)
    for d in documents:
        meta = DocMeta(d.id, d.source, d.time, parse_headline(d.headline))
        index.add(d.id, fps[d.id], meta)
        lsh_only.add(d.id, replace(fps[d.id], exact_hash="", lead_key=""), meta)
    positives = [p for p in pair_list if p.duplicate]
    found = sum(p.first.id in index.candidates(fps[p.second.id]) for p in positives)
    lsh_found = sum(p.first.id in lsh_only.candidates(replace(fps[p.second.id], exact_hash="",
                                                              lead_key="")) for p in positives)
    per_query = statistics.mean(len(index.candidates(fps[d.id])) - 1 for d in documents)
    errors = [abs(_estimated(fps, p) - _exact_jaccard(fps, p)) for p in pair_list]
    bands, rows = index.bands
    print(f"  num_perm {num_perm:3d}, threshold {threshold:.1f} ({bands:2d} bands x {rows} rows):"
          f" candidates {found}/{len(positives)} (LSH alone {lsh_found}), "
          f"{per_query:.1f} per lookup, mean |jaccard error| {statistics.mean(errors):.3f}")


def _estimated(fps: dict[str, Fingerprint], pair: Pair) -> float:
    from wiredesk.dedupe.similarity import jaccard_estimate
    return jaccard_estimate(fps[pair.first.id], fps[pair.second.id])


def _exact_jaccard(fps: dict[str, Fingerprint], pair: Pair) -> float:
    a, b = fps[pair.first.id].shingles, fps[pair.second.id].shingles
    union = np.union1d(a, b).size
    return np.intersect1d(a, b).size / union if union else 0.0


def tune(documents: list[Document], fingerprinter: Fingerprinter) -> None:
    """A grid over the verification thresholds on dev: the settings that keep dev precision at 1
    with the best recall, summarised per near-copy threshold (pick the middle of the plateau,
    not an edge)."""
    evaluator = Evaluator(documents, fingerprinter, IndexConfig())
    candidate_pairs = _candidate_pairs(evaluator)
    grid = _grid()
    scored = [(_figures_for(candidate_pairs, rules), rules) for rules in grid]
    top = max(f.recall for f, _ in scored if f.precision == 1.0)
    plateau = [rules for f, rules in scored if f.precision == 1.0 and f.recall == top]
    print(f"\ntune (dev only, {len(grid)} settings): best recall {top:.3f} at precision 1.000 "
          f"for {len(plateau)} settings:")
    by_copy: dict[float, list[MatchRules]] = defaultdict(list)
    for rules in plateau:
        by_copy[rules.copy_containment].append(rules)
    for copy, group in sorted(by_copy.items()):
        versions = sorted({r.version_containment for r in group})
        print(f"  copy_containment {copy:.2f}: version_containment {versions[0]:.2f}.."
              f"{versions[-1]:.2f}, " + ", ".join(
                  f"at {v:.2f} version_headline "
                  f"{min(r.version_headline for r in group if r.version_containment == v):.2f}.."
                  f"{max(r.version_headline for r in group if r.version_containment == v):.2f}"
                  for v in versions))
    defaults = MatchRules()
    chosen = _figures_for(candidate_pairs, defaults)
    print(f"  defaults {defaults}: precision {chosen.precision:.3f}, recall {chosen.recall:.3f}")


def _candidate_pairs(evaluator: Evaluator) -> list[tuple[Pair, Scores, bool]]:
    """Pairs the index proposes (bucket or LSH candidates) with their scores; others can never
    match whatever the thresholds."""
    index = NearDuplicateIndex(evaluator.config)
    for d in evaluator.documents:
        index.add(d.id, evaluator.fingerprints[d.id], evaluator.meta(d, d.id))
    result = []
    for pair in pairs(evaluator.documents):
        proposed = pair.first.id in index.candidates(evaluator.fingerprints[pair.second.id])
        scores = score(evaluator.side(pair.second), evaluator.side(pair.first))
        result.append((pair, scores, proposed))
    return result


def _figures_for(candidate_pairs: list[tuple[Pair, Scores, bool]], rules: MatchRules
                 ) -> Figures:
    tp = fp = fn = negatives = 0
    for pair, scores, proposed in candidate_pairs:
        predicted = proposed and verify(scores, rules).accepted
        tp += predicted and pair.duplicate
        fp += predicted and not pair.duplicate
        fn += not predicted and pair.duplicate
        negatives += not pair.duplicate
    return _figures(tp, fp, fn, negatives)


def _grid() -> list[MatchRules]:
    steps = [round(x * 0.05, 2) for x in range(4, 19)]  # 0.20 .. 0.90
    return [MatchRules(copy_containment=copy, version_containment=version,
                       version_headline=headline)
            for copy, version, headline in itertools.product(steps, steps, steps)
            if version <= copy]


# ============================================================================== cost

def filler_tokens(rng: random.Random, vocabulary: list[str], cumulative: list[float],
                  earlier: list[list[str]]) -> list[str]:
    """A synthetic story: Zipf-distributed words; 3% are near-copies (truncations or re-leads)
    of an earlier one, so verification has real work to do."""
    if earlier and rng.random() < 0.03:
        base = rng.choice(earlier)
        if rng.random() < 0.5:
            return base[: int(len(base) * 0.6)]
        return rng.choices(vocabulary, cum_weights=cumulative, k=40) + base[40:]
    return rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(250, 450))


@dataclass(frozen=True, slots=True)
class Stored:
    """What the newsroom would store per document to rebuild the index."""

    doc_id: str
    fingerprint: Fingerprint
    meta: DocMeta


def cost(sizes: list[int], probes: int = 300) -> None:
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(30_000)]
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.1
                                           for rank in range(len(vocabulary))))
    fingerprinter = Fingerprinter()
    index = NearDuplicateIndex()
    recent: list[list[str]] = []
    stored: list[Stored] = []
    timings: list[tuple[float, float]] = []
    rows: list[tuple[float, float]] = []  # (seconds, index bytes) per added document, per size
    fingerprint_seconds = 0.0
    for size in sizes:
        while len(stored) < size + probes:
            tokens = filler_tokens(rng, vocabulary, cumulative, recent)
            _remember(recent, tokens)
            t0 = time.perf_counter()
            fingerprint = fingerprinter.from_tokens(tokens)
            fingerprint_seconds += time.perf_counter() - t0
            examined = index.stats.candidates
            t0 = time.perf_counter()
            stored.append(_ingest(index, f"d{len(stored)}", fingerprint, len(stored)))
            if len(stored) > size:  # the probe batch: documents added at this size
                timings.append((time.perf_counter() - t0, index.stats.candidates - examined))
        batch = timings[-probes:]
        seconds = statistics.mean(t for t, _ in batch)
        candidates = statistics.mean(c for _, c in batch)
        index_bytes, rebuild = _memory(stored[:size])
        fingerprint_bytes = statistics.mean(_fingerprint_bytes(s.fingerprint)
                                            for s in stored[:1000])
        print(f"  {size:>7,} documents: {seconds * 1e3:.3f} ms per added document "
              f"({candidates:.2f} candidates examined per lookup); memory {index_bytes / 1024:.2f}"
              f" KiB per document for the index + {fingerprint_bytes / 1024:.2f} KiB fingerprint;"
              f" rebuild from stored fingerprints {rebuild:.2f} s", flush=True)
        rows.append((seconds, index_bytes))
    print(f"  fingerprinting (independent of size): "
          f"{fingerprint_seconds / len(stored) * 1e3:.3f} ms per document")
    if len(rows) > 1:
        print(f"  ratio {sizes[-1]:,}/{sizes[0]:,}: time {rows[-1][0] / rows[0][0]:.2f}, "
              f"memory {rows[-1][1] / rows[0][1]:.2f} (target <= 2)")


def _remember(recent: list[list[str]], tokens: list[str]) -> None:
    recent.append(tokens)
    if len(recent) > 200:
        del recent[0]


def _ingest(index: NearDuplicateIndex, doc_id: str, fingerprint: Fingerprint, position: int
            ) -> Stored:
    """One document through the production path: lookup, decision, add."""
    when = SAME_HOUR + timedelta(seconds=position % 3600)  # all inside one window
    headline = parse_headline(f"story {position % 997}")
    matches = index.matches(fingerprint, DocMeta("", "filler", when, headline))
    decision = decide(NewItem("filler", headline, when), matches, Policy.ALSO_REPORTED)
    meta = DocMeta(decision.story_id or doc_id, "filler", when, headline)
    index.add(doc_id, fingerprint, meta)
    return Stored(doc_id, fingerprint, meta)


def _memory(stored: list[Stored]) -> tuple[float, float]:
    """(bytes per document, seconds): an index rebuilt from stored fingerprints, its size traced
    (the fingerprints themselves exist already and are counted apart), and the rebuild timed."""
    entries = [(s.doc_id, s.fingerprint, s.meta) for s in stored]
    t0 = time.perf_counter()
    NearDuplicateIndex.rebuild(entries)
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    index = NearDuplicateIndex.rebuild(entries)
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(index) == len(stored)
    return traced / len(stored), seconds


def _fingerprint_bytes(fingerprint: Fingerprint) -> int:
    arrays = fingerprint.shingles.nbytes + fingerprint.signature.nbytes
    return arrays + 2 * 112 + sys.getsizeof(fingerprint) + 2 * 80  # numpy headers, two strings


# ============================================================================== main

def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--no-cost", action="store_true")
    parser.add_argument("--measure", action="store_true")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(list(argv) if argv is not None else None)
    fingerprinter = Fingerprinter()
    config = IndexConfig()
    dev, test = load_documents("dev"), load_documents("test")
    if args.measure:
        measure(dev)
    if args.tune:
        tune(dev, fingerprinter)
    if args.measure or args.tune:
        return 0
    print(f"rules: {config.rules}")
    for name, documents in (("self-written dev (tuned on)", dev),
                            ("self-written test (held out)", test)):
        report(name, Evaluator(documents, fingerprinter, config), pairs(documents), args.verbose)
    report_real(fingerprinter, config, args.verbose)
    if not args.no_cost:
        print("\ncost per added document as the index grows (lookup + decision + add):")
        cost([int(size) for size in args.sizes.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
