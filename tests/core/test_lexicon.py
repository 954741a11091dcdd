"""The shared language knowledge: each fold keeps its own meaning, the title lists nest, the
months are one list, and one alias table serves both the recogniser and the place lookups."""

from __future__ import annotations

from wiredesk.core.lexicon import folding, places, words
from wiredesk.core.text import slugify, split_dateline
from wiredesk.enrich import places as place_lookups


def test_each_fold_keeps_its_meaning() -> None:
    assert folding.strip_accents("São Paulo") == "Sao Paulo"
    assert folding.fold_accents("López") == "lopez"
    assert folding.fold_accents("Straße") == "straße"  # lower() keeps the sharp s
    assert folding.fold_words("  Straße   Nord ") == "strasse nord"  # casefold() does not
    assert folding.fold_word("Gen.") == "gen" and folding.fold_word("Pérez") == "perez"
    assert folding.fold_place_name("U.S.") == folding.fold_place_name("US") == "us"
    assert folding.fold_place_name("Côte d\N{RIGHT SINGLE QUOTATION MARK}Ivoire") == \
        "cote d'ivoire"
    assert folding.fold_for_compare("Biden\N{RIGHT SINGLE QUOTATION MARK}s  \"PLAN\"") == \
        "bidens plan"
    assert folding.fold_for_compare("Pérez") == "pérez"  # duplicate detection keeps accents
    assert folding.to_ascii("Łódź Straße") == "Lodz Strasse"
    assert slugify("Łódź mayor") == "lodz-mayor"


def test_the_title_lists_nest() -> None:
    assert words.NAME_TITLES < words.TITLES
    assert {"president", "mr", "coach"} <= words.NAME_TITLES
    assert {"father", "speaker", "player"} <= words.TITLES - words.NAME_TITLES


def test_months_and_weekdays() -> None:
    assert len(words.MONTHS) == 12 and words.MONTHS[4] == "May"
    assert "Sept" in words.MONTH_ABBREVIATIONS and "May" not in words.MONTH_ABBREVIATIONS
    assert words.lower(words.WEEKDAYS)[0] == "monday"
    assert "monday" not in words.STOPWORDS and "said" in words.STOPWORDS
    assert split_dateline("LISBON, Sept. 3 (Reuters) - Rain fell.")[0]


def test_one_alias_table_read_two_ways() -> None:
    gazetteer = places.gazetteer()
    tagged = [alias for alias in places.PLACE_ALIASES if alias.in_text]
    assert all(gazetteer.lookup(alias.name) is not None for alias in tagged)
    # Lookups take every country alias; the recogniser tags in text only the safe ones.
    assert place_lookups.country_code("Korea") == "KR"
    assert gazetteer.lookup("Korea") is None and gazetteer.lookup("Emirates") is None
    assert place_lookups.country_code("U.S.A.") == "US" and gazetteer.lookup("USA") == "USA"
    assert "usa" in gazetteer.countries and "middle east" not in gazetteer.countries
    assert place_lookups.city_country("Kiev") == place_lookups.city_country("Kyiv")
    assert place_lookups.country_code("Zaire") == ""  # former names are the recogniser's only


def test_html_to_text_for_bodies_html_to_line_for_titles() -> None:
    from wiredesk.core.text import html_to_line, html_to_text

    assert html_to_text("Rates<p>Bonds</p>") == "Rates\n\nBonds"
    assert html_to_line("Rates<p>Bonds</p>") == "Rates Bonds"
    assert html_to_text("Rates<span>Bonds</span>") == "RatesBonds"
    assert html_to_line("Rates<span>Bonds</span>") == "Rates Bonds"
    assert html_to_line("AT&amp;T\N{NO-BREAK SPACE}Inc <script>x()</script>") == \
        "AT&T\N{NO-BREAK SPACE}Inc"
