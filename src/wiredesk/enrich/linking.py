"""Which entities get a public page: ``decide(Evidence) -> Decision``.

The recogniser finds names; an unedited site must publish only those a careful editor would let
through. A linked entity gets a link from the article ("In this story"), an indexable page and a
sitemap entry; any other entity stays in the API with its confidence and is shown as plain text
(or not at all). When unsure, link nothing: a missing link costs a click, a page called "Digital"
or a person called "Typhoon Quilla" costs the site's credibility.

The bar, rule by rule (each tested on evidence built by hand in ``tests/enrich/test_linking.py``;
thresholds chosen on CoNLL++ dev and half of the labelled feed stories, see
``benchmarks/linked_entity_quality.py``):

1. **Lexical objections** veto a page whatever else is true: a weather event ("Typhoon
   Quilla"), a road ("Millbrook Road"), an event ("Durban Harbour Marathon"), a geographic
   feature or a settlement word read as a person or an organisation ("Merrick Glacier",
   "Northgate City"), a known place read as an organisation or a person ("London", "New York"),
   a one-word name the story also writes in lower case ("Digital", "Farmers", "Ferry"); a
   piece the model cut out of a longer name (every mention runs into another capitalised word:
   "Chicago PMI", "Gulf War", "Jose Miguel Insulza" read as "Jose Miguel"); in sports copy, a
   competition or a table's section read as an organisation ("National League", "World Group
   II").
2. **Known places** (countries, US states, continents, cities of 100,000 or more) are linked.
3. **People** are linked when named in full (two to four capitalised words) and the model
   itself read a person there; a title or appositive ("Mayor Ana Ruiz", "X, an economist") is
   also enough for a full name the corrections found.
4. **Organisations** are linked when multi-word and read as one by the model, and either their
   name carries an organisation word ("Bank", "Ministry", "& ") or the story says what they are.
5. **Everything else** (one-word names, unknown places) needs support from other stories:
   the newsroom passes how many stories and sources named it (:func:`supported`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LINK_AT", "Decision", "Evidence", "decide", "objection", "supported"]

# A decision's confidence at or above this is a link.
LINK_AT = 0.8
# Support from other stories: at least this many stories (this one included) from this many
# sources. One feed repeating a mistake is not support; several desks naming it are.
MIN_STORIES = 3
MIN_SOURCES = 2


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WEATHER = _words("typhoon hurricane cyclone storm tropical tornado blizzard")
_FEATURES = _words(
    """glacier river lake mountain mountains mount valley bay sea ocean island islands peninsula
    desert forest rainforest falls canyon strait gulf harbour harbor coast creek reef basin delta
    volcano beach hill hills cape fjord plateau"""
)
_SETTLEMENTS = _words("city town county province district village borough township municipality")
_ROADS = _words(
    """road street avenue lane highway boulevard drive motorway freeway expressway st rd ave
    blvd hwy"""
)
_EVENTS = _words(
    """marathon cup open championship championships games olympics olympiad festival awards
    award prize election elections war summit expo fair tournament derby rally grand prix
    regatta triathlon"""
)
_TEAM_WORDS = _words("united city ii rovers wanderers athletic albion county")
# In sports copy these name a competition or a table's section, not a body: "National League",
# "American League Central", "World Group II", "Division one".
_COMPETITIONS = _words("league leagues division group conference series")
_SHOWS = _words("live show tonight podcast")  # "Jimmy Kimmel Live" is a programme
# Capitalised phrases that name an occasion, not an organisation or a place.
_NOT_ENTITIES = frozenset({"state of the union", "brexit"})
_ORG_WORDS = _words(
    """inc corp corporation co ltd plc llc ag sa nv gmbh group holdings bank fund party ministry
    department agency council committee commission union association league university college
    institute school hospital court parliament congress senate assembly army navy police
    airlines airways motors company exchange federation foundation club board bureau office
    organisation organization authority service services network alliance church reserve
    partners capital securities brokerage bancorp industries international systems
    technologies energy foods pharmaceuticals institution trust"""
)
_NAME_WORD = re.compile(r"[A-Z\N{LATIN CAPITAL LETTER A WITH ACUTE}-\N{LATIN CAPITAL LETTER THORN}]"
                        r"[\w'\N{RIGHT SINGLE QUOTATION MARK}.\-]*")
_PARTICLES = _words("de del der van von da di la le al bin ibn du dos das y")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a story (and, when the newsroom adds them, other stories) say about one entity."""

    name: str  # the canonical name in the story
    kind: str  # person, organisation, place
    mentions: int = 1  # how often this story names it
    model_agrees: bool = False  # the model itself read this kind (not only the corrections)
    known_place: bool = False  # in the gazetteer: a country, US state, continent or big city
    described: bool = False  # a title or an appositive says what it is
    lower_case_in_story: bool = False  # the story also writes the (one-word) name in lower case
    major_place: bool = False  # a country, US state, continent or region, not only a city
    place_word: bool = False  # one of its words is a known place ("Bayer Leverkusen")
    sports_copy: bool = False  # the story is sports copy: places there are often teams
    cut_from_a_name: bool = False  # every mention runs into another capitalised word
    stories: int = 1  # stories naming it, this one included (from the newsroom)
    sources: int = 1  # sources among those stories


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether to link, how sure, why; ``needs_support``: linkable if other stories back it."""

    linked: bool
    confidence: float
    reason: str
    needs_support: bool = False


def _tokens(name: str) -> list[str]:
    return [w.strip(".,").lower() for w in name.split() if w.strip(".,")]


def _full_name(name: str) -> bool:
    """Two to four words, each a capitalised word or a name particle ("Ana de la Cruz")."""
    words = name.split()
    if not 2 <= len(words) <= 5:
        return False
    capitalised = [w for w in words if _NAME_WORD.fullmatch(w)]
    rest = [w for w in words if w not in capitalised]
    return len(capitalised) >= 2 and all(w.lower() in _PARTICLES for w in rest) \
        and not any(ch.isdigit() for ch in name)


def objection(evidence: Evidence) -> str:
    """Why no careful editor would publish a page for this name, or "" (rule 1)."""
    words = _tokens(evidence.name)
    if not words:
        return "no name"
    kind = evidence.kind
    if not _NAME_WORD.match(evidence.name.split()[0]) and not evidence.name[:1].isdigit():
        return "not a name: it starts with a lower-case word"  # "first State of the Union"
    if " ".join(words) in _NOT_ENTITIES:
        return "a speech or an occasion"
    if words[0] in _WEATHER:
        return "a weather event"
    if words[-1] in _ROADS or (len(words) > 1 and words[-1] == "way"):
        return "a road"
    if any(w in _EVENTS for w in words[1:]) or (kind != "organisation" and words[-1] in _EVENTS):
        return "an event"
    if kind in ("person", "organisation"):
        if words[-1] in _FEATURES or (words[0] in ("mount", "lake", "cape") and len(words) > 1):
            return "a geographic feature"
        if kind == "person" and (words[-1] in _SETTLEMENTS or words[-1] in _ORG_WORDS
                                 or words[-1] in _SHOWS):
            return "a place or an organisation, not a person"
        if evidence.known_place:
            return "a place, not a person or an organisation"
    if len(words) == 1 and evidence.lower_case_in_story:
        return "a common word"
    if evidence.cut_from_a_name:
        return "a piece of a longer name"
    if evidence.sports_copy and kind == "organisation" and any(w in _COMPETITIONS
                                                               for w in words):
        return "a competition in sports copy, not an organisation"
    if evidence.sports_copy and kind == "place":
        return "a place in sports copy, where it is usually a team"
    if evidence.sports_copy and kind == "person" and (
            evidence.place_word or words[-1] in _TEAM_WORDS):
        return "a team in sports copy, not a person"
    return ""


def supported(stories: int, sources: int) -> bool:
    """Other stories back a name (rule 5): enough stories, from more than one source."""
    return stories >= MIN_STORIES and sources >= MIN_SOURCES


def decide(evidence: Evidence) -> Decision:
    """Link or not, with a confidence in [0, 1]; see the module docstring for the rules."""
    reason = objection(evidence)
    if reason:
        return Decision(False, 0.1, reason)
    kind, words = evidence.kind, _tokens(evidence.name)
    backed = supported(evidence.stories, evidence.sources)
    if kind == "place":
        if evidence.known_place and (evidence.major_place or evidence.model_agrees):
            return Decision(True, 0.95, "a known place")
        if backed and evidence.model_agrees:
            return Decision(True, 0.85, "a place named in several stories and sources")
        return Decision(False, 0.5 if evidence.model_agrees else 0.3,
                        "a place not in the gazetteer", needs_support=evidence.model_agrees)
    if kind == "person":
        if _full_name(evidence.name):
            if evidence.model_agrees:
                return Decision(True, 0.95 if evidence.described else 0.9, "a full name")
            if evidence.described:
                return Decision(True, 0.8, "a full name with a title or description")
            if backed:
                return Decision(True, 0.8, "a full name in several stories and sources")
            return Decision(False, 0.5, "a full name the model did not read as a person",
                            needs_support=True)
        return Decision(False, 0.4 if evidence.model_agrees else 0.2,
                        "not a full name")  # a surname alone may be anyone's
    # organisations
    org_word = any(w in _ORG_WORDS for w in words) or "&" in evidence.name
    if len(words) > 1 and evidence.model_agrees and (org_word or evidence.described):
        return Decision(True, 0.9, "a multi-word organisation name")
    if backed and evidence.model_agrees:
        return Decision(True, 0.8, "an organisation named in several stories and sources")
    return Decision(False, 0.5 if evidence.model_agrees and len(words) > 1 else 0.3,
                    "an organisation name without evidence", needs_support=evidence.model_agrees)
