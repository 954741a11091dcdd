"""A cheap stand-in for named entities until the enrichment stage supplies real ones.

Two events of the same kind (two earthquakes, two rehab stays) share almost all their common words;
what tells them apart is *who*, *where* and *how many*: names, places and numbers. This module finds
them with surface cues only -- runs of capitalised words and multi-digit numbers -- which is crude
but pure, fast and language-agnostic enough for wire copy in English.

Deliberately not matched: a capitalised word that only ever starts a sentence ("Police said...") is
probably an ordinary word, so it counts only if the story also capitalises it mid-sentence;
shouting headlines (long ALL-CAPS words) are not names; single digits are too common to identify
anything.
"""

from __future__ import annotations

import re

from wiredesk.core.lexicon.words import STOPWORDS

# Sentences end at a line break, or at . ! ? followed by space and a capital or a quote.
_SENTENCE_BREAK = re.compile(r"\n+|(?<=[.!?])\s+(?=[\"'\N{LEFT DOUBLE QUOTATION MARK}A-Z])")
_WORD = re.compile(r"[^\W_]+(?:[-'\N{RIGHT SINGLE QUOTATION MARK}.][^\W_]+)*\.?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_POSSESSIVE = re.compile(r"['\N{RIGHT SINGLE QUOTATION MARK}]s$")
# Small words that may sit inside a name ("Gulf of Aden", "Charles de Gaulle").
_CONNECTORS = frozenset(
    {"of", "de", "del", "della", "der", "van", "von", "al", "bin", "la", "le", "du", "da"}
)
_LONGEST_ACRONYM = 5  # "NYPD" and "FIFA" are names; "BREAKING" in a shouting headline is not


def extract_entities(headline: str, body: str) -> tuple[str, ...]:
    """Lower-cased name and number keys of a story, each once, in order of first appearance.

    A multi-word name yields the whole name and each of its words ("lindsay lohan", "lindsay",
    "lohan"), so that a later mention by surname alone still matches.
    """
    sentences = [s for part in (headline, body) for s in _SENTENCE_BREAK.split(part) if s]
    runs = [run for sentence in sentences for run in _capitalised_runs(sentence)]
    mid_sentence = {word for start, words in runs if not start for word in words}
    keys: dict[str, None] = {}
    for at_start, words in runs:
        for key in _name_keys(words, at_start, mid_sentence):
            keys[key] = None
    for part in (headline, body):
        for number in _NUMBER.findall(part):
            key = _number_key(number)
            if key:
                keys[key] = None
    return tuple(keys)


def _capitalised_runs(sentence: str) -> list[tuple[bool, list[str]]]:
    """Runs of consecutive capitalised words: ``(starts the sentence, lower-cased words)``."""
    runs: list[tuple[bool, list[str]]] = []
    current: list[str] = []
    current_start = False
    for index, match in enumerate(_WORD.finditer(sentence)):
        word = match.group().rstrip(".")
        if _is_name_word(word):
            if not current:
                current_start = index == 0
            current.append(_POSSESSIVE.sub("", word.lower()))
        elif current and word.lower() in _CONNECTORS:
            current.append(word.lower())
        elif current:
            runs.append((current_start, _trim_connectors(current)))
            current = []
    if current:
        runs.append((current_start, _trim_connectors(current)))
    return [(start, words) for start, words in runs if words]


def _is_name_word(word: str) -> bool:
    if not word[:1].isupper():
        return False
    if word.isupper() and len(word) > _LONGEST_ACRONYM:
        return False
    return word.lower() not in STOPWORDS


def _trim_connectors(words: list[str]) -> list[str]:
    while words and words[-1] in _CONNECTORS:
        words = words[:-1]
    return words


def _name_keys(words: list[str], at_start: bool, mid_sentence: set[str]) -> list[str]:
    """The keys one run contributes; a lone sentence-initial word must be confirmed elsewhere."""
    if at_start and len(words) == 1 and words[0] not in mid_sentence:
        return []
    parts = [word for word in words if word not in _CONNECTORS]
    if len(parts) == 1:
        return parts
    return [" ".join(words), *parts]


def _number_key(number: str) -> str:
    """A canonical number key ("#2013", "#5.6"), or "" for single digits, which identify nothing."""
    digits = number.replace(",", "").lstrip("0") or "0"
    if len(digits) < 2:
        return ""
    return "#" + digits

