"""Teasers are rendered once per version of their story and kept (wiredesk.site.fragments): a
kept teaser is reused by every listing that shows the story, and never outlives a change to
anything it shows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from tests.support.factories import add_version, make_section, make_source, make_story, set_status
from wiredesk.newsroom.imagemodels import Picture
from wiredesk.newsroom.models import Cluster, Entity, Section, Source, Story, StoryEntity
from wiredesk.newsroom.write.publishing import publish_change, touch
from wiredesk.site.fragments import option_key

pytestmark = pytest.mark.django_db

LISTINGS = ["/", "/section/world/", "/source/wire/", "/entity/ana-lima/"]


@pytest.fixture
def story() -> Story:
    story = make_story("Volcano erupts", source=make_source("Wire", section=make_section("World")))
    person = Entity.objects.create(key="person:ana-lima", kind="person", name="Ana Lima",
                                   slug="ana-lima")
    with transaction.atomic():
        StoryEntity.objects.create(story=story, entity=person)
        publish_change(story)
    return story


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_teaser_is_rendered_once_and_shown_by_every_listing(client: Client,
                                                              story: Story) -> None:
    assert "Volcano erupts" in page(client, "/section/world/")
    # Edited behind the desk's back (changed_at not moved, as no real change does): the source's
    # page, rendered for the first time, shows the teaser the section's page rendered.
    Story.objects.filter(pk=story.pk).update(headline="Edited quietly")
    source_page = page(client, "/source/wire/")
    assert "Volcano erupts" in source_page and "Edited quietly" not in source_page


def test_kept_teasers_outlast_the_response_bodies(client: Client, story: Story) -> None:
    """Fragments have a cache of their own: emptying (or filling) the bodies' leaves them."""
    assert "Volcano erupts" in page(client, "/section/world/")
    Story.objects.filter(pk=story.pk).update(headline="Edited quietly")
    caches["default"].clear()  # every response body gone, as when big pages fill the cache
    assert "Volcano erupts" in page(client, "/section/world/")  # rendered from the kept teaser
    caches["default"].clear()
    caches["fragments"].clear()
    assert "Edited quietly" in page(client, "/section/world/")


def test_a_new_version_reaches_every_listing_at_once(client: Client, story: Story) -> None:
    for url in LISTINGS:
        assert "Volcano erupts" in page(client, url), url
    add_version(story, headline="Volcano erupts again")
    for url in LISTINGS:
        assert "Volcano erupts again" in page(client, url), url


def test_a_killed_story_leaves_every_listing_at_once(client: Client, story: Story) -> None:
    for url in LISTINGS:
        assert "Volcano erupts" in page(client, url), url
    set_status(story, Story.Status.KILLED)
    for url in LISTINGS:
        response = client.get(url)
        assert b"Volcano erupts" not in response.content, url


def test_a_renamed_source_or_section_shows_in_every_kept_teaser(client: Client,
                                                                 story: Story) -> None:
    for url in LISTINGS:
        page(client, url)
    with transaction.atomic():
        Source.objects.filter(slug="wire").update(name="Wire Service")
        Section.objects.filter(slug="world").update(name="Planet")
        touch(Story.objects.filter(pk=story.pk))  # what the admin does on saving either
    for url in LISTINGS:
        shown = page(client, url)
        assert ">Wire Service</a>" in shown and ">Planet</a>" in shown, url


def test_a_deleted_section_leaves_the_kept_teasers(client: Client, story: Story) -> None:
    """Deleting a section empties its stories' section without moving their changed_at: the
    fragment's key has the section too."""
    assert 'href="/section/world/"' in page(client, "/source/wire/")
    Section.objects.filter(slug="world").delete()
    make_story("Ash cloud spreads", source=Source.objects.get(slug="wire"))  # a new page
    shown = page(client, "/source/wire/")
    assert "Ash cloud spreads" in shown and 'href="/section/world/"' not in shown


def test_a_page_without_pictures_does_not_lend_its_teaser_to_one_with(client: Client,
                                                                     story: Story) -> None:
    """Search attaches no picture to its stories; a listing does, and shows it."""
    with transaction.atomic():
        Picture.objects.create(story=story, position=0, key="k1", url="https://x.example/a.jpg",
                               status=Picture.Status.READY, width=1600, height=900, renditions=[
                                   {"width": 640, "height": 360, "jpeg": "p1.jpg",
                                    "webp": "p1.webp"}])
        publish_change(story)  # as the picture job does
    assert "Volcano erupts" in page(client, "/search/?q=volcano")
    assert "p1.webp" in page(client, "/section/world/")


def test_a_publishers_own_teaser_template_is_used(client: Client, story: Story,
                                                  tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "_teaser.html").write_text(
        '<article class="own-teaser">{{ story.headline|upper }}</article>')
    assert "VOLCANO ERUPTS" not in page(client, "/section/world/")
    with override_settings(TEMPLATES=[dict(settings.TEMPLATES[0], DIRS=[str(tmp_path)])]):
        assert '<article class="own-teaser">VOLCANO ERUPTS</article>' in page(
            client, "/source/wire/")
    assert "own-teaser" not in page(client, "/entity/ana-lima/")


def test_a_front_page_entry_follows_its_event(client: Client, story: Story) -> None:
    """An entry is kept with its story and its event's state: another outlet's story joining
    the event changes "N more from M sources" and the stories listed under it."""
    with transaction.atomic():
        event = Cluster.objects.create(key="eruption", title="Eruption")
        Story.objects.filter(pk=story.pk).update(cluster=event)
        publish_change(Story.objects.get(pk=story.pk))
    assert "more from" not in page(client, "/")
    # Older: the entry is still the first story's, its own state unchanged.
    other = make_story("Ash reaches the coast", source=make_source("Other wire"),
                       published_at=story.first_published_at - timedelta(hours=1))
    with transaction.atomic():
        Story.objects.filter(pk=other.pk).update(cluster=event)
        publish_change(Story.objects.get(pk=other.pk))
    front = page(client, "/")
    assert "1 more from 2 sources" in front and "Ash reaches the coast" in front


def test_an_option_without_a_key_of_its_own_is_refused() -> None:
    """A fragment's options are part of its key: an object whose repr need not change with
    what it shows cannot be one."""
    with pytest.raises(TypeError):
        option_key(object())
    assert option_key(3) == 3 and option_key("6rem") == "6rem"
