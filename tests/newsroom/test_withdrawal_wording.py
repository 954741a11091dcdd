"""Words for taking stories down: the admin counts them in proper English, and the 410 page
says who took a story down (the site's editors, the source, or the clock)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from wiredesk.core.items import PubStatus
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.workers.timed import apply_timed_changes
from wiredesk.newsroom.write import editorial

from .wire import deliver, wire_item

pytestmark = pytest.mark.django_db

EDITORS = "The editors of Testdesk have withdrawn this story"
SOURCE = "The source of this story has withdrawn it"


@pytest.fixture
def source() -> Source:
    source = local_source("Wire")
    deliver(source, wire_item("one", 1), wire_item("two", 1), wire_item("three", 1))
    return source


def kill_in_admin(editor: Client, *stories: Story) -> str:
    response = editor.post("/admin/newsroom/story/",
                           {"action": "kill", "_selected_action": [s.pk for s in stories],
                            "apply": "1", "reason": "legal complaint"}, follow=True)
    return response.content.decode()


def gone_page(client: Client, story: Story) -> str:
    response = client.get(story.get_absolute_url())
    assert response.status_code == 410
    return response.content.decode()


def test_the_kill_action_counts_in_the_singular_and_the_plural(editor: Client,
                                                               source: Source) -> None:
    one, two, three = (Story.objects.get(external_id=g) for g in ("one", "two", "three"))
    page = kill_in_admin(editor, one)
    assert "1 story killed." in page and "stories killed" not in page
    page = kill_in_admin(editor, two, three)
    assert "2 stories killed." in page


def test_holding_counts_and_a_kept_kill_is_singular(editor: Client, source: Source) -> None:
    one, two = (Story.objects.get(external_id=g) for g in ("one", "two"))
    editorial.kill(one, reason="legal complaint", editor="editor")
    page = editor.post("/admin/newsroom/story/", {"action": "hold",
                                                  "_selected_action": [one.pk, two.pk]},
                       follow=True).content.decode()
    assert "1 story: held by an editor." in page and "1 killed story stays killed." in page


def test_an_editors_kill_is_not_blamed_on_the_source(editor: Client, client: Client,
                                                     source: Source) -> None:
    story = Story.objects.get(external_id="one")
    kill_in_admin(editor, story)
    page = gone_page(client, story)
    assert EDITORS in page and SOURCE not in page
    assert "<h1 class=\"page-title\">This story has been withdrawn</h1>" in page
    # A later kill from the source changes nothing: the editors took it down first.
    deliver(source, wire_item("one", 2, pubstatus=PubStatus.CANCELED))
    assert EDITORS in gone_page(client, story)
    api = client.get(f"/api/v1/stories/{story.pk}").json()
    assert api["error"]["message"].startswith(EDITORS)


def test_a_sources_kill_says_the_source_withdrew_it(client: Client, source: Source) -> None:
    story = Story.objects.get(external_id="two")
    deliver(source, wire_item("two", 2, pubstatus=PubStatus.CANCELED))
    page = gone_page(client, story)
    assert SOURCE in page and EDITORS not in page


def test_a_withheld_story_says_so(client: Client, source: Source) -> None:
    story = Story.objects.get(external_id="two")
    deliver(source, wire_item("two", 2, pubstatus=PubStatus.WITHHELD))
    page = gone_page(client, story)
    assert "This story has been withheld" in page
    assert "The source of this story has withheld it for now" in page


def test_an_expired_story_says_it_expired_and_blames_no_one(client: Client,
                                                            source: Source) -> None:
    story = Story.objects.get(external_id="three")
    Story.objects.filter(pk=story.pk).update(expires_at=datetime(2001, 1, 1, tzinfo=UTC))
    apply_timed_changes()
    page = gone_page(client, story)
    assert "<h1 class=\"page-title\">This story has expired</h1>" in page
    assert "licence to publish it has ended" in page
    assert "withdrawn" not in page
