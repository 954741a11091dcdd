"""No 500 from input: the strict parameter helpers, and a property test that drives every URL
pattern of the site with generated path segments and query parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.factories import make_section, make_source, make_story
from wiredesk.site.params import (
    MAX_ID,
    BadParameter,
    clean_text,
    cursor,
    make_cursor,
    whole_number,
)


@pytest.mark.parametrize("raw", ["²", "١٢", "1.0", "-1", "0", " 1", "1 ", "", "+1",
                                 str(MAX_ID + 1), "9" * 30])
def test_whole_numbers_are_ascii_digits_in_range(raw: str) -> None:
    with pytest.raises(BadParameter):
        whole_number(raw, "page")


def test_whole_numbers_in_range_parse() -> None:
    assert whole_number("1", "page") == 1
    assert whole_number(str(MAX_ID), "id") == MAX_ID
    with pytest.raises(BadParameter, match="from 1 to 100"):
        whole_number("101", "page_size", maximum=100)


def test_text_loses_control_characters_and_is_cut() -> None:
    assert clean_text("  a\x00b\tc\ud800  ") == "a b c"
    assert clean_text("x" * 300, max_length=10) == "x" * 10


@pytest.mark.parametrize("raw", ["", "1", "1.", ".1", "x.1", "1.0", "1.-2", "1e3.1",
                                 "999999999999999999.1", "1." + "9" * 20])
def test_cursors_from_anywhere_else_are_refused(raw: str) -> None:
    with pytest.raises(BadParameter):
        cursor(raw, "before")


def test_a_cursor_round_trips() -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 28, 9, 30, 1, 250, tzinfo=UTC)
    assert cursor(make_cursor(moment, 42), "before") == (moment, 42)


# Every URL pattern, generated input -----------------------------------------------------------

PARAMETERS = ["page", "page_size", "q", "section", "source", "cluster", "entity", "since",
              "speaker", "before", "after", "p", "format"]
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _numbers() -> st.SearchStrategy[str]:
    return st.one_of(st.integers(min_value=-10, max_value=10**25).map(str),
                     st.sampled_from(["²", "١٢", "0", "1", str(MAX_ID), str(MAX_ID + 1),
                                      "1e5", "0x10", "-0"]))


def _text() -> st.SearchStrategy[str]:
    return st.one_of(_numbers(), st.text(max_size=30),
                     st.sampled_from(["\x00", "%00", "'; drop table x; --", "2024-13-45",
                                      "1767323045000678.42", "-1.1", "a" * 300, "..",
                                      "person:x", "\ud800"]))


def _segment(converter: str | None) -> st.SearchStrategy[str]:
    if converter == "int":
        return st.one_of(st.integers(min_value=0, max_value=10**30).map(str),
                         st.sampled_from([str(MAX_ID), str(MAX_ID + 1)]))
    if converter == "slug":
        return st.from_regex(r"[-a-zA-Z0-9_]{1,40}", fullmatch=True)
    return st.one_of(_text().filter(lambda s: s and "/" not in s), _numbers())


def _routes(patterns: list[URLPattern | URLResolver],
            prefix: str = "") -> Iterator[tuple[str, st.SearchStrategy[str]]]:
    """(a readable route, a strategy for paths matching it) for every URL pattern."""
    for entry in patterns:
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern):
            route = str(pattern._route)
            strategy = _route_strategy(route)
        elif isinstance(pattern, RegexPattern):
            route = pattern._regex
            regex = pattern._regex.lstrip("^").rstrip("$").replace("\\Z", "")
            strategy = st.from_regex(regex or "", fullmatch=True).map(_quote_path)
        else:  # pragma: no cover - a pattern kind the site does not use
            continue
        if isinstance(entry, URLResolver):
            for sub_route, sub_strategy in _routes(entry.url_patterns, prefix + route):
                yield sub_route, st.tuples(strategy, sub_strategy).map("".join)
        else:
            yield prefix + route, strategy


def _route_strategy(route: str) -> st.SearchStrategy[str]:
    parts: list[st.SearchStrategy[str]] = []
    position = 0
    for match in _CONVERTER.finditer(route):
        parts.append(st.just(route[position:match.start()]))
        parts.append(_segment(match["converter"]).map(_quote_path))
        position = match.end()
    parts.append(st.just(route[position:]))
    return st.tuples(*parts).map("".join)


def _quote_path(segment: str) -> str:
    return quote(segment.encode("utf-8", "surrogatepass"), safe="/")


ROUTES = dict(_routes(get_resolver().url_patterns))


def test_every_route_is_driven() -> None:
    assert {"", "story/<int:story_id>/<str:slug>/", "api/v1/stories/<int:story_id>",
            "cluster/<slug:slug>/", "search/"} <= set(ROUTES)
    assert any(route.startswith("admin/") for route in ROUTES)


@pytest.fixture
def archive(db: None) -> None:
    world = make_section("World")
    source = make_source("Wire", section=world)
    for n in range(3):
        make_story(f"Harbour story {n}", source=source)


QUERIES = st.lists(st.tuples(st.sampled_from(PARAMETERS), _text()), max_size=4)


@pytest.mark.usefixtures("archive")
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_input_gives_a_server_error(client: Client, data: st.DataObject) -> None:
    route = data.draw(st.sampled_from(sorted(ROUTES)), label="route")
    path = "/" + data.draw(ROUTES[route], label="path")
    query = data.draw(QUERIES, label="query")
    encoded = urlencode([(name, value.encode("utf-8", "surrogatepass"))
                         for name, value in query])
    url = f"{path}?{encoded}" if encoded else path
    response = client.get(url)
    assert response.status_code < 500, url
