"""Storing payloads and applying items: versions, identical copies, stale versions, tombstones."""

from __future__ import annotations

from dataclasses import replace

import pytest

from wiredesk.core.errors import NotAFeed
from wiredesk.newsroom.models import RawPayload, Source, Story, StoryVersion
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.write import editorial
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import STORY_A, STORY_B, Entry, paragraphs, rss

pytestmark = pytest.mark.django_db


def ingest(source: Source, body: bytes) -> object:
    return process_payload(WriteDesk(), store_payload(source, body, origin="test://feed"))


@pytest.fixture
def source() -> Source:
    return local_source("Test Wire")


def test_new_items_become_published_stories(source: Source) -> None:
    report = ingest(source, rss(STORY_A, STORY_B))
    assert (report.new, report.updated, report.unchanged) == (2, 0, 0)  # type: ignore[attr-defined]
    story = Story.objects.get(external_id="a-1")
    assert story.status == Story.Status.PUBLISHED
    assert story.headline == "Harbour strike ends after talks"
    assert story.version_count == 1 and story.last_updated_at is None
    assert story.current_version is not None
    assert "We have a deal," in story.current_version.body_html
    payload = RawPayload.objects.get()
    assert payload.outcome == RawPayload.Outcome.PARSED and payload.item_count == 2
    assert payload.body == rss(STORY_A, STORY_B)


def test_same_feed_again_changes_nothing(source: Source) -> None:
    ingest(source, rss(STORY_A, STORY_B))
    before = Story.objects.get(external_id="a-1").changed_at
    report = ingest(source, rss(STORY_A, STORY_B))
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)  # type: ignore[attr-defined]
    assert StoryVersion.objects.count() == 2
    assert Story.objects.get(external_id="a-1").changed_at == before


def test_changed_item_becomes_a_new_version_keeping_first_published(source: Source) -> None:
    ingest(source, rss(STORY_A))
    first = Story.objects.get(external_id="a-1")
    changed = replace(STORY_A, title="Harbour strike ends; ships sail")
    report = ingest(source, rss(changed))
    assert report.updated == 1  # type: ignore[attr-defined]
    story = Story.objects.get(external_id="a-1")
    assert story.pk == first.pk and story.version_count == 2
    assert story.headline == "Harbour strike ends; ships sail"
    assert story.first_published_at == first.first_published_at
    assert story.last_updated_at is not None and story.changed_at > first.changed_at
    assert [v.headline for v in story.versions.order_by("number")] == [
        "Harbour strike ends after talks", "Harbour strike ends; ships sail"]


def test_older_version_arriving_late_stays_in_history(source: Source) -> None:
    newer = Entry("x", "Newer headline", paragraphs("Newer body."),
                  pub_date="Tue, 24 Nov 2026 12:00:00 +0000")
    older = Entry("x", "Older headline", paragraphs("Older body."),
                  pub_date="Tue, 24 Nov 2026 09:00:00 +0000")
    ingest(source, rss(newer))
    report = ingest(source, rss(older))
    assert report.stale == 1  # type: ignore[attr-defined]
    story = Story.objects.get(external_id="x")
    assert story.headline == "Newer headline"
    assert story.versions.filter(is_superseded=True, headline="Older headline").count() == 1


def test_deleted_story_leaves_a_tombstone_and_never_returns(source: Source) -> None:
    ingest(source, rss(STORY_A, STORY_B))
    editorial.delete_for_good(Story.objects.get(external_id="a-1"))
    report = ingest(source, rss(replace(STORY_A, title="Changed after deletion"), STORY_B))
    assert report.refused == 1  # type: ignore[attr-defined]
    assert not Story.objects.filter(external_id="a-1").exists()


def test_held_story_stays_held_when_a_new_version_arrives(source: Source) -> None:
    ingest(source, rss(STORY_A))
    story = Story.objects.get(external_id="a-1")
    editorial.set_status(story, Story.Status.HELD)
    ingest(source, rss(replace(STORY_A, title="New headline")))
    story.refresh_from_db()
    assert story.status == Story.Status.HELD and story.version_count == 2


def test_unparsable_payload_is_kept_with_its_error(source: Source) -> None:
    page = b"<!DOCTYPE html><html><head><title>Oops</title></head><body>Not here</body></html>"
    with pytest.raises(NotAFeed):
        ingest(source, page)
    payload = RawPayload.objects.get()
    assert payload.outcome == RawPayload.Outcome.FAILED
    assert "HTML" in payload.error and payload.body == page
    assert not Story.objects.exists()


def test_a_payload_in_another_format_than_the_source_declares_is_flagged(source: Source) -> None:
    source.format = Source.Format.NINJS
    source.save(update_fields=["format"])
    report = ingest(source, rss(STORY_A))
    assert report.new == 1  # type: ignore[attr-defined]  # nothing is lost ...
    payload = RawPayload.objects.get()
    assert payload.outcome == RawPayload.Outcome.PARTIAL  # ... and the operator is told
    assert any("set to ninjs" in w and "rss" in w for w in payload.warnings), payload.warnings


def test_a_payload_in_the_declared_format_is_not_flagged(source: Source) -> None:
    source.format = Source.Format.RSS
    source.save(update_fields=["format"])
    ingest(source, rss(STORY_A))
    assert RawPayload.objects.get().outcome == RawPayload.Outcome.PARSED
