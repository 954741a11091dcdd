"""A killed story vanishes from every surface at once, and never comes back."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from wiredesk.core.items import PubStatus
from wiredesk.core.lifecycle import Action
from wiredesk.newsroom.models import Source, Story, StoryEvent, Tombstone
from wiredesk.newsroom.sources import local_source, section_named

from .wire import deliver, wire_item

# The fixture stories are dated 28 November 2026: the news sitemap must see them as recent.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk_clock")]

HEADLINE = "Volcano erupts near coastal town"


@pytest.fixture
def source() -> Source:
    source = local_source("Wire")
    source.section = section_named("World")
    source.canonical_policy = Source.Canonical.SELF  # our page canonical: in our sitemaps
    source.save()
    return source


@pytest.fixture
def story(source: Source) -> Story:
    deliver(source, wire_item("kill-me", 1, headline=HEADLINE,
                              body="<p>Lava reached the outskirts of the town.</p>"))
    deliver(source, wire_item("keep-me", 1, headline="Harvest festival opens"))
    return Story.objects.get(external_id="kill-me")


def shows(client: Client, path: str) -> bool:
    response = client.get(path)
    assert response.status_code == 200, path
    return HEADLINE in response.content.decode() or "kill-me" in response.content.decode()


SURFACES: dict[str, Callable[[Client, Story], bool]] = {
    "home": lambda c, s: shows(c, "/"),
    "section page": lambda c, s: shows(c, "/section/world/"),
    "source page": lambda c, s: shows(c, "/source/wire/"),
    "latest RSS": lambda c, s: shows(c, "/feeds/latest.rss"),
    "latest Atom": lambda c, s: shows(c, "/feeds/latest.atom"),
    "latest JSON Feed": lambda c, s: shows(c, "/feeds/latest.json"),
    "section RSS": lambda c, s: shows(c, "/feeds/section/world.rss"),
    "source Atom": lambda c, s: shows(c, "/feeds/source/wire.atom"),
    "sitemap": lambda c, s: s.get_absolute_url() in c.get("/sitemap-stories.xml").content.decode(),
    "news sitemap": lambda c, s: shows(c, "/news-sitemap.xml"),
    "search": lambda c, s: shows(c, "/search/?q=lava"),
    "API list": lambda c, s: shows(c, "/api/v1/stories"),
    "API search": lambda c, s: shows(c, "/api/v1/stories?q=lava"),
}


@pytest.mark.parametrize("surface", SURFACES)
def test_a_kill_removes_the_story_from(surface: str, client: Client, source: Source,
                                       story: Story) -> None:
    check = SURFACES[surface]
    assert check(client, story), f"the story should be on the {surface} before the kill"
    deliver(source, wire_item("kill-me", 2, pubstatus=PubStatus.CANCELED))
    assert not check(client, story), f"the killed story is still on the {surface}"


def test_the_article_answers_410_with_a_notice_and_the_api_reports_status_only(
        client: Client, source: Source, story: Story) -> None:
    url = story.get_absolute_url()
    assert client.get(url).status_code == 200
    deliver(source, wire_item("kill-me", 2, pubstatus=PubStatus.CANCELED))
    page = client.get(url)
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    assert HEADLINE not in page.content.decode()
    assert client.get(f"/story/{story.pk}/").status_code == 410
    api = client.get(f"/api/v1/stories/{story.pk}")
    body = json.loads(api.content)
    assert api.status_code == 410 and body["story"]["pubstatus"] == "canceled"
    assert HEADLINE not in api.content.decode()


def test_cached_responses_do_not_outlive_the_kill(client: Client, source: Source,
                                                  story: Story) -> None:
    home = client.get("/")
    page = client.get(story.get_absolute_url())
    deliver(source, wire_item("kill-me", 2, pubstatus=PubStatus.CANCELED))
    # A client (or CDN) revalidating its copies gets the new state, not a 304.
    again = client.get("/", HTTP_IF_NONE_MATCH=home["ETag"])
    assert again.status_code == 200 and HEADLINE not in again.content.decode()
    assert client.get(story.get_absolute_url(),
                      HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 410


def test_a_kill_is_final(client: Client, source: Source, story: Story) -> None:
    deliver(source, wire_item("kill-me", 2, pubstatus=PubStatus.CANCELED))
    assert deliver(source, wire_item("kill-me", 3)) == [Action.REFUSED]
    assert deliver(source, wire_item("kill-me", 1, headline=HEADLINE)) == [Action.REFUSED]
    story.refresh_from_db()
    assert story.status == Story.Status.KILLED
    assert Tombstone.objects.filter(source=source, external_id="kill-me").exists()
    assert list(story.events.values_list("action", flat=True)) == [
        "create", "kill", "refused", "refused"]


def test_a_kill_delivered_first_means_the_story_is_never_published(source: Source,
                                                                   client: Client) -> None:
    assert deliver(source, wire_item("early", 2, pubstatus=PubStatus.CANCELED)) == [Action.KILL]
    assert deliver(source, wire_item("early", 1, headline="Never to be seen")) == [
        Action.REFUSED]
    assert not Story.objects.filter(external_id="early").exists()
    assert "Never to be seen" not in client.get("/").content.decode()


def test_withheld_comes_down_and_a_later_usable_version_brings_it_back(
        client: Client, source: Source, story: Story) -> None:
    url = story.get_absolute_url()
    deliver(source, wire_item("kill-me", 2, pubstatus=PubStatus.WITHHELD))
    assert client.get(url).status_code == 410
    deliver(source, wire_item("kill-me", 3, headline=HEADLINE + " again"))
    assert client.get(url).status_code == 200
    assert StoryEvent.objects.filter(story=story).count() == 3


def test_a_correction_is_shown_prominently_with_the_agency_note(client: Client,
                                                                source: Source,
                                                                story: Story) -> None:
    deliver(source, wire_item("kill-me", 2, headline=HEADLINE,
                              body="<p>Lava reached the edge of the town.</p>",
                              signals=("correction",),
                              note="Corrects the distance in the first paragraph."))
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Corrected" in page and "Corrects the distance in the first paragraph." in page
    assert "Version history" in page and "Updated" in page
