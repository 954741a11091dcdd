"""The bundled offline demo populates the site, and loading it twice changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from wiredesk import demo
from wiredesk.newsroom.demo import load_demo
from wiredesk.newsroom.models import RawPayload, Story

pytestmark = pytest.mark.django_db


def test_demo_populates_every_section_with_images_served_by_the_site(client: Client) -> None:
    lines = load_demo()
    assert len(lines) == len(demo.DEMO_SOURCES) and all("new" in line for line in lines), lines
    assert Story.objects.filter(status=Story.Status.PUBLISHED).count() == 24
    assert {s.section.name for s in Story.objects.select_related("section")} == {
        "World", "Business", "Science", "Sports"}
    assert RawPayload.objects.filter(outcome=RawPayload.Outcome.PARSED).count() == 4
    images = [image for story in Story.objects.select_related("current_version")
              for image in story.current_version.images]  # type: ignore[union-attr]
    assert len(images) == 4
    for image in images:
        assert image["url"].startswith("http://testserver/static/wiredesk/demo/images/")
        # Served by whitenoise from the static files finders (the test client's streaming
        # response would close the test's database connection when closed).
        assert finders.find(image["url"].removeprefix("http://testserver/static/"))
    home = client.get("/")
    assert home.status_code == 200 and "Meridian Wire" in home.content.decode()


def test_loading_the_demo_twice_changes_nothing() -> None:
    load_demo()
    before = (Story.objects.count(), RawPayload.objects.count())
    assert all(line.endswith("already loaded") for line in load_demo())
    assert (Story.objects.count(), RawPayload.objects.count()) == before
