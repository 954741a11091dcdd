"""The home page honours the routing rules' pins (issue 15, point 2): a pinned story leads, over a
better-scored story with a picture, stands for its event, and leads its section's block when the
top has no room; all until the pin's time, then it goes back to its own place."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.clock import FakeClock
from tests.support.factories import make_section, make_source, make_story
from wiredesk.newsroom.imagemodels import Picture
from wiredesk.newsroom.models import Cluster, Story
from wiredesk.site.front import PINNED, TOP, front_page

pytestmark = pytest.mark.django_db


def with_picture(story: Story) -> Story:
    Picture.objects.create(story=story, position=0, key=f"k{story.pk}", url="https://x.example/a",
                           status=Picture.Status.READY, width=1600, height=900, renditions=[
                               {"width": 640, "height": 360, "jpeg": f"p{story.pk}.jpg",
                                "webp": f"p{story.pk}.webp"}])
    return story


def pin(story: Story, until: object) -> None:
    Story.objects.filter(pk=story.pk).update(front_priority=PINNED, front_until=until)


def test_a_pinned_story_leads_until_its_pin_expires(desk_clock: FakeClock) -> None:
    wire = make_source("Wire", section=make_section("World"))
    now = desk_clock()
    pictured = with_picture(make_story("Big story with a photo", source=wire,
                                       published_at=now - timedelta(minutes=10)))
    pinned = make_story("Older pinned story", source=wire, published_at=now - timedelta(hours=20))
    pin(pinned, now + timedelta(hours=2))
    front = front_page([("world", "World")], [])
    assert front.lead is not None and front.lead.story.pk == pinned.pk
    assert pictured.pk in [entry.story.pk for entry in front.top]

    desk_clock.advance(timedelta(hours=3))  # the pin's time is up (before the timed job runs)
    front = front_page([("world", "World")], [])
    assert front.lead is not None and front.lead.story.pk == pictured.pk


def test_a_pinned_story_stands_for_its_event(desk_clock: FakeClock) -> None:
    wire, other = make_source("Wire"), make_source("Other")
    now = desk_clock()
    event = Cluster.objects.create(key="eruption", title="Eruption")
    newest = with_picture(make_story("Latest on the eruption", source=wire,
                                     published_at=now - timedelta(minutes=5)))
    pinned = make_story("The eruption explained", source=other,
                        published_at=now - timedelta(hours=3))
    Story.objects.filter(pk__in=[newest.pk, pinned.pk]).update(cluster=event)
    pin(pinned, now + timedelta(hours=1))
    front = front_page([], [])
    assert front.lead is not None and front.lead.story.pk == pinned.pk
    assert [story.pk for story in front.lead.others] == [newest.pk]


def test_pinned_stories_the_top_has_no_room_for_lead_their_section(
        desk_clock: FakeClock) -> None:
    world, sport = make_section("World"), make_section("Sport")
    wire = make_source("Wire", section=world)
    now = desk_clock()
    pinned = []
    for n in range(TOP + 1):
        story = make_story(f"Pinned world story {n}", source=wire,
                           published_at=now - timedelta(hours=30, minutes=n))
        pin(story, now + timedelta(hours=1))
        pinned.append(story.pk)
    for n in range(3):
        make_story(f"Fresh world story {n}", source=wire, published_at=now - timedelta(minutes=n))
    make_story("Sport story", source=make_source("Sports desk", section=sport),
               published_at=now - timedelta(minutes=1))
    front = front_page([("world", "World"), ("sport", "Sport")], [])
    top = [entry.story.pk for entry in ([front.lead] if front.lead else []) + front.top]
    assert len(top) == TOP and set(top) <= set(pinned)
    blocks = {slug: [story.pk for story in stories] for _, slug, stories in front.sections}
    left_over = [pk for pk in pinned if pk not in top]
    assert blocks["world"][:len(left_over)] == left_over
