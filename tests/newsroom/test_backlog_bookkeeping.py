"""A backlog's bookkeeping in a few statements (recovery after a crash, issue 14 point 4): what
the payloads of one recovery step leave on their rows and their sources' figures is the state
the same payloads, processed one after the other, leave -- outcomes, warnings, items lost,
"recovered N of M", push delivery counts -- and the rows written in bulk are the rows the ORM
writes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from tests.support.processes import dead_holder
from wiredesk.newsroom.health.models import SourceDay
from wiredesk.newsroom.models import RawPayload, Source, Story, StoryVersion
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.write import listing_state
from wiredesk.newsroom.write.desk import WriteDesk
from wiredesk.newsroom.write.deskstate import insert_objects

from .feeds import Entry, paragraphs, rss
from .test_input_limits import STORIES, truncated_feed

pytestmark = pytest.mark.django_db


def source_named(name: str) -> Source:
    """A source whose stories stay its own (the two sources below carry the same texts)."""
    source = local_source(name)
    Source.objects.filter(pk=source.pk).update(duplicate_policy="keep-both")
    source.refresh_from_db()
    return source


def stored(source: Source, body: bytes) -> RawPayload:
    """A payload a dead process stored and never processed."""
    payload = inbox.store(source, body, transport="push", origin="push")
    RawPayload.objects.filter(pk=payload.pk).update(claimed_by=dead_holder(), claim_until=None)
    return payload


def whole(number: int) -> bytes:
    title = f"Ferry timetable changes for the winter season, part {number}"
    return rss(Entry(f"w-{number}", title, paragraphs(
        f"{title}.", "Crossings to the islands will run every two hours from next month, the "
                     "operator said, as it takes two of its older vessels out of service.")))


def figures(source: Source) -> tuple[object, ...]:
    source.refresh_from_db()
    rows = RawPayload.objects.filter(source=source).order_by("pk")
    return (source.item_errors, source.last_item_problem, source.error_count,
            bool(source.last_item_problem_at),
            [(p.outcome, p.warnings, p.format, p.item_count) for p in rows],
            sum(SourceDay.objects.filter(source=source).values_list("items", flat=True)))


@pytest.mark.parametrize(("bodies", "lost", "problem"), [
    ([truncated_feed, lambda: whole(1), lambda: whole(2)], 1, ""),  # a later one read whole
    ([lambda: whole(1), truncated_feed], 1, "recovered 2 of 3 items; item 3 ("),
    ([lambda: b"not a feed", lambda: whole(1)], 0, ""),  # a payload quarantined between
], ids=["lost-then-whole", "whole-then-lost", "failed-then-whole"])
def test_a_step_leaves_what_one_payload_after_another_leaves(
        bodies: list[Callable[[], bytes]], lost: int, problem: str) -> None:
    alone, together = source_named("One by one"), source_named("Together")
    for body in bodies:
        stored(alone, body())
        assert len(inbox.process_pending(WriteDesk(), limit=1)) == 1  # a session each
    for body in bodies:
        stored(together, body())
    assert len(inbox.process_pending(WriteDesk())) == len(bodies)  # one session
    assert figures(together) == figures(alone)
    together.refresh_from_db()
    assert together.item_errors == lost and together.last_item_problem.startswith(problem)
    assert bool(together.last_item_problem) == bool(problem)
    assert Story.objects.filter(source=together).count() == \
        Story.objects.filter(source=alone).count()


@pytest.mark.parametrize("errors", [
    ["", "", ""], ["boom", "bang"], ["boom", "", "bang"], ["", "boom", "bang"], ["boom", ""],
])
def test_push_deliveries_counted_together_as_one_after_another(errors: list[str]) -> None:
    alone, together = source_named("One by one"), source_named("Together")
    for source in (alone, together):
        Source.objects.filter(pk=source.pk).update(error_count=2)
    for error in errors:
        inbox.record_delivery(alone.pk, error)
    inbox.record_deliveries([(together.pk, error) for error in errors])

    def state(source: Source) -> tuple[object, ...]:
        source.refresh_from_db()
        return (source.error_count, source.last_error, bool(source.last_error_at),
                bool(source.last_success_at))

    assert state(together) == state(alone)


def test_rows_inserted_in_bulk_are_the_orms_rows() -> None:
    source = local_source("Bulk")
    now = timezone.now()

    def story(external_id: str) -> Story:
        return Story(source=source, external_id=external_id, slug="s", headline="A headline",
                     first_published_at=now, changed_at=now, gate_reasons=[{"check": "thin"}],
                     duplicate_check={"outcome": "new"})

    orm, ours = Story.objects.bulk_create([story("orm")])[0], story("ours")
    insert_objects([ours])
    assert ours.pk is not None and not ours._state.adding
    version = StoryVersion(story=ours, number=1, received_at=now, headline="A headline",
                           published_at=now, content_hash="h", fingerprint=b"\x00\x01",
                           categories=["a"])
    insert_objects([version])
    skip = {"id", "external_id"}
    columns = [f.attname for f in Story._meta.concrete_fields if f.attname not in skip]
    assert Story.objects.filter(pk=ours.pk).values(*columns).get() == \
        Story.objects.filter(pk=orm.pk).values(*columns).get()
    stored_version = StoryVersion.objects.get(pk=version.pk)
    assert (stored_version.story_id, bytes(stored_version.fingerprint or b""),
            stored_version.categories) == (ours.pk, b"\x00\x01", ["a"])


def test_a_created_story_bumps_every_listing_it_is_in() -> None:
    """The shortcut for stories created in the transaction finds the listings the full
    reading finds (no entity or quote can name them yet)."""
    source = local_source("Listings")
    stored(source, rss(*STORIES))
    inbox.process_pending(WriteDesk())
    ids = list(Story.objects.filter(source=source).values_list("pk", flat=True))
    assert ids
    assert listing_state.current_keys(ids, created=True) == listing_state.current_keys(ids)
