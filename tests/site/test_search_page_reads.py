"""The search page reads what it shows: teasers, not the stories' bodies (issue 11, point 2: the
page's own story lookup was 5-10 ms of a search at a million stories), while the API's search
still gives each story's body."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.support.factories import make_story

pytestmark = pytest.mark.django_db


def test_the_search_page_reads_no_body(client: Client) -> None:
    for n in range(3):
        make_story(f"Copper price {n}", body_html=f"<p>Traders watched copper {n}.</p>")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/?q=copper")
    assert response.status_code == 200
    assert response.content.count(b"Copper price") >= 3
    assert not [q["sql"] for q in captured.captured_queries if "body_html" in q["sql"]]


def test_the_api_search_still_gives_the_body(client: Client) -> None:
    make_story("Copper price", body_html="<p>Traders watched copper closely.</p>")
    data = json.loads(client.get("/api/v1/stories?q=copper").content)
    assert "Traders watched copper closely." in json.dumps(data["items"])
