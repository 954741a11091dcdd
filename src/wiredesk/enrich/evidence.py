"""What a story itself says for or against publishing a page for one of its entities.

:func:`entity_evidence` reads the text around an entity's mentions into a
:class:`wiredesk.enrich.linking.Evidence`; :mod:`wiredesk.enrich.linking` decides on it, and
the newsroom adds what other stories say (how many stories and sources named it).

Besides the gazetteer and what the story writes in lower case, it reads whether the model cut the
name out of a longer one (:func:`cut_from_a_longer_name`): a name every mention of which runs
straight into another capitalised word ("Chicago PMI", "Gulf War", "Marco Tonchetti Provera"
read as "Marco Tonchetti", "Joe-Max Moore" read as "Max Moore") is a piece of some other name,
and a page for the piece would be a page for the wrong thing. Decided on CoNLL++ dev (see
``benchmarks/linked_entity_quality.py``).
"""

from __future__ import annotations

import re

from wiredesk.core.lexicon.places import gazetteer
from wiredesk.core.lexicon.words import TITLES, wordset
from wiredesk.enrich import entities as entity_rules
from wiredesk.enrich import linking, places
from wiredesk.enrich.corrections import is_sports, sentence_initial

__all__ = ["cut_from_a_longer_name", "entity_evidence", "is_known_place"]

# Capitalised words that may stand next to a name without being part of it: titles and roles
# ("President Bill Clinton", "Secretary of State John Kornblum", "Democrat Walter Mondale"),
# honorifics, a generation ("Jr", "II") and function words capitalised at a line's start.
_NEXT_TO_A_NAME = TITLES | wordset(
    """mr mrs ms dr st jr sr i ii iii iv emperor empress baron baroness commander congressman
    congresswoman assemblyman assemblywoman councilman councilwoman state democrat republican
    the a an and of on in at for to by with from as but or said says told""")
_WORD_BEFORE = re.compile(r"([A-Z][\w.'\N{RIGHT SINGLE QUOTATION MARK}-]*?)(-| )$")
_WORD_AFTER = re.compile(r"^(?: |-)([A-Z][\w'\N{RIGHT SINGLE QUOTATION MARK}]*)")


def _line_in_capitals(text: str, a: int, b: int) -> bool:
    """The line around ``text[a:b]`` has no lower-case letter (a headline, a table heading)."""
    start = text.rfind("\n", 0, a) + 1
    end = text.find("\n", b)
    line = text[start : end if end >= 0 else len(text)]
    return not any(ch.islower() for ch in line)


def _touches_a_capitalised_word(text: str, a: int, b: int) -> bool:
    """The mention ``text[a:b]`` runs straight into another capitalised word on either side
    (one space or a hyphen between), which is no title, possessive or sentence start."""
    if _line_in_capitals(text, a, b):
        return False
    before = _WORD_BEFORE.search(text, max(0, a - 40), a)
    if before is not None:
        word = before.group(1)
        if not (word.lower().rstrip(".") in _NEXT_TO_A_NAME or word.endswith(("'s", "s'"))
                or "\N{RIGHT SINGLE QUOTATION MARK}" in word or word.endswith(".")
                or word.lower().startswith("ex-")  # "Ex-Yankee Randy Velarde"
                or places.demonym_code(word) or places.country_code(word)  # "Mexican Ariel Cruz"
                or sentence_initial(text, before.start(1))):
            return True
    after = _WORD_AFTER.match(text[b : b + 40])
    return after is not None and after.group(1).lower().rstrip(".") not in _NEXT_TO_A_NAME


def cut_from_a_longer_name(text: str, mentions: list[tuple[int, int]]) -> bool:
    """Every mention of the entity is a piece of a longer capitalised name
    (:func:`_touches_a_capitalised_word`); False when one mention stands on its own."""
    return bool(mentions) and all(_touches_a_capitalised_word(text, a, b) for a, b in mentions)


def entity_evidence(text: str, entity: entity_rules.Entity,
                    sports: bool | None = None) -> linking.Evidence:
    """What this story says for publishing a page for ``entity`` (other stories: newsroom).
    ``sports``: whether the story is sports copy (found from the text when not given)."""
    if sports is None:
        sports = is_sports(text)
    one_word = entity.name.split()[0] if len(entity.name.split()) == 1 else ""
    return linking.Evidence(
        name=entity.name,
        kind=entity.kind,
        mentions=entity.count,
        model_agrees=entity.model_agrees,
        known_place=any(is_known_place(name) for name in (entity.name, *entity.aliases)),
        described=entity.described,
        major_place=any(_major_place(name) for name in (entity.name, *entity.aliases)),
        place_word=len(entity.name.split()) > 1
        and any(is_known_place(word) for word in entity.name.split()),
        sports_copy=sports,
        lower_case_in_story=bool(one_word) and _in_lower_case(text, one_word),
        cut_from_a_name=cut_from_a_longer_name(text, entity.mentions),
    )


def is_known_place(name: str) -> bool:
    """In either gazetteer: countries, US states, continents, regions wire copy names ("Middle
    East") and cities of 100,000 or more."""
    return places.is_known_place(name) or gazetteer().lookup(name) is not None


def _major_place(name: str) -> bool:
    """A country, US state, continent or region: never a common word or a club's name."""
    canonical = gazetteer().lookup(name)
    return bool(places.country_code(name)) or (
        canonical is not None and not places.city_country(name)[1])


def _in_lower_case(text: str, word: str) -> bool:
    """The story writes ``word`` in lower case somewhere ("digital", "farmers")."""
    lower = word.lower()
    pattern = rf"(?<![\w'-]){re.escape(lower)}(?![\w'-])"
    return lower != word and re.search(pattern, text) is not None
