"""The publication gate's checks and rights, on hand-built items (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wiredesk.core.gate import (
    GateConfig,
    Outcome,
    judge,
    languages,
    strip_teaser,
)
from wiredesk.core.items import Article
from wiredesk.core.language import detect, detect_many
from wiredesk.core.rights import Mode, default_mode, read_rights, stricter

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

ENGLISH = ("The city council approved a new budget on Monday after a long debate about "
           "transport, housing and schools. The mayor said the plan would be reviewed in "
           "the spring, and opposition members asked for more money for libraries.")
GERMAN = ("Der Stadtrat hat am Montag nach einer langen Debatte über Verkehr, Wohnen und "
          "Schulen einen neuen Haushalt beschlossen. Der Bürgermeister sagte, der Plan werde "
          "im Frühjahr überprüft, und die Opposition forderte mehr Geld für Bibliotheken.")


def article(body: str = ENGLISH, *, headline: str = "Council approves budget",
            link: str = "https://example.com/a", published: datetime | None = NOW,
            fallback: bool = False, language: str = "en", rights: str = "") -> Article:
    return Article(headline=headline, body_html=f"<p>{body}</p>" if body else "",
                   summary="", slug="x", link=link, language=language,
                   published_at=published, date_is_fallback=fallback, rights=rights)


def checks(result_verdicts: tuple) -> list[str]:  # type: ignore[type-arg]
    return [verdict.check for verdict in result_verdicts]


def test_a_good_item_from_a_licensed_source_is_published_in_full() -> None:
    result = judge(article(), source_mode=Mode.FULL, now=NOW)
    assert (result.outcome, result.mode, result.timely) == (Outcome.PUBLISH, Mode.FULL, True)
    assert result.verdicts == () and result.language == "en"


def test_the_source_mode_is_kept_when_checks_pass() -> None:
    result = judge(article(), source_mode=Mode.EXCERPT, now=NOW)
    assert (result.outcome, result.mode) == (Outcome.EXCERPT, Mode.EXCERPT)


@pytest.mark.parametrize("headline", ["Test", "Example", "Untitled story", "Fake item",
                                      "untitled", "TEST 2", "Lorem ipsum"])
def test_placeholders_are_dropped(headline: str) -> None:
    result = judge(article(headline=headline), source_mode=Mode.FULL, now=NOW)
    assert result.outcome is Outcome.DROP and "placeholder" in checks(result.verdicts)
    assert not result.public


def test_a_real_headline_with_a_placeholder_word_is_not_a_placeholder() -> None:
    result = judge(article(headline="Example set by Finland's schools"), source_mode=Mode.FULL,
                   now=NOW)
    assert result.outcome is Outcome.PUBLISH


def test_a_thin_item_with_a_link_becomes_a_headline_and_without_one_is_held() -> None:
    thin = judge(article("Only a few words here."), source_mode=Mode.FULL, now=NOW)
    assert (thin.outcome, thin.mode) == (Outcome.HEADLINE, Mode.HEADLINE)
    assert "5 words" in thin.reason
    unlinked = judge(article("", link=""), source_mode=Mode.FULL, now=NOW)
    assert unlinked.outcome is Outcome.HOLD and "no link" in unlinked.reason


def test_min_words_is_configurable() -> None:
    result = judge(article("Only a few words here."), source_mode=Mode.FULL, now=NOW,
                   config=GateConfig(min_words=3))
    assert result.outcome is Outcome.PUBLISH


@pytest.mark.parametrize("ending", ["Continue reading...", "Read more", "[…]", "[...]",
                                    "and the mayor said that the"])
def test_a_teaser_is_an_excerpt(ending: str) -> None:
    result = judge(article(f"{ENGLISH} {ending}"), source_mode=Mode.FULL, now=NOW)
    assert (result.outcome, result.mode) == (Outcome.EXCERPT, Mode.EXCERPT)
    assert checks(result.verdicts) == ["teaser"]


def test_an_undated_item_is_published_but_not_timely() -> None:
    result = judge(article(published=NOW, fallback=True), source_mode=Mode.FULL, now=NOW)
    assert result.outcome is Outcome.PUBLISH and not result.timely
    assert checks(result.verdicts) == ["undated"]


def test_an_item_dated_long_before_first_sight_is_not_timely() -> None:
    old = article(published=NOW - timedelta(hours=49))
    first = judge(old, source_mode=Mode.FULL, now=NOW)
    assert first.outcome is Outcome.PUBLISH and not first.timely
    assert checks(first.verdicts) == ["stale"]
    assert judge(old, source_mode=Mode.FULL, now=NOW, first_sight=False).timely
    assert judge(old, source_mode=Mode.FULL, now=NOW, config=GateConfig(stale_hours=72)).timely


def test_a_language_the_site_does_not_publish_is_held_whatever_the_feed_claims() -> None:
    result = judge(article(GERMAN, headline="Stadtrat beschließt Haushalt", language="en-us"),
                   source_mode=Mode.FULL, now=NOW)
    assert result.outcome is Outcome.HOLD and result.language == "de"
    assert "'de'" in result.reason and "'en'" in result.reason
    allowed = judge(article(GERMAN, headline="Stadtrat beschließt Haushalt", language="en-us"),
                    source_mode=Mode.FULL, now=NOW,
                    config=GateConfig(languages=frozenset({"en", "de"})))
    assert allowed.outcome is Outcome.PUBLISH and allowed.language == "de"


def test_language_detection() -> None:
    assert detect(ENGLISH) == "en" and detect(GERMAN) == "de"
    assert detect(PORTUGUESE) == "pt"
    assert detect("Too short") == ""
    assert detect("General relativity weighs a white dwarf") == ""  # too short to tell


PORTUGUESE = ("O governo anunciou novas medidas para a economia nesta segunda-feira, e o "
              "ministro disse que os impostos vão baixar no próximo ano")


def test_languages_of_a_batch_are_those_each_item_would_get() -> None:
    texts = [ENGLISH, GERMAN, PORTUGUESE, "Too short", "", f"{GERMAN} {ENGLISH}",
             "http://x.example/a " * 20]
    expected = [detect(text) for text in texts]
    assert expected[:5] == ["en", "de", "pt", "", ""]
    assert detect_many(texts) == expected
    assert detect_many([GERMAN]) == ["de"] and detect_many([]) == []
    items = [article(ENGLISH), article(GERMAN, headline="Stadtrat beschließt Haushalt"),
             article("Too short", headline="Hi")]
    found = languages(items)
    assert found == ["en", "de", ""]
    for item, language in zip(items, found, strict=True):  # judge with it = judge without
        given = judge(item, source_mode=Mode.FULL, now=NOW, language=language)
        assert given == judge(item, source_mode=Mode.FULL, now=NOW)
    # What judge is told is what it goes by: the caller's batch answer replaces detection.
    told = judge(article(ENGLISH), source_mode=Mode.FULL, now=NOW, language="de")
    assert told.outcome is Outcome.HOLD and told.language == "de"


def test_the_strictest_finding_wins() -> None:
    result = judge(article(f"{ENGLISH} Continue reading", headline="Test"),
                   source_mode=Mode.FULL, now=NOW)
    assert result.outcome is Outcome.DROP
    assert set(checks(result.verdicts)) == {"placeholder", "teaser"}


def test_rights_that_forbid_online_use_hold_the_item() -> None:
    result = judge(article(rights="NOT FOR ONLINE USE. Copyright 2026 Agency"),
                   source_mode=Mode.FULL, now=NOW)
    assert result.outcome is Outcome.HOLD and checks(result.verdicts) == ["rights"]
    assert "forbid online publication" in result.reason


def test_rights_can_only_make_the_mode_stricter() -> None:
    assert judge(article(rights="Excerpts only, with a link"), source_mode=Mode.FULL,
                 now=NOW).mode is Mode.EXCERPT
    assert judge(article(rights="Headlines and links only"), source_mode=Mode.EXCERPT,
                 now=NOW).mode is Mode.HEADLINE
    assert judge(article(rights="© 2026 Agency. All rights reserved."), source_mode=Mode.FULL,
                 now=NOW).mode is Mode.FULL


def test_read_rights() -> None:
    assert read_rights("").mode is Mode.FULL
    assert read_rights("Print only").forbids
    assert read_rights("Not for use outside the United States").mode is Mode.FULL
    assert read_rights("May not be republished").mode is Mode.EXCERPT


def test_default_modes() -> None:
    assert default_mode("poll", "rss") is Mode.EXCERPT
    assert default_mode("poll", "atom1.0") is Mode.EXCERPT
    assert default_mode("local", "jsonfeed1.1") is Mode.EXCERPT
    assert default_mode("poll", "ninjs") is Mode.FULL
    assert default_mode("push", "rss") is Mode.FULL
    assert default_mode("folder", "auto") is Mode.FULL
    assert stricter(Mode.FULL, Mode.HEADLINE, Mode.EXCERPT) is Mode.HEADLINE


def test_strip_teaser() -> None:
    assert strip_teaser("The mayor spoke. Continue reading...") == "The mayor spoke."
    assert strip_teaser("The mayor spoke […]") == "The mayor spoke"
    assert strip_teaser("The mayor spoke.") == "The mayor spoke."
