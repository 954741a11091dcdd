"""Deep pages and article validators whose cost must not grow with the archive (issue 11, point 3).

A keyset cursor's page starts its index range scan at the cursor: its (time, id) condition is an
OR, which neither database makes an index bound, so the page carries the time bound as well
(without it, fifty pages down a million stories took 300 ms on PostgreSQL, reading every newer
row). An article's validator reads the story, its copies and its event through indexes, never
the whole story table. Plans checked with EXPLAIN on SQLite and PostgreSQL after ANALYZE.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings

from tests.site.test_listing_plans import plan_of
from tests.support.factories import make_section, make_source, make_story
from wiredesk.newsroom.models import Cluster, Entity, Story, StoryEntity
from wiredesk.newsroom.write.publishing import publish_change
from wiredesk.site import pagination
from wiredesk.site.listings import entity_listing, for_section, latest
from wiredesk.site.params import make_cursor

pytestmark = pytest.mark.django_db


def index_bounds(plan: str) -> str:
    """The conditions an index scan starts and stops at: PostgreSQL's Index Cond lines, SQLite's
    SEARCH ... USING INDEX (...) lines."""
    return "\n".join(line for line in plan.splitlines()
                     if "Index Cond" in line or "USING INDEX" in line
                     or "USING COVERING INDEX" in line)


@pytest.fixture
def archive() -> list[Story]:
    """Forty stories in one section and linked to one country, two of them at the same time;
    more in another section."""
    world = make_source("Wire", section=make_section("World"))
    elsewhere = make_source("Other Wire", section=make_section("Sport"))
    country = Entity.objects.create(key="country:fr", kind="country", name="France",
                                    slug="france")
    now = timezone.now()
    stories = []
    for n in range(40):
        when = now - timedelta(minutes=n if n != 21 else 20)
        story = make_story(f"Story {n}", published_at=when, source=world)
        make_story(f"Elsewhere {n}", published_at=when, source=elsewhere)
        with transaction.atomic():
            StoryEntity.objects.create(story=story, entity=country)
            story.refresh_from_db()
            publish_change(story)
        stories.append(story)
    # Many more stories elsewhere, so that the section's own index is the one to read.
    model = Story.objects.filter(source=elsewhere).first()
    assert model is not None
    Story.objects.bulk_create(
        Story(source=elsewhere, external_id=f"more-{n}", identity_basis="guid", slug="more",
              section=elsewhere.section, headline=f"More {n}",
              first_published_at=now - timedelta(seconds=n),
              current_version=model.current_version) for n in range(400))
    return sorted(stories, key=lambda s: (s.first_published_at, s.pk), reverse=True)


LISTINGS = {
    "latest": (latest, "story_listing_latest", "first_published_at"),
    "section": (lambda: for_section("world"), "story_listing_section", "first_published_at"),
    "entity": (lambda: entity_listing(Entity.objects.get(slug="france")),
               "story_entity_listing", "published_at"),
}


@pytest.mark.parametrize("name", sorted(LISTINGS))
@pytest.mark.parametrize("direction", ["before", "after"])
def test_a_cursor_page_starts_its_index_scan_at_the_cursor(archive: list[Story], name: str,
                                                          direction: str) -> None:
    make, index, column = LISTINGS[name]
    listing = make()
    middle = archive[20]
    position = (pagination.Position(number=0, before=(middle.first_published_at, middle.pk))
                if direction == "before"
                else pagination.Position(number=0, after=(middle.first_published_at, middle.pk)))
    queries: list[Any] = []

    def stories(where: Q | None) -> Any:
        found = listing.stories(where)
        queries.append(found)
        return found

    pagination.read_window(stories, listing.order, position, 5)
    qs = queries[0]
    qs = qs.reverse() if direction == "after" else qs
    sql, params = qs[:6].query.sql_with_params()
    plan = plan_of(sql, params)
    assert index in plan, plan
    bounds = index_bounds(plan).replace(" ", "").replace('"', "")
    # The time is bounded in the index condition itself, not only filtered row by row.
    if connection.vendor == "postgresql":
        assert f"{column}<=" in bounds or f"{column}>=" in bounds, plan
    else:
        assert f"{column}<" in bounds or f"{column}>" in bounds, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan.replace("Sort Key", ""), plan


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_cursor_pages_both_ways_hold_every_story_once_in_order(
        client: Client, settings: Settings, archive: list[Story], name: str) -> None:
    """Forward with ``before``, back with ``after``, across the two stories of one time."""
    make, _, _ = LISTINGS[name]
    listing = make()
    full = list(listing.stories())  # every story of the listing, in order, without a cursor
    expected = [s.pk for s in full]
    start = full[3]
    position = pagination.Position(number=0, before=(start.first_published_at, start.pk))
    seen: list[int] = []
    while True:
        window = pagination.read_window(listing.stories, listing.order, position, 6)
        seen += [s.pk for s in window.rows]
        if not window.has_older:
            break
        last = window.rows[-1]
        position = pagination.Position(number=0, before=(last.first_published_at, last.pk))
    assert seen == expected[4:]
    position = pagination.Position(number=0, after=(full[-1].first_published_at, full[-1].pk))
    back: list[int] = []
    while True:
        window = pagination.read_window(listing.stories, listing.order, position, 6)
        back = [s.pk for s in window.rows] + back
        if not window.has_newer:
            break
        first = window.rows[0]
        position = pagination.Position(number=0, after=(first.first_published_at, first.pk))
    assert back == expected[:-1]
    url = f"{listing.page_url}?before={make_cursor(start.first_published_at, start.pk)}"
    assert client.get(url).status_code == 200


def test_the_article_validator_reads_three_index_lookups(archive: list[Story]) -> None:
    """The story, the stories merged into it and its event's stories: each arm of the condition
    an index lookup (with the cluster as IN (SELECT ...), PostgreSQL scanned the whole table:
    300 ms at a million stories)."""
    from wiredesk.site.listings import story_fingerprint

    story = archive[5]
    cluster = Cluster.objects.create(key="c1", title="Event")
    Story.objects.filter(pk__in=[s.pk for s in archive[4:8]]).update(cluster=cluster)
    Story.objects.filter(pk=archive[9].pk).update(merged_into=story)
    with CaptureQueriesContext(connection) as captured:
        before = story_fingerprint(None, story.pk)  # type: ignore[arg-type]
    [statement] = [q["sql"] for q in captured.captured_queries if "MAX(" in q["sql"].upper()]
    plan = plan_of(statement, ())
    if connection.vendor == "postgresql":
        assert "Seq Scan" not in plan and "BitmapOr" in plan, plan
    else:
        assert "SCAN newsroom_story" not in plan.replace("SCAN newsroom_story USING", ""), plan
    # And it changes when any of them does: the story, a copy, another story of the event.
    for n, changed in enumerate((story, archive[9], archive[7]), start=1):
        Story.objects.filter(pk=changed.pk).update(
            changed_at=timezone.now() + timedelta(minutes=n))
        after = story_fingerprint(None, story.pk)  # type: ignore[arg-type]
        assert after != before, changed.headline
        before = after
    Story.objects.filter(pk=archive[30].pk).update(changed_at=timezone.now() + timedelta(days=9))
    assert story_fingerprint(None, story.pk) == before  # type: ignore[arg-type]


def test_a_numbered_page_skips_rows_without_joining_them(archive: list[Story],
                                                         settings: Settings) -> None:
    """Page 3: the skipped stories are read from the listing alone (ids only), then the page's
    stories with their related rows; the page is what an OFFSET over the whole query gives."""
    listing = for_section("world")
    expected = [s.pk for s in listing.stories()[10:15]]
    with CaptureQueriesContext(connection) as captured:
        window = pagination.read_window(listing.stories, listing.order,
                                        pagination.Position(number=3), 5)
    assert [s.pk for s in window.rows] == expected
    assert window.has_newer and window.has_older
    offsets = [q["sql"] for q in captured.captured_queries if "OFFSET" in q["sql"]]
    assert offsets and all(" JOIN " not in sql for sql in offsets), offsets


def test_the_home_pool_walks_the_listing_from_a_time_bound() -> None:
    """The front page's pool among the newest LOOK_BACK stories: bounded by the time of the
    LOOK_BACK-th, not an IN over their ids (which PostgreSQL joined in full before sorting)."""
    from wiredesk.site import front

    now = timezone.now()
    stories = [make_story(f"Story {n}", published_at=now - timedelta(minutes=n))
               for n in range(6)]
    with CaptureQueriesContext(connection) as captured:
        pool = list(front.newest(Story.objects.order_by("-first_published_at"), count=4))
    assert [s.pk for s in pool] == [s.pk for s in stories[:4]]
    assert not any("IN (SELECT" in q["sql"] for q in captured.captured_queries)
    assert list(front.newest(Story.objects.all(), count=50)) != []  # fewer than count: all


def test_the_home_look_back_is_read_from_the_listing_index_alone() -> None:
    """The time bound of the front page's walk (front.LookBack) is read from the listing index
    without a story row: on PostgreSQL an index-only scan, on SQLite no condition the index
    does not hold (a row read for each of the 2,000 stories walked)."""
    from wiredesk.site import front

    now = timezone.now()
    stories = [make_story(f"Story {n}", published_at=now - timedelta(minutes=n))
               for n in range(6)]
    with CaptureQueriesContext(connection) as captured:
        look = front.LookBack.read(count=4)
    assert look.oldest == stories[3].first_published_at
    (query,) = captured.captured_queries
    for column in ("current_version_id", "embargoed_until", "expires_at"):
        assert column not in query["sql"], query["sql"]
    plan = plan_of(query["sql"], None)
    expected = ("Index Only Scan using story_listing_latest"
                if connection.vendor == "postgresql" else "USING INDEX story_listing_latest")
    assert expected in plan, plan
