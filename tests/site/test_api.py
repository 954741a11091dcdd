"""The read-only JSON API, its OpenAPI description and the ninjs story shape."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries

from tests.support.factories import add_version, make_section, make_source, make_story, set_status
from wiredesk.newsroom.models import Story
from wiredesk.newsroom.queries import public_stories
from wiredesk.newsroom.serialize import story_to_ninjs

pytestmark = pytest.mark.django_db


def get_json(client: Client, url: str, status: int = 200, **params: str) -> dict[str, Any]:
    response = client.get(url, params)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.content)
    assert isinstance(data, dict)
    return data


def assert_error(data: dict[str, Any], status: int, code: str) -> None:
    assert set(data) == {"error"}
    assert set(data["error"]) == {"status", "code", "message"}
    assert data["error"]["status"] == status
    assert data["error"]["code"] == code
    assert data["error"]["message"]


def uris(data: dict[str, Any]) -> list[str]:
    return [item["uri"] for item in data["items"]]


def uri(story: Story) -> str:
    return f"http://testserver/story/{story.pk}/"


@pytest.fixture
def stories() -> dict[str, Story]:
    now = timezone.now()
    world, sport = make_section("World"), make_section("Sport")
    wire, other = make_source("Wire", section=world), make_source("Other", section=sport)
    return {
        "new": make_story("Volcano erupts on island", source=wire,
                          published_at=now - timedelta(hours=1)),
        "mid": make_story("Markets fall", source=other, published_at=now - timedelta(hours=5),
                          body_html="<p>Traders blamed the volcano.</p>"),
        "old": make_story("Election called", source=wire, published_at=now - timedelta(days=3)),
        "held": make_story("Held volcano story", source=wire, status=Story.Status.HELD,
                           published_at=now),
    }


# The list


def test_list_gives_public_stories_newest_first(client: Client,
                                                stories: dict[str, Story]) -> None:
    data = get_json(client, "/api/v1/stories")
    assert uris(data) == [uri(stories[name]) for name in ("new", "mid", "old")]
    assert data["total"] == 3
    assert data["page"] == 1
    assert data["pages"] == 1
    assert data["next"] is None
    assert data["previous"] is None
    assert "versions" not in data["items"][0]


@pytest.mark.parametrize(("params", "expected"), [
    ({"section": "world"}, ["new", "old"]),
    ({"section": "sport"}, ["mid"]),
    ({"source": "wire"}, ["new", "old"]),
    ({"section": "world", "source": "other"}, []),
    ({"section": "nowhere"}, []),
    ({"q": "volcano"}, ["new", "mid"]),
    ({"q": "volcano", "source": "other"}, ["mid"]),
])
def test_list_filters(client: Client, stories: dict[str, Story], params: dict[str, str],
                      expected: list[str]) -> None:
    data = get_json(client, "/api/v1/stories?" + urlencode(params))
    assert uris(data) == [uri(stories[name]) for name in expected]
    assert data["total"] == len(expected)


def test_since_gives_stories_published_or_updated_since(client: Client,
                                                        stories: dict[str, Story]) -> None:
    since = (timezone.now() - timedelta(hours=2)).isoformat()
    assert uris(get_json(client, "/api/v1/stories", since=since)) == [uri(stories["new"])]
    add_version(stories["old"])
    assert uris(get_json(client, "/api/v1/stories", since=since)) == [
        uri(stories["new"]), uri(stories["old"])]
    # A "+" left unencoded in a query string arrives as a space; a date alone means midnight UTC.
    unencoded = get_json(client, f"/api/v1/stories?since={since}")
    assert unencoded["total"] == 2
    assert get_json(client, "/api/v1/stories", since="2000-01-01")["total"] == 3


def test_pagination_with_links(client: Client, db: None) -> None:
    now = timezone.now()
    made = [make_story(f"Story {n}", published_at=now - timedelta(minutes=n)) for n in range(5)]
    first = get_json(client, "/api/v1/stories", page_size="2")
    assert uris(first) == [uri(story) for story in made[:2]]
    assert (first["total"], first["pages"], first["page_size"]) == (5, 3, 2)
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/stories?page_size=2&page=2"
    second = get_json(client, first["next"].removeprefix("http://testserver"))
    assert uris(second) == [uri(story) for story in made[2:4]]
    assert second["previous"] == "http://testserver/api/v1/stories?page_size=2"
    third = get_json(client, second["next"].removeprefix("http://testserver"))
    assert uris(third) == [uri(made[4])]
    assert third["next"] is None
    assert_error(get_json(client, "/api/v1/stories", 404, page="4", page_size="2"),
                 404, "not_found")


def test_search_results_paginate(client: Client, db: None) -> None:
    for n in range(3):
        make_story(f"Harbour report {n}")
    data = get_json(client, "/api/v1/stories", q="harbour", page_size="2", page="2")
    assert data["total"] == 3
    assert len(data["items"]) == 1
    assert data["next"] is None


@pytest.mark.parametrize("params", [
    {"page": "0"}, {"page": "x"}, {"page_size": "0"}, {"page_size": "101"},
    {"since": "yesterday"}, {"since": "2024-13-45"},
])
def test_invalid_parameters_answer_400(client: Client, db: None, params: dict[str, str]) -> None:
    assert_error(get_json(client, "/api/v1/stories", 400, **params), 400, "invalid_parameter")


@pytest.mark.parametrize("count", [1, 10])
def test_list_takes_a_fixed_number_of_queries(
        client: Client, django_assert_max_num_queries: DjangoAssertNumQueries,
        count: int) -> None:
    for n in range(count):
        make_story(f"Story {n}", versions=2)
    # fingerprint, count, the page of stories, their enrichments and hosted pictures
    with django_assert_max_num_queries(5):
        get_json(client, "/api/v1/stories")


# The detail


def test_detail_gives_the_story_with_its_version_history(client: Client) -> None:
    story = make_story("First headline", byline="By Jane Doe", dateline="PARIS",
                       categories=["Politics", "Europe"],
                       images=[{"url": "https://img.wire.example/1.jpg", "caption": "A caption",
                                "credit": "A credit"}])
    add_version(story, headline="Second headline")
    story.refresh_from_db()
    data = get_json(client, f"/api/v1/stories/{story.pk}")
    version = story.current_version
    assert version is not None
    assert data["uri"] == uri(story)
    assert data["version"] == "2"
    assert data["pubstatus"] == "usable"
    assert data["type"] == "text"
    assert data["headline"] == "Second headline"
    assert data["byline"] == "By Jane Doe"
    assert data["located"] == "PARIS"
    assert data["body_html"] == version.body_html
    assert data["description_text"] == "Officials said the talks would continue."
    assert data["language"] == "en"
    assert data["subject"] == [{"name": "Politics"}, {"name": "Europe"}]
    # The publisher's image is never named: the desk has stored no picture of it yet.
    assert data["associations"] == {}
    # The source's canonical policy is the original (the default), as the page says.
    assert data["links"] == [{"rel": "canonical", "href": version.link},
                             {"rel": "original", "href": version.link}]
    assert data["source"]["name"] == story.source.name
    assert data["section"] == {"name": "World", "slug": "world"}
    assert data["date_is_fallback"] is False
    assert data["firstcreated"] == story.first_published_at.isoformat().replace("+00:00", "Z")
    assert story.last_updated_at is not None
    assert data["times"] == {
        "first_published": data["firstcreated"],
        "updated": story.last_updated_at.isoformat().replace("+00:00", "Z"),
        "received": version.received_at.isoformat().replace("+00:00", "Z"),
    }
    assert data["versioncreated"] == data["times"]["updated"]
    assert [(v["number"], v["headline"]) for v in data["versions"]] == [
        (1, "First headline"), (2, "Second headline")]
    assert data["versions"][1]["hash"] == version.content_hash
    assert data["versions"][1]["received"] == data["times"]["received"]
    assert set(data["versions"][0]) == {"number", "received", "headline", "hash", "published",
                                        "updated", "superseded"}


def test_detail_of_a_story_that_is_not_public_is_404(client: Client,
                                                     stories: dict[str, Story]) -> None:
    assert_error(get_json(client, f"/api/v1/stories/{stories['held'].pk}", 404), 404,
                 "not_found")
    set_status(stories["new"], Story.Status.UNPUBLISHED)
    assert_error(get_json(client, f"/api/v1/stories/{stories['new'].pk}", 404), 404,
                 "not_found")
    assert_error(get_json(client, "/api/v1/stories/999999", 404), 404, "not_found")


def test_unknown_api_paths_and_methods_answer_in_the_error_shape(client: Client,
                                                                 db: None) -> None:
    assert_error(get_json(client, "/api/v1/nothing", 404), 404, "not_found")
    assert_error(get_json(client, "/api/v2/stories", 404), 404, "not_found")
    response = client.post("/api/v1/stories", {})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert_error(json.loads(response.content), 405, "method_not_allowed")


def test_story_to_ninjs_without_versions_needs_no_query(
        django_assert_num_queries: DjangoAssertNumQueries) -> None:
    make_story(link="")
    story = public_stories().get()
    with django_assert_num_queries(0):  # enrichments fetched in bulk by the caller
        data = story_to_ninjs(story, base_url="https://news.example/", enrichments={},
                              pictures={})
    assert data["uri"] == f"https://news.example/story/{story.pk}/"
    assert data["links"] == [{"rel": "canonical",
                              "href": "https://news.example" + story.get_absolute_url()}]
    assert data["times"]["updated"] is None
    assert "versions" not in data


# The OpenAPI description


def api_routes() -> list[str]:
    """Every API path in the URL map, in OpenAPI's template syntax, catch-all excepted."""
    routes = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith("api/") and pattern.name != "api-not-found":
                routes.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return routes


def test_openapi_describes_every_api_path(client: Client, db: None) -> None:
    spec = get_json(client, "/api/v1/openapi.json")
    assert spec["openapi"].startswith("3.1")
    assert spec["servers"] == [{"url": "http://testserver"}]
    routes = api_routes()
    assert set(routes) == {"/api/v1/", "/api/v1/stories", "/api/v1/stories/{story_id}",
                           "/api/v1/quotes", "/api/v1/openapi.json"}
    assert set(routes) <= set(spec["paths"])
    for path, item in spec["paths"].items():
        assert set(item) == {"get"}, path
        for response in item["get"]["responses"].values():
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            ref = schema.get("$ref", "")
            if ref:
                assert ref.removeprefix("#/components/schemas/") in spec["components"]["schemas"]


def test_openapi_story_schema_names_every_ninjs_field(client: Client) -> None:
    story = make_story()
    spec = get_json(client, "/api/v1/openapi.json")
    documented = set(spec["components"]["schemas"]["Story"]["properties"])
    assert set(get_json(client, f"/api/v1/stories/{story.pk}")) == documented


def _since_stories() -> tuple[str, list[Story]]:
    """Three stories published in the last two hours and three older ones updated since: the
    ``?since=`` list is the former then the latter, newest first."""
    now = timezone.now()
    new = [make_story(f"New {n}", published_at=now - timedelta(minutes=10 + n)) for n in range(3)]
    updated = [make_story(f"Updated {n}", published_at=now - timedelta(days=2, minutes=n))
               for n in range(3)]
    for story in updated:
        add_version(story)
    return (now - timedelta(hours=2)).isoformat(), new + updated


def test_since_pages_run_from_the_published_into_the_updated(client: Client, db: None) -> None:
    from wiredesk.site.params import make_cursor

    since, made = _since_stories()

    def page(**params: str) -> tuple[list[str], bool, bool]:
        data = get_json(client, "/api/v1/stories", since=since, page_size="2", **params)
        return uris(data), data["previous"] is not None, data["next"] is not None

    def at(story: Story) -> str:
        return make_cursor(story.first_published_at, story.pk)

    expected = [uri(story) for story in made]
    assert [page(page=str(n))[0] for n in (1, 2, 3)] == [expected[0:2], expected[2:4],
                                                         expected[4:6]]
    assert page(page="2")[1:] == (True, True)
    assert page(page="3")[1:] == (True, False)
    # Cursors across the boundary of the two parts, both ways.
    assert page(before=at(made[1])) == (expected[2:4], True, True)
    assert page(before=at(made[3])) == (expected[4:6], True, False)
    assert page(before=at(made[4])) == (expected[5:6], True, False)
    assert page(after=at(made[4])) == (expected[2:4], True, True)
    assert page(after=at(made[3])) == (expected[1:3], True, True)
    assert page(after=at(made[1])) == (expected[0:1], False, True)
    data = get_json(client, "/api/v1/stories", since=since)
    assert (data["total"], data["total_exact"]) == (6, True)


def test_since_reads_no_updated_story_while_the_published_fill_page_and_total(
        client: Client, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stories published since come first in the list and alone reach the page and the
    capped total: the updated part (every story updated in the period) is not read at all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    since, made = _since_stories()
    monkeypatch.setattr("wiredesk.site.api.TOTAL_CAP", 2)
    with CaptureQueriesContext(connection) as captured:
        data = get_json(client, "/api/v1/stories", since=since, page_size="2")
    assert uris(data) == [uri(story) for story in made[:2]]
    assert (data["total"], data["total_exact"]) == (2, False)
    assert data["next"] is not None
    assert not [q["sql"] for q in captured.captured_queries
                if '"last_updated_at" >=' in q["sql"]]
    # Page 2 reaches into the updated part.
    data = get_json(client, "/api/v1/stories", since=since, page_size="2", page="2")
    assert uris(data) == [uri(story) for story in made[2:4]]
