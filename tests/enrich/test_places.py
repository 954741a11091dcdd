"""Countries with ISO codes, major places and the dateline place of a story.

Texts are written for these tests. Most tests feed hand-made mentions, so they test this module
alone; one runs the real recogniser on a whole story.
"""

from __future__ import annotations

import re

import pytest

from wiredesk.enrich import ner
from wiredesk.enrich.places import (
    Place,
    city_country,
    country_code,
    country_name,
    dateline_place,
    demonym_code,
    expand_place_mentions,
    places_for,
)


def marks(text: str, *names: tuple[str, ner.Kind]) -> list[ner.Mention]:
    """Every whole-word occurrence of each ``(surface, kind)``, as mentions, in text order."""
    found = [
        ner.Mention(m.start(), m.end(), m.group(), kind)
        for surface, kind in names
        for m in re.finditer(rf"(?<![\w.]){re.escape(surface)}(?![\w])", text)
    ]
    return sorted(found, key=lambda m: m.start)


def codes(text: str, mentions: list[ner.Mention], dateline: str = "") -> dict[str, int]:
    return {c.code: c.count for c in places_for(text, mentions, dateline).countries}


def test_country_names_aliases_and_codes() -> None:
    for name in ("U.S.", "US", "USA", "America", "United States", "U.S.'s"):
        assert country_code(name) == "US", name
    assert country_code("Britain") == country_code("UK") == country_code("England") == "GB"
    assert country_code("South Korea") == "KR"
    assert country_code("Ivory Coast") == country_code("Cote d'Ivoire") == "CI"
    assert country_code("Netherlands") == country_code("Holland") == "NL"
    assert country_code("Mexico's") == "MX"
    assert country_name("US") == "United States"
    assert country_name("MX") == "Mexico"
    # Regions are not countries.
    assert country_code("Americas") == ""
    assert country_code("Central America") == ""
    assert country_code("Latin America") == ""


def test_demonyms_and_cities() -> None:
    assert demonym_code("Mexican") == demonym_code("Mexicans") == "MX"
    assert demonym_code("Swiss") == "CH"
    assert demonym_code("South Korean") == "KR"
    assert city_country("Los Angeles") == ("Los Angeles", "US")  # not the Chilean namesake
    assert city_country("Kiev") == ("Kyiv", "UA")
    assert city_country("Sao Paulo") == ("São Paulo", "BR")
    assert city_country("Texas") == ("Texas", "US")  # a US state
    assert city_country("Nowhereville") == ("", "")


def test_countries_are_counted_with_their_codes() -> None:
    text = (
        "Officials from Mexico and Canada met their U.S. counterparts in Los Angeles. "
        "The United States said Mexico had agreed. America will host the next round in Toronto."
    )
    mentions = marks(
        text,
        ("Mexico", "place"), ("Canada", "place"), ("U.S.", "place"), ("Los Angeles", "place"),
        ("United States", "place"), ("America", "place"), ("Toronto", "place"),
    )
    found = places_for(text, mentions)
    assert [(c.code, c.name, c.count) for c in found.countries] == [
        ("US", "United States", 3),  # U.S., United States, America (+ Los Angeles, weakly)
        ("MX", "Mexico", 2),
        ("CA", "Canada", 1),  # (+ Toronto, weakly)
    ]
    assert found.places == [Place("Los Angeles", "US"), Place("Toronto", "CA")]
    assert found.dateline is None


def test_hyphenated_pairs_are_split_into_their_countries() -> None:
    text = (
        "Trade across the U.S.-Mexico border grew. Leaders praised the U.S.-Mexico-Canada pact "
        "at a U.S.-hosted summit, and a Mexico-based bank lent to Guinea-Bissau."
    )
    # The recogniser keeps "U.S.-Mexico" whole and misses "U.S." in "U.S.-hosted".
    mentions = marks(text, ("U.S.-Mexico", "place"), ("Guinea-Bissau", "place"))
    expanded = expand_place_mentions(text, mentions)
    assert [m.text for m in expanded] == [
        "U.S.", "Mexico", "U.S.", "Mexico", "Canada", "U.S.", "Mexico", "Guinea-Bissau"
    ]
    assert all(text[m.start : m.end] == m.text for m in expanded)
    assert codes(text, mentions) == {"US": 3, "MX": 3, "CA": 1, "GW": 1}


def test_names_over_a_hyphen_are_not_split_but_pure_place_pairs_are() -> None:
    text = "Coca-Cola and Jordan-Smith spoke at the U.S.-Chile forum."
    mentions = [
        *marks(text, ("Coca-Cola", "organisation"), ("Jordan-Smith", "person")),
        *marks(text, ("U.S.-Chile", "organisation")),  # a place pair taken for an organisation
    ]
    expanded = expand_place_mentions(text, sorted(mentions, key=lambda m: m.start))
    assert [(m.text, m.kind) for m in expanded] == [
        ("Coca-Cola", "organisation"), ("Jordan-Smith", "person"),
        ("U.S.", "place"), ("Chile", "place"),
    ]


def test_demonyms_are_weak_evidence() -> None:
    once = "Mexican migrants crossed the river."
    assert codes(once, []) == {}  # one demonym is not enough to list a country
    twice = "Mexican migrants crossed the river, Mexican officials said."
    assert codes(twice, []) == {"MX": 0}  # listed, but never named
    regional = "Central Americans and Latin American leaders met."
    assert codes(regional, []) == {}  # "Americans" here is not the United States
    inside = "American Airlines flew them home. American officials said so."
    # "American" inside the organisation's name does not count.
    airline = marks(inside, ("American Airlines", "organisation"))
    found = places_for(inside, airline).countries
    assert found == []


def test_the_dateline_place_and_its_country() -> None:
    text = "WASHINGTON, July 12 (Reuters) - The talks ended without a deal."
    found = places_for(text, marks(text, ("WASHINGTON", "place")))
    assert found.dateline == Place("Washington", "US")
    assert [c.code for c in found.countries] == ["US"]
    # A dateline passed by the caller (already split off the text) is used as is.
    body = "The talks ended without a deal."
    assert places_for(body, [], "KYIV (Reuters)").dateline == Place("Kyiv", "UA")
    assert [c.code for c in places_for(body, [], "KYIV (Reuters)").countries] == ["UA"]


@pytest.mark.parametrize(
    ("dateline", "place"),
    [
        ("SAN JUAN, Puerto Rico (AP)", Place("San Juan", "PR")),
        ("PARIS, Texas", Place("Paris", "US")),
        ("PARIS", Place("Paris", "FR")),
        ("ATHENS, Georgia", Place("Athens", "US")),
        ("TBILISI, Georgia", Place("Tbilisi", "GE")),
        ("LONDON, Jan. 5 (AP)", Place("London", "GB")),
        ("MEXICO CITY (Reuters)", Place("Mexico City", "MX")),
        ("BEIJING/SHANGHAI (Reuters)", Place("Beijing", "CN")),
        ("SMALLVILLE, Kansas", Place("Smallville", "US")),
    ],
)
def test_dateline_places(dateline: str, place: Place) -> None:
    assert dateline_place(dateline) == place


def test_a_us_state_after_a_us_city_is_the_state_throughout() -> None:
    text = "Storms hit Atlanta, Georgia on Tuesday. Officials in Georgia said roads were closed."
    found = places_for(text, marks(text, ("Atlanta", "place"), ("Georgia", "place")))
    assert [c.code for c in found.countries] == ["US"]
    assert Place("Georgia", "US") in found.places
    alone = "Georgia and Armenia signed a border deal."
    found = places_for(alone, marks(alone, ("Georgia", "place"), ("Armenia", "place")))
    assert [c.code for c in found.countries] == ["GE", "AM"]


def test_with_the_recogniser(recogniser: ner.Recogniser) -> None:
    text = (
        "OTTAWA (AP) - Canada and the U.S. agreed on Monday to expand the U.S.-Canada "
        "crossing at Detroit, officials from both countries said. Venezuela and Cuba were not "
        "invited, and Mexican diplomats asked why the United Kingdom was."
    )
    found = places_for(text, recogniser.recognise(text))
    listed = {c.code: c for c in found.countries}
    assert {"CA", "US", "VE", "CU", "GB"} <= set(listed)
    assert "MX" not in listed  # one demonym only
    assert listed["CA"].name == "Canada" and listed["CA"].count == 2
    assert listed["US"].count == 2
    assert found.dateline == Place("Ottawa", "CA")
    assert Place("Detroit", "US") in found.places
