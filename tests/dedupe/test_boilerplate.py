"""Normalisation for comparison: boilerplate, credits and datelines go; the story stays."""

from wiredesk.dedupe.boilerplate import (
    PARAGRAPH_RULES,
    comparison_tokens,
    normalise_text,
    strip_boilerplate,
)

STORY = "The council approved the budget on Tuesday.\n\nIt passed by nine votes to four."


def test_reuters_style_credits_and_footer_are_removed() -> None:
    text = ("WASHINGTON, July 12 (Reuters) - " + STORY
            + "\n\n(Reporting by Jane Doe; Additional reporting by Sam Roe; Editing by Tim Poe)"
            + "\n\nOur Standards: The Thomson Reuters Trust Principles.")
    assert strip_boilerplate(text) == STORY.split("\n\n")


def test_site_notes_and_copyright_lines_are_removed() -> None:
    text = (STORY + "\n\n(This story has not been edited by Example Times staff and is "
            "auto-generated from a syndicated feed.)\n\n© 2026 Example Media. All rights reserved."
            "\n\nCopyright 2026 Harbor Daily Media Group")
    assert normalise_text(text) == normalise_text(STORY)


def test_ap_and_afp_conventions_are_removed() -> None:
    text = ("By JANE DOE\n\nAssociated Press\n\nCHATHAM, Mass. (AP) _ " + STORY
            + "\n\n___\n\nAssociated Press writer Sam Roe in Boston contributed to this report."
            + "\n\nbur-jm/dl")
    assert normalise_text(text) == normalise_text(STORY)


def test_datelines_in_both_shapes_are_cut() -> None:
    assert normalise_text("LIMA, March 4 (Northwire) - " + STORY) == normalise_text(STORY)
    assert normalise_text("Berlin (dpa) - " + STORY) == normalise_text(STORY)


def test_case_quotes_dashes_and_spacing_are_folded() -> None:
    plain = 'He said "we will win" - and the crowd\'s cheers grew.'
    fancy = "HE  SAID \u201cwe will win\u201d \u2014 and the crowd\u2019s cheers grew."
    assert comparison_tokens(plain) == comparison_tokens(fancy)
    assert comparison_tokens(plain)[-3:] == ["crowds", "cheers", "grew"]


def test_prose_that_starts_like_boilerplate_is_kept() -> None:
    # Rules match whole short paragraphs only: a long paragraph is prose whatever its first word.
    long_paragraph = "Copyright law " + "was debated at length in parliament " * 20
    assert strip_boilerplate(long_paragraph) == [" ".join(long_paragraph.split())]
    # "Related" needs a colon to be a cross-link; a byline rule needs the lead and no full stop.
    kept = "Related measures were approved by parliament on Tuesday."
    assert strip_boilerplate(STORY + "\n\n" + kept)[-1] == kept


def test_every_rule_documents_itself() -> None:
    assert all(rule.name and rule.why for rule in PARAGRAPH_RULES)
    assert len({rule.name for rule in PARAGRAPH_RULES}) == len(PARAGRAPH_RULES)
