"""The feed corpus the speed harnesses share: real captured feeds when the team's shared data is
present, else the bundled demo and fixture feeds."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_FEEDS = ROOT.parent / "shared" / "data" / "feeds"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".json", ".rdf"}


def corpus_files(corpus: Path | None) -> list[Path]:
    if corpus is None:
        if SHARED_FEEDS.is_dir():
            corpus = SHARED_FEEDS
        else:
            print(f"{SHARED_FEEDS} not present: using the bundled demo and fixture feeds")
            files = sorted((ROOT / "src" / "wiredesk" / "demo" / "feeds").iterdir())
            files += sorted((ROOT / "tests" / "fixtures" / "feeds").iterdir())
            return [f for f in files if f.suffix in FEED_SUFFIXES]
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in FEED_SUFFIXES)
