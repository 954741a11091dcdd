"""Validators, 304s and the body cache: one mechanism for pages, feeds, sitemaps and the API."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.utils.http import http_date, parse_http_date
from pytest_django.fixtures import DjangoAssertNumQueries

from tests.support.factories import add_version, make_section, make_source, make_story, set_status
from wiredesk.newsroom.models import Story
from wiredesk.newsroom.write.publishing import publish_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories() -> dict[str, Story]:
    world, sport = make_section("World"), make_section("Sport")
    return {
        "world": make_story("World story", source=make_source("Wire", section=world)),
        "sport": make_story("Sport story", source=make_source("Other", section=sport)),
    }


def etag(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return str(response["ETag"])


def cacheable_urls(stories: dict[str, Story]) -> list[str]:
    world = stories["world"]
    return ["/", "/section/world/", "/source/wire/", world.get_absolute_url(),
            "/search/?q=story", "/feeds/latest.rss", "/feeds/section/world.atom",
            "/feeds/source/wire.json", "/sitemap.xml", "/sitemap-stories.xml",
            "/news-sitemap.xml", "/robots.txt",
            "/api/v1/stories", "/api/v1/stories?section=world", f"/api/v1/stories/{world.pk}",
            "/api/v1/openapi.json"]


def test_every_surface_sends_validators_and_answers_304(client: Client,
                                                        stories: dict[str, Story]) -> None:
    for url in cacheable_urls(stories):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "public, max-age=60", url
        tag = response["ETag"]
        assert tag.startswith('"') and tag.endswith('"'), url
        again = client.get(url, HTTP_IF_NONE_MATCH=tag)
        assert again.status_code == 304, url
        assert again["ETag"] == tag, url
        assert again["Cache-Control"] == "public, max-age=60", url
        assert again.content == b"", url


def test_last_modified_is_the_last_change_and_if_modified_since_answers_304(
        client: Client, stories: dict[str, Story]) -> None:
    stories["world"].refresh_from_db()
    response = client.get(stories["world"].get_absolute_url())
    assert response["Last-Modified"] == http_date(int(stories["world"].changed_at.timestamp()))
    home = client.get("/")
    assert parse_http_date(home["Last-Modified"]) == max(
        int(Story.objects.get(pk=s.pk).changed_at.timestamp()) for s in stories.values())
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=home["Last-Modified"]).status_code == 304


def test_a_changed_story_changes_exactly_the_etags_that_show_it(
        client: Client, stories: dict[str, Story]) -> None:
    urls = ["/", "/section/world/", "/section/sport/", "/source/wire/", "/source/other/",
            stories["world"].get_absolute_url(), stories["sport"].get_absolute_url(),
            "/feeds/latest.rss", "/feeds/section/world.rss", "/feeds/section/sport.rss",
            "/api/v1/stories?section=sport"]
    before = {url: etag(client, url) for url in urls}
    add_version(stories["world"], headline="World story, updated")
    after = {url: etag(client, url) for url in urls}
    changed = {url for url in urls if before[url] != after[url]}
    assert changed == {"/", "/section/world/", "/source/wire/",
                       stories["world"].get_absolute_url(), "/feeds/latest.rss",
                       "/feeds/section/world.rss"}


def test_a_story_leaving_a_listing_changes_its_etag(client: Client,
                                                    stories: dict[str, Story]) -> None:
    before = etag(client, "/section/world/")
    set_status(stories["world"], Story.Status.HELD)
    response = client.get("/section/world/", HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200
    assert b"World story" not in response.content


def test_a_story_moving_to_another_section_changes_the_section_it_left(
        client: Client, stories: dict[str, Story]) -> None:
    before = etag(client, "/section/world/")
    sport = etag(client, "/section/sport/")
    # As every change does, the move goes through publish_change: the listings the story was in
    # when last published are remembered, so the section it left is bumped as well.
    with transaction.atomic():
        Story.objects.filter(pk=stories["world"].pk).update(section=make_section("Sport"))
        publish_change(stories["world"])
    assert etag(client, "/section/world/") != before
    assert etag(client, "/section/sport/") != sport


def test_a_changed_story_is_never_served_from_a_stale_cached_body(
        client: Client, stories: dict[str, Story]) -> None:
    url = stories["world"].get_absolute_url()
    assert b"World story, updated" not in client.get("/").content
    assert b"World story, updated" not in client.get(url).content
    add_version(stories["world"], headline="World story, updated")
    assert b"World story, updated" in client.get("/").content
    assert b"World story, updated" in client.get(url).content


def test_a_cached_body_costs_only_the_fingerprint_queries(
        client: Client, stories: dict[str, Story],
        django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    url = stories["world"].get_absolute_url()
    first = client.get(url)
    with django_assert_max_num_queries(2):  # the story's state and the section navigation
        second = client.get(url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"]
    feed = client.get("/feeds/latest.rss")
    with django_assert_max_num_queries(1):
        assert client.get("/feeds/latest.rss").content == feed.content


def test_search_results_are_not_kept_but_still_validated(
        client: Client, stories: dict[str, Story],
        django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    tag = etag(client, "/search/?q=world")
    assert client.get("/search/?q=world", HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert etag(client, "/search/?q=sport") != tag


def test_the_query_string_is_part_of_the_etag(client: Client, stories: dict[str, Story]) -> None:
    assert etag(client, "/api/v1/stories?page_size=1") != etag(client, "/api/v1/stories")


def test_errors_and_redirects_carry_no_validators(client: Client,
                                                  stories: dict[str, Story]) -> None:
    for url in ["/section/nowhere/", f"/story/{stories['world'].pk}/wrong-slug/",
                "/api/v1/stories/999999", "/api/v1/stories?page=0"]:
        response = client.get(url)
        assert response.status_code in {301, 400, 404}, url
        assert "ETag" not in response, url
