"""From text to the terms the clusterer counts.

Lower-cased words and numbers, stop words dropped, plurals and simple verb endings folded
("checks", "checked", "checking" -> "check") so that outlets wording the same event differently
still share terms. The folding is a few suffix rules, not a full stemmer: over-folding merges words
(and so events) that differ, and precision is what the clusterer is short of.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from wiredesk.core.lexicon.words import STOPWORDS

# Numbers keep their inner separators ("5.6", "1,200", "10:53"); words keep inner apostrophes.
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:['\N{RIGHT SINGLE QUOTATION MARK}][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['\N{RIGHT SINGLE QUOTATION MARK}]s$")
_MIN_STEM = 4


def tokenize(text: str) -> list[str]:
    """Lower-cased word and number tokens of ``text``, stop words and single letters removed."""
    out = []
    for raw in _TOKEN.findall(text.lower()):
        word = _POSSESSIVE.sub("", raw)
        if len(word) > 1 and word not in STOPWORDS:
            out.append(fold(word))
    return out


def fold(word: str) -> str:
    """Fold plural and -ed/-ing endings; numbers and short words are returned unchanged."""
    if len(word) <= _MIN_STEM or word[0].isdigit():
        return word
    if word.endswith("ies") and len(word) > _MIN_STEM + 1:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


def first_words(text: str, limit: int) -> str:
    """The first ``limit`` whitespace-separated words of ``text`` (all of it when shorter)."""
    words = text.split(maxsplit=limit)
    return " ".join(words[:limit])


def term_profile(headline: str, body: str, headline_weight: float,
                 body_words: int) -> dict[str, float]:
    """Term weights of a story: sublinear body frequency plus ``headline_weight`` per headline word.

    Sublinear (1 + log count) so that a word repeated ten times in a long story does not outweigh
    the several different names that identify the event; the headline bonus is added after it, so
    the knob means the same for long and short stories.
    """
    counts = Counter(tokenize(first_words(body, body_words)))
    profile = {term: 1.0 + math.log(n) for term, n in counts.items()}
    for term in set(tokenize(headline)):
        profile[term] = profile.get(term, 0.0) + headline_weight
    return profile
