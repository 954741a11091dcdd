"""The bundled offline demo populates the site, and loading it twice changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from wiredesk import demo
from wiredesk.newsroom.demo import load_demo
from wiredesk.newsroom.models import RawPayload, Story
from wiredesk.newsroom.queries import public_stories

pytestmark = pytest.mark.django_db


def test_demo_populates_every_section_with_images_served_by_the_site(client: Client) -> None:
    lines = load_demo()
    assert len(lines) == len(demo.DEMO_SOURCES) and all("new" in line for line in lines), lines
    assert public_stories().count() == 24
    # Harbor Business Daily also carries Meridian Wire's remittances story: one article.
    [copy] = Story.objects.filter(merged_into__isnull=False)
    assert copy.source.name == "Harbor Business Daily" and copy.merged_into is not None
    assert copy.merged_into.source.name == "Meridian Wire"
    page = client.get(copy.merged_into.get_absolute_url()).content.decode()
    assert "Also reported by" in page and "harbor-business.example/economy" in page
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
