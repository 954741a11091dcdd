"""Events' public sizes stored with their listing state (wiredesk.newsroom.write.event_sizes): the
front page ranks events by them and says "N more from M sources". Every change that makes a story
join, leave or stop being public updates the stored size in its own transaction; a size that the
clock alone changes (an embargo time or an expiry passing before the scheduler runs) is counted
from the stories from that moment on."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.support.clock import FakeClock
from tests.support.factories import make_section, make_source, make_story, set_status
from wiredesk.newsroom.models import Cluster, ListingState, Source, Story
from wiredesk.newsroom.queries import public_filter
from wiredesk.newsroom.workers.timed import apply_timed_changes
from wiredesk.newsroom.write import editorial, event_sizes
from wiredesk.newsroom.write.desk import WriteDesk
from wiredesk.newsroom.write.merging import merge
from wiredesk.newsroom.write.publishing import publish_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def wires(desk_clock: FakeClock) -> list[Source]:
    world = make_section("World")
    return [make_source(f"Wire {n}", section=world) for n in range(3)]


def story(desk_clock: FakeClock, source: Source, n: int, **fields: object) -> Story:
    return make_story(f"Quake report {n}", source=source,
                      published_at=desk_clock.moment - timedelta(hours=1 + n), **fields)


def join(cluster: Cluster, *stories: Story) -> None:
    """As the write desk does: the clusterer sets the stories' event, the session publishes."""
    with transaction.atomic():
        Story.objects.filter(pk__in=[s.pk for s in stories]).update(cluster=cluster)
        for s in stories:
            s.cluster = cluster
        publish_changes(list(stories))


def stored(cluster: Cluster) -> tuple[int | None, int | None]:
    row = ListingState.objects.get(key=f"cluster:{cluster.pk}")
    return row.public_stories, row.public_sources


def quake(wires: list[Source], desk_clock: FakeClock) -> tuple[Cluster, list[Story]]:
    """Three stories from two outlets, one event."""
    cluster = Cluster.objects.create(key="quake", title="Quake")
    stories = [story(desk_clock, wires[n % 2], n) for n in range(3)]
    join(cluster, *stories)
    return cluster, stories


def more_coverage(client: Client) -> list[str]:
    doc = lxml.html.fromstring(client.get("/").content)
    return [" ".join(node.text_content().split())
            for node in doc.xpath("//article[contains(@class, 'front-lead')]"
                                  "//*[@class='more-coverage']")]


def test_a_kill_drops_the_size_at_once_on_the_front_page(
        client: Client, wires: list[Source], desk_clock: FakeClock) -> None:
    cluster, stories = quake(wires, desk_clock)
    assert stored(cluster) == (3, 2)
    assert more_coverage(client) == ["2 more from 2 sources → Full coverage"]
    editorial.kill(stories[1], reason="legal")
    assert stored(cluster) == (2, 1)
    assert more_coverage(client) == ["1 more from 1 source → Full coverage"]


def test_the_front_page_reads_stored_sizes_without_counting_stories(
        wires: list[Source], desk_clock: FakeClock) -> None:
    cluster, _ = quake(wires, desk_clock)
    with CaptureQueriesContext(connection) as captured:
        assert event_sizes.sizes({cluster.pk}) == {cluster.pk: (3, 2)}
    assert len(captured.captured_queries) == 1
    assert "newsroom_story" not in captured.captured_queries[0]["sql"]
    # Without a stored size (an event not published since the sizes were introduced): counted.
    ListingState.objects.filter(key=f"cluster:{cluster.pk}").update(public_stories=None)
    assert event_sizes.sizes({cluster.pk}) == {cluster.pk: (3, 2)}
    assert event_sizes.sizes({cluster.pk + 1}) == {cluster.pk + 1: (0, 0)}


def test_hold_and_republish(wires: list[Source], desk_clock: FakeClock) -> None:
    cluster, stories = quake(wires, desk_clock)
    set_status(stories[0], Story.Status.HELD)
    assert stored(cluster) == (2, 2)
    editorial.set_status(stories[2], Story.Status.UNPUBLISHED)
    assert stored(cluster) == (1, 1)
    editorial.set_status(stories[0], Story.Status.PUBLISHED)
    assert stored(cluster) == (2, 2)


def test_an_embargo_released_by_the_scheduler_joins_the_size(
        wires: list[Source], desk_clock: FakeClock) -> None:
    cluster, _ = quake(wires, desk_clock)
    held = story(desk_clock, wires[2], 3, status=Story.Status.EMBARGOED)
    Story.objects.filter(pk=held.pk).update(embargoed_until=desk_clock.moment
                                            + timedelta(hours=1))
    join(cluster, held)
    assert stored(cluster) == (3, 2)
    desk_clock.advance(timedelta(hours=1, seconds=1))
    assert apply_timed_changes() == (1, 0)
    assert stored(cluster) == (4, 3)


def test_times_passing_before_the_scheduler_are_exact_to_the_second(
        wires: list[Source], desk_clock: FakeClock) -> None:
    """A published story whose embargo time is still to come is not counted until then, one
    whose licence expires is counted until then: the stored size says until when it holds."""
    cluster, stories = quake(wires, desk_clock)
    early = story(desk_clock, wires[2], 3)
    Story.objects.filter(pk=early.pk).update(embargoed_until=desk_clock.moment
                                             + timedelta(minutes=30))
    Story.objects.filter(pk=stories[0].pk).update(expires_at=desk_clock.moment
                                                  + timedelta(hours=1))
    join(cluster, early, stories[0])
    assert stored(cluster) == (3, 2)
    assert event_sizes.sizes({cluster.pk}) == {cluster.pk: (3, 2)}
    desk_clock.advance(timedelta(minutes=30))
    assert event_sizes.sizes({cluster.pk}) == {cluster.pk: (4, 3)}
    desk_clock.advance(timedelta(minutes=30))
    assert event_sizes.sizes({cluster.pk}) == {cluster.pk: (3, 3)}


def test_a_merge_and_a_move_to_another_event(wires: list[Source],
                                             desk_clock: FakeClock) -> None:
    cluster, stories = quake(wires, desk_clock)
    merge(WriteDesk(), stories[2], stories[0], "editor")
    assert stored(cluster) == (2, 2)
    other = Cluster.objects.create(key="aftershock", title="Aftershock")
    join(other, stories[1])  # re-clustered: leaves the first event, joins the second
    assert stored(cluster) == (1, 1)
    assert stored(other) == (1, 1)


def test_a_story_deleted_for_good_leaves_the_size(wires: list[Source],
                                                  desk_clock: FakeClock) -> None:
    cluster, stories = quake(wires, desk_clock)
    editorial.delete_for_good(stories[1])
    assert stored(cluster) == (2, 1)


def test_recounting_every_event_matches_counting(wires: list[Source],
                                                 desk_clock: FakeClock) -> None:
    """What a bulk archive (benchmarks/archive_builder.py) stores after writing its rows."""
    cluster, stories = quake(wires, desk_clock)
    Story.objects.filter(pk=stories[0].pk).update(status=Story.Status.KILLED)  # not published
    ListingState.objects.update(public_stories=None, public_sources=None)
    event_sizes.recount()
    assert stored(cluster) == (2, 2) and event_sizes.counted({cluster.pk}) == {cluster.pk: (2, 2)}


def test_the_stored_count_is_the_public_rule_of_the_queries(wires: list[Source],
                                                            desk_clock: FakeClock) -> None:
    """recount's statement is written out; it counts what public_filter() (the rule every
    listing reads) counts, and dates the next change as the stories' own times say, over every
    state a story of an event can be in."""
    now, hour = desk_clock.moment, timedelta(hours=1)
    cluster = Cluster.objects.create(key="mixed", title="Mixed")
    stories = [story(desk_clock, wires[n % 3], n) for n in range(9)]
    join(cluster, *stories)
    states: list[dict[str, object]] = [
        {}, {"embargoed_until": now - hour}, {"embargoed_until": now + 2 * hour},
        {"expires_at": now + 3 * hour}, {"expires_at": now - hour},
        {"status": Story.Status.KILLED}, {"merged_into": stories[0]},
        {"current_version": None}, {"embargoed_until": now + hour, "expires_at": now + 5 * hour},
    ]
    for one, fields in zip(stories, states, strict=True):
        Story.objects.filter(pk=one.pk).update(**fields)
    event_sizes.recount({cluster.pk})
    public = Story.objects.filter(public_filter(), cluster=cluster)
    expected = (public.count(), public.values("source_id").distinct().count())
    assert expected == (3, 2)  # the first, the released embargo, the expiry to come: 2 wires
    assert stored(cluster) == expected == event_sizes.counted({cluster.pk})[cluster.pk]
    row = ListingState.objects.get(key=f"cluster:{cluster.pk}")
    assert row.public_until == now + hour  # the earliest embargo or expiry still to come
