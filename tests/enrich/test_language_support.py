"""Enrichers run only on the languages they are made for."""

from wiredesk.enrich.pipeline import Enricher, supports
from wiredesk.enrich.result import StoryText

GERMAN = ("Bundeskanzler Olaf Scholz sagte am Montag in Berlin, die Regierung werde die "
          "Förderung für Glasfaser im nächsten Jahr verdoppeln.")


def test_supported_languages() -> None:
    assert supports("en") and supports("en-GB") and supports("")
    assert not supports("de") and not supports("pt-BR")


def test_a_story_in_another_language_is_not_enriched(enricher: Enricher) -> None:
    result = enricher.enrich(StoryText("Scholz verspricht Glasfaser", GERMAN, language="de"))
    assert result.entities == () and result.quotes == () and result.topics == ()
    assert "not supported" in result.methods["skipped"]
