"""Search from the reader's side, and stories that are not public appearing on no surface."""

from __future__ import annotations

import json
from typing import Any, cast
from urllib.parse import quote

import lxml.html
import pytest
from django.test import Client
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from tests.support.factories import add_version, make_story, set_status
from wiredesk.newsroom.models import Story

pytestmark = pytest.mark.django_db


def results(client: Client, query: str, status: int = 200, page: int = 1) -> list[str]:
    url = f"/search/?q={quote(query)}" + (f"&page={page}" if page > 1 else "")
    response = client.get(url)
    assert response.status_code == status
    return texts(response.content, "//main//h2/a")


def texts(html: bytes, xpath: str) -> list[str]:
    nodes = cast(list[Any], lxml.html.fromstring(html).xpath(xpath))
    return [" ".join(node.text_content().split()) for node in nodes]


def summary(client: Client, url: str) -> str:
    return " ".join(texts(client.get(url).content,
                          "//main//p[@class='search-summary' or @class='empty']"))


def test_search_finds_stories_by_words_of_their_body(client: Client) -> None:
    make_story("Markets fall", body_html="<p>Traders watched the <b>copper</b> price.</p>")
    make_story("Rain expected", body_html="<p>Forecasters warned of floods.</p>")
    assert results(client, "copper") == ["Markets fall"]
    assert results(client, "forecasters floods") == ["Rain expected"]
    assert results(client, "copper floods") == []


def test_a_headline_match_ranks_first(client: Client) -> None:
    make_story("Markets fall", body_html="<p>Traders blamed a volcano far away.</p>")
    make_story("Volcano erupts", body_html="<p>Lava reached the coast.</p>")
    make_story("Weather", body_html="<p>Ash clouds, the volcano, and the volcano again.</p>")
    assert results(client, "volcano")[0] == "Volcano erupts"
    assert sorted(results(client, "volcano")) == ["Markets fall", "Volcano erupts", "Weather"]


def test_the_query_is_shown_and_escaped(client: Client, db: None) -> None:
    response = client.get("/search/?q=" + quote("<b>bold</b> words"))
    assert b"<b>bold</b>" not in response.content
    doc = lxml.html.fromstring(response.content)
    assert doc.xpath("//main//input[@name='q']/@value") == ["<b>bold</b> words"]
    assert doc.xpath("//q[@class='query']/text()") == ["<b>bold</b> words"]


def test_empty_states(client: Client, db: None) -> None:
    assert summary(client, "/search/") == (
        "Type one or more words to search every published story.")
    assert summary(client, "/search/?q=nothing") == (
        "No stories match nothing. Try fewer or different words.")
    assert results(client, "!!!") == []


def test_search_results_paginate(client: Client, settings: Settings) -> None:
    settings.WIREDESK_PAGE_SIZE = 2
    for n in range(3):
        make_story(f"Harbour report {n}")
    assert len(results(client, "harbour")) == 2
    assert len(results(client, "harbour", page=2)) == 1
    doc = lxml.html.fromstring(client.get("/search/?q=harbour").content)
    assert doc.xpath("//head/link[@rel='next']/@href") == ["/search/?q=harbour&page=2"]
    assert summary(client, "/search/?q=harbour") == "3 stories match harbour."
    results(client, "harbour", status=404, page=3)


def test_a_new_version_is_found_by_its_new_words_only(client: Client) -> None:
    story = make_story("Talks begin", body_html="<p>Negotiators arrived.</p>")
    add_version(story, headline="Talks collapse", body_html="<p>Negotiators walked out.</p>")
    assert results(client, "collapse") == ["Talks collapse"]
    assert results(client, "arrived") == []


@pytest.mark.parametrize("count", [1, 10])
def test_search_takes_a_fixed_number_of_queries(
        client: Client, django_assert_max_num_queries: DjangoAssertNumQueries,
        count: int) -> None:
    for n in range(count):
        make_story(f"Harbour report {n}")
    # Fingerprint, navigation, cache state, the archive's id range, ranks, stories; on
    # PostgreSQL the ranks in a savepoint with a statement timeout of their own (4 more).
    with django_assert_max_num_queries(10):
        assert len(results(client, "harbour")) == count


@pytest.mark.parametrize("status", [Story.Status.HELD, Story.Status.UNPUBLISHED])
def test_a_story_that_is_not_public_appears_on_no_surface(client: Client, status: str) -> None:
    story = make_story("Secret harbour deal", body_html="<p>Unpublished words.</p>",
                       versions=2)
    marker = f"/story/{story.pk}/".encode()
    assert results(client, "harbour") == ["Secret harbour deal"]
    set_status(story, status)

    surfaces = ["/", "/section/world/", f"/source/{story.source.slug}/", "/search/?q=harbour",
                "/feeds/latest.rss", "/feeds/latest.atom", "/feeds/latest.json",
                "/feeds/section/world.rss", f"/feeds/source/{story.source.slug}.json",
                "/sitemap-stories.xml", "/news-sitemap.xml", "/api/v1/stories",
                "/api/v1/stories?q=harbour"]
    for url in surfaces:
        response = client.get(url)
        assert response.status_code == 200, url
        assert marker not in response.content, url
        assert b"Secret harbour deal" not in response.content, url
    for url in [story.get_absolute_url(), f"/story/{story.pk}/", f"/api/v1/stories/{story.pk}"]:
        assert client.get(url).status_code == 404, url
    assert json.loads(client.get("/api/v1/stories?q=harbour").content)["total"] == 0

    set_status(story, Story.Status.PUBLISHED)
    assert results(client, "harbour") == ["Secret harbour deal"]


def test_a_large_result_says_about_how_many(client: Client, settings: Settings,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from wiredesk.newsroom import search

    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    settings.WIREDESK_PAGE_SIZE = 2
    for n in range(5):
        make_story(f"Harbour report {n}")
    assert summary(client, "/search/?q=harbour") == (
        "About 5 stories match harbour; the most relevant of the latest 3 are shown first.")
    assert len(results(client, "harbour")) == 2
    assert len(results(client, "harbour", page=2)) == 1
    results(client, "harbour", status=404, page=3)


@pytest.mark.parametrize("query", ['"unbalanced', "NEAR(a b)", "a\x00b", "\U0001F600 harbour",
                                   "x" * 3000, "headline:harbour", "harbour*", "-harbour OR"])
def test_hostile_queries_get_a_page(client: Client, query: str) -> None:
    make_story("Harbour report")
    assert results(client, query) in ([], ["Harbour report"])
    api = client.get(f"/api/v1/stories?q={quote(query)}")
    assert api.status_code == 200
