"""Lists whose cost must not grow with the archive (issue 11, point 3): an entity's stories in the
API, a person's quotes (page, feed, API) and the sitemap index. Each first page is an index range
scan in listing order, checked with EXPLAIN on SQLite and PostgreSQL after ANALYZE; the sitemap
index counts no stories."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.support.factories import make_story
from wiredesk.newsroom.models import Entity, Story, StoryEntity, StoryQuote
from wiredesk.newsroom.write.publishing import publish_change
from wiredesk.site.api import StoryQuery
from wiredesk.site.enriched import public_quotes
from wiredesk.site.sitemaps import EntitySitemap, IdRangePaginator, StorySitemap

pytestmark = pytest.mark.django_db


def plan_of(sql: str, params: Any) -> str:
    """The query plan, with statistics (ANALYZE) as a desk that has run it has them."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            # On a tiny test table the planner would rather sort everything: ask whether an
            # ordered index scan exists at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_incremental_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def assert_no_sort(plan: str) -> None:
    assert "TEMP B-TREE" not in plan and "Sort" not in plan.replace("Sort Key", ""), plan


def publish_with(story: Story, entity: Entity, quote: str = "") -> None:
    """Link (and quote) as enrichment does, then publish: publishing copies the story's time."""
    with transaction.atomic():
        StoryEntity.objects.create(story=story, entity=entity)
        if quote:
            StoryQuote.objects.create(story=story, position=0, text=quote,
                                      speaker_name=entity.name, speaker=entity)
        story.refresh_from_db()
        publish_change(story)


@pytest.fixture
def person() -> Entity:
    entity = Entity.objects.create(key="person:ada-lovelace", kind="person", name="Ada Lovelace",
                                   slug="ada-lovelace")
    now = timezone.now()
    for n in range(3):
        publish_with(make_story(f"Story {n}", published_at=now - timedelta(minutes=n)), entity,
                     quote=f"Quote number {n}.")
    return entity


def test_the_api_entity_list_walks_the_link_index_in_order(person: Entity) -> None:
    sql, params = StoryQuery(entity=person.key).stories()[:21].query.sql_with_params()
    plan = plan_of(sql, params)
    assert "story_entity_listing" in plan, plan
    assert_no_sort(plan)


def test_the_api_entity_list_pages_newest_first_and_an_unknown_entity_is_empty(
        client: Client, person: Entity) -> None:
    seen, url = [], f"/api/v1/stories?entity={person.key}&page_size=2"
    while url:
        data = json.loads(client.get(url).content)
        seen += [item["headline"] for item in data["items"]]
        url = data["next"] and data["next"].removeprefix("http://testserver")
    assert seen == ["Story 0", "Story 1", "Story 2"]
    data = json.loads(client.get("/api/v1/stories?entity=person:nobody").content)
    assert data["items"] == [] and data["total"] == 0


def test_a_persons_quotes_are_read_from_their_index_in_order(person: Entity) -> None:
    sql, params = public_quotes(person)[:21].query.sql_with_params()
    plan = plan_of(sql, params)
    assert "story_quote_listing" in plan, plan
    assert_no_sort(plan)


def test_publishing_copies_the_story_time_onto_its_quotes(person: Entity) -> None:
    for quote in StoryQuote.objects.select_related("story"):
        assert quote.published_at == quote.story.first_published_at


def test_quotes_are_newest_first_and_public_only(client: Client, person: Entity) -> None:
    assert [q.text for q in public_quotes(person)] == [
        "Quote number 0.", "Quote number 1.", "Quote number 2."]
    Story.objects.filter(headline="Story 1").update(status=Story.Status.KILLED)
    assert [q.text for q in public_quotes(person)] == ["Quote number 0.", "Quote number 2."]
    data = json.loads(client.get(f"/api/v1/quotes?speaker={person.key}").content)
    assert [item["text"] for item in data["items"]] == ["Quote number 0.", "Quote number 2."]


def test_the_sitemap_index_counts_no_stories(client: Client, person: Entity) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/sitemap.xml").status_code == 200
    counted = [q["sql"] for q in queries.captured_queries
               if "COUNT(" in q["sql"].upper() and ('"newsroom_story"' in q["sql"]
                                                    or '"newsroom_entity"' in q["sql"])]
    assert counted == []


@pytest.mark.parametrize("sitemap", [StorySitemap, EntitySitemap])
def test_sitemap_pages_are_primary_key_ranges(person: Entity, sitemap: type) -> None:
    Entity.objects.bulk_create(Entity(key=f"person:p{n}", kind="person", name=f"P {n}",
                                      slug=f"p-{n}", linked=n % 2 == 0) for n in range(40))
    paginator = sitemap().paginator
    assert isinstance(paginator, IdRangePaginator)
    sql, params = paginator.page(1).object_list.query.sql_with_params()
    plan = plan_of(sql, params)
    if connection.vendor == "postgresql":
        assert "_pkey" in plan, plan
    else:
        # The primary key, or an index on the filtered column (which holds the rowid too).
        assert "rowid>? AND rowid<?" in plan, plan
    assert_no_sort(plan)
