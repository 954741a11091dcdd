"""Direct-quote extraction quality and speed on the Gender Gap Tracker dev set.

    .venv/bin/python benchmarks/quote_quality.py             # P / R / F1, speakers, speed
    .venv/bin/python benchmarks/quote_quality.py --verbose   # also list every miss and mismatch
    .venv/bin/python benchmarks/quote_quality.py --threshold 0.5
    .venv/bin/python benchmarks/quote_quality.py --folds 2   # also each half of the articles

**Folds.** ``--folds 2`` splits the articles by a fixed rule, their line number in the file:
fold A holds the even-numbered lines (0, 2, 4, ...), fold B the odd ones, and prints the figures
for each fold as well as the total. A rule tuned on one fold is judged on the other: a change
that helps the fold it was developed on and not the other is overfit. (With ``--folds N`` the
article on line *i* goes to fold *i* mod N.) Rules added to ``enrich/quotes.py`` and
``enrich/speakers.py`` name the fold they were developed on in their comments.

**Data.** ``../shared/data/ggt-quotes-dev/ggt_quotes_dev.jsonl``: 49 Canadian news articles with
every quotation annotated (speaker, verb, quote text, resolved ``reference`` name). Evaluation
only: nothing from it is copied into the repository. When the file is absent the harness prints
a message and exits 0. Article bodies use ``"\\n .\\n "`` between paragraphs in some outlets;
that separator is turned into a blank line, the paragraph convention the extractor expects.

**Gold direct quotes.** The annotators mark direct *and* indirect speech. A gold quotation counts
as direct when its text contains a quotation mark (``"``, ``“`` or ``”``): that keeps verbatim
quotes, the pieces of quotes split over paragraphs or interrupted by the attribution, and mixed
quotes (reported speech with quoted words inside, ``she said the talks were "very productive"``)
whose quoted words are verbatim; it drops purely indirect speech, which this extractor does not
aim at. (The stricter rule "text starts with a quotation mark" is printed too, for reference.)

**Matching.** Texts are compared as multisets of lower-cased word tokens (quote marks and other
punctuation ignored). A predicted quote matches a gold one when the shared tokens are at least
``--threshold`` (default 0.3) of the *longer* of the two. Pairs are matched one-to-one, greedily
from the highest overlap down. Precision = matched / predicted, recall = matched / gold direct.
A prediction that matches a gold *indirect* quotation is neither rewarded nor penalised (it is
set aside before precision is computed): the annotation is not wrong there, it just is not a
direct quote the extractor is graded on.

**Speaker accuracy** = share of matched quotes whose predicted speaker names the gold
``reference`` (or the gold ``speaker`` when ``reference`` is empty). Names are compared after
accent folding, lower-casing and dropping punctuation, leading articles and titles; they agree
when equal, when one's words contain the other's, or when their last words (surnames) are equal.
An empty predicted speaker is wrong.

**Speed.** Wall time of ``extract_quotes`` per article (best of 3 passes), reported as median and
mean milliseconds per 600 words of article text.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wiredesk.enrich.quotes import Quote, extract_quotes  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "ggt-quotes-dev" / "ggt_quotes_dev.jsonl"
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # noqa: RUF001
_QUOTE_MARKS = ('"', "“", "”")
_TITLE_WORDS = "mr mrs ms dr the a an president prime minister premier mayor sen rep gov chief"
_TITLES = frozenset(_TITLE_WORDS.split())


@dataclass(frozen=True, slots=True)
class Gold:
    """One annotated quotation."""

    text: str
    speaker: str
    direct: bool
    strict: bool


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def tokens(text: str) -> Counter[str]:
    """Lower-cased word tokens of a quote, as a multiset."""
    return Counter(t.replace("’", "'") for t in _TOKEN.findall(_fold(text)))  # noqa: RUF001


def overlap(a: Counter[str], b: Counter[str]) -> float:
    """Shared tokens as a fraction of the longer text."""
    longer = max(sum(a.values()), sum(b.values()))
    return sum((a & b).values()) / longer if longer else 0.0


def name_words(name: str) -> list[str]:
    """Comparable words of a speaker name: folded, no punctuation, no leading articles/titles."""
    words = [w for w in re.findall(r"[a-z0-9]+", _fold(name.replace("’s", "").replace("'s", "")))]  # noqa: RUF001
    while words and words[0] in _TITLES:
        words.pop(0)
    return words


def same_speaker(predicted: str, gold: str) -> bool:
    """Equal, contained, or same surname (see module docstring)."""
    p, g = name_words(predicted), name_words(gold)
    if not p or not g:
        return False
    if p == g or p[-1] == g[-1]:
        return True
    ps, gs = " ".join(p), " ".join(g)
    return f" {ps} " in f" {gs} " or f" {gs} " in f" {ps} "


def load(path: Path) -> list[tuple[str, list[Gold]]]:
    """Articles as (text with blank-line paragraphs, gold quotations)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        body = re.sub(r"\n[ \t]*\.[ \t]*\n[ \t]*", "\n\n", row["articleBodyText"])
        golds = []
        for q in row.get("quotations") or []:
            text = q.get("quote") or ""
            stripped = text.strip()
            golds.append(
                Gold(
                    text,
                    (q.get("reference") or q.get("speaker") or "").strip(),
                    any(m in text for m in _QUOTE_MARKS),
                    stripped[:1] in ('"', "“"),
                )
            )
        out.append((body, golds))
    return out


def match(
    golds: list[Gold], preds: list[Quote], threshold: float
) -> tuple[list[tuple[Gold, Quote]], list[Quote], list[Quote]]:
    """One-to-one greedy matching; returns (pairs, predictions matched to no gold, matched to
    indirect gold only)."""
    gt = [tokens(g.text) for g in golds]
    pt = [tokens(p.text) for p in preds]
    cand = sorted(
        (
            (overlap(gt[i], pt[j]), i, j)
            for i in range(len(golds))
            for j in range(len(preds))
        ),
        reverse=True,
    )
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[Gold, Quote]] = []
    for score, i, j in cand:
        if score < threshold:
            break
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((golds[i], preds[j]))
    direct_pairs = [(g, p) for g, p in pairs if g.direct]
    indirect = [p for g, p in pairs if not g.direct]
    unmatched = [preds[j] for j in range(len(preds)) if j not in used_p]
    return direct_pairs, unmatched, indirect


@dataclass(slots=True)
class Tally:
    """Counts for a set of articles (all of them, or one fold)."""

    name: str
    articles: int = 0
    pred: int = 0
    gold: int = 0
    matched: int = 0
    speaker_ok: int = 0
    indirect: int = 0
    strict_gold: int = 0
    strict_match: int = 0

    def add(self, direct: list[Gold], preds: list[Quote], pairs: list[tuple[Gold, Quote]],
            indirect: list[Quote], ok: list[bool]) -> None:
        self.articles += 1
        self.gold += len(direct)
        self.pred += len(preds) - len(indirect)
        self.indirect += len(indirect)
        self.matched += len(pairs)
        self.strict_gold += sum(g.strict for g in direct)
        self.strict_match += sum(g.strict for g, _ in pairs)
        self.speaker_ok += sum(ok)

    def report(self) -> None:
        precision = self.matched / self.pred if self.pred else 0.0
        recall = self.matched / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        accuracy = self.speaker_ok / self.matched if self.matched else 0.0
        print(f"direct-quote precision: {precision:.3f}  recall: {recall:.3f}  F1: {f1:.3f}")
        print(f"speaker accuracy: {accuracy:.3f} ({self.speaker_ok}/{self.matched})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threshold", type=float, default=0.3)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--folds", type=int, default=1,
                        help="also report each of N folds (article line number mod N)")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"quote_quality: {args.data} not found; skipping (evaluation data is optional).")
        return 0
    articles = load(args.data)
    total = Tally("all")
    n_folds = args.folds if args.folds > 1 else 0
    folds = [Tally(f"fold {chr(ord('A') + k)}") for k in range(n_folds)]
    ms_per_600: list[float] = []
    for idx, (body, golds) in enumerate(articles):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            preds = extract_quotes(body)
            best = min(best, time.perf_counter() - t0)
        words = max(1, len(body.split()))
        if words >= 50:
            ms_per_600.append(best * 1000 * 600 / words)
        direct = [g for g in golds if g.direct]
        pairs, unmatched, indirect = match(golds, preds, args.threshold)
        ok = [same_speaker(p.speaker, g.speaker) for g, p in pairs]
        total.add(direct, preds, pairs, indirect, ok)
        if folds:
            folds[idx % len(folds)].add(direct, preds, pairs, indirect, ok)
        if args.verbose:
            matched_gold = {id(g) for g, _ in pairs}
            for g in direct:
                if id(g) not in matched_gold:
                    print(f"[{idx}] MISS  {g.speaker!r}: {g.text[:110]!r}")
            for p in unmatched:
                print(f"[{idx}] EXTRA {p.speaker!r}: {p.text[:110]!r}")
            for (g, p), good in zip(pairs, ok, strict=True):
                if not good:
                    print(f"[{idx}] SPKR  gold {g.speaker!r} got {p.speaker!r}: {p.text[:80]!r}")
    print(f"articles: {len(articles)}  gold direct quotes: {total.gold}  predicted: {total.pred}"
          f" (+{total.indirect} matching indirect gold, not scored)  threshold: {args.threshold}")
    total.report()
    if total.strict_gold:
        print(f"recall on gold quotes starting with a quote mark: "
              f"{total.strict_match / total.strict_gold:.3f}"
              f" ({total.strict_match}/{total.strict_gold})")
    for k, tally in enumerate(folds):
        print(f"-- {tally.name}: articles on lines i with i mod {len(folds)} = {k}"
              f" ({tally.articles} articles, {tally.gold} gold direct quotes)")
        tally.report()
    if ms_per_600:
        print(f"speed: median {statistics.median(ms_per_600):.2f} ms, mean"
              f" {statistics.fmean(ms_per_600):.2f} ms per 600 words (best of 3 per article)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
