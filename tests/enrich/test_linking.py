"""Which entities get a public page: the rules of wiredesk.enrich.linking on evidence built by
hand (no model), and the demo stories' known junk through the whole pipeline."""

from __future__ import annotations

import pytest

from wiredesk.core.text import html_to_text
from wiredesk.demo import DEMO_SOURCES
from wiredesk.enrich.evidence import cut_from_a_longer_name
from wiredesk.enrich.linking import Evidence, decide, objection, supported
from wiredesk.enrich.pipeline import Enricher
from wiredesk.enrich.result import Enrichment, StoryText
from wiredesk.ingest.formats import parse_feed


@pytest.mark.parametrize(
    ("name", "kind", "why"),
    [
        ("Typhoon Quilla", "person", "a weather event"),
        ("Millbrook Road", "place", "a road"),
        ("Durban Harbour Marathon", "place", "an event"),
        ("Merrick Glacier", "person", "a geographic feature"),
        ("Northgate City", "person", "a place or an organisation, not a person"),
        ("first State of the Union", "organisation",
         "not a name: it starts with a lower-case word"),
        ("Jimmy Kimmel Live", "person", "a place or an organisation, not a person"),
    ],
)
def test_lexical_objections_veto_a_page(name: str, kind: str, why: str) -> None:
    evidence = Evidence(name, kind, model_agrees=True, described=True, stories=9, sources=5)
    assert objection(evidence) == why
    decision = decide(evidence)
    assert not decision.linked and decision.confidence < 0.5


def test_a_known_place_read_as_an_organisation_gets_no_page() -> None:
    for name in ("London", "New York"):
        assert not decide(Evidence(name, "organisation", model_agrees=True, known_place=True,
                                   major_place=True)).linked


def test_a_one_word_name_the_story_writes_in_lower_case_is_a_common_word() -> None:
    for name in ("Digital", "Farmers", "Ferry"):
        evidence = Evidence(name, "organisation", model_agrees=True, lower_case_in_story=True,
                            stories=5, sources=3)
        assert objection(evidence) == "a common word"
        assert not decide(evidence).linked


def test_known_places_are_linked_cities_only_when_the_model_agrees() -> None:
    assert decide(Evidence("Texas", "place", known_place=True, major_place=True)).linked
    assert decide(Evidence("Manila", "place", known_place=True, model_agrees=True)).linked
    # "Man" is a city in the gazetteer, and a common word: the model must have read a place.
    assert not decide(Evidence("Man", "place", known_place=True)).linked


def test_an_unknown_place_needs_other_stories() -> None:
    alone = decide(Evidence("San Jeronimo", "place", model_agrees=True))
    assert not alone.linked and alone.needs_support
    assert decide(Evidence("San Jeronimo", "place", model_agrees=True, stories=3,
                           sources=2)).linked


def test_people_need_a_full_name_read_as_a_person_or_described() -> None:
    assert decide(Evidence("Gabriela Montiel", "person", model_agrees=True)).linked
    assert decide(Evidence("Gabriela Montiel", "person", described=True)).linked
    assert not decide(Evidence("Gabriela Montiel", "person")).linked
    assert not decide(Evidence("Montiel", "person", model_agrees=True, described=True)).linked


def test_organisations_need_a_multi_word_name_with_a_cue() -> None:
    assert decide(Evidence("Bank of Mexico", "organisation", model_agrees=True)).linked
    assert decide(Evidence("Casas & Vidal", "organisation", model_agrees=True)).linked
    assert decide(Evidence("Hanseong Memory", "organisation", model_agrees=True,
                           described=True)).linked
    assert not decide(Evidence("Hanseong Memory", "organisation", model_agrees=True)).linked
    one_word = decide(Evidence("Amazon", "organisation", model_agrees=True))
    assert not one_word.linked and one_word.needs_support


def test_support_takes_several_stories_from_several_sources() -> None:
    assert supported(3, 2)
    assert not supported(10, 1)  # one feed repeating a name is not support
    assert not supported(2, 2)
    assert decide(Evidence("UNHCR", "organisation", model_agrees=True, stories=4,
                           sources=2)).linked


def test_sports_copy_places_and_clubs_read_as_people_get_no_page() -> None:
    assert not decide(Evidence("Sheffield", "place", known_place=True, model_agrees=True,
                               sports_copy=True)).linked
    assert not decide(Evidence("Bayer Leverkusen", "person", model_agrees=True,
                               place_word=True, sports_copy=True)).linked


def test_a_competition_in_sports_copy_is_no_organisation() -> None:
    for name in ("National League", "American League Central", "World Group II"):
        evidence = Evidence(name, "organisation", model_agrees=True, sports_copy=True)
        assert objection(evidence) == "a competition in sports copy, not an organisation"
    # Outside sports copy a league may be a body: "League of Women Voters".
    assert decide(Evidence("League of Women Voters", "organisation", model_agrees=True)).linked


def test_a_piece_of_a_longer_name_gets_no_page() -> None:
    evidence = Evidence("Jose Miguel", "person", model_agrees=True, cut_from_a_name=True)
    assert objection(evidence) == "a piece of a longer name"
    assert not decide(evidence).linked


@pytest.mark.parametrize(
    ("text", "name", "cut"),
    [
        ("A rise in the Chicago PMI lifted bonds.", "Chicago", True),
        ("They met Foreign Minister Jose Miguel Insulza on Monday.", "Jose Miguel", True),
        ("Scorers: U.S. - Joe-Max Moore (3rd minute).", "Max Moore", True),
        ("since the 1991 Gulf War ended.", "Gulf", True),
        # Titles, roles, nationalities, possessives and sentence starts stand next to a name.
        ("They met Foreign Minister Jose Miguel on Monday.", "Jose Miguel", False),
        ("He beat American Oliver McCall on points.", "Oliver McCall", False),
        ("Ohio Congressman Tim Ryan said so.", "Tim Ryan", False),
        ("Texas Governor Greg Abbott said so.", "Texas", False),
        ("Brazil's Ronaldo Lima scored.", "Ronaldo Lima", False),
        ("It rained. Ana Ruiz stayed in.", "Ana Ruiz", False),
        ("Ex-Yankee Randy Velarde hit a homer.", "Randy Velarde", False),
        ("a Hong Kong-based group", "Hong Kong", False),
        # A headline in capitals says nothing about where names end.
        ("MEXICO CITY SHAKES", "MEXICO", False),
    ],
)
def test_cut_from_a_longer_name(text: str, name: str, cut: bool) -> None:
    at = text.index(name)
    assert cut_from_a_longer_name(text, [(at, at + len(name))]) is cut


def test_a_name_standing_alone_once_is_not_a_piece() -> None:
    text = "A rise in the Chicago PMI. Chicago voted."
    first, second = text.index("Chicago"), text.rindex("Chicago")
    assert not cut_from_a_longer_name(text, [(first, first + 7), (second, second + 7)])


def _demo(enricher: Enricher, headline_start: str) -> Enrichment:
    for demo in DEMO_SOURCES:
        for item in parse_feed(demo.path.read_bytes()).items:
            if item.title.startswith(headline_start):
                return enricher.enrich(StoryText(item.title, html_to_text(
                    item.content_html or item.summary_html)))
    raise AssertionError(f"no demo story {headline_start!r}")


def test_demo_junk_gets_no_page(enricher: Enricher) -> None:
    typhoon = _demo(enricher, "Typhoon Quilla")
    linked = {(e.name, e.kind) for e in typhoon.entities if e.linked}
    assert not any(name == "Typhoon Quilla" for name, _ in linked)
    assert not any(e.kind == "person" and e.name == "Typhoon Quilla" and e.linked
                   for e in typhoon.entities)
    assert ("Ferry", "organisation") not in linked and ("Farmers", "organisation") not in linked
    remittances = _demo(enricher, "Remittances to Mexico")
    assert "Digital" not in {e.name for e in remittances.entities if e.linked}
    assert {"Gabriela Montiel", "Bank of Mexico"} <= {e.name for e in remittances.entities
                                                      if e.linked}
    # What is not linked stays in the result, with its confidence, for the API.
    digital = [e for e in remittances.entities if e.name == "Digital"]
    assert all(e.confidence < 0.5 for e in digital)
