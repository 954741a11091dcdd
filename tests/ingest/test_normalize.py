"""The normaliser: a parsed FeedItem becomes a sanitised, attributed Article."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest

from wiredesk.core.items import Article, FeedItem, Image
from wiredesk.ingest.normalize import normalize
from wiredesk.ingest.sanitize import sanitize_html

RECEIVED = datetime(2024, 3, 3, 12, 0, tzinfo=UTC)
BASE = "https://wire.example.com/world/"
FIXTURES = Path(__file__).parents[1] / "fixtures"
SHARED_SAMPLES = Path(__file__).parents[3] / "shared" / "samples"


def run(**fields: object) -> Article:
    fields.setdefault("title", "A headline")
    fields.setdefault("base_url", BASE)
    return normalize(FeedItem(**fields), received_at=RECEIVED)  # type: ignore[arg-type]


def blocks(article: Article) -> list[tuple[str, str]]:
    """(tag, text) of each top-level block of the body."""
    root = lxml.html.fragment_fromstring(article.body_html, create_parent="div")
    return [(block.tag, block.text_content()) for block in root]


def subheads(article: Article) -> list[str]:
    root = lxml.html.fragment_fromstring(article.body_html, create_parent="div")
    return [h.text_content() for h in root.iter("h2") if h.get("class") == "subhead"]


# ------------------------------------------------------------------------------- the wire fixture


@pytest.fixture
def wire_story() -> Article:
    """A flattened plain-text wire story (our own copy, in the shape agencies' stories arrive in).

    Dateline in the first paragraph, straight and curly quotes, a subhead glued to the end of a
    paragraph, a subhead on its own line, acronyms in sentences, and a syndicator's not-edited note.
    """
    text = (FIXTURES / "sample_story_paragraphs.txt").read_text(encoding="utf-8")
    return run(title="Portugal's dockers strike over automation", content_html=text)


def test_wire_story_dateline_is_extracted_and_removed_from_the_body(wire_story: Article) -> None:
    assert wire_story.dateline == "LISBON, March 3 (Reuters)"
    first_tag, first_text = blocks(wire_story)[0]
    assert first_tag == "p"
    assert first_text.startswith("Dock workers at Portugal's busiest container terminal")


def test_wire_story_subheads_glued_and_standalone(wire_story: Article) -> None:
    assert subheads(wire_story) == ["TALKS STALLED", "WHAT COMES NEXT"]
    texts = [text for _, text in blocks(wire_story)]
    glued_before = texts[texts.index("TALKS STALLED") - 1]
    assert glued_before.endswith("warned of knock-on delays across the Atlantic.")
    assert '<h2 class="subhead">TALKS STALLED</h2>' in wire_story.body_html


def test_wire_story_quotes_survive_intact(wire_story: Article) -> None:
    body = wire_story.body_html
    assert '"We are not against machines, we are against being replaced without a plan,"' in body
    assert '"generous"' in body
    assert "\u201cpremature and unnecessary\u201d" in body
    assert "\u2018We\u2019ll keep the door open,\u2019" in body
    assert "&quot;" not in body


def test_wire_story_acronyms_stay_in_their_sentences(wire_story: Article) -> None:
    assert any(text.startswith("The European Commission") for _, text in blocks(wire_story))
    assert "EU ports have faced" in wire_story.body_html


def test_wire_story_syndicators_note_is_removed(wire_story: Article) -> None:
    assert "has not been edited" not in wire_story.body_html
    assert blocks(wire_story)[-1][1].endswith("vote on whether to extend it.")


def test_wire_story_fields(wire_story: Article) -> None:
    assert wire_story.slug == "portugals-dockers-strike-over-automation"
    assert wire_story.summary.startswith("Dock workers at Portugal's busiest container terminal")
    assert not wire_story.summary.startswith("LISBON")


# -------------------------------------------------------------------------- the shared sample story


@pytest.fixture
def shared_sample() -> Article:
    sample = SHARED_SAMPLES / "wire-story-biden-lopez-obrador.txt"
    if not sample.is_file():
        pytest.skip(f"{sample} is not present (the shared samples live beside the repository)")
    return run(title="Biden, Mexico's Lopez Obrador meet", content_html=sample.read_text("utf-8"))


def test_sample_glued_subhead_becomes_an_h2(shared_sample: Article) -> None:
    assert '<h2 class="subhead">LONGSTANDING PARTNERSHIP</h2>' in shared_sample.body_html
    assert subheads(shared_sample) == ["LONGSTANDING PARTNERSHIP"]
    assert "to meet that demand.</p>" in shared_sample.body_html


def test_sample_quotes_survive(shared_sample: Article) -> None:
    assert '"We know we have to meet these challenges together,"' in shared_sample.body_html
    assert '"longstanding partnership"' in shared_sample.body_html  # lower case: not a subhead


def test_sample_syndicators_note_is_removed(shared_sample: Article) -> None:
    assert "This story has not been edited" not in shared_sample.body_html
    assert "Devdiscourse" not in shared_sample.body_html


def test_sample_has_no_dateline_to_invent(shared_sample: Article) -> None:
    # It opens "U.S. President Joe Biden ..." -- capitals and a full stop, but no dateline.
    assert shared_sample.dateline == ""
    assert blocks(shared_sample)[0][1].startswith("U.S. President Joe Biden")


# ------------------------------------------------------------------------------------- body choice


def test_content_is_preferred_over_summary() -> None:
    article = run(content_html="<p>Full text.</p>", summary_html="<p>Teaser.</p>")
    assert article.body_html == "<p>Full text.</p>"


def test_summary_is_the_body_when_there_is_no_content() -> None:
    article = run(content_html="  ", summary_html="<p>Only a summary.</p>")
    assert article.body_html == "<p>Only a summary.</p>"


def test_plain_text_lines_become_paragraphs() -> None:
    article = run(content_html="First line & more.\nSecond line.\n\n")
    assert article.body_html == "<p>First line &amp; more.</p>\n<p>Second line.</p>"


def test_plain_text_blank_lines_separate_paragraphs_and_single_newlines_join() -> None:
    article = run(content_html="One\nstill one.\r\n\r\nTwo <em>em</em>.")
    assert blocks(article) == [("p", "One still one."), ("p", "Two em.")]


def test_loose_text_between_blocks_becomes_paragraphs_where_it_stands() -> None:
    article = run(content_html="<p>Before</p>text <b>bold</b><br><br>second<p>After</p>tail")
    assert blocks(article) == [
        ("p", "Before"), ("p", "text bold"), ("p", "second"), ("p", "After"), ("p", "tail")
    ]


def test_double_line_breaks_separate_paragraphs_in_html() -> None:
    article = run(content_html="One<br><br>Two<br>still two<br><br><br>Three<br>")
    assert article.body_html == "<p>One</p>\n<p>Two<br>still two</p>\n<p>Three</p>"


def test_body_is_sanitised() -> None:
    article = run(content_html='<p onclick="x()">Text<script>alert(1)</script></p>')
    assert article.body_html == "<p>Text</p>"


@pytest.mark.parametrize("lead", ["Plain news.", "Caf\u00e9 news \u2014 \u201cquoted\u201d."])
@pytest.mark.parametrize(
    "note",
    [
        "(This story has not been edited by Example staff and is auto-generated from a "
        "syndicated feed.)",
        "THIS ARTICLE HAS NOT BEEN EDITED BY EXAMPLE STAFF AND IS AUTO-GENERATED FROM A "
        "SYNDICATED FEED.",
    ],
)
def test_a_syndicators_note_goes_whatever_its_case_and_the_bodys_alphabet(
    lead: str, note: str
) -> None:
    article = run(content_html=f"<p>{lead}</p><p>{note}</p><p>More. {note}</p>")
    assert blocks(article) == [("p", lead), ("p", "More.")]


def test_iframe_policy_is_passed_to_the_sanitiser() -> None:
    item = FeedItem(content_html='<iframe src="https://player.example.tv/1"></iframe><p>T</p>')
    default = normalize(item, received_at=RECEIVED)
    widened = normalize(item, received_at=RECEIVED, allowed_iframe_hosts=frozenset({"example.tv"}))
    assert "iframe" not in default.body_html
    assert 'sandbox="allow-scripts allow-same-origin allow-popups"' in widened.body_html


def test_normalised_body_is_stable_under_sanitising_again() -> None:
    article = run(content_html="<p>WASHINGTON (Reuters) - Text. 'A SUBHEAD'</p><p>More.</p>")
    again = sanitize_html(article.body_html, base_url="", allowed_iframe_hosts=frozenset())
    assert again == article.body_html


# --------------------------------------------------------------------------------------- subheads


def test_all_caps_paragraph_becomes_a_subhead_without_its_quotes() -> None:
    article = run(content_html="<p>Text.</p><p><strong>\u2018RISING PRICES\u2019</strong></p>")
    assert article.body_html == '<p>Text.</p>\n<h2 class="subhead">RISING PRICES</h2>'


def test_subhead_glued_to_an_html_paragraph_is_split_off() -> None:
    article = run(content_html='<p>He <em>said</em> "no." "NEXT STEPS"</p><p>More.</p>')
    assert article.body_html == (
        '<p>He <em>said</em> "no."</p>\n<h2 class="subhead">NEXT STEPS</h2>\n<p>More.</p>'
    )


@pytest.mark.parametrize(
    "paragraph",
    [
        "The deal, known as USMCA, was signed.",
        "USMCA",
        "She shouted: 'GET OUT NOW!'",
        "Prices rose. SO DID WAGES.",
        "ALL OF THIS IS SHOUTED. AND SO IS THIS",
    ],
)
def test_other_paragraphs_are_not_subheads(paragraph: str) -> None:
    article = run(content_html=f"<p>Intro.</p><p>{paragraph}</p>")
    assert subheads(article) == []


def test_capitalised_links_are_not_subheads() -> None:
    article = run(content_html='<p>Text.</p><p><a href="/more">READ MORE</a></p>')
    assert subheads(article) == []


# -------------------------------------------------------------------------------- dateline, byline


def test_dateline_inside_inline_markup_is_removed_with_its_wrapper() -> None:
    article = run(content_html="<p><strong>PARIS</strong> \u2014 France's <em>new</em> law.</p>")
    assert article.dateline == "PARIS"
    assert article.body_html == "<p>France's <em>new</em> law.</p>"


def test_dateline_alone_in_the_first_paragraph() -> None:
    article = run(content_html="<p>NEW DELHI (PTI) \u2014</p><p>India said.</p>")
    assert article.dateline == "NEW DELHI (PTI)"
    assert article.body_html == "<p>India said.</p>"


def test_byline_comes_from_the_author_cleaned() -> None:
    article = run(author="jane.doe@example.com (Jane Doe)", content_html="<p>Text.</p>")
    assert article.byline == "Jane Doe"


def test_leading_by_paragraph_is_the_byline_and_is_removed() -> None:
    html = "<p>By Jane Doe and Ana de la Cruz</p><p>LONDON (Reuters) - Text.</p>"
    article = run(content_html=html)
    assert article.byline == "Jane Doe and Ana de la Cruz"
    assert article.dateline == "LONDON (Reuters)"
    assert article.body_html == "<p>Text.</p>"


def test_the_authors_byline_wins_and_the_body_copy_goes() -> None:
    article = run(author="Jane Doe", content_html="<p>BY JANE DOE</p><p>Text.</p>")
    assert article.byline == "Jane Doe"
    assert article.body_html == "<p>Text.</p>"


def test_a_sentence_starting_with_by_is_not_a_byline() -> None:
    html = "<p>By Tuesday, officials said the talks had failed.</p>"
    article = run(content_html=html)
    assert article.byline == ""
    assert article.body_html == html


# ---------------------------------------------------------------------------------------- headline


def test_headline_is_one_line_of_plain_text() -> None:
    article = run(title="  Oil  <b>rises</b>\n on &amp; supply fears ", content_html="<p>T.</p>")
    assert article.headline == "Oil rises on & supply fears"
    assert article.slug == "oil-rises-on-supply-fears"


def test_headline_keeps_its_quotes() -> None:
    article = run(title="Biden: \u2018We\u2019re \"together\"\u2019", content_html="<p>T.</p>")
    assert article.headline == "Biden: \u2018We\u2019re \"together\"\u2019"


def test_missing_headline_falls_back_to_the_first_words_of_the_body() -> None:
    words = " ".join(f"word{n}" for n in range(20))
    article = run(title="", content_html=f"<p>{words}</p>")
    assert article.headline == " ".join(f"word{n}" for n in range(12)) + "\u2026"
    assert article.slug.startswith("word0-word1-")


def test_headline_fallback_reads_on_across_paragraphs() -> None:
    article = run(title="", content_html="<p>One two.</p><p><img src='/a.jpg'></p><p>Three.</p>")
    assert article.headline == "One two. Three."


def test_headline_is_never_empty() -> None:
    article = run(title=" ", content_html="")
    assert article.headline == "Untitled story"
    assert article.slug == "untitled-story"
    assert article.body_html == ""


# ----------------------------------------------------------------------------------------- summary


def test_source_summary_is_used_when_it_says_something_else() -> None:
    article = run(content_html="<p>The body.</p>", summary_html="<p>A <b>different</b> dek.</p>")
    assert article.summary == "A different dek."


def test_teaser_that_repeats_the_body_gives_way_to_a_clean_summary() -> None:
    body = "<p>First sentence here. Second sentence follows it.</p>"
    article = run(content_html=body, summary_html="First sentence here. Second sen...")
    assert article.summary == "First sentence here. Second sentence follows it."


def test_summary_of_the_body_is_cut_at_a_sentence() -> None:
    sentence = "This sentence is exactly fifty characters long ok. "
    article = run(content_html=f"<p>{sentence * 10}</p>")
    assert article.summary == (sentence * 5).strip()


def test_summary_of_the_body_reads_on_across_paragraphs() -> None:
    sentence = "This sentence is exactly fifty characters long ok."
    body = "".join(f"<p>{sentence}</p>" for _ in range(3)) + "<p><img src='/a.jpg'></p>" * 2
    article = run(content_html=body + "".join(f"<p>{sentence}</p>" for _ in range(7)))
    assert article.summary == " ".join([sentence] * 5)


def test_a_teaser_is_recognised_across_paragraphs_and_letter_case() -> None:
    paragraphs = [f"Paragraph {n} has some words in it, Stra\u00dfe included." for n in range(12)]
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    # Case-folded, "STRASSE" is "Stra\u00dfe": the summary is the body's first 400 characters.
    teaser = " ".join(paragraphs)[:400].upper() + " [\u2026]"
    article = run(content_html=body, summary_html=teaser)
    assert article.summary == " ".join(paragraphs[:5])


# ------------------------------------------------------------------------------------------ images


def test_item_images_get_absolute_urls_and_lose_duplicates() -> None:
    images = (Image(url="/img/a.jpg"), Image(url="https://wire.example.com/img/a.jpg"),
              Image(url="javascript:alert(1)"))
    article = run(images=images, content_html="<p>T.</p>")
    assert article.images == (Image(url="https://wire.example.com/img/a.jpg"),)


def test_a_leading_body_image_that_is_an_item_image_is_not_shown_twice() -> None:
    html = (
        '<figure><img src="/img/lead.jpg"><figcaption>Dockers at the gate.</figcaption></figure>'
        "<p>Text.</p>"
    )
    article = run(images=(Image(url="http://wire.example.com/img/lead.jpg"),), content_html=html)
    assert article.body_html == "<p>Text.</p>"
    assert article.images[0].caption == "Dockers at the gate."


def test_a_leading_body_image_not_among_the_item_images_stays() -> None:
    article = run(images=(Image(url="/other.jpg"),), content_html='<img src="/lead.jpg"><p>T.</p>')
    assert "lead.jpg" in article.body_html


def test_an_image_inside_prose_is_never_removed() -> None:
    html = '<p>Look: <img src="/img/a.jpg"> here.</p>'
    article = run(images=(Image(url="/img/a.jpg"),), content_html=html)
    assert "img/a.jpg" in article.body_html


def test_a_leading_image_whose_url_has_spaces_or_accents_is_recognised_as_the_item_image() -> None:
    # The body's copy of the URL is the one the HTML serialiser %-escapes ("caf%C3%A9%201.jpg");
    # it is compared as the feed wrote it, so the picture is not shown twice.
    url = "https://wire.example.com/img/caf\u00e9 1.jpg"
    article = run(images=(Image(url=url),), content_html=f'<p><img src="{url}"></p><p>Text.</p>')
    assert article.body_html == "<p>Text.</p>"
    assert [image.url for image in article.images] == [url]


# ------------------------------------------------------------------------------------------- dates


def test_dates_are_converted_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    article = run(published=datetime(2024, 3, 3, 10, 0, tzinfo=plus_two))
    assert article.published_at == datetime(2024, 3, 3, 8, 0, tzinfo=UTC)
    assert article.updated_at == article.published_at
    assert not article.date_is_fallback


def test_naive_dates_are_read_as_utc() -> None:
    article = run(published=datetime(2024, 3, 3, 10, 0))
    assert article.published_at == datetime(2024, 3, 3, 10, 0, tzinfo=UTC)


def test_updated_stands_in_for_a_missing_published() -> None:
    updated = datetime(2024, 3, 2, 9, 0, tzinfo=UTC)
    article = run(updated=updated)
    assert (article.published_at, article.updated_at) == (updated, updated)
    assert not article.date_is_fallback


def test_updated_never_precedes_published() -> None:
    published = datetime(2024, 3, 2, 9, 0, tzinfo=UTC)
    article = run(published=published, updated=published - timedelta(hours=5))
    assert article.updated_at == published


def test_no_usable_date_falls_back_to_the_time_received_and_says_so() -> None:
    article = run(unparsed_dates=("Tuesday-ish",))
    assert article.published_at == article.updated_at == RECEIVED
    assert article.date_is_fallback
    assert article.unparsed_dates == ("Tuesday-ish",)


def test_dates_far_in_the_future_are_clamped_and_flagged() -> None:
    article = run(published=RECEIVED + timedelta(days=3))
    assert article.published_at == RECEIVED
    assert article.date_is_fallback


def test_dates_slightly_ahead_are_believed() -> None:
    # Clocks drift and agencies timestamp ahead; within a day is not an error.
    ahead = RECEIVED + timedelta(hours=3)
    article = run(published=ahead)
    assert article.published_at == ahead
    assert not article.date_is_fallback


def test_a_future_update_is_clamped_too() -> None:
    published = RECEIVED - timedelta(hours=1)
    article = run(published=published, updated=RECEIVED + timedelta(days=30))
    assert (article.published_at, article.updated_at) == (published, RECEIVED)
    assert article.date_is_fallback


# ---------------------------------------------------------------------------------- other fields


def test_link_is_made_absolute_and_unsafe_links_are_dropped() -> None:
    assert run(link="story.html").link == "https://wire.example.com/world/story.html"
    assert run(link="javascript:alert(1)").link == ""
    assert run(link="").link == ""


def test_language_is_a_normalised_tag() -> None:
    assert run(language="EN_us").language == "en-US"
    assert run(language="zh-hant-tw").language == "zh-Hant-TW"
    assert run(language="not a language").language == ""


def test_categories_are_trimmed_and_deduplicated() -> None:
    article = run(categories=(" World ", "world", "Politics\n  news", "", "POLITICS NEWS", "Asia"))
    assert article.categories == ("World", "Politics news", "Asia")


def test_dateline_followed_by_a_line_break_leaves_no_break_behind() -> None:
    article = run(content_html="<p>WASHINGTON (Reuters) -<br>The Senate voted.</p>")
    assert article.dateline == "WASHINGTON (Reuters)"
    assert article.body_html == "<p>The Senate voted.</p>"
