"""Navigation tags and a fallback summary for a story.

``tags_for(entities, topics_labels, limit=6)`` picks the few names a reader would click to find
related stories: the story's most salient people, organisations and countries, then its topic
labels. Salience is how often the story names the entity, plus a bonus for being named in the
lead (a wire story puts its subject in the first sentence); an entity named once, after the lead,
is a passing mention and is not tagged. Cities and other places are not tags (their country is).
Up to two topic labels are always kept (when given), so a story full of names still carries its
subject. Tags are deduplicated ignoring case and accents ("Mexico" the country and "mexico" the
topic are one tag).

``summary_for(headline, text, max_chars=300)`` is the summary to show when the source sent none:
the story's lead -- its first one or two sentences after the dateline ("WASHINGTON, July 12
(Reuters) -"), skipping a byline line, an ALL-CAPS subhead and a first sentence that only repeats
the headline -- cut to ``max_chars`` at a sentence or word boundary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wiredesk.core.lexicon.folding import fold_words
from wiredesk.core.text import is_subhead, split_dateline, summarize
from wiredesk.enrich.entities import Entity
from wiredesk.enrich.places import country_code

__all__ = ["summary_for", "tags_for", "title_case"]


def _words(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string (easier to read and extend)."""
    return frozenset(text.split())

LEAD_CHARS = 300  # a mention starting before this offset is in the lead
LEAD_BONUS = 2.0
MAX_TOPIC_TAGS = 2
# A country is named in most stories in passing ("U.S. officials"): it needs more mentions than a
# person or an organisation to rank as high.
_KIND_WEIGHT = {"person": 1.0, "organisation": 1.0, "place": 0.5}


def _salience(entity: Entity) -> float:
    lead = LEAD_BONUS if entity.first_offset < LEAD_CHARS else 0.0
    return _KIND_WEIGHT.get(entity.kind, 0.0) * entity.count + lead


def _taggable(entity: Entity) -> bool:
    """People, organisations and countries mentioned twice, or once in the lead."""
    if entity.kind == "place" and not (entity.is_country or (
        not entity.country_code and country_code(entity.name)  # built by hand, unflagged
    )):
        return False  # a city or a region: not a tag (its country is)
    return entity.count >= 2 or entity.first_offset < LEAD_CHARS


_SMALL = _words("a an and as at but by for in of on or the to vs via with")


def title_case(label: str) -> str:
    """A topic label as a tag: "climate change" -> "Climate Change", "ELECTIONS" -> "Elections";
    short words stay lower case inside ("Law and Order"); acronyms of up to four letters and
    mixed-case words ("NATO", "U.S.-Mexico", "iPhone") are left as written.
    """
    words = label.split()
    out: list[str] = []
    for i, word in enumerate(words):
        letters = [ch for ch in word if ch.isalpha()]
        shouted = bool(letters) and all(ch.isupper() for ch in letters)
        if (shouted and len(letters) <= 4) or (
            not shouted and any(ch.isupper() for ch in word[1:])
        ):
            out.append(word)  # NATO, AI, U.S., iPhone, McDonald's: as written
        elif i > 0 and word.lower() in _SMALL:
            out.append(word.lower())
        else:
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
    return " ".join(out)


def tags_for(
    entities: Sequence[Entity], topics_labels: Sequence[str], limit: int = 6
) -> list[str]:
    """A few navigation tags: salient entities first (most salient first), then topic labels.

    ``entities`` come from :func:`wiredesk.enrich.entities.entities_for`; ``topics_labels`` are
    the story's topic labels, best first. At most ``limit`` tags, at most two of them topics
    unless there are too few entities to fill the rest.
    """
    if limit <= 0:
        return []
    topics: list[str] = []
    seen: set[str] = set()
    for label in topics_labels:
        tag = title_case(" ".join(label.split()))
        if tag and fold_words(tag) not in seen:
            seen.add(fold_words(tag))
            topics.append(tag)
    ranked = sorted(
        (e for e in entities if _taggable(e)),
        key=lambda e: (-_salience(e), e.first_offset),
    )
    names: list[str] = []
    for entity in ranked:
        if fold_words(entity.name) in {fold_words(n) for n in names}:
            continue
        names.append(entity.name)
    room = max(limit - min(MAX_TOPIC_TAGS, len(topics)), 0)
    chosen = names[:room]
    chosen_keys = {fold_words(n) for n in chosen}
    for tag in topics:
        if len(chosen) >= limit:
            break
        if fold_words(tag) not in chosen_keys:
            chosen.append(tag)
            chosen_keys.add(fold_words(tag))
    for name in names[room:]:  # topics left room over: more entities
        if len(chosen) >= limit:
            break
        chosen.append(name)
    return chosen


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------

_PROSE_END = re.compile(
    "[.!?][\"')\N{RIGHT DOUBLE QUOTATION MARK}\N{RIGHT SINGLE QUOTATION MARK}]*$"
)
# A picture caption ends with its credit: "... after opening Friday. Image: Jane Roe."
_CREDIT = re.compile(r"(?:^|(?<=\s))(?:Image|Photo|Picture|Credit)s?: [^.!?]{1,80}\.?$")
_BYLINE = re.compile(r"^\s*By\s+[A-Z][^.!?]{0,60}$")
# A sentence end: terminal punctuation, optional closing marks, white space, then a capital,
# digit or opening mark. Abbreviations are checked apart (see _ABBREVIATION).
_SENTENCE_END = re.compile(
    "[.!?][\"')\N{RIGHT DOUBLE QUOTATION MARK}\N{RIGHT SINGLE QUOTATION MARK}]*\\s+"
    "(?=[\"'(\N{LEFT DOUBLE QUOTATION MARK}\N{LEFT SINGLE QUOTATION MARK}]?[A-Z0-9])"
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.)+[A-Za-z]|\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Gen|Col|Lt|Sgt|Capt"
    r"|Gov|Sen|Rep|Rev|No|Inc|Corp|Co|Ltd|vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec))$"
)


def _sentences(text: str, limit: int) -> list[str]:
    """The first ``limit`` sentences of ``text`` (abbreviations such as "U.S." do not end one)."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[m.start()] == "." and _ABBREVIATION.search(text, start, m.start()):
            continue
        out.append(text[start : m.end()].strip())
        start = m.end()
        if len(out) == limit:
            return out
    if start < len(text) and text[start:].strip():
        out.append(text[start:].strip())
    return out[:limit]


def _lead_paragraphs(text: str) -> list[str]:
    """The story's paragraphs of prose: no dateline, byline, subhead, or a heading or date line
    (a paragraph with no sentence end), unless nothing else is left."""
    paragraphs = [" ".join(p.split()) for p in text.split("\n") if p.strip()]
    if paragraphs:
        _, rest = split_dateline(paragraphs[0])
        paragraphs[0] = rest.strip()
    kept = [
        p for p in paragraphs
        if p and not is_subhead(p) and not _BYLINE.match(p) and not _CREDIT.search(p)
    ]
    prose = [p for p in kept if _PROSE_END.search(p)]
    return prose or kept


def summary_for(headline: str, text: str, max_chars: int = 300) -> str:
    """One or two lead sentences of the story, at most ``max_chars`` characters; see the module
    docstring. Falls back to the headline when the text has no prose."""
    paragraphs = _lead_paragraphs(text)
    head = fold_words(headline).rstrip(".")
    sentences: list[str] = []
    for paragraph in paragraphs:
        for sentence in _sentences(paragraph, 4):
            if not sentences and fold_words(sentence).rstrip(".") == head:
                continue  # the headline again, as the first line of the body
            if _CREDIT.match(sentence):
                continue  # "Image: Jane Roe." left in the copy by a caption
            sentences.append(sentence)
            if len(sentences) == 2:
                break
        if len(sentences) == 2:
            break
    if not sentences:
        return summarize(headline, max_chars) if headline.strip() else ""
    return summarize(" ".join(sentences), max_chars)
