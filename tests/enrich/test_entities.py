"""A story's entities: canonical names, short forms, aliases, role references and keys.

Texts are written for these tests (no evaluation material is copied). Most tests feed hand-made
mentions so they pin this module's rules alone; the last ones run the real recogniser (loaded
once per process).
"""

from __future__ import annotations

import re

from wiredesk.enrich import ner
from wiredesk.enrich.entities import Entity, entities_for, entity_key


def marks(text: str, *names: tuple[str, ner.Kind]) -> list[ner.Mention]:
    """Every whole-word occurrence of each ``(surface, kind)``, as mentions, in text order.

    A shorter name inside a longer one ("Biden" in "Joe Biden") is not marked again.
    """
    found: list[ner.Mention] = []
    for surface, kind in sorted(names, key=lambda n: -len(n[0])):
        for m in re.finditer(rf"(?<![\w.]){re.escape(surface)}(?![\w])", text):
            if not any(f.start < m.end() and m.start() < f.end for f in found):
                found.append(ner.Mention(m.start(), m.end(), m.group(), kind))
    return sorted(found, key=lambda m: m.start)


def by_name(entities: list[Entity]) -> dict[str, Entity]:
    return {e.name: e for e in entities}


def surfaces(text: str, entity: Entity) -> list[str]:
    return [text[a:b] for a, b in entity.mentions]


# ------------------------------------------------------------------------------------------ keys


def test_keys_are_folded_slugs_stable_across_spellings() -> None:
    assert entity_key("person", "Andres Manuel Lopez Obrador") == (
        "person:andres-manuel-lopez-obrador"
    )
    assert entity_key("person", "Andrés Manuel López Obrador") == (
        "person:andres-manuel-lopez-obrador"
    )
    assert entity_key("organisation", "U.S. Border Patrol") == "organisation:us-border-patrol"
    assert entity_key("person", "Conan O'Brien") == "person:conan-obrien"
    assert entity_key("place", "United States") == "place:united-states"
    assert entity_key("place", "Paris", "FR") == "place:paris--fr"
    assert entity_key("person", "Łukasz Żak") == "person:lukasz-zak"
    assert entity_key("person", "习近平") == "person:习近平"  # no ASCII: keeps its own letters


# --------------------------------------------------------------------------------------- people


def test_a_surname_is_the_principal_namesake_not_the_latest() -> None:
    text = (
        "U.S. President Joe Biden met aides on Monday. First lady Jill Biden visited a school. "
        "Biden said the plan would work, and the Biden administration agreed."
    )
    mentions = marks(text, ("Joe Biden", "person"), ("Jill Biden", "person"), ("Biden", "person"))
    people = by_name(entities_for(text, mentions))
    assert people["Joe Biden"].count == 3  # the two bare "Biden" after Jill Biden are his
    assert people["Joe Biden"].aliases == ["Biden"]
    assert people["Jill Biden"].count == 1
    assert "Biden" not in people


def test_a_title_next_to_the_surname_picks_the_namesake_it_fits() -> None:
    text = (
        "President Joe Biden spoke first. First lady Jill Biden followed. Later, first lady "
        "Biden read to children, Mrs. Biden's office said, and President Biden left."
    )
    mentions = marks(text, ("Joe Biden", "person"), ("Jill Biden", "person"), ("Biden", "person"))
    people = by_name(entities_for(text, mentions))
    assert people["Jill Biden"].count == 3  # "first lady Biden", "Mrs. Biden's"
    assert people["Joe Biden"].count == 2  # "President Biden"


def test_a_namesake_named_in_full_more_often_is_the_principal() -> None:
    text = (
        "Jill Biden opened the library. Joe Biden sent a message. Jill Biden then toured it. "
        "Biden thanked the staff."
    )
    mentions = marks(text, ("Joe Biden", "person"), ("Jill Biden", "person"), ("Biden", "person"))
    people = by_name(entities_for(text, mentions))
    assert people["Jill Biden"].count == 3
    assert people["Joe Biden"].count == 1


def test_short_forms_of_a_long_name() -> None:
    text = (
        "Mexican President Andrés Manuel López Obrador arrived on Tuesday. Lopez Obrador said "
        "he was pleased; Lopez's aides agreed, and Andres Manuel waved."
    )
    mentions = marks(
        text,
        ("Andrés Manuel López Obrador", "person"), ("Lopez Obrador", "person"),
        ("Lopez", "person"), ("Andres Manuel", "person"),
    )
    [amlo] = entities_for(text, mentions)
    assert amlo.name == "Andrés Manuel López Obrador"
    assert amlo.key == "person:andres-manuel-lopez-obrador"
    assert amlo.count == 4
    assert set(amlo.aliases) == {"Lopez Obrador", "Lopez", "Andres Manuel"}
    assert amlo.first_offset == text.index("Andrés")


def test_titles_and_possessives_are_stripped() -> None:
    text = "President Joe Biden's plan was praised by Pope Francis and Sen. Ana Ruiz."
    mentions = marks(
        text,
        ("President Joe Biden's", "person"),
        ("Pope Francis", "person"),
        ("Sen. Ana Ruiz", "person"),
    )
    names = [e.name for e in entities_for(text, mentions)]
    assert names == ["Joe Biden", "Pope Francis", "Ana Ruiz"]  # a pope keeps his title
    [biden, *_] = entities_for(text, mentions)
    assert biden.mentions == [(text.index("Joe"), text.index("'s"))]


def test_role_references_resolve_to_the_person_introduced_with_that_role() -> None:
    text = (
        "The Mexican president spoke early. U.S. President Joe Biden met Mexican President "
        "Andres Manuel Lopez Obrador. Later the Mexican president's aides met the U.S. first "
        "lady, Jill Biden. The president said little; the first lady thanked them."
    )
    mentions = marks(
        text,
        ("Joe Biden", "person"), ("Andres Manuel Lopez Obrador", "person"),
        ("Jill Biden", "person"), ("U.S.", "place"),
    )
    people = by_name(entities_for(text, mentions))
    amlo = people["Andres Manuel Lopez Obrador"]
    # The first "Mexican president" comes before the introduction: not resolved.
    assert surfaces(text, amlo) == ["Andres Manuel Lopez Obrador", "Mexican president"]
    assert surfaces(text, people["Jill Biden"]) == ["Jill Biden", "first lady"]
    # "The president" could be either president: left alone.
    assert surfaces(text, people["Joe Biden"]) == ["Joe Biden"]
    assert amlo.aliases == []  # a role reference is a mention, not an alias


def test_a_country_named_role_and_a_demonym_role_match() -> None:
    text = (
        "Canada's Prime Minister Leo Marchetti arrived. The Canadian prime minister, who "
        "spoke briefly, left at noon."
    )
    people = entities_for(text, marks(text, ("Leo Marchetti", "person")))
    assert surfaces(text, people[0]) == ["Leo Marchetti", "Canadian prime minister"]


def test_model_leftovers_are_trimmed() -> None:
    text = (
        "An anti-Trump rally met at Colorado State University of the US. Ahmed Mohamed Image "
        "shows the boy. Trump said nothing; Ahmed Mohamed smiled."
    )
    mentions = marks(
        text,
        ("anti-Trump", "person"), ("Colorado State University of the", "organisation"),
        ("Ahmed Mohamed Image", "person"), ("Trump", "person"), ("Ahmed Mohamed", "person"),
    )
    found = {e.name: e.count for e in entities_for(text, mentions)}
    assert found == {"Trump": 2, "Colorado State University": 1, "Ahmed Mohamed": 2}


def test_an_apposition_introduces_a_role() -> None:
    text = (
        "The talks were led by the Chilean president, Marta Soler, and an aide. Later the "
        "Chilean president signed the deal."
    )
    [soler] = entities_for(text, marks(text, ("Marta Soler", "person")))
    assert surfaces(text, soler) == ["Marta Soler", "Chilean president"]


# ---------------------------------------------------------------------------------------- places


def test_every_name_of_the_united_states_is_one_place() -> None:
    text = (
        "The U.S. and the US Treasury disagree, but America and the United States Senate... "
        "In the United States, officials said."
    )
    mentions = marks(
        text, ("U.S.", "place"), ("US", "place"), ("America", "place"), ("United States", "place")
    )
    [us] = entities_for(text, mentions)
    assert (us.name, us.kind, us.key) == ("United States", "place", "place:united-states")
    assert (us.country_code, us.is_country) == ("US", True)
    assert us.count == 5
    assert set(us.aliases) == {"U.S.", "US", "America"}


def test_a_hyphenated_pair_is_both_places() -> None:
    text = "Crossings at the U.S.-Mexico border fell, Mexico said."
    mentions = marks(text, ("U.S.-Mexico", "place"), ("Mexico", "place"))
    places = by_name(entities_for(text, mentions))
    assert set(places) == {"United States", "Mexico"}
    assert surfaces(text, places["United States"]) == ["U.S."]
    assert surfaces(text, places["Mexico"]) == ["Mexico", "Mexico"]


def test_cities_take_the_gazetteer_spelling_and_carry_their_country() -> None:
    text = "Shelling hit Kiev overnight; Kyiv's mayor said the Paris talks would go on."
    mentions = marks(text, ("Kiev", "place"), ("Kyiv", "place"), ("Paris", "place"))
    places = by_name(entities_for(text, mentions))
    assert places["Kyiv"].count == 2 and places["Kyiv"].aliases == ["Kiev"]
    assert places["Kyiv"].key == "place:kyiv--ua"
    assert (places["Kyiv"].country_code, places["Kyiv"].is_country) == ("UA", False)
    assert places["Paris"].key == "place:paris--fr"


# --------------------------------------------------------------------------------- organisations


def test_acronyms_and_partial_names_join_their_organisation() -> None:
    text = (
        "The World Health Organization (WHO) and the European Central Bank met. WHO officials "
        "and the ECB agreed, the U.S. Border Patrol said; Border Patrol agents were present."
    )
    mentions = marks(
        text,
        ("World Health Organization", "organisation"), ("WHO", "organisation"),
        ("European Central Bank", "organisation"), ("ECB", "organisation"),
        ("U.S. Border Patrol", "organisation"), ("Border Patrol", "organisation"),
    )
    orgs = by_name(entities_for(text, mentions))
    assert set(orgs) == {"World Health Organization", "European Central Bank", "U.S. Border Patrol"}
    assert orgs["World Health Organization"].aliases == ["WHO"]
    assert orgs["European Central Bank"].aliases == ["ECB"]
    assert orgs["U.S. Border Patrol"].aliases == ["Border Patrol"]
    assert orgs["U.S. Border Patrol"].key == "organisation:us-border-patrol"


def test_junk_is_dropped() -> None:
    text = "Prices rose. 'LONGSTANDING PARTNERSHIP' X said 2021 was good for NATO and the EU."
    mentions = marks(
        text,
        ("LONGSTANDING PARTNERSHIP", "organisation"), ("X", "person"), ("2021", "organisation"),
        ("NATO", "organisation"), ("EU", "organisation"),
    )
    assert [e.name for e in entities_for(text, mentions)] == ["NATO", "EU"]


# ------------------------------------------------------------------------------ with the model


STORY = (
    "SANTIAGO, Chile (Wiredesk) - Chilean President Marta Quiroga Soler met U.S. President Joe "
    "Biden at the White House on Monday to discuss lithium exports. Quiroga Soler said the talks "
    "had gone well.\n\n"
    "Biden praised the Chilean president for her candour. First lady Jill Biden hosted a lunch "
    "for the delegation, and the Biden administration announced new grants. Later, Biden told "
    "reporters the U.S.-Chile partnership was strong."
)


def test_with_the_recogniser(recogniser: ner.Recogniser) -> None:
    entities = entities_for(STORY, recogniser.recognise(STORY))
    found = {e.name: e for e in entities}
    assert found["Joe Biden"].kind == "person"
    assert found["Joe Biden"].count == 4  # "Joe Biden" and three bare "Biden"
    assert found["Jill Biden"].count == 1
    quiroga = found["Marta Quiroga Soler"]
    assert quiroga.key == "person:marta-quiroga-soler"
    assert "Chilean president" in surfaces(STORY, quiroga)
    assert found["United States"].kind == "place"
    assert found["United States"].count == 2  # "U.S." and the "U.S." of "U.S.-Chile"
    assert found["Chile"].count == 2
    assert found["Santiago"].key == "place:santiago--cl"
    for entity in entities:
        assert entity.count == len(entity.mentions)
        assert entity.first_offset == entity.mentions[0][0]
        assert entity.mentions == sorted(entity.mentions)
    assert [e.first_offset for e in entities] == sorted(e.first_offset for e in entities)
