"""The self-written labelled set in tests/fixtures/dedupe/stories/, as documents and pairs.

Each topic file holds hand-written stories ("originals") and documents derived from them: hand
edits (``edits``: an update's new lead, changed figures, added or removed paragraphs) and
mechanical operations (``ops``: a partner's restyling, truncation, an excerpt, extra site
boilerplate). Every document then gets its *source's* wrapping -- dateline, credits, footers --
as that source would send it (:data:`SOURCE_STYLES`). Documents of one ``family`` are the same
story; any two documents of different families are not. See tests/fixtures/dedupe/README.md.

The operations are also applied to real wire copy by benchmarks/dedupe_quality.py, so they work on
plain lists of paragraphs.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dedupe"
STORIES = FIXTURES / "stories"

Paragraphs = list[str]


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    family: str
    kind: str  # original, update, correction, refile, syndicated, truncation, excerpt, boilerplate
    source: str
    time: datetime
    headline: str
    text: str  # plain text, paragraphs separated by blank lines
    topic: str
    split: str


@dataclass(frozen=True, slots=True)
class Pair:
    first: Document  # the earlier of the two
    second: Document

    @property
    def duplicate(self) -> bool:
        return self.first.family == self.second.family

    @property
    def kind(self) -> str:
        """What sort of pair: the derived kinds for duplicates, the topic relation otherwise."""
        if self.duplicate:
            kinds = sorted({self.first.kind, self.second.kind} - {"original"})
            return "+".join(kinds) or "original"
        return "same-topic" if self.first.topic == self.second.topic else "other-topic"


# -------------------------------------------------------------------------------- operations

_NUMBER = re.compile(r"\b\d+\b")
_CURLY = str.maketrans({"\"": "\N{LEFT DOUBLE QUOTATION MARK}",
                        "'": "\N{RIGHT SINGLE QUOTATION MARK}"})


def truncate(paragraphs: Paragraphs, fraction: float) -> Paragraphs:
    """The first ``fraction`` of the words, cut mid-paragraph if need be (a partner's size cap)."""
    budget = int(sum(len(p.split()) for p in paragraphs) * fraction)
    kept: Paragraphs = []
    for paragraph in paragraphs:
        words = paragraph.split()
        if budget <= 0:
            break
        kept.append(" ".join(words[:budget]))
        budget -= len(words)
    return kept


def excerpt(paragraphs: Paragraphs, count: int) -> Paragraphs:
    """The first ``count`` paragraphs (a summary feed)."""
    return paragraphs[:count]


def curl_quotes(paragraphs: Paragraphs) -> Paragraphs:
    """A partner CMS's typography: straight quotes become curly (opening marks are approximate;
    comparison folds them all away anyway)."""
    return [p.translate(_CURLY) for p in paragraphs]


def bump_first_number(paragraphs: Paragraphs) -> Paragraphs:
    """The first whole number in the text, plus one (what a correction typically changes)."""
    for index, paragraph in enumerate(paragraphs):
        match = _NUMBER.search(paragraph)
        if match:
            bumped = str(int(match.group()) + 1)
            changed = paragraph[:match.start()] + bumped + paragraph[match.end():]
            return [*paragraphs[:index], changed, *paragraphs[index + 1:]]
    return list(paragraphs)


def apply_edits(paragraphs: Paragraphs, edits: list[dict[str, Any]]) -> Paragraphs:
    """Hand edits, in order: replace/insert/delete by index, append, or substitute a phrase."""
    result = list(paragraphs)
    for edit in edits:
        if "replace" in edit:
            result[edit["replace"]] = edit["with"]
        elif "insert" in edit:
            result.insert(edit["insert"], edit["text"])
        elif "delete" in edit:
            del result[edit["delete"]]
        elif "append" in edit:
            result.append(edit["append"])
        elif "sub" in edit:
            result = _substitute(result, *edit["sub"])
        else:
            raise ValueError(f"unknown edit {edit}")
    return result


def _substitute(paragraphs: Paragraphs, old: str, new: str) -> Paragraphs:
    hits = sum(p.count(old) for p in paragraphs)
    if hits != 1:
        raise ValueError(f"{old!r} occurs {hits} times, expected once")
    return [p.replace(old, new) for p in paragraphs]


# ----------------------------------------------------------------------------- source styles

_NAMES = ("Maria Soto", "Tom Hale", "Alex Richardson", "Priya Desai", "Jonas Lind",
          "Hannah Cole", "Omar Haddad", "Lena Vogel", "Sam Okoro", "Nina Petrova")


def _name(seed: str, offset: int) -> str:
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return _NAMES[(digest + offset) % len(_NAMES)]


def _agency_credits(doc_id: str) -> tuple[Paragraphs, Paragraphs]:
    return [], [f"(Reporting by {_name(doc_id, 0)}; Additional reporting by {_name(doc_id, 3)}; "
                f"Editing by {_name(doc_id, 6)})",
                "Our Standards: The Northwire Trust Principles."]


def _press_credits(doc_id: str) -> tuple[Paragraphs, Paragraphs]:
    return ([f"By {_name(doc_id, 1).upper()}, Capital Press"],
            ["___", f"Capital Press writer {_name(doc_id, 4)} contributed to this report."])


def _partner_note(site: str) -> Callable[[str], tuple[Paragraphs, Paragraphs]]:
    def style(doc_id: str) -> tuple[Paragraphs, Paragraphs]:
        return [], [f"(This story has not been edited by {site} staff and is auto-generated "
                    "from a syndicated feed.)", f"Copyright 2026 {site} Media Group"]
    return style


def _aggregator(doc_id: str) -> tuple[Paragraphs, Paragraphs]:
    return [], ["Read more: https://meridian.example/world", "© 2026 Meridian News Network"]


# Source -> (paragraphs before the story, paragraphs after it), as that source sends them.
SOURCE_STYLES: dict[str, Callable[[str], tuple[Paragraphs, Paragraphs]]] = {
    "northwire": _agency_credits,
    "northwire-world": _agency_credits,
    "capital-press": _press_credits,
    "capital-press-world": _press_credits,
    "harbor-daily": _partner_note("Harbor Daily"),
    "meridian": _aggregator,
    "agency": lambda doc_id: ([], []),  # real wire copy: its own wrapping is in its text
}
# What an agency's own website feed adds around the same copy (boilerplate:site).
_SITE_EXTRAS = (["Follow us on Twitter @northwire_news for breaking news."],
                ["Related: More world news from our correspondents",
                 "Keywords: world, breaking news", "© 2026 Northwire. All rights reserved."])
_AGENCY_SUFFIX = {"northwire": " - Northwire", "capital-press": " (CP)"}


# ---------------------------------------------------------------------------------- loading

@dataclass(slots=True)
class Draft:
    """A document before its source's wrapping: bare paragraphs and a dateline."""

    paragraphs: Paragraphs
    dateline: str
    headline: str
    origin_source: str
    extra_before: Paragraphs = field(default_factory=list)  # site boilerplate around the story
    extra_after: Paragraphs = field(default_factory=list)


def load_documents(split: str | None = None) -> list[Document]:
    """Every document of the self-written set (of one split, if given), in file order."""
    documents: list[Document] = []
    for path in sorted(STORIES.glob("*.json")):
        topic = json.loads(path.read_text(encoding="utf-8"))
        if split is None or topic["split"] == split:
            documents.extend(_topic_documents(topic))
    return documents


def _topic_documents(topic: dict[str, Any]) -> Iterator[Document]:
    drafts: dict[str, Draft] = {}
    for raw in topic["documents"]:
        draft = _draft(raw, drafts)
        drafts[raw["id"]] = draft
        yield Document(
            id=raw["id"], family=raw["family"], kind=raw["kind"], source=raw["source"],
            time=datetime.fromisoformat(raw["time"].replace("Z", "+00:00")),
            headline=draft.headline, text=render(draft, raw["source"], raw["id"]),
            topic=topic["topic"], split=topic["split"],
        )


def _draft(raw: dict[str, Any], drafts: dict[str, Draft]) -> Draft:
    if "from" in raw:
        base = drafts[raw["from"]]
        draft = Draft(apply_edits(base.paragraphs, raw.get("edits", [])), base.dateline,
                       raw.get("headline", base.headline), base.origin_source)
    else:
        draft = Draft(list(raw["body"]), raw.get("dateline", ""), raw["headline"], raw["source"])
    for op in raw.get("ops", []):
        apply_op(draft, op)
    return draft


def apply_op(draft: Draft, op: str) -> None:
    """A mechanical operation named in a fixture: ``truncate:0.6``, ``excerpt:2``,
    ``restyle:partner``, ``boilerplate:site``, ``relead:TEXT`` (a new first paragraph), ``drop:0``
    (a paragraph), ``append:TEXT``,
    ``bump-number`` (a corrected figure), ``headline-prefix:UPDATE 1-``."""
    name, _, argument = op.partition(":")
    if name == "truncate":
        draft.paragraphs = truncate(draft.paragraphs, float(argument))
    elif name == "excerpt":
        draft.paragraphs = excerpt(draft.paragraphs, int(argument))
    elif op == "restyle:partner":
        draft.paragraphs = curl_quotes(draft.paragraphs)
        draft.dateline = ""
        draft.headline += _AGENCY_SUFFIX.get(draft.origin_source, "")
    elif op == "boilerplate:site":
        draft.extra_before, draft.extra_after = _SITE_EXTRAS
    elif name == "relead":
        draft.paragraphs = [argument, *draft.paragraphs[1:]]
    elif name == "drop":
        del draft.paragraphs[int(argument)]
    elif name == "append":
        draft.paragraphs.append(argument)
    elif name == "bump-number":
        draft.paragraphs = bump_first_number(draft.paragraphs)
    elif name == "headline-prefix":
        draft.headline = argument + draft.headline
    else:
        raise ValueError(f"unknown op {op!r}")


def render(draft: Draft, source: str, doc_id: str) -> str:
    """The document's text as its source sends it: dateline, the story, the source's wrapping."""
    paragraphs = list(draft.paragraphs)
    if draft.dateline and paragraphs:
        paragraphs[0] = f"{draft.dateline} {paragraphs[0]}"
    before, after = SOURCE_STYLES[source](doc_id)
    wrapped = [*before, *draft.extra_before, *paragraphs, *draft.extra_after, *after]
    return "\n\n".join(wrapped)


def pairs(documents: list[Document]) -> list[Pair]:
    """Every unordered pair, earlier document first."""
    ordered = sorted(documents, key=lambda d: (d.time, d.id))
    return [Pair(a, b) for a, b in itertools.combinations(ordered, 2)]
