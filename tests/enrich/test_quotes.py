"""Direct quotations and their speakers, on self-written wire-style copy."""

from __future__ import annotations

from wiredesk.enrich.quotes import Quote, extract_quotes


def by_text(quotes: list[Quote], words: str) -> Quote:
    hits = [q for q in quotes if words in q.text]
    assert len(hits) == 1, quotes
    return hits[0]


STORY = """Canadian Prime Minister Maria Delgado on Monday met Brazilian President Tomas \
Ferreira in Ottawa to discuss trade. "We want a deal before winter," Delgado told reporters.

Ferreira, who arrived late, said the talks had gone "better than expected" but warned of hurdles.

"Our farmers cannot wait another season," he said.

Delgado's husband, Paul Delgado, stayed in Toronto.

"The door is open," said the Canadian prime minister. "It has been open for a year."

Earlier, the Brazilian president spoke to a crowd of students outside the embassy. "Nobody should \
fear the future," he said."""


def test_named_speaker_after_quote() -> None:
    q = by_text(extract_quotes(STORY), "deal before winter")
    assert q.text == "We want a deal before winter,"
    assert q.speaker == "Maria Delgado"
    assert q.verb == "told"
    assert STORY[q.speaker_start : q.speaker_end] == "Delgado"
    assert STORY[q.start : q.end].startswith('"We want')


def test_pronoun_resolves_to_subject_of_previous_sentence() -> None:
    q = by_text(extract_quotes(STORY), "farmers cannot wait")
    assert q.speaker == "Tomas Ferreira"
    assert STORY[q.speaker_start : q.speaker_end] == "he"


def test_said_before_role_and_floating_continuation() -> None:
    quotes = extract_quotes(STORY)
    assert by_text(quotes, "door is open").speaker == "Maria Delgado"
    # The second sentence has no attribution of its own: same speaker.
    assert by_text(quotes, "open for a year").speaker == "Maria Delgado"


def test_surname_goes_to_the_person_meant_not_a_relative() -> None:
    # Paul Delgado is mentioned later; "Delgado" before that is the prime minister.
    q = by_text(extract_quotes(STORY), "deal before winter")
    assert q.speaker != "Paul Delgado"


def test_role_pronoun_after_role_mention() -> None:
    q = by_text(extract_quotes(STORY), "fear the future")
    assert q.speaker == "Tomas Ferreira"


def test_partial_quote_kept_as_reported_clause() -> None:
    q = by_text(extract_quotes(STORY), "better than expected")
    assert q.partial
    assert q.speaker == "Tomas Ferreira"
    assert q.text.startswith("the talks had gone")


def test_colon_introduction_and_typographic_marks() -> None:
    text = "Mayor Ines Okafor told the council: “We will rebuild the pier this year.”"
    q = extract_quotes(text)[0]
    assert q.text == "We will rebuild the pier this year."
    assert (q.speaker, q.verb) == ("Ines Okafor", "told")


def test_according_to() -> None:
    text = '"The ice was too thin," according to Sergeant Lee Park of the coast guard.'
    q = extract_quotes(text)[0]
    assert q.speaker == "Lee Park"
    assert q.verb == "according to"


def test_interrupted_quote_both_halves_same_speaker() -> None:
    text = '"We tried," Dana Whitfield said, "but the river rose too fast."'
    quotes = extract_quotes(text)
    assert [q.text for q in quotes] == ["We tried,", "but the river rose too fast."]
    assert {q.speaker for q in quotes} == {"Dana Whitfield"}


def test_quote_spanning_paragraphs() -> None:
    text = (
        'Coach Amir Haddad was blunt after the loss. "We were slow from the start.\n\n'
        '"We lost every battle in the corners," he said.'
    )
    quotes = extract_quotes(text)
    assert [q.text for q in quotes] == [
        "We were slow from the start.",
        "We lost every battle in the corners,",
    ]
    assert {q.speaker for q in quotes} == {"Amir Haddad"}


def test_gender_picks_the_compatible_person() -> None:
    text = (
        "Ms. Rosa Lindqvist chaired the hearing. Mr. Omar Bakri testified for two hours.\n\n"
        '"The numbers do not add up," she said.'
    )
    assert extract_quotes(text)[0].speaker == "Rosa Lindqvist"


def test_bare_quote_paragraph_continues_previous_speaker() -> None:
    text = (
        '"The harvest is late," farmer Joan Reyes said.\n\n'
        '"We will be picking apples in November."'
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Joan Reyes", "Joan Reyes"]
    assert quotes[1].verb == ""


def test_reported_speech_sentence_gives_the_next_bare_quote_its_speaker() -> None:
    text = (
        '"Costs doubled," Hugo Brandt said.\n\n'
        "Lena Ortiz says the city was warned.\n\n"
        '"We sent three letters about the pipes."'
    )
    assert extract_quotes(text)[-1].speaker == "Lena Ortiz"


def test_known_people_are_used_as_full_forms() -> None:
    text = 'Van der Berg spoke first. "We are ready," Van der Berg said.'
    q = extract_quotes(text, people=["Anneke van der Berg"])[0]
    assert q.speaker in ("Anneke van der Berg", "Van der Berg")


def test_noun_phrase_speaker_kept_when_no_person() -> None:
    q = extract_quotes('"Roads will stay closed overnight," police said.')[0]
    assert q.speaker == "police"


def test_scare_quotes_and_titles_are_not_quotes() -> None:
    text = (
        'The so-called "fast lane" plan drew crowds. "The Long Road Home" opens Friday.\n\n'
        'Officials described it as a "win" for commuters.'
    )
    assert extract_quotes(text) == []


def test_no_quote_marks() -> None:
    assert extract_quotes("") == []
    assert extract_quotes("Nobody said anything at all.") == []


# -- partial quotes inside reported speech (issue 13) ------------------------------------------

FBI = (
    "The FBI said on Wednesday it had \u201cgrave concerns\u201d about the president's plan to "
    "release a memo said to contain classified information.\n\n"
    "\u201cWe are deeply concerned about material omissions of fact that fundamentally impact "
    "the memo's accuracy,\u201d the bureau said in a statement."
)


def test_partial_quote_in_reported_speech_is_not_a_standalone_quotation() -> None:
    quotes = extract_quotes(FBI)
    q = by_text(quotes, "grave concerns")
    # Marked partial (shown nowhere as a quotation); its text is the reported clause, without
    # the time of the saying, so the words in quote marks are not offered on their own.
    assert q.partial
    assert q.text.startswith("it had \u201cgrave concerns\u201d about")
    assert q.text != "grave concerns"
    assert q.speaker == "The FBI"
    assert q.verb == "said"


def test_full_quote_next_to_a_partial_one_is_still_a_quotation() -> None:
    q = by_text(extract_quotes(FBI), "material omissions")
    assert not q.partial
    assert q.text.startswith("We are deeply concerned")
    assert q.verb == "said"


def test_full_quotes_are_never_marked_partial() -> None:
    quotes = extract_quotes(STORY)
    full = [q for q in quotes if not q.partial]
    assert {q.text for q in full} >= {
        "We want a deal before winter,", "Our farmers cannot wait another season,",
        "The door is open,", "Nobody should fear the future,",
    }


def test_partial_quote_ending_its_sentence_keeps_the_attribution_before_it() -> None:
    # The capitalised words after the closing mark start a new sentence: its verb ("noted")
    # is not this quote's.
    text = ('In a statement, Northwind said it is "in the process of restoring service." '
            "The firm noted that no customer data was lost.")
    q = extract_quotes(text)[0]
    assert q.partial
    assert (q.speaker, q.verb) == ("Northwind", "said")


def test_appositive_with_relative_clause_keeps_the_name_as_subject() -> None:
    text = ("On Tuesday, Ilse Marven, the chair of the Harbour Council, which runs the port, "
            'urged ministers "to act before the storm season."')
    q = extract_quotes(text)[0]
    assert q.speaker == "Ilse Marven"


# -- pronouns after a newly introduced person ------------------------------------------------


def test_pronoun_refers_to_the_person_the_previous_sentence_introduces() -> None:
    text = (
        'Coach Dan Pike praised the program. "It changed the club," he said.\n\n'
        "Weekly classes at the pool, along with a new diet, also brought results for retired "
        "teacher Walter Ngata, 71. "
        '"I sleep better now," he says.'
    )
    assert by_text(extract_quotes(text), "sleep better").speaker == "Walter Ngata"


def test_pronoun_after_a_sentence_naming_two_people_follows_the_subject() -> None:
    text = (
        'Mayor Carl Osei opened the bridge. "It took ten years," he said.\n\n'
        "Osei thanked engineer Pavel Rusk and planner Tomas Eide. "
        '"They never gave up," he said.'
    )
    assert by_text(extract_quotes(text), "never gave up").speaker == "Carl Osei"


def test_pronoun_refers_to_the_person_named_at_the_end_of_the_previous_paragraph() -> None:
    text = (
        'Premier Joel Hartman defended the budget. "It balances," he said.\n\n'
        "The plan may simply have been sold the wrong way, according to former central bank "
        "governor Ruben Okoro.\n\n"
        '"Politicians sell this stuff on stimulus grounds," he said.'
    )
    assert by_text(extract_quotes(text), "stimulus grounds").speaker == "Ruben Okoro"


def test_the_company_is_the_organisation_a_recent_sentence_had_as_subject() -> None:
    text = (
        "The Harbour Transit Authority said Thursday that the ferries had also lost power.\n\n"
        "But the agency seemed confident. "
        '"We expect service to return soon," the agency said in a statement.'
    )
    speaker = by_text(extract_quotes(text), "service to return").speaker
    assert speaker == "Harbour Transit Authority"


def test_the_company_stays_a_description_when_no_organisation_was_the_subject() -> None:
    text = (
        "While investigators do not know who is responsible, threats kept coming.\n\n"
        '"The claims are false," the security firm wrote.'
    )
    assert by_text(extract_quotes(text), "claims are false").speaker == "the security firm"
