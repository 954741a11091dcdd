"""Turning published changes into outbound events, in the transaction that publishes them.

:func:`wiredesk.newsroom.write.publishing.publish_changes` calls :func:`after_publish` with the
changed stories and the listings it bumped. Here each story's change is named against what the
outside last saw of it (:class:`SentState`): first public -> ``published``; a new version ->
``updated``, or ``corrected`` when it carries a new correction; public no longer (killed,
withdrawn, expired, unpublished) -> ``killed``; anything else (enrichment, a listing moved) says
nothing new to a partner. One delivery row per matching subscriber is written beside the change,
so an event exists exactly when its change committed, and nothing is lost if the process dies
before sending. With ``WIREDESK_WEBSUB_HUB`` set, the feeds the change touched are queued for one
hub ping as well.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse

from wiredesk.core.routing import RULE
from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Enrichment, Story
from wiredesk.newsroom.outbox.models import Delivery, SentState, Subscriber
from wiredesk.newsroom.serialize import iso, permanent_url, pubstatus, story_to_ninjs

# The feeds a listing key has (see wiredesk.newsroom.write.listing_state for the keys).
_FEED_FORMATS = ("rss", "atom", "json")


def after_publish(stories: Sequence[Story], keys: Iterable[str]) -> None:
    """Queue the events and hub ping for a published change (inside its transaction)."""
    subscribers = list(Subscriber.objects.filter(active=True))
    if subscribers:
        _queue_events([story for story in stories if story.pk is not None], subscribers)
    hub = settings.WIREDESK_WEBSUB_HUB
    if hub:
        _queue_ping(hub, feed_urls(keys))


def classify(story: Story, seen: SentState | None) -> str | None:
    """The event a story's change is to the outside, or None when it is none."""
    public = story.is_public and story.current_version_id is not None
    if seen is None or not seen.public:
        if not public:
            return None
        return "published" if seen is not None or story.version_count <= 1 else "updated"
    if not public:
        return "killed"
    if story.corrected_at is not None and story.corrected_at != seen.corrected_at:
        return "corrected"
    if story.current_version_id != seen.version_id:
        return "updated"
    return None


def matches(subscriber: Subscriber, story: Story, event: str, topics: set[str]) -> bool:
    """Whether the subscriber's filters (events, sections, sources, rules, topics) let this
    through."""
    if subscriber.events and event not in subscriber.events:
        return False
    if subscriber.sections and (story.section is None
                                or story.section.slug not in subscriber.sections):
        return False
    if subscriber.sources and story.source.slug not in subscriber.sources:
        return False
    if subscriber.rules and not set(subscriber.rules) & matched_rules(story):
        return False
    return not subscriber.topics or bool(topics & set(subscriber.topics))


def matched_rules(story: Story) -> set[str]:
    """The routing rules that matched the story (the gate lists each as "rule NAME" among its
    findings; one that failed on the item did not match)."""
    prefix = f"{RULE} "
    return {str(finding.get("check", ""))[len(prefix):] for finding in story.gate_reasons or []
            if isinstance(finding, dict) and str(finding.get("check", "")).startswith(prefix)
            and not str(finding.get("reason", "")).startswith("failed on this item")}


def event_body(story: Story, event: str, event_id: str) -> dict[str, Any]:
    """What a subscriber receives: the event, its id, and the story as ninjs (the API's shape).
    A kill carries no text: its point is that the text must go."""
    base = settings.WIREDESK_BASE_URL
    if event == "killed":
        item: dict[str, Any] = {
            "uri": permanent_url(story, base), "pubstatus": pubstatus(story.status),
            "status": story.status, "status_reason": story.status_reason,
            "firstcreated": iso(story.first_published_at),
            "source": {"name": story.source.name, "slug": story.source.slug}}
    else:
        item = story_to_ninjs(story, base_url=base)
    return {"type": f"story.{event}", "id": event_id, "story_id": story.pk, "item": item}


def _queue_events(stories: list[Story], subscribers: list[Subscriber]) -> None:
    seen = SentState.objects.in_bulk([story.pk for story in stories])
    now = clock.now()
    deliveries: list[Delivery] = []
    # The objects as published, not re-read: a deletion publishes its in-memory state first.
    for story in stories:
        event = classify(story, seen.get(story.pk))
        if event is None:
            continue
        _remember(story, seen.get(story.pk))
        topics = _topics(story)
        wanted = [sub for sub in subscribers if matches(sub, story, event, topics)]
        if not wanted:
            continue
        for subscriber in wanted:
            event_id = f"evt_{uuid.uuid4().hex}"
            body = json.dumps(event_body(story, event, event_id), ensure_ascii=False,
                              separators=(",", ":")).encode()
            deliveries.append(Delivery(kind=Delivery.Kind.WEBHOOK, subscriber=subscriber,
                                       target=subscriber.url, story_id=story.pk, event=event,
                                       event_id=event_id, body=body, created_at=now,
                                       next_attempt_at=now))
    Delivery.objects.bulk_create(deliveries)


def _remember(story: Story, seen: SentState | None) -> None:
    state = seen or SentState(story_id=story.pk)
    state.version_id = story.current_version_id or 0
    state.public = story.is_public
    state.corrected_at = story.corrected_at
    state.save()


def _topics(story: Story) -> set[str]:
    """The story's IPTC codes: the wire's subjects, and the enricher's topics once it ran."""
    codes = {str(subject.get("code")) for subject in (story.current_version.subjects or [])
             if isinstance(subject, dict) and subject.get("code")} \
        if story.current_version is not None else set()
    enrichment = Enrichment.objects.filter(story_id=story.pk).only("data").first()
    if enrichment is not None:
        codes |= {str(topic.get("qcode")) for topic in enrichment.data.get("topics", [])
                  if isinstance(topic, dict) and topic.get("qcode")}
    return codes


def feed_urls(keys: Iterable[str]) -> list[str]:
    """The public feeds (absolute URLs) of these bumped listings: WebSub's topics."""
    base = settings.WIREDESK_BASE_URL.rstrip("/")
    urls: list[str] = []
    for key in sorted(set(keys)):
        kind, _, name = key.partition(":")
        if key == "all":
            urls += [reverse(f"site:latest-feed-{fmt}") for fmt in _FEED_FORMATS]
        elif kind in ("section", "source", "cluster", "entity"):
            urls += [reverse(f"site:{kind}-feed-{fmt}", kwargs={"slug": name})
                     for fmt in _FEED_FORMATS]
        elif kind == "quotes":
            urls.append(reverse("site:entity-quotes-feed", kwargs={"slug": name}))
    return [base + url for url in urls]


def _queue_ping(hub: str, topics: list[str]) -> None:
    """One ping for these topics, unless one already waits for each of them (pings coalesce:
    the hub fetches the feed as it is when it gets the ping)."""
    if not topics:
        return
    waiting: set[str] = set()
    for body in Delivery.objects.filter(kind=Delivery.Kind.WEBSUB,
                                        state=Delivery.State.PENDING).values_list("body",
                                                                                   flat=True):
        waiting |= set(json.loads(bytes(body)))
    new = [topic for topic in topics if topic not in waiting]
    if new:
        now = clock.now()
        Delivery.objects.create(kind=Delivery.Kind.WEBSUB, target=hub, event="ping",
                                body=json.dumps(new).encode(), created_at=now,
                                next_attempt_at=now)
