"""The recogniser's corrections: an ordered list of small, named passes over typed spans.

A model (or the fallback) proposes :class:`Span`\\ s -- start, end and kind over the story's text
-- and :func:`refine` runs :data:`PASSES` over them, in order, each pass a function
``(story, spans) -> spans`` that fixes one kind of failure seen on news copy. Every pass was
decided on the CoNLL++ *dev* split only (figures in ``benchmarks/entity_quality.py``) and is
tested on spans built by hand (``tests/enrich/test_corrections.py``), without the model.

**Order matters**, and is part of each pass's contract: names are cleaned before they are
counted, the story's own statements about a name ("..., a South Korean chipmaker,") are read
before the majority vote, the vote comes before repetitions are found (they take the voted
kind), and the kind-setting passes for countries, datelines and sports teams come last so that
nothing undoes them. A pass that needs what an earlier one learned about the story (names cut off
a title, the parts of people's names) reads it from :class:`Story`, where that pass left it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

from wiredesk.core.lexicon.places import Gazetteer
from wiredesk.core.lexicon.words import MONTHS, NAME_TITLES, STOPWORDS, wordset

Kind = Literal["person", "organisation", "place"]
KINDS: tuple[Kind, ...] = ("person", "organisation", "place")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """One proposed name: ``text[start:end]`` is a ``kind``. Ordered by position, then end."""

    start: int
    end: int
    kind: Kind

    def surface(self, text: str) -> str:
        """The words of the span."""
        return text[self.start : self.end]

    def relabel(self, kind: Kind) -> Span:
        """The same words as another kind."""
        return self if kind == self.kind else Span(self.start, self.end, kind)


@dataclass(slots=True)
class Story:
    """The text the passes correct, the gazetteer, and what passes learn for later ones."""

    text: str
    places: Gazetteer
    # Set by :func:`cut_before_a_title`: names cut off a title ("Solenne" of "Solenne Chief
    # Executive"), which the story thereby says employ someone.
    employers: set[str] = field(default_factory=set)
    # Set by :func:`one_reading_per_name`: the words of multi-word people's names ("Wang Xi"
    # gives "Wang" and "Xi").
    person_parts: set[str] = field(default_factory=set)
    # Dateline spans ("MILAN, Italy" of "MILAN, Italy (Reuters) -"), found once.
    datelines: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.datelines = [(m.start(), m.end(1)) for m in _DATELINE.finditer(self.text)]


Pass = Callable[[Story, list[Span]], list[Span]]


# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------

CAP_WORD = re.compile(r"[A-Z][^\W_]*(?:['\N{RIGHT SINGLE QUOTATION MARK}.\-&][^\W_]+)*\.?")
ORG_WORDS = wordset(
    """inc inc. corp corp. corporation co co. ltd ltd. plc llc ag sa nv gmbh group holdings bank
    fund party ministry department agency council committee commission union association league
    university college institute school hospital court parliament congress senate assembly army
    navy police airlines airways motors company companies exchange federation foundation club
    board bureau office organisation organization authority service services times post news
    press television radio network unit front movement alliance church reserve"""
)
# Titles before a person's name (lexicon.words.NAME_TITLES), with the abbreviations written with
# a full stop.
PERSON_TITLES = NAME_TITLES | wordset("mr. mrs. ms. dr. rev. gen. col.")
# A title on its own ("Chief", "Executive" split off "Chief Executive Jane Doe") is no name.
TITLE_WORDS = PERSON_TITLES | wordset("executive officer deputy vice")
_MONTHS = frozenset(MONTHS)
_PLACE_PREPOSITIONS = frozenset({"in", "at", "from", "to", "near", "of", "into", "across"})
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
# "LONDON 1996-08-30", "AL-AIN, United Arab Emirates 1996-12-06", "PARIS (Reuters) -".
_DATELINE = re.compile(
    r"^([A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*(?:, [A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*)?)"
    r"(?: \d{4}-\d{2}-\d{2}| \([A-Za-z]+\)| [A-Z][a-z]{2,8}\.? \d{1,2}\b)",
    re.MULTILINE,
)


def previous_word(text: str, a: int) -> str:
    """The word before offset ``a`` (within 30 characters), lower-cased; "" if none."""
    m = re.search(r"([A-Za-z]+)\W*$", text[max(0, a - 30) : a])
    return m.group(1).lower() if m else ""


def sentence_initial(text: str, a: int) -> bool:
    """Offset ``a`` starts a sentence, a line or a quotation after a colon."""
    before = text[max(0, a - 3) : a].rstrip(" \"'(\N{LEFT DOUBLE QUOTATION MARK}")
    return not before or before[-1] in ".!?\n:"


def word_bounded(text: str, a: int, b: int) -> bool:
    """``text[a:b]`` is whole words: no letter, digit or hyphen joins it on either side."""
    before = text[a - 1] if a > 0 else " "
    after = text[b] if b < len(text) else " "
    return not (before.isalnum() or before in "-'") and not (after.isalnum() or after == "-")


def non_overlapping(spans: Iterable[Span]) -> list[Span]:
    """Longest-first, then leftmost, non-overlapping selection, returned in text order."""
    chosen: list[Span] = []
    taken: list[tuple[int, int]] = []
    # dict.fromkeys drops repeats but keeps the callers' order, and the sort is stable: of two
    # readings of one span the first given wins, whatever the process's hash seed.
    for span in sorted(dict.fromkeys(spans), key=lambda s: (-(s.end - s.start), s.start)):
        if all(span.end <= x or span.start >= y for x, y in taken):
            chosen.append(span)
            taken.append((span.start, span.end))
    return sorted(chosen)


# --------------------------------------------------------------------------------------------
# The passes, in order
# --------------------------------------------------------------------------------------------


def clean_edges(story: Story, spans: list[Span]) -> list[Span]:
    """Trim what is not the name: a span is split at line breaks, loses a leading "the",
    leading or trailing tokens without letters (scores in a results table) and trailing
    punctuation; a part with no capital letter is dropped.

    Example: ``"the European Commission,"`` -> ``"European Commission"``; ``"Ajax 2"`` ->
    ``"Ajax"``; a headline and the dateline run together are two spans.
    """
    return [Span(a, b, span.kind) for span in spans
            for a, b in _clean_span(story.text, span.start, span.end)]


def _clean_span(text: str, start: int, end: int) -> list[tuple[int, int]]:
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


def spell_out_to_the_acronym(story: Story, spans: list[Span]) -> list[Span]:
    """An organisation's name cut short before the acronym that follows it runs on to where the
    acronym says it ends; names inside the added words go.

    Example: ``"Organisation for Security and Cooperation"`` in ``"... and Cooperation in
    Europe (OSCE)"`` becomes ``"Organisation for Security and Cooperation in Europe"``, and
    "Europe" is no separate place there.
    """
    text = story.text
    longer: list[Span] = []
    for span in spans:
        if span.kind != "organisation":
            continue
        m = _TAIL_TO_ACRONYM.match(text, span.end)
        if m is None:
            continue
        tail = m.group(1).split()
        acronym = m.group(2).replace(".", "")
        if not all(w[:1].isupper() or w in _ACRONYM_SMALL_WORDS for w in tail) \
                or not any(w[:1].isupper() for w in tail):
            continue
        name = span.surface(text).split()
        if _initials(name) != acronym and _initials([*name, *tail]) == acronym:
            longer.append(Span(span.start, m.end(1), "organisation"))
    if not longer:
        return spans
    kept = [s for s in spans if not any(x.start <= s.start and s.end <= x.end for x in longer)]
    return sorted(kept + longer)


_TAIL_TO_ACRONYM = re.compile(r"((?:\s+[\w'&-]+){1,5}?)\s*\(([A-Z][A-Z.&]{1,11})\)")
_ACRONYM_SMALL_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "de", "du", "des", "la"})


def _initials(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if w not in _ACRONYM_SMALL_WORDS).upper()


def drop_months_as_people(story: Story, spans: list[Span]) -> list[Span]:
    """A month before a day number, or alone at the end of a line, is a date, not a person.

    Example: "May" in ``"on May 5"`` read as a person is dropped; "May" in ``"Theresa May
    said"`` is not a whole span and stays.
    """
    text = story.text
    return [s for s in spans if not (s.kind == "person" and _is_date(text, s.start, s.end))]


def _is_date(text: str, a: int, b: int) -> bool:
    return text[a:b] in _MONTHS and (
        re.match(r" \d", text[b : b + 2]) is not None or text[b : b + 1] in ("\n", "")
    )


def cut_before_a_title(story: Story, spans: list[Span]) -> list[Span]:
    """A "person" that runs into a capitalised title is the employer named before the title:
    the organisation alone. Remembers those names (:attr:`Story.employers`).

    Example: ``"Solenne Chief Executive"`` (before "Naomi Hale") read as a person becomes the
    organisation ``"Solenne"``.
    """
    out: list[Span] = []
    for span in spans:
        cut = _before_a_title(story.text, span)
        if cut.end != span.end:
            story.employers.add(story.text[span.start : cut.end])
        out.append(cut)
    return out


def _before_a_title(text: str, span: Span) -> Span:
    if span.kind != "person":
        return span
    a = span.start
    words = list(re.finditer(r"\S+", text[a : span.end]))
    for i, word in enumerate(words[1:], start=1):
        if word.group()[:1].isupper() and word.group().lower() in TITLE_WORDS:
            return Span(a, a + words[i - 1].end(), "organisation")
    return span


def drop_common_words_and_titles(story: Story, spans: list[Span]) -> list[Span]:
    """A one-word mention capitalised only because it starts a sentence or a quotation, that
    the story also writes in lower case, is a common noun; a title alone is no name.

    Example: ``"Inventory"`` of ``'"Inventory corrections ..."'`` beside "inventories" is
    dropped; so is ``"Chief"`` split off "Chief Executive Naomi Hale".
    """
    text = story.text
    common = _common_words(text)
    return [s for s in spans
            if not _capitalised_common_word(text, s.start, s.end, common)
            and text[s.start : s.end].lower() not in TITLE_WORDS]


def _common_words(text: str) -> frozenset[str]:
    """Words the story writes in lower case, with their simple singulars ("inventories" gives
    "inventory" too)."""
    words = set(re.findall(r"(?<![\w'\-])[a-z]{3,}(?![\w'\-])", text))
    singulars = {w[:-3] + "y" for w in words if w.endswith("ies")}
    singulars |= {w[:-1] for w in words if w.endswith("s") and not w.endswith("ss")}
    return frozenset(words | singulars)


def _capitalised_common_word(text: str, a: int, b: int, common: frozenset[str]) -> bool:
    word = text[a:b]
    return (" " not in word and word[:1].isupper() and word[1:].islower()
            and sentence_initial(text, a) and word.lower() in common)


def what_the_story_says(story: Story, spans: list[Span]) -> list[Span]:
    """What the story says a name is outranks what the model guessed, for every mention of
    that name: a name cut off a title employs someone (an organisation), and an appositive or
    a relative clause after a name gives its kind (:func:`appositive_kind`).

    Example: every ``"Hanseong Memory"`` is an organisation once one is followed by ``", a
    South Korean chipmaker,"``; ``"Akosua Darko, 46,"`` is a person.
    """
    text = story.text
    said: dict[str, Kind] = dict.fromkeys(story.employers, "organisation")
    for span in spans:
        appositive = appositive_kind(text, span.end)
        if appositive is not None:
            said.setdefault(text[span.start : span.end], appositive)
    return [span.relabel(said.get(text[span.start : span.end], span.kind)) for span in spans]


def one_reading_per_name(story: Story, spans: list[Span]) -> list[Span]:
    """One story, one reading of each name. In this order of precedence: a word of a person's
    multi-word name is that person (unless a place preposition governs it); the first word of a
    company's multi-word name is that company (unless it is a place or a word such names share,
    "Bank of ..."); otherwise the kind most mentions of that name were given. Remembers the
    words of people's names (:attr:`Story.person_parts`).

    Example: after ``"Wang Xi"`` (person), a lone ``"Wang"`` read as an organisation is a
    person; after ``"Kestrel Motors"``, ``"Kestrel"`` is the company; a name read twice as a
    place and once as a person is a place throughout.
    """
    text, places = story.text, story.places
    votes: dict[str, Counter[Kind]] = defaultdict(Counter)
    for span in spans:
        votes[text[span.start : span.end]][span.kind] += 1
    for span in spans:
        words = text[span.start : span.end].split()
        if span.kind == "person" and len(words) > 1:
            story.person_parts.update(
                w for w in words if w[:1].isupper() and w.lower() not in STOPWORDS)
    org_heads: set[str] = set()
    for span in spans:
        words = text[span.start : span.end].split()
        if span.kind == "organisation" and len(words) > 1 and words[0][:1].isupper() \
                and words[0].lower() not in STOPWORDS and words[0].lower() not in ORG_WORDS \
                and places.lookup(words[0]) is None:
            org_heads.add(words[0])
    resolved: list[Span] = []
    for span in spans:
        surface = text[span.start : span.end]
        kind = span.kind
        if surface in story.person_parts \
                and previous_word(text, span.start) not in _PLACE_PREPOSITIONS:
            kind = "person"
        elif surface in org_heads:
            kind = "organisation"
        else:
            best, count = votes[surface].most_common(1)[0]
            if count > votes[surface][kind]:
                kind = best
        resolved.append(span.relabel(kind))
    return resolved


def find_repetitions_and_known_places(story: Story, spans: list[Span]) -> list[Span]:
    """Names the model found once are found wherever the story repeats them (with the kind
    they were given, and the words of people's names as people), and known places the model
    left out are added (countries, US states, continents, cities of 100,000 or more, the
    aliases wire copy uses; longest match first). What the model found wins any overlap.

    Example: the model tags the first ``"Ferrante"`` only; the second is found too; ``"Lake
    Como"`` missed, ``"Italy"`` missed in a dateline: ``"Italy"`` is added.
    """
    text = story.text
    known: dict[str, Kind] = {}
    for span in spans:
        known.setdefault(text[span.start : span.end], span.kind)
    for part in sorted(story.person_parts):
        known.setdefault(part, "person")
    extra: list[Span] = []
    for surface, kind in known.items():
        if len(surface) < 2:
            continue
        at = text.find(surface)
        while at >= 0:
            if word_bounded(text, at, at + len(surface)):
                extra.append(Span(at, at + len(surface), kind))
            at = text.find(surface, at + 1)
    extra.extend(gazetteer_places(text, story.places))
    return non_overlapping(spans + [s for s in extra if not _overlaps_any(s, spans)])


def _overlaps_any(span: Span, spans: Sequence[Span]) -> bool:
    return any(not (span.end <= s.start or span.start >= s.end) for s in spans)


def gazetteer_places(text: str, places: Gazetteer) -> list[Span]:
    """Known places written as capitalised phrases (longest match first)."""
    found: list[Span] = []
    words = [(m.start(), m.end()) for m in CAP_WORD.finditer(text)]
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
                if places.lookup(phrase) is not None and word_bounded(text, a, a + len(phrase)):
                    found.append(Span(a, a + len(phrase), "place"))
                    matched = n
                    break
            n -= 1
        i += matched or 1
    return found


def _only_spaces_between(text: str, words: Sequence[tuple[int, int]]) -> bool:
    return all(text[x[1] : y[0]] == " " for x, y in pairwise(words))


_EVENT_WORDS = wordset(
    """Open Championship Championships Amateur Cup Games Masters Classic Trophy Marathon Grand
    Tour Olympics Series"""
)


def drop_places_naming_events(story: Story, spans: list[Span]) -> list[Span]:
    """A place that begins an event's name is not a mention of the place.

    Example: ``"U.S."`` of ``"U.S. Open"`` and ``"Hong Kong"`` of ``"Hong Kong Open"`` are
    dropped.
    """
    text = story.text
    return [s for s in spans if not (s.kind == "place" and _names_an_event(text, s.end))]


def _names_an_event(text: str, end: int) -> bool:
    m = re.match(r" ([A-Z][a-z]+)", text[end : end + 20])
    return bool(m and m.group(1) in _EVENT_WORDS)


def countries_are_places(story: Story, spans: list[Span]) -> list[Span]:
    """A country is a place, whatever the model said -- unless it is also a word of a person's
    name in this story.

    Example: ``"Italy"`` read as an organisation is a place; ``"Jordan"`` after "Michael
    Jordan" stays a person.
    """
    text, places = story.text, story.places
    return [span.relabel("place")
            if text[span.start : span.end].lower() in places.countries
            and text[span.start : span.end] not in story.person_parts
            else span
            for span in spans]


def dateline_places(story: Story, spans: list[Span]) -> list[Span]:
    """A known place in a dateline is a place, whatever the model says.

    Example: ``"MILAN"`` of ``"MILAN, Italy (Reuters) -"`` read as a person is a place.
    """
    text, places = story.text, story.places
    return [span.relabel("place")
            if places.lookup(text[span.start : span.end]) is not None
            and _in_a_dateline(story, span)
            else span
            for span in spans]


def _in_a_dateline(story: Story, span: Span) -> bool:
    return any(x <= span.start and span.end <= y for x, y in story.datelines)


_SPORT_WORDS = wordset(
    """soccer football cricket baseball basketball rugby tennis golf hockey league cup
    championship championships match matches innings wicket wickets goal goals scored scorers
    striker midfielder defender goalkeeper coach season standings played won lost drawn draw
    beat beats tournament seed seeded round semifinal semi-final final quarter-final inning
    runs batting bowling nfl nba nhl"""
)
_SCORE = re.compile(r"(?<![\d.:/-])\d{1,3}-\d{1,3}(?![\d.:/-])")
_RESULT_LINE = re.compile(r"[^\d\n]*[A-Za-z][^\d\n]* \d{1,3} +[^\d\n]*[A-Za-z][^\d\n]* \d{1,3} *")
_MIN_SPORT_EVIDENCE = 4


def is_sports(text: str) -> bool:
    """Sports copy: enough sport words, scores and result lines (a results table has many)."""
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]+", text[:4000])]
    evidence = sum(1 for w in words if w in _SPORT_WORDS)
    evidence += len(_SCORE.findall(text))
    evidence += 2 * sum(1 for line in text.split("\n") if _RESULT_LINE.fullmatch(line))
    return evidence >= _MIN_SPORT_EVIDENCE


def places_are_teams_in_sports(story: Story, spans: list[Span]) -> list[Span]:
    """In sports copy (:func:`is_sports`) a place that is not a country, not in a dateline and
    not governed by a place preposition is a team named after its city or county: an
    organisation.

    Example: in a cricket report, ``"Surrey beat Kent"``: both organisations; ``"in Leeds"``
    stays a place.
    """
    if not is_sports(story.text):
        return spans
    text, places = story.text, story.places
    return [span
            if _in_a_dateline(story, span)
            or span.kind != "place"
            or text[span.start : span.end].lower() in places.countries
            or previous_word(text, span.start) in _PLACE_PREPOSITIONS
            else span.relabel("organisation")
            for span in spans]


# Benchmarks and indices named after a place, a person or a company ("Brent crude", "the Nikkei
# average", "the Dow Jones industrial average").
_MARKET_NAMES = frozenset(
    {"Brent", "WTI", "Dow", "Dow Jones", "Nikkei", "KOSPI", "Kospi", "FTSE", "DAX", "CAC",
     "Hang Seng", "Nasdaq", "S&P", "Stoxx", "STOXX", "Sensex", "Nifty", "Topix", "TOPIX"}
)
_MARKET_WORDS = wordset(
    """crude oil futures blend index indices average industrial industrials composite benchmark
    share shares stock stocks contract contracts"""
)


def drop_market_names(story: Story, spans: list[Span]) -> list[Span]:
    """In market copy a benchmark or index named after a place, a person or a company is a
    price, not the place, person or company: dropped where a market word follows it ("Brent"
    and "WTI" always).

    Example: ``"Nikkei"`` of ``"the Nikkei average"`` and ``"Dow Jones"`` of ``"the Dow Jones
    industrial average"`` are dropped; ``"Nomura Holdings"`` is not.
    """
    return [span for span in spans if not _names_a_market(story.text, span)]


def _names_a_market(text: str, span: Span) -> bool:
    surface = text[span.start : span.end]
    if surface not in _MARKET_NAMES:
        return False
    following = re.match(r"(?:\s+\d+)?\s+([A-Za-z]+)", text[span.end : span.end + 30])
    return surface in ("Brent", "WTI") or bool(
        following and following.group(1).lower() in _MARKET_WORDS)


# The corrections, in the order they run (see the module docstring for why the order matters).
PASSES: tuple[Pass, ...] = (
    clean_edges,
    spell_out_to_the_acronym,
    drop_months_as_people,
    cut_before_a_title,
    drop_common_words_and_titles,
    what_the_story_says,
    one_reading_per_name,
    find_repetitions_and_known_places,
    drop_places_naming_events,
    countries_are_places,
    dateline_places,
    places_are_teams_in_sports,
    drop_market_names,
)


def refine(text: str, spans: Sequence[Span], places: Gazetteer,
           passes: Sequence[Pass] = PASSES) -> list[Span]:
    """``spans`` over ``text`` after each of ``passes`` in turn (by default all, in order)."""
    story = Story(text, places)
    out = list(spans)
    for correction in passes:
        out = correction(story, out)
    return out


# --------------------------------------------------------------------------------------------
# Appositives (also read by :mod:`wiredesk.enrich.entities`)
# --------------------------------------------------------------------------------------------

# Head nouns of an appositive that say a name is an organisation or a person.
_ORG_APPOSITIVES = wordset(
    """company companies firm chipmaker maker makers manufacturer producer carmaker automaker
    retailer lender bank insurer airline carrier conglomerate startup start-up brokerage
    operator developer miner utility supplier distributor exporter importer group agency
    broadcaster newspaper publisher party charity club team giant subsidiary unit"""
)
_PERSON_APPOSITIVES = wordset(
    """manager analyst economist spokesman spokeswoman spokesperson minister president chief
    executive director official lawyer attorney professor researcher scientist author
    journalist reporter actor actress singer player coach founder chairman chairwoman
    secretary ambassador diplomat senator governor mayor resident witness farmer doctor
    nurse teacher student mother father son daughter wife husband widow veteran lawmaker
    strategist trader banker investor partner head member broker"""
)
_APPOSITIVE = re.compile(r",\s+(?:a|an|the)\s+([^,.;:()\"\N{LEFT DOUBLE QUOTATION MARK}]{1,80})")
_REPORTING_VERBS = wordset("said says told reported added announced quoted wrote according")
_APPOSITIVE_END = wordset("at of in for with from on who which that whose and or but to")
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
