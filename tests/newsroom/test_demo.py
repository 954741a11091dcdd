"""The bundled offline demo populates the site, and loading it twice changes nothing."""

from __future__ import annotations

import lxml.html
import pytest
from django.test import Client

from wiredesk import demo
from wiredesk.newsroom.demo import load_demo
from wiredesk.newsroom.imagemodels import Picture
from wiredesk.newsroom.models import RawPayload, Story
from wiredesk.newsroom.queries import public_stories

pytestmark = pytest.mark.django_db


def test_demo_populates_every_section_with_pictures_served_by_the_site(client: Client) -> None:
    lines = load_demo()
    assert len(lines) == len(demo.DEMO_SOURCES) + 1, lines
    assert all("new" in line for line in lines[:-1]), lines
    assert lines[-1] == "Pictures: 19 stored for 24 stories gone through"
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
    # The feeds name their pictures on the outlets' addresses; the bundled files stood in for the
    # fetch, and every page shows the desk's own renditions.
    assert Picture.objects.filter(status=Picture.Status.READY).count() == 19
    assert not Picture.objects.exclude(status=Picture.Status.READY).exists()
    home = client.get("/")
    assert home.status_code == 200 and "Meridian Wire" in home.content.decode()
    doc = lxml.html.fromstring(home.content)
    lead = doc.xpath("//article[contains(@class, 'front-lead')]//img")[0]
    assert lead.get("src").startswith("/media/images/") and lead.get("alt")
    assert all(img.get("width") and img.get("height") and img.get("alt")
               for img in doc.xpath("//img"))


def test_loading_the_demo_twice_changes_nothing() -> None:
    load_demo()
    before = (Story.objects.count(), RawPayload.objects.count())
    again = load_demo()
    assert all(line.endswith("already loaded") for line in again[:-1])
    assert again[-1] == "Pictures: 19 stored for 0 stories gone through"
    assert (Story.objects.count(), RawPayload.objects.count()) == before
