"""Key figures: value, unit, what they count, and the numbers that are not figures."""

from __future__ import annotations

import pytest

from wiredesk.enrich.figures import Figure, extract_figures


def one(text: str) -> Figure:
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


def test_scaled_count_with_prepositional_phrase_cut_at_time() -> None:
    f = one("Rangers logged 4.1 million visits to the national parks last summer.")
    assert f.value == 4_100_000
    assert f.display == "4.1 million"
    assert f.unit == ""
    assert f.counts == "visits to the national parks"


def test_money_with_infinitive_purpose() -> None:
    f = one("The council approved a $2.6 billion loan to rebuild bridges of the coast road.")
    assert f.value == pytest.approx(2.6e9)
    assert (f.unit, f.display) == ("USD", "$2.6 billion")
    assert f.counts == "loan to rebuild bridges of the coast road"


def test_month_after_number_is_not_counted() -> None:
    f = one("Inspectors issued 12,500 fines to delivery firms in March.")
    assert f.value == 12_500
    assert f.counts == "fines to delivery firms"


def test_relative_clause_keeps_its_verb() -> None:
    f = one("Officials counted 41 hikers who vanished in the storm.")
    assert f.counts == "hikers who vanished"


def test_percent_of_noun_and_percent_subject() -> None:
    assert one("Nearly 62 percent of nurses voted for the deal.").counts == "nurses"
    f = one("The jobless rate fell to 4.2% in April.")
    assert (f.value, f.unit, f.counts) == (4.2, "%", "jobless rate")


def test_bare_number_borrows_from_parallel_figure() -> None:
    text = "Ferries carried 9,000 cars in June, up from about 6,500 a year earlier."
    figures = extract_figures(text)
    assert [f.value for f in figures] == [9000, 6500]
    assert figures[1].counts == "cars"


def test_currency_words_and_symbols() -> None:
    assert one("The club paid €45m for the striker.").unit == "EUR"
    f = one("Farmers lost 30 million dollars to the drought.")
    assert (f.value, f.unit, f.display) == (30e6, "USD", "30 million dollars")
    assert one("The fund raised C$75 million.").unit == "CAD"


@pytest.mark.parametrize(
    "text",
    [
        "The bridge opened in 1998 and was repaired in 2021.",
        "The vote is set for May 14 at 9 a.m.",
        "The deadline is 5 June.",
        "Call 604-555-0199 for details.",
        "She lives at 1402 Maple Street.",
        "Jane Roe, 47, runs the shelter.",
        "The 33-year-old won the race.",
        "The No. 3 seed lost 4-1 to the home side.",
        "Parliament debated Bill C-48 and the G7 agenda.",
        "He finished 2nd overall.",
    ],
)
def test_numbers_that_are_not_figures_are_skipped(text: str) -> None:
    assert extract_figures(text) == []


def test_limit_keeps_most_informative_in_reading_order() -> None:
    text = (
        "The 3 ministers met. They pledged $900 million in aid to 40,000 families. "
        "Prices rose 7% and 2 of them left."
    )
    figures = extract_figures(text, limit=3)
    assert [f.display for f in figures] == ["$900 million", "40,000", "7%"]
    assert figures == sorted(figures, key=lambda f: f.start)


def test_offsets_point_at_the_figure() -> None:
    text = "Exports reached $1.2 trillion last year."
    f = one(text)
    assert text[f.start : f.end] == f.display == "$1.2 trillion"


def test_empty_text() -> None:
    assert extract_figures("") == []
    assert extract_figures("No numbers here.") == []


def test_a_figure_without_a_telling_label_has_none() -> None:
    text = ("The figure was 7.4% higher than a year earlier. Each transfer averaged $386 each. "
            "The unemployment rate fell to 5.2% in May.")
    counts = {f.display: f.counts for f in extract_figures(text)}
    assert counts["7.4%"] == "" and counts["$386"] == ""
    assert counts["5.2%"] == "unemployment rate"


def test_a_preposition_after_a_percentage_is_not_what_it_counts() -> None:
    # "by late afternoon" says when, not what: the clause's subject is what fell.
    f = one("A broad index of regional shares fell 1.1% by late afternoon.")
    assert f.counts == "fall in broad index of regional shares"  # a change, not a level


def test_a_subject_keeps_its_prepositional_phrase() -> None:
    f = one("Shares in Japanese equipment makers fell 5%.")
    assert f.counts == "fall in shares in Japanese equipment makers"


def test_a_phrase_cut_at_a_month_does_not_end_on_a_possessive() -> None:
    f = one("Traders see a 70% chance of a rate rise at the bank's December meeting.")
    assert f.counts == "chance of a rate rise"


def test_a_price_per_unit_says_per_what() -> None:
    f = one("Brent crude futures fell to $71.40 a barrel.")
    assert (f.unit, f.counts) == ("USD", "Brent crude futures, per barrel")


def test_what_a_number_counts_stops_at_the_end_of_its_sentence() -> None:
    f = one("The pool will buy 160 medicines from mid-2027. Countries will pay into it.")
    assert f.counts == "medicines"


def test_the_subject_of_a_clause_counts_only_when_it_is_what_moved() -> None:
    # "Economists had expected 0.2%": economists are not what the 0.2% measures.
    assert one("Economists had expected a rise of 0.2% in the index.").counts == ""
    assert one("Officials estimate the pool could save $2.3 billion a year.").counts == "per year"
    assert one("The jobless rate was 4.1% in October.").counts == "jobless rate"


REMITTANCES = (
    "Money sent home by Mexicans working abroad rose to a record $6.1 billion in October, "
    "central bank data showed on Friday.\n\n"
    "The figure was 7.4% higher than in the same month last year. The number of individual "
    "transfers rose to 15.8 million, with an average of about $386 each.\n\n"
    "Digital transfers have grown quickly, accounting for 58% of all remittances in October, "
    "up from 41% three years ago. The peso has weakened about 6% against the dollar.\n\n"
    "Officials met for 48 hours."
)


def test_key_figures_put_the_news_first_each_labelled() -> None:
    from wiredesk.enrich.figures import key_figures

    shown = key_figures("Remittances to Mexico hit record", REMITTANCES)
    assert [(f.display, f.counts) for f in shown] == [
        ("$6.1 billion", "Money sent home by Mexicans working abroad"),
        ("7.4%", "rise in money sent home by Mexicans working abroad on a year earlier"),
        ("15.8 million", "number of individual transfers"),
    ]
    assert all(f.confident for f in shown)


def test_shares_averages_and_durations_are_not_labelled_with_confidence() -> None:
    figures = {f.display: f for f in extract_figures(REMITTANCES, limit=20)}
    assert not figures["58%"].confident  # a share held by something the phrase does not name
    assert not figures["$386"].confident  # an average, not the number of transfers
    assert not figures["48"].confident  # a duration


def test_no_box_when_the_leads_figure_cannot_be_labelled() -> None:
    from wiredesk.enrich.figures import key_figures

    text = "Officials said the tally reached 40 on Monday.\n\nSome 3,000 homes lost power."
    assert key_figures("", text) == []


def test_an_unlabelled_figure_leaves_its_place_empty() -> None:
    from wiredesk.enrich.figures import key_figures

    text = ("Floods forced 12,000 residents from their homes, and damage may reach $2 billion "
            "depending on how far the water rises.\n\nSome 40 schools closed. "
            "Officials counted 3,500 cars lost.")
    shown = key_figures("", text, limit=2)
    # "$2 billion" cannot be labelled (a participle's clause follows); "3,500 cars", lower in
    # the story, does not take its place.
    assert [(f.display, f.counts) for f in shown] == [("12,000", "residents")]


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        # A dash ends what the number counts.
        ("The debt is $316 million \N{EN DASH} only about 60 per cent of the claim.",
         "$316 million"),
        # A relative clause that says which ones are counted cannot be left out.
        ("There are 860,000 youth across Canada who aren't working or studying.", "860,000"),
        # A preposition of several words cut off before its object.
        ("The judge ordered costs of $50,000 costs in addition to its own.", "$50,000"),
        # A participle's clause is not what a sum counts.
        ("The agency will pay up to $4 million depending on how many sign up.", "$4 million"),
    ],
)
def test_labels_that_would_say_more_or_other_than_the_story_are_not_given(
        text: str, figure: str) -> None:
    found = {f.display: f for f in extract_figures(text)}
    assert not found[figure].confident
