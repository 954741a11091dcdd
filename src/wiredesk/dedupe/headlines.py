"""Wire headline conventions: what a headline says about the copy beyond its words.

Agencies mark re-sends in the headline. Reuters prefixes "UPDATE 2-", "REFILE-", "CORRECTED-",
"RPT-" (and combinations: "CORRECTED UPDATE 3-", "REFILE-UPDATE 1-"); AP writes "Correction:" or
"Update:", or sends its slugline ("BC-US--Giant Lobster Death, 1st Ld-Writethru") as the title;
partners append "- Reuters" or "(AP)". A re-send under a new id is the *same* story, so these marks
are stripped before headlines are compared and reported as :class:`Signal` s.

Other prefixes name a *different piece* about the same news: a FACTBOX, an ANALYSIS, an INSIGHT
or a BREAKINGVIEWS column is written to sit beside the news story, shares its facts and often its
background paragraphs, and must never be merged into it. Those become the headline's
:class:`Kind`, which the matcher requires to be equal on both sides. WRAPUP is a kind too: a
wrapup is its own story (it combines several), and "WRAPUP 2-" is a version of "WRAPUP 1-".

Labels that say neither ("EXCLUSIVE-", "BREAKING:", desk slugs such as "PRECIOUS-" or
"Soccer-") are stripped and kept in :attr:`HeadlineInfo.labels`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from wiredesk.core.lexicon.folding import fold_for_compare


class Signal(enum.StrEnum):
    """A re-send mark: the copy is a version of a story already sent."""

    UPDATE = "update"
    REFILE = "refile"
    CORRECTION = "correction"
    REPEAT = "repeat"


class Kind(enum.StrEnum):
    """What sort of piece the headline announces. Different kinds are different stories."""

    NEWS = "news"
    FACTBOX = "factbox"
    ANALYSIS = "analysis"
    INSIGHT = "insight"
    BREAKINGVIEWS = "breakingviews"
    COLUMN = "column"
    EXPLAINER = "explainer"
    TIMELINE = "timeline"
    WRAPUP = "wrapup"
    PREVIEW = "preview"
    INTERVIEW = "interview"
    POLL = "poll"


# Marker word (upper case, spaces single) -> what it means. A Signal marks a re-send, a Kind a
# different piece, None a neutral label that is simply stripped.
MARKERS: dict[str, Signal | Kind | None] = {
    "UPDATE": Signal.UPDATE,
    "UPDATED": Signal.UPDATE,
    "REFILE": Signal.REFILE,
    "CORRECTED": Signal.CORRECTION,
    "CORRECTION": Signal.CORRECTION,
    "RPT": Signal.REPEAT,
    "REPEAT": Signal.REPEAT,
    "FACTBOX": Kind.FACTBOX,
    "ANALYSIS": Kind.ANALYSIS,
    "INSIGHT": Kind.INSIGHT,
    "BREAKINGVIEWS": Kind.BREAKINGVIEWS,
    "COLUMN": Kind.COLUMN,
    "EXPLAINER": Kind.EXPLAINER,
    "AP EXPLAINS": Kind.EXPLAINER,
    "TIMELINE": Kind.TIMELINE,
    "WRAPUP": Kind.WRAPUP,
    "PREVIEW": Kind.PREVIEW,
    "INTERVIEW": Kind.INTERVIEW,
    "POLL": Kind.POLL,
    "REUTERS POLL": Kind.POLL,
    "EXCLUSIVE": None,
    "AP EXCLUSIVE": None,
    "BREAKING": None,
    "URGENT": None,
    "FLASH": None,
    "ALERT": None,
    "BUZZ": None,
    "BRIEF": None,
}

# Reuters' sport desk slugs are Title case ("Soccer-Smiling Benitez ..."), so the generic
# upper-case slug rule below cannot see them.
SPORT_SLUGS = frozenset({
    "athletics", "baseball", "basketball", "boxing", "cricket", "cycling", "football", "golf",
    "ice hockey", "motor racing", "motorcycling", "nfl", "nba", "nhl", "mlb", "olympics",
    "rugby", "rugby union", "rugby league", "sailing", "skiing", "soccer", "swimming",
    "tennis", "formula one", "horse racing",
})

# Trailing credits partners add: " - Reuters", " | AP News", " (AFP)", " (UPDATE 1)".
TRAILING_CREDITS = (
    "Reuters", "AP", "AP News", "Associated Press", "The Associated Press", "AFP", "dpa",
    "PTI", "Bloomberg", "Xinhua", "UPI", "EFE", "ANSA", "AAP", "PA", "Yahoo News", "MSN",
)

# "CORRECTED UPDATE 3-", "REFILE-", "UPDATE 2 -": upper-case words, optional numbers, a hyphen or
# a dash. The words must all be known markers (checked in code) so "NATO-Russia" is left alone.
_RESEND_PREFIX = re.compile(r"^\s*((?:[A-Z]+(?:\s+\d+)?\s*){1,4}?)\s*[-\u2013\u2014]\s*(?=\S)")
# AP's forms: "Correction: ...", "AP Exclusive: ...", "Update: ...".
_COLON_PREFIX = re.compile(r"^\s*([A-Za-z][A-Za-z ]{1,20}?)(?:\s+(\d+))?\s*:\s+(?=\S)")
# Desk slugs: "PRECIOUS-Gold rises", "US STOCKS-Wall St ...", "Soccer-Smiling Benitez ...". An
# upper-case slug needs four letters, so "US-China talks" and "EU-UK deal" keep their first word.
_SLUG_PREFIX = re.compile(r"^\s*([A-Z][A-Z ]{3,30}|[A-Z][a-z]+(?: [a-z]+)?)-(?=\S)")
_AP_SLUGLINE = re.compile(
    r"^\s*[A-Z]{1,3}-[A-Z]{1,4}--(?P<words>[^,<]+?)"
    r"(?:-ABRIDGED)?(?:,\s*(?P<lead>\d+)(?:st|nd|rd|th)\s*Ld-Writethru)?\s*(?:,\s*\d+)?\s*<?\s*$",
    re.IGNORECASE,
)
_CREDITS = "|".join(re.escape(credit) for credit in TRAILING_CREDITS)
_TRAILING_CREDIT = re.compile(rf"\s*(?:[-|\u2013\u2014:]\s*(?:{_CREDITS})|\((?:{_CREDITS})\))\s*$")
_TRAILING_MARK = re.compile(
    r"\s*\((?P<word>UPDATE|REFILE|CORRECTED|RPT|REPEAT)\s*(?P<number>\d*)\)\s*$", re.IGNORECASE)
_CAMEL_GAP = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class HeadlineInfo:
    """A headline read the way a wire editor reads it.

    ``text`` is the headline without its marks (for display and logs), ``key`` its folded form for
    comparison, ``signals`` the re-send marks found (outermost first), ``number`` the update or
    writethru number when there is one, ``kind`` the sort of piece and ``labels`` the neutral
    labels stripped.
    """

    text: str
    key: str
    signals: tuple[Signal, ...] = ()
    number: int | None = None
    kind: Kind = Kind.NEWS
    labels: tuple[str, ...] = ()

    @property
    def is_resend(self) -> bool:
        return bool(self.signals)


@dataclass(slots=True)
class _Reading:
    rest: str
    signals: list[Signal]
    number: int | None = None
    kind: Kind = Kind.NEWS
    labels: list[str] | None = None

    def take(self, meaning: Signal | Kind | None, word: str, number: str | None) -> None:
        if isinstance(meaning, Signal):
            self.signals.append(meaning)
        elif isinstance(meaning, Kind):
            self.kind = meaning
        else:
            self.labels = [*(self.labels or []), word]
        if number and self.number is None:
            self.number = int(number)


def parse_headline(headline: str) -> HeadlineInfo:
    """Read a headline's wire marks off it; see the module docstring for what each means."""
    text = " ".join(headline.split())
    slugline = _AP_SLUGLINE.match(text)
    if slugline:
        return _from_slugline(slugline)
    reading = _Reading(text, [])
    while _strip_one_prefix(reading):
        pass
    _strip_trailing(reading)
    return HeadlineInfo(reading.rest, fold_for_compare(reading.rest), tuple(reading.signals),
                        reading.number, reading.kind, tuple(reading.labels or ()))


def _from_slugline(match: re.Match[str]) -> HeadlineInfo:
    """AP's slugline as a title: 'BC-US--Giant Lobster Death, 1st Ld-Writethru'."""
    words = _CAMEL_GAP.sub(" ", match.group("words")).replace("-", " ")
    lead = match.group("lead")
    signals = (Signal.UPDATE,) if lead else ()
    return HeadlineInfo(words, fold_for_compare(words), signals, int(lead) if lead else None)


def _strip_one_prefix(reading: _Reading) -> bool:
    """Remove one leading mark from ``reading.rest``; False when there is none left."""
    return (_strip_resend_prefix(reading) or _strip_colon_prefix(reading)
            or _strip_slug(reading))


def _strip_resend_prefix(reading: _Reading) -> bool:
    match = _RESEND_PREFIX.match(reading.rest)
    if match is None:
        return False
    parts = re.findall(r"([A-Z]+)(?:\s+(\d+))?", match.group(1))
    words = [word for word, _ in parts]
    if not words or not all(word in MARKERS for word in words):
        return False
    for word, number in parts:
        reading.take(MARKERS[word], word, number or None)
    reading.rest = reading.rest[match.end():]
    return True


def _strip_colon_prefix(reading: _Reading) -> bool:
    match = _COLON_PREFIX.match(reading.rest)
    if match is None:
        return False
    word = " ".join(match.group(1).upper().split())
    if word not in MARKERS:
        return False
    reading.take(MARKERS[word], word, match.group(2))
    reading.rest = reading.rest[match.end():]
    return True


def _strip_slug(reading: _Reading) -> bool:
    match = _SLUG_PREFIX.match(reading.rest)
    if match is None:
        return False
    slug = match.group(1).strip()
    if not (slug.isupper() or slug.lower() in SPORT_SLUGS):
        return False
    reading.labels = [*(reading.labels or []), slug]
    reading.rest = reading.rest[match.end():]
    return True


def _strip_trailing(reading: _Reading) -> None:
    """Remove partners' trailing credits and marks: " - Reuters", " (AP)", " (UPDATE 1)"."""
    previous = None
    while previous != reading.rest:
        previous = reading.rest
        reading.rest = _TRAILING_CREDIT.sub("", reading.rest)
        mark = _TRAILING_MARK.search(reading.rest)
        if mark:
            word = mark.group("word").upper()
            reading.take(MARKERS[word], word, mark.group("number") or None)
            reading.rest = reading.rest[:mark.start()]
    reading.rest = reading.rest.strip()


# Words that carry no story: two headlines sharing only these share nothing.
STOPWORDS = frozenset({
    "a", "an", "and", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it",
    "its", "of", "on", "or", "over", "s", "says", "say", "said", "than", "that", "the", "their",
    "to", "up", "was", "were", "will", "with", "after", "amid", "new",
})


def headline_similarity(first: HeadlineInfo, second: HeadlineInfo) -> float:
    """How alike two headlines are, from 0 to 1: the Dice coefficient of their content words.

    Word sets rather than character edits, because a re-sent headline is reworded rather than
    retyped ("Quake kills 12 in Peru" becomes "Peru quake death toll rises to 31"), and without
    stop words, which every headline shares. Empty headlines (some wire items have none) score 0:
    no evidence, rather than evidence of a difference.
    """
    a = set(first.key.split()) - STOPWORDS
    b = set(second.key.split()) - STOPWORDS
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))
