"""Publication modes, and what an item's own rights statement says about them.

A source has a mode (``full``, ``excerpt``, ``headline``); an item's usage terms or copyright
notice can only make it stricter (an agency item marked "not for online use" from a licensed wire
is held). Pure: reads the text the parsers kept, decides nothing else.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Mode(enum.StrEnum):
    """How much of an item the site may show, least to most restricted."""

    FULL = "full"  # licensed: the whole article on our page
    EXCERPT = "excerpt"  # headline, a short summary and a link to the original
    HEADLINE = "headline"  # a link to the original only: no article page of ours


_ORDER = {Mode.FULL: 0, Mode.EXCERPT: 1, Mode.HEADLINE: 2}


def stricter(*modes: Mode) -> Mode:
    """The most restrictive of these modes."""
    return max(modes, key=_ORDER.__getitem__)


# Formats a publisher polls from its own site: a teaser feed, not a licence (docs/publication.md).
PUBLISHER_FORMATS = frozenset({"rss", "atom", "jsonfeed", "auto", "cdf"})
WIRE_FORMATS = frozenset({"ninjs", "newsmlg2", "nitf"})


def default_mode(transport: str, fmt: str) -> Mode:
    """A source's mode when none is set: publisher feeds polled from the web are excerpts;
    pushed, dropped and wire-format items come from a partner who licenses them in full."""
    kind = fmt.lower()
    for prefix in ("rss", "atom", "jsonfeed", "cdf"):
        if kind.startswith(prefix):
            kind = prefix
    if transport in ("poll", "local") and kind in PUBLISHER_FORMATS:
        return Mode.EXCERPT
    return Mode.FULL


@dataclass(frozen=True, slots=True)
class RightsVerdict:
    """What an item's rights statement allows: a mode, or no online use at all (``forbids``)."""

    mode: Mode
    forbids: bool = False
    reason: str = ""


# Usage terms that rule out publishing the item online at all.
_FORBIDDEN = re.compile(
    r"\b(not\s+for\s+(online|internet|web|digital)|no\s+(online|internet|web|digital)\s+"
    r"(use|publication|distribution)|print\s+(use\s+)?only|not\s+for\s+publication|"
    r"do\s+not\s+(publish|use)|internal\s+use\s+only|for\s+(internal|editorial\s+reference)\s+"
    r"(use\s+)?only|broadcast\s+only)\b", re.IGNORECASE)
# Terms that allow a headline and link only.
_HEADLINE_ONLY = re.compile(r"\b(headlines?\s+(and\s+links?\s+)?only|links?\s+only)\b",
                            re.IGNORECASE)
# Terms that allow an excerpt (snippet, summary) but not the full text.
_EXCERPT_ONLY = re.compile(
    r"\b(excerpts?|snippets?|summar(y|ies)|teasers?)\s+(\w+\s+){0,2}only\b|"
    r"\bno\s+(full[-\s]text|republication|reproduction)\b|"
    r"\bmay\s+not\s+be\s+(republished|reproduced)\b", re.IGNORECASE)


def read_rights(terms: str) -> RightsVerdict:
    """The mode an item's rights text allows (``full`` when it restricts nothing we know of).

    A bare copyright notice ("© 2026 Agency") restricts nothing by itself: the licence is the
    source's; only usage terms that name a restriction make an item stricter than its source.
    """
    text = " ".join(terms.split())
    if not text:
        return RightsVerdict(Mode.FULL)
    if match := _FORBIDDEN.search(text):
        return RightsVerdict(Mode.HEADLINE, forbids=True,
                             reason=f"usage terms forbid online publication: {match.group(0)!r}")
    if match := _HEADLINE_ONLY.search(text):
        return RightsVerdict(Mode.HEADLINE, reason=f"usage terms: {match.group(0)!r}")
    if match := _EXCERPT_ONLY.search(text):
        return RightsVerdict(Mode.EXCERPT, reason=f"usage terms: {match.group(0)!r}")
    return RightsVerdict(Mode.FULL)
