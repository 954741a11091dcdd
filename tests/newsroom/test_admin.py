"""The admin: protected, shows source health, and its actions publish their changes."""

from __future__ import annotations

import pytest
from django.test import Client

from wiredesk.newsroom.models import Source, Story, Tombstone
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import STORY_A, STORY_B, rss

pytestmark = pytest.mark.django_db


@pytest.fixture
def source() -> Source:
    source = local_source("Test Wire")
    process_payload(WriteDesk(), store_payload(source, rss(STORY_A, STORY_B), origin="test://"))
    return source


def test_admin_requires_a_login(client: Client) -> None:
    response = client.get("/admin/newsroom/story/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_source_list_shows_health_and_recent_items(editor: Client, source: Source) -> None:
    Source.objects.filter(pk=source.pk).update(error_count=3, last_error="HTTP 503")
    page = editor.get("/admin/newsroom/source/").content.decode()
    assert "failing (3)" in page and "HTTP 503" in page
    assert '<td class="field-items_24h">2</td>' in page


def test_hold_action_takes_a_story_off_the_site(editor: Client, source: Source,
                                                client: Client) -> None:
    story = Story.objects.get(external_id=STORY_A.guid)
    url = story.get_absolute_url()
    assert editor.get(url).status_code == 200
    editor.post("/admin/newsroom/story/", {"action": "hold", "_selected_action": [story.pk]})
    story.refresh_from_db()
    assert story.status == Story.Status.HELD
    assert editor.get(url).status_code == 404
    assert STORY_A.title not in editor.get("/").content.decode()
    editor.post("/admin/newsroom/story/", {"action": "republish",
                                           "_selected_action": [story.pk]})
    assert editor.get(url).status_code == 200


def test_deleting_a_story_leaves_a_tombstone(editor: Client, source: Source) -> None:
    story = Story.objects.get(external_id=STORY_A.guid)
    editor.post(f"/admin/newsroom/story/{story.pk}/delete/", {"post": "yes"})
    assert not Story.objects.filter(pk=story.pk).exists()
    assert Tombstone.objects.filter(source=source, external_id=STORY_A.guid).exists()


def test_renaming_a_source_moves_the_validators_of_its_stories(editor: Client,
                                                               source: Source) -> None:
    story = Story.objects.get(external_id=STORY_A.guid)
    etag = editor.get(story.get_absolute_url())["ETag"]
    data = {"name": "Renamed Wire", "slug": source.slug, "transport": source.transport,
            "url": "", "format": "auto", "attribution_note": "", "canonical_policy": "original",
            "duplicate_policy": "also-reported",
            "is_active": "on", "created_at_0": "2026-11-01", "created_at_1": "00:00:00"}
    response = editor.post(f"/admin/newsroom/source/{source.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = editor.get(story.get_absolute_url())
    assert page["ETag"] != etag and "Renamed Wire" in page.content.decode()


def test_an_editor_kills_a_story_with_a_reason_and_it_stays_killed(editor: Client,
                                                                   source: Source) -> None:
    story = Story.objects.get(external_id=STORY_A.guid)
    ask = editor.post("/admin/newsroom/story/", {"action": "kill",
                                                 "_selected_action": [story.pk]})
    assert ask.status_code == 200 and "Kill for good" in ask.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED  # nothing happens before confirmation
    editor.post("/admin/newsroom/story/", {"action": "kill", "_selected_action": [story.pk],
                                           "apply": "1", "reason": "legal complaint"})
    story.refresh_from_db()
    assert story.status == Story.Status.KILLED
    assert editor.get(story.get_absolute_url()).status_code == 410
    assert "legal complaint" in story.events.get(action="kill").cause
    editor.post("/admin/newsroom/story/", {"action": "republish",
                                           "_selected_action": [story.pk]})
    story.refresh_from_db()
    assert story.status == Story.Status.KILLED
    lifecycle = editor.get(f"/admin/newsroom/story/{story.pk}/change/").content.decode()
    assert "killed by editor: legal complaint" in lifecycle
