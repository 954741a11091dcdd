"""The pure text helpers: slugs, plain text, summaries, subheads, datelines and bylines."""

from __future__ import annotations

import pytest

from wiredesk.core.text import (
    ELLIPSIS,
    SLUG_MAX_LENGTH,
    clean_byline,
    html_to_text,
    is_subhead,
    slugify,
    split_dateline,
    strip_wrapping_quotes,
    summarize,
)

# ------------------------------------------------------------------------------------------ slugify


@pytest.mark.parametrize(
    ("headline", "slug"),
    [
        ("Biden, Lopez Obrador meet at White House", "biden-lopez-obrador-meet-at-white-house"),
        ("Ça va? Déjà vu in São Paulo", "ca-va-deja-vu-in-sao-paulo"),
        ("Straße in Łódź", "strasse-in-lodz"),
        ("Biden's \u201chemispheric challenge\u201d", "bidens-hemispheric-challenge"),
        ("UPDATE 2-Oil rises 3% on supply fears", "update-2-oil-rises-3-on-supply-fears"),
        ("  --Leading and trailing--  ", "leading-and-trailing"),
    ],
)
def test_slugify_makes_ascii_hyphenated_slugs(headline: str, slug: str) -> None:
    assert slugify(headline) == slug


@pytest.mark.parametrize("headline", ["", "   ", "!!! ???", "\u4e2d\u6587\u6807\u9898"])
def test_slugify_is_never_empty(headline: str) -> None:
    assert slugify(headline) == "story"


def test_slugify_cuts_long_headlines_at_a_word_boundary() -> None:
    headline = "Central bank holds rates steady as inflation cools and growth slows " * 3
    slug = slugify(headline)
    assert len(slug) <= SLUG_MAX_LENGTH
    assert not slug.endswith("-")
    assert headline.lower().replace(" ", "-").startswith(slug + "-")


def test_slugify_cuts_a_single_giant_word_hard() -> None:
    assert slugify("x" * 200) == "x" * SLUG_MAX_LENGTH


# ------------------------------------------------------------------------------------- html_to_text


def test_html_to_text_decodes_entities_and_separates_blocks() -> None:
    html = "<p>Rates &amp; bonds</p><p>Line one<br>line   two</p><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(html) == "Rates & bonds\n\nLine one line two\n\na\n\nb"


def test_html_to_text_drops_code_and_comments_but_keeps_their_tails() -> None:
    html = "<p>before<script>alert(1)</script> after<!-- hidden --> end<style>p{}</style></p>"
    assert html_to_text(html) == "before after end"


def test_html_to_text_keeps_quotation_marks() -> None:
    html = "<p>He said &quot;no&quot; and \u2018maybe\u2019 &#8220;later&#8221;</p>"
    assert html_to_text(html) == 'He said "no" and \u2018maybe\u2019 \u201clater\u201d'


@pytest.mark.parametrize(("html", "text"), [("", ""), ("   ", ""), ("plain  text", "plain text")])
def test_html_to_text_handles_text_without_markup(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    "text", ["plain", "  two\n\n paragraphs  ", "a\r\nb\u00a0c", "\u201cquoted\u201d > 1", "x;y"]
)
def test_html_to_text_reads_text_without_markup_as_the_parser_would(text: str) -> None:
    # An inline tag with nothing in it sends the text through the HTML parser unchanged.
    assert html_to_text(text) == html_to_text(text + "<b></b>")


def test_html_to_text_survives_deep_nesting() -> None:
    html = "<span>" * 5000 + "deep" + "</span>" * 5000
    assert html_to_text(html) == "deep"


# ---------------------------------------------------------------------------------------- summarize

LEAD = (
    'U.S. President Joe Biden on Tuesday called migration a shared "hemispheric challenge." '
    "Mr. Smith met officials on Jan. 5 in Washington. "
    "A third sentence follows here, and it goes on for a while longer than the others do."
)


def test_summarize_returns_short_text_unchanged_but_collapsed() -> None:
    assert summarize("  One   sentence. \n Two.  ") == "One sentence. Two."


def test_summarize_keeps_whole_sentences_without_an_ellipsis() -> None:
    first_two = LEAD[: LEAD.index(" A third")]
    assert summarize(LEAD, max_chars=len(first_two) + 10) == first_two


def test_summarize_does_not_break_at_abbreviations() -> None:
    # "U.S.", "Mr." and "Jan." end in full stops but end no sentence.
    assert summarize(LEAD, max_chars=100) == LEAD[: LEAD.index(" Mr. Smith")]


def test_summarize_cuts_an_overlong_first_sentence_at_a_word_with_an_ellipsis() -> None:
    summary = summarize(LEAD, max_chars=40)
    assert summary == "U.S. President Joe Biden on Tuesday" + ELLIPSIS
    assert len(summary) <= 40


@pytest.mark.parametrize("limit", [1, 5, 17, 63, 150, 299])
def test_summarize_never_exceeds_the_limit(limit: int) -> None:
    assert len(summarize(LEAD * 3, max_chars=limit)) <= limit


@pytest.mark.parametrize(
    ("limit", "summary"),
    [
        (19, "One two."),
        (20, "One two. Three four."),  # the second sentence ends exactly at the limit
        (21, "One two. Three four."),
    ],
)
def test_summarize_counts_a_sentence_ending_exactly_at_the_limit(limit: int, summary: str) -> None:
    assert summarize("One two. Three four. Five six seven", max_chars=limit) == summary


def test_summarize_reads_a_long_text_only_as_far_as_it_needs() -> None:
    # The same summary whatever follows the limit: a full stop one character past it, or more.
    head = "First sentence here. Second one."
    assert summarize(head + " More" + " words" * 5000, max_chars=len(head)) == head
    assert summarize(head + ". And more.", max_chars=len(head)) == "First sentence here."


# ---------------------------------------------------------------------------------------- subheads


@pytest.mark.parametrize(
    "text",
    [
        "LONGSTANDING PARTNERSHIP",
        "'LONGSTANDING PARTNERSHIP'",
        "\u2018RISING PRICES\u2019",
        "\u201cWHAT COMES NEXT\u201d",
        "U.S. AND CHINA",
        "\u00c9LECTIONS \u00c0 VENIR",
        "FIVE MORE YEARS OF RATE HIKES AHEAD",
    ],
)
def test_is_subhead_accepts_short_all_caps_lines(text: str) -> None:
    assert is_subhead(text)


@pytest.mark.parametrize(
    "text",
    [
        "USMCA",  # a lone acronym
        "AP",
        "'USMCA'",
        "(MORE)",
        "The USMCA could be used to integrate the three countries",  # acronyms in a sentence
        "Biden met AMLO at the WH",
        "THE MARKET FELL SHARPLY.",  # a shouted sentence, not a heading
        "WHY NOW?",
        "WASHINGTON -",  # a dateline fragment
        "NEW DELHI \u2014",
        "2024 - 2025",
        "ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE",  # too many words
        "A" * 30 + " " + "B" * 31,  # too long
        "",
    ],
)
def test_is_subhead_rejects_everything_else(text: str) -> None:
    assert not is_subhead(text)


@pytest.mark.parametrize(
    ("text", "subhead"),
    [
        ("' A B C D E F G H '", True),  # eight words; the quotation marks standing alone are not
        ("' A B C D E F G H I '", False),
        ("A B C D E F G H I", False),
    ],
)
def test_is_subhead_counts_words_inside_wrapping_quotes(text: str, subhead: bool) -> None:
    assert is_subhead(text) is subhead


def test_strip_wrapping_quotes_only_strips_a_matching_pair() -> None:
    assert strip_wrapping_quotes("'TALKS STALLED'") == "TALKS STALLED"
    assert strip_wrapping_quotes("\u2018TALKS STALLED\u2019") == "TALKS STALLED"
    assert strip_wrapping_quotes("'TALKS STALLED") == "'TALKS STALLED"


# --------------------------------------------------------------------------------------- datelines


@pytest.mark.parametrize(
    ("paragraph", "dateline", "rest"),
    [
        ("WASHINGTON, July 12 (Reuters) - The president", "WASHINGTON, July 12 (Reuters)",
         "The president"),
        ("NEW DELHI (PTI) \u2014The government", "NEW DELHI (PTI)", "The government"),
        ("LONDON, Jan. 5 (AP) \u2014 Britain's", "LONDON, Jan. 5 (AP)", "Britain's"),
        ("PARIS \u2014 France's", "PARIS", "France's"),
        ("PARIS \u2013 France's", "PARIS", "France's"),
        ("SAN JUAN, Puerto Rico (AP) \u2014 Power", "SAN JUAN, Puerto Rico (AP)", "Power"),
        ("BEIJING/SHANGHAI, March 3 (Reuters) - China", "BEIJING/SHANGHAI, March 3 (Reuters)",
         "China"),
        ("NEW DELHI, 12 July (PTI) - India", "NEW DELHI, 12 July (PTI)", "India"),
        ("KYIV, Ukraine, Jan. 5, 2024 (AP) \u2014 Air", "KYIV, Ukraine, Jan. 5, 2024 (AP)", "Air"),
        ("WASHINGTON (Reuters)-The", "WASHINGTON (Reuters)", "The"),
        ('WASHINGTON -- "We', "WASHINGTON", '"We'),
        ("WASHINGTON \u2014", "WASHINGTON", ""),
        ("WASHINGTON (Reuters) -The", "WASHINGTON (Reuters)", "The"),  # a <br> was after the dash
    ],
)
def test_split_dateline_recognises_wire_datelines(paragraph: str, dateline: str, rest: str) -> None:
    assert split_dateline(paragraph) == (dateline, rest)


@pytest.mark.parametrize(
    "paragraph",
    [
        "U.S. President Joe Biden on Tuesday called migration a challenge.",
        "Biden said \u2014 again \u2014 that the border was secure.",
        "PARIS-based Vivendi said on Monday it would split.",  # a hyphen without spaces
        "PARIS -based Vivendi said on Monday it would split.",
        "NATO - the alliance said - would respond.",  # goes on in lower case: a sentence
        "EXCLUSIVE \u2014 Talks collapse",
        "Washington, July 12 (Reuters) - lower-case place",
        "",
    ],
)
def test_split_dateline_leaves_other_paragraphs_alone(paragraph: str) -> None:
    assert split_dateline(paragraph) == ("", paragraph)


def test_split_dateline_rest_is_an_exact_suffix() -> None:
    paragraph = "  LONDON, Jan. 5 (AP) \u2014  Britain's   economy"
    _, rest = split_dateline(paragraph)
    assert paragraph.endswith(rest)
    assert rest == "Britain's   economy"


@pytest.mark.parametrize(
    ("paragraph", "dateline", "rest"),
    [
        ("  PARIS - The", "PARIS", "The"),
        ("PARIS\u2014The", "PARIS", "The"),
        ("\u0141\u00d3D\u0179 (PAP) - Rain", "\u0141\u00d3D\u0179 (PAP)", "Rain"),
        ("ABCdef \u2014 Text", "", "ABCdef \u2014 Text"),  # the place word goes on in lower case
        ("The PARIS - x", "", "The PARIS - x"),
    ],
)
def test_split_dateline_reads_the_whole_first_word_as_the_place(
    paragraph: str, dateline: str, rest: str
) -> None:
    assert split_dateline(paragraph) == (dateline, rest)


# ----------------------------------------------------------------------------------------- bylines


@pytest.mark.parametrize(
    ("raw", "byline"),
    [
        ("By Jane Doe and John Roe", "Jane Doe and John Roe"),
        ("BY JANE DOE", "JANE DOE"),
        ("By: Jane Doe, Reuters", "Jane Doe, Reuters"),
        ("jane@example.com (Jane Doe)", "Jane Doe"),
        ("Jane Doe <jane@example.com>", "Jane Doe"),
        ("Jane Doe (jane@example.com)", "Jane Doe"),
        ("Jane Doe | mailto:jane@example.com", "Jane Doe"),
        ("  Jane \n Doe  ", "Jane Doe"),
        ("jane@example.com", ""),
        ("Bye Bye Band", "Bye Bye Band"),  # "By" is only a prefix as a word
        ("", ""),
    ],
)
def test_clean_byline(raw: str, byline: str) -> None:
    assert clean_byline(raw) == byline
