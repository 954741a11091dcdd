"""Navigation tags and the fallback summary. Texts are written for these tests."""

from __future__ import annotations

from wiredesk.enrich.entities import Entity, entities_for, entity_key
from wiredesk.enrich.ner import Kind, Recogniser
from wiredesk.enrich.tags import summary_for, tags_for, title_case


def entity(
    name: str, kind: Kind, count: int, first: int, country: str = "", is_country: bool = False
) -> Entity:
    """An entity as :func:`entities_for` makes it (``country``: the place's ISO code)."""
    spans = [(first + 100 * i, first + 100 * i + len(name)) for i in range(count)]
    key = entity_key(kind, name, "" if is_country else country)
    return Entity(key, name, kind, count, first, spans, [], country, is_country)


ENTITIES = [
    entity("United States", "place", 9, 0, "US", is_country=True),
    entity("Joe Biden", "person", 8, 15),
    entity("Mexico", "place", 5, 100, "MX", is_country=True),
    entity("Andres Manuel Lopez Obrador", "person", 5, 480),
    entity("Los Angeles", "place", 3, 550, "US"),  # a city: never a tag
    entity("Central America", "place", 3, 600),  # a region: never a tag
    entity("U.S. Border Patrol", "organisation", 2, 3000),
    entity("Donald Trump", "person", 1, 3600),  # once, after the lead: a passing mention
]


def test_salient_entities_then_topics() -> None:
    tags = tags_for(ENTITIES, ["immigration", "trade"], limit=6)
    assert tags == [
        "Joe Biden", "United States", "Andres Manuel Lopez Obrador", "Mexico",
        "Immigration", "Trade",
    ]


def test_topics_keep_two_places_and_fill_spare_room() -> None:
    assert tags_for(ENTITIES, ["immigration", "trade", "elections"], limit=4) == [
        "Joe Biden", "United States", "Immigration", "Trade",
    ]
    # Without topics, entities fill every place; a passing mention still never does.
    assert tags_for(ENTITIES, [], limit=10) == [
        "Joe Biden", "United States", "Andres Manuel Lopez Obrador", "Mexico",
        "U.S. Border Patrol",
    ]
    # Few entities: more topics.
    assert tags_for(ENTITIES[1:2], ["a", "b", "c"], limit=3) == ["Joe Biden", "A", "B"]
    assert tags_for(ENTITIES, ["trade"], limit=0) == []


def test_tags_are_deduplicated_ignoring_case_and_accents() -> None:
    tags = tags_for(ENTITIES[:3], ["mexico", "MÉXICO", "Joe  Biden", "migration"], limit=6)
    assert tags == ["Joe Biden", "United States", "Mexico", "Migration"]


def test_title_case() -> None:
    assert title_case("climate change") == "Climate Change"
    assert title_case("law and order") == "Law and Order"
    assert title_case("NATO summit") == "NATO Summit"
    assert title_case("U.S.-Mexico relations") == "U.S.-Mexico Relations"
    assert title_case("iPhone sales") == "iPhone Sales"
    assert title_case("health-care costs") == "Health-Care Costs"
    assert title_case("ELECTIONS") == "Elections"


def test_tags_from_a_real_story(recogniser: Recogniser) -> None:
    text = (
        "BRUSSELS (AP) - NATO leaders met on Thursday. Secretary General Mara Velden said NATO "
        "would expand its mission in Estonia, and Velden thanked Germany. Estonia welcomed it."
    )
    tags = tags_for(entities_for(text, recogniser.recognise(text)), ["defence"])
    assert tags[:2] == ["NATO", "Mara Velden"]
    assert "Estonia" in tags and "Defence" in tags
    assert "Brussels" not in tags  # a city


# --------------------------------------------------------------------------------------- summary


def test_summary_is_the_lead_without_the_dateline() -> None:
    text = (
        "WASHINGTON, July 12 (Reuters) - The U.S. Senate passed the bill on Tuesday. "
        "It now goes to the House. A vote is expected next week.\n\n"
        "Second paragraph."
    )
    assert summary_for("Senate passes bill", text) == (
        "The U.S. Senate passed the bill on Tuesday. It now goes to the House."
    )


def test_summary_takes_a_second_sentence_from_the_next_paragraph() -> None:
    text = "LONDON (AP) - Rain fell.\n\nRivers rose by Mr. Smith's farm. Roads closed."
    assert summary_for("Rain", text) == "Rain fell. Rivers rose by Mr. Smith's farm."


def test_summary_skips_byline_subhead_and_a_repeated_headline() -> None:
    text = (
        "By Jane Roe\n\n"
        "Storm hits coast\n\n"
        "'HEAVY RAIN'\n\n"
        "A storm hit the coast on Monday. Thousands lost power."
    )
    assert summary_for("Storm hits coast", text) == (
        "A storm hit the coast on Monday. Thousands lost power."
    )


def test_summary_fits_max_chars() -> None:
    long_lead = "The council " + "debated the budget at length " * 20 + "and then voted."
    summary = summary_for("Budget", long_lead + " It passed.", max_chars=120)
    assert len(summary) <= 120 and summary.endswith("…")
    two = "First sentence is here. Second one is much longer than the room that is left."
    assert summary_for("x", two, max_chars=40) == "First sentence is here."


def test_summary_falls_back_to_the_headline() -> None:
    assert summary_for("Markets close higher", "") == "Markets close higher"
    assert summary_for("", "  \n ") == ""
