"""Wire headline conventions: re-send marks, different-piece kinds, labels and credits."""

import pytest

from wiredesk.dedupe.headlines import Kind, Signal, headline_similarity, parse_headline


@pytest.mark.parametrize(("headline", "signals", "number"), [
    ("UPDATE 2-Quake kills 10 in Peru", (Signal.UPDATE,), 2),
    ("UPDATE 1-Quake kills 10 in Peru", (Signal.UPDATE,), 1),
    ("REFILE-Quake kills 10 in Peru", (Signal.REFILE,), None),
    ("CORRECTED-Quake kills 10 in Peru", (Signal.CORRECTION,), None),
    ("CORRECTED UPDATE 3-Quake kills 10 in Peru", (Signal.CORRECTION, Signal.UPDATE), 3),
    ("REFILE-UPDATE 1-Quake kills 10 in Peru", (Signal.REFILE, Signal.UPDATE), 1),
    ("RPT-Quake kills 10 in Peru", (Signal.REPEAT,), None),
    ("Correction: Quake kills 10 in Peru", (Signal.CORRECTION,), None),
    ("Update: Quake kills 10 in Peru", (Signal.UPDATE,), None),
    ("Quake kills 10 in Peru (UPDATE 1)", (Signal.UPDATE,), 1),
    ("Quake kills 10 in Peru - Reuters", (), None),
])
def test_resend_marks_are_read_and_stripped(headline: str, signals: tuple[Signal, ...],
                                            number: int | None) -> None:
    info = parse_headline(headline)
    assert info.text == "Quake kills 10 in Peru"
    assert info.key == "quake kills 10 in peru"
    assert info.signals == signals
    assert info.number == number
    assert info.kind is Kind.NEWS


@pytest.mark.parametrize(("headline", "kind"), [
    ("FACTBOX-Deadly earthquakes in Peru", Kind.FACTBOX),
    ("ANALYSIS-Why the quake was so deadly", Kind.ANALYSIS),
    ("INSIGHT-Inside Peru's quake response", Kind.INSIGHT),
    ("BREAKINGVIEWS-Peru's rebuild bill", Kind.BREAKINGVIEWS),
    ("WRAPUP 1-Quake, floods hit the Andes", Kind.WRAPUP),
    ("UPDATE 1-FACTBOX-Deadly earthquakes in Peru", Kind.FACTBOX),
    ("AP Explains: Why Peru has so many quakes", Kind.EXPLAINER),
])
def test_separate_pieces_get_their_kind(headline: str, kind: Kind) -> None:
    assert parse_headline(headline).kind is kind


def test_neutral_labels_slugs_and_trailing_credits_are_stripped() -> None:
    exclusive = parse_headline("EXCLUSIVE-Peru to buy jets")
    assert (exclusive.text, exclusive.labels, exclusive.signals) == ("Peru to buy jets",
                                                                     ("EXCLUSIVE",), ())
    assert parse_headline("AP Exclusive: Peru to buy jets").text == "Peru to buy jets"
    assert parse_headline("PRECIOUS-Gold rises on Fed bets").text == "Gold rises on Fed bets"
    assert parse_headline("Soccer-Rovers beat Albion").labels == ("Soccer",)
    assert parse_headline("Quake hits Chile - Reuters").text == "Quake hits Chile"
    assert parse_headline("Quake hits Chile | AP News").text == "Quake hits Chile"
    assert parse_headline("Quake hits Chile (AFP)").text == "Quake hits Chile"


def test_ordinary_headlines_are_left_alone() -> None:
    for headline in ("US-China talks resume", "EU-UK deal signed", "Anti-government protests grow",
                     "Magnitude 6.1 quake strikes Peru: officials"):
        info = parse_headline(headline)
        assert info.text == headline and not info.signals and info.kind is Kind.NEWS


def test_ap_slugline_with_writethru_is_an_update() -> None:
    info = parse_headline("BC-US--Giant Lobster Death, 1st Ld-Writethru,127<")
    assert info.key == "giant lobster death"
    assert (info.signals, info.number) == ((Signal.UPDATE,), 1)


def test_headline_similarity_uses_content_words() -> None:
    original = parse_headline("Magnitude 6.1 quake strikes southern Peru, at least 12 dead")
    update = parse_headline("UPDATE 1-Peru quake death toll rises to 31")
    other = parse_headline("Fed raises rates by a quarter point")
    assert headline_similarity(original, original) == 1.0
    assert 0 < headline_similarity(original, update) < 1
    assert headline_similarity(original, other) == 0.0
    assert headline_similarity(original, parse_headline("")) == 0.0
