"""'By the numbers' quality: precision of the figures the box shows, and how often it appears.

    .venv/bin/python benchmarks/figure_quality.py            # judged GGT articles, per split
    .venv/bin/python benchmarks/figure_quality.py --show     # print what is shown, to judge

Data: the 49 articles of ``../shared/data/ggt-quotes-dev`` (evaluation only; read at run time,
skipped with a message when absent) and the hand judgements in
``tests/fixtures/figures/ggt_key_figures.json`` (article ids, figures as written, a hash of the
label shown, right or wrong). A shown figure whose display and label are not in the judgements
counts as wrong, so a change in the code cannot raise the figure without a new judgement.

Splits: dev (articles 1-20) and test (21-40) -- both were looked at while writing the rules, so
test is not clean -- and unseen (41-49), judged only after the change of 2026-12-06 (since then
looked at too). The bodies of these articles often open on a byline or a photo caption rather
than the news: the "lead" is then empty and the box falls back on figures from the rest of the
story.

Folds, for rules tuned on one half and checked on the other: A = dev, B = test + unseen. Each
label rule of 2026-12-07 came from a wrong figure of one fold and was checked on the other (it
must not cost a right figure there); the rule that an unlabelled figure leaves its place empty
came from the issue's own requirement, not from a fold.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

from wiredesk.enrich.figures import key_figures

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
GGT = SHARED / "ggt-quotes-dev" / "ggt_quotes_dev.jsonl"
JUDGED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "figures" / \
    "ggt_key_figures.json"


def label_hash(label: str) -> str:
    return hashlib.sha1(label.encode(), usedforsecurity=False).hexdigest()[:12]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="print the shown figures")
    args = parser.parse_args()
    if not GGT.is_file():
        print(f"skipped: {GGT} is absent (evaluation data is kept outside the repo)")
        return 0
    judged = {s["id"]: s for s in json.loads(JUDGED.read_text())["stories"]}
    shown: Counter[str] = Counter()
    right: Counter[str] = Counter()
    boxes: Counter[str] = Counter()
    stories: Counter[str] = Counter()
    for line in GGT.read_text().splitlines():
        row = json.loads(line)
        story = judged.get(row["_id"])
        if story is None:
            continue
        split = story["split"]
        text = str(row.get("articleBodyText") or "").replace("\n .\n ", "\n\n")
        figures = key_figures("", text)
        verdicts = {(j["display"], j["label_sha1"]): j["right"] for j in story["shown"]}
        stories[split] += 1
        boxes[split] += bool(figures)
        for figure in figures:
            ok = verdicts.get((figure.display, label_hash(figure.counts)), False)
            shown[split] += 1
            right[split] += ok
            if args.show:
                print(f"  {split:<6} {row['_id']} {figure.display!r:>18} | {figure.counts!r}"
                      f"{'' if ok else '   <- wrong or not judged'}")
    folds = {"fold A": ("dev",), "fold B": ("test", "unseen")}
    rows = [(split, (split,)) for split in ("dev", "test", "unseen")] + list(folds.items())
    for name, splits in rows:
        n_shown, n_right = sum(shown[x] for x in splits), sum(right[x] for x in splits)
        n_boxes, n_stories = sum(boxes[x] for x in splits), sum(stories[x] for x in splits)
        p = n_right / n_shown if n_shown else 0.0
        print(f"{name:<7} precision of shown figures {p:5.3f} ({n_right}/{n_shown})"
              f"   box shown in {n_boxes}/{n_stories} stories"
              f" ({n_boxes / max(1, n_stories):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
