"""Webhooks and WebSub out (issue 16, points 3 and 4): real receivers on 127.0.0.1, the desk's
clock moved by hand (a minute of downtime passes without a minute of waiting)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from lxml import etree

from tests.newsroom.wire import deliver, wire_item
from tests.support.clock import FakeClock
from tests.support.receiver import Receiver
from wiredesk.core.items import PubStatus
from wiredesk.core.webhooks import BadSignature, RetryPolicy, new_secret, sign, verify
from wiredesk.newsroom.models import Section, Source, Story
from wiredesk.newsroom.outbox.delivery import deliver_due
from wiredesk.newsroom.outbox.events import matches
from wiredesk.newsroom.outbox.models import Delivery, Subscriber
from wiredesk.newsroom.outbox.subscribers import SubscriberError, add_subscriber
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.write import editorial

pytestmark = pytest.mark.django_db



def loopback() -> override_settings:
    """Receivers on 127.0.0.1 allowed, and a backoff of seconds (1, 2, 4, 8 at most)."""
    return override_settings(WIREDESK_FETCH_ALLOW_NETWORKS=["127.0.0.1/32"],
                             WIREDESK_WEBHOOK_RETRY_BASE=1.0, WIREDESK_WEBHOOK_RETRY_CAP=8.0,
                             WIREDESK_WEBHOOK_ATTEMPTS=30)


# --- Signing and backoff, without the desk -------------------------------------------------------


def test_a_signature_verifies_only_with_its_secret_body_and_a_fresh_timestamp() -> None:
    secret = new_secret()
    signature = sign(secret, "evt_1", 1_800_000_000, b'{"a":1}')
    verify(secret, "evt_1", "1800000000", b'{"a":1}', signature, now=1_800_000_100)
    verify(secret, "evt_1", "1800000000", b'{"a":1}', f"v1,bogus {signature}",
           now=1_800_000_000)  # one of several (a secret being rotated) is enough
    for args in [(new_secret(), "evt_1", "1800000000", b'{"a":1}'),
                 (secret, "evt_2", "1800000000", b'{"a":1}'),
                 (secret, "evt_1", "1800000000", b'{"a":2}'),
                 (secret, "evt_1", "1799999000", b'{"a":1}')]:
        with pytest.raises(BadSignature):
            verify(*args, signature, now=1_800_000_000)


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    policy, rng = RetryPolicy(base=5.0, cap=60.0, attempts=10), random.Random(7)
    for failures, step in [(1, 5.0), (2, 10.0), (3, 20.0), (4, 40.0), (5, 60.0), (9, 60.0)]:
        delays = [policy.delay(failures, rng) for _ in range(200)]
        assert all(step * 0.1 <= delay <= step for delay in delays)
        assert max(delays) - min(delays) > step * 0.5  # spread, not one value for everyone


# --- Delivering ----------------------------------------------------------------------------------


@pytest.fixture
def source() -> Source:
    return local_source("Outbox Wire")


@pytest.fixture
def receiver(desk_clock: FakeClock) -> Iterator[Receiver]:
    secret = new_secret()
    receiver = Receiver(secret=secret, now=desk_clock).start()
    yield receiver
    receiver.stop()


def pass_time(desk_clock: FakeClock, seconds: float, *, step: float = 1.0) -> None:
    """Let ``seconds`` of desk time pass, running the delivery loop every ``step``."""
    waited = 0.0
    while waited < seconds:
        desk_clock.advance(timedelta(seconds=step))
        waited += step
        deliver_due(desk_clock())


def subscribe(receiver: Receiver, name: str = "partner", **filters: list[str]) -> Subscriber:
    with loopback():
        subscriber, secret = add_subscriber(name, receiver.url, **filters)
    receiver.secret = secret
    return subscriber


@loopback()
def test_every_event_arrives_once_in_story_order_through_failures_and_a_minute_down(
        source: Source, receiver: Receiver, desk_clock: FakeClock) -> None:
    subscribe(receiver)
    receiver.fail_first = 3
    deliver(source, wire_item("alpha", 1))
    deliver(source, wire_item("alpha", 2, headline="Alpha, updated"))
    deliver(source, wire_item("beta", 1))
    pass_time(desk_clock, 5)  # the first three attempts fail with 500s
    receiver.stop()  # then the receiver is down for a minute
    deliver(source, wire_item("alpha", 3, pubstatus=PubStatus.CANCELED))
    pass_time(desk_clock, 60)
    down_for_a_minute = receiver.attempts
    receiver.start()
    pass_time(desk_clock, 30)
    assert receiver.refused == [] and receiver.repeats == []
    events = [(r.json()["item"]["uri"].rstrip("/").rsplit("/", 1)[-1], r.json()["type"])
              for r in receiver.accepted]
    alpha = str(Story.objects.get(external_id="alpha").pk)
    beta = str(Story.objects.get(external_id="beta").pk)
    assert sorted(events) == sorted([(alpha, "story.published"), (alpha, "story.updated"),
                                     (alpha, "story.killed"), (beta, "story.published")])
    assert [event for story, event in events if story == alpha] == [
        "story.published", "story.updated", "story.killed"]
    assert receiver.attempts > down_for_a_minute >= 3
    assert not Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists()
    # A kill says what was killed, not the text that must go.
    killed = next(r.json() for r in receiver.accepted if r.json()["type"] == "story.killed")
    assert killed["item"]["pubstatus"] == "canceled" and "body_html" not in killed["item"]
    updated = next(r.json() for r in receiver.accepted if r.json()["type"] == "story.updated")
    assert updated["item"]["headline"] == "Alpha, updated"


@loopback()
def test_a_later_event_waits_for_an_earlier_one_of_its_story(
        source: Source, receiver: Receiver, desk_clock: FakeClock) -> None:
    subscribe(receiver)
    receiver.stop()
    deliver(source, wire_item("gamma", 1))
    pass_time(desk_clock, 3)  # the published event is now waiting out a backoff
    receiver.start()
    deliver(source, wire_item("gamma", 2, headline="Gamma, updated"))
    deliver_due(desk_clock())  # the update is due at once, but its story's first event is not
    assert receiver.accepted == []
    pass_time(desk_clock, 20)
    assert [r.json()["type"] for r in receiver.accepted] == ["story.published", "story.updated"]


@loopback()
def test_filters_choose_the_events_and_stories_a_subscriber_gets(
        source: Source, receiver: Receiver, desk_clock: FakeClock) -> None:
    sport = Section.objects.create(name="Sport", slug="sport")
    subscribe(receiver, sections=["sport"], events=["published", "killed"])
    deliver(source, wire_item("delta", 1))
    Story.objects.filter(external_id="delta").update(section=sport)
    deliver(source, wire_item("delta", 2, headline="Delta, updated"))  # not an event it wants
    deliver(source, wire_item("epsilon", 1))  # not its section
    editorial.kill(Story.objects.get(external_id="delta"), reason="legal")
    pass_time(desk_clock, 3)
    assert [r.json()["type"] for r in receiver.accepted] == ["story.killed"]


@loopback()
def test_a_delivery_that_never_gets_through_is_dead_lettered_then_replayed(
        source: Source, receiver: Receiver, desk_clock: FakeClock) -> None:
    subscribe(receiver)
    receiver.fail_first = 10**6
    with override_settings(WIREDESK_WEBHOOK_ATTEMPTS=3):
        deliver(source, wire_item("zeta", 1))
        pass_time(desk_clock, 30)
    [dead] = Delivery.objects.filter(state=Delivery.State.DEAD)
    assert dead.attempts == 3 and dead.last_error == "HTTP 500"
    out = StringIO()
    call_command("webhook", "dead", stdout=out)
    assert f"{dead.pk}  published" in out.getvalue() and "HTTP 500" in out.getvalue()
    receiver.fail_first = 0
    call_command("webhook", "replay", stdout=out)
    assert "1 dead letters queued again" in out.getvalue()
    pass_time(desk_clock, 2)
    assert [r.json()["type"] for r in receiver.accepted] == ["story.published"]
    assert Delivery.objects.get(pk=dead.pk).state == Delivery.State.DELIVERED


def test_the_admin_lists_dead_letters_and_replays_them(editor: Client, source: Source) -> None:
    subscriber = Subscriber.objects.create(name="p", url="https://partner.example/hook",
                                           secret="x")
    dead = Delivery.objects.create(subscriber=subscriber, target=subscriber.url, story_id=1,
                                   event="published", body=b"{}", state=Delivery.State.DEAD,
                                   attempts=30, last_error="HTTP 503")
    page = editor.get("/admin/newsroom/delivery/?state__exact=dead")
    assert page.status_code == 200 and b"HTTP 503" in page.content
    editor.post("/admin/newsroom/delivery/", {"action": "replay_dead",
                                              "_selected_action": [dead.pk]})
    dead.refresh_from_db()
    assert dead.state == Delivery.State.PENDING and dead.attempts == 0


@override_settings(WIREDESK_FETCH_ALLOW_NETWORKS=[])
def test_a_subscriber_at_an_internal_address_is_refused(source: Source) -> None:
    with pytest.raises(SubscriberError, match="refused"):
        add_subscriber("inside", "http://127.0.0.1:9/hook")
    with pytest.raises(SubscriberError, match="unknown events"):
        add_subscriber("typo", "https://partner.example/hook", events=["publish"])
    assert not Subscriber.objects.exists()


def test_the_webhook_command_adds_and_lists_subscribers() -> None:
    out = StringIO()
    with loopback():
        call_command("webhook", "add", "wire-partner", "http://127.0.0.1:9/hook",
                     "--events", "published,killed", stdout=out)
    assert "Signing secret (shown once): whsec_" in out.getvalue()
    subscriber = Subscriber.objects.get(name="wire-partner")
    assert subscriber.events == ["published", "killed"]
    assert "whsec_" not in subscriber.secret  # stored sealed
    call_command("webhook", "list", stdout=out)
    assert "wire-partner  http://127.0.0.1:9/hook  active  events=published,killed" in \
        out.getvalue()


# --- WebSub --------------------------------------------------------------------------------------


@pytest.fixture
def hub(desk_clock: FakeClock) -> Iterator[Receiver]:
    hub = Receiver(secret=None, now=desk_clock).start()
    with override_settings(WIREDESK_WEBSUB_HUB=hub.url):
        yield hub
    hub.stop()


@loopback()
def test_feeds_advertise_the_hub_and_the_desk_pings_it_when_they_change(
        client: Client, source: Source, hub: Receiver, desk_clock: FakeClock) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    rss = etree.fromstring(client.get("/feeds/latest.rss").content)
    links = {link.get("rel"): link.get("href") for link in rss.iter(f"{atom}link")}
    assert links["hub"] == hub.url and links["self"].endswith("/feeds/latest.rss")
    feed = etree.fromstring(client.get("/feeds/latest.atom").content)
    links = {link.get("rel"): link.get("href") for link in feed.iter(f"{atom}link")}
    assert links["hub"] == hub.url and links["self"].endswith("/feeds/latest.atom")
    assert client.get("/feeds/latest.json").json()["hubs"] == [{"type": "WebSub",
                                                                "url": hub.url}]
    deliver(source, wire_item("eta", 1))
    deliver(source, wire_item("theta", 1))  # coalesced into the ping already waiting
    pass_time(desk_clock, 2)
    [ping] = hub.accepted
    form = ping.form()
    assert ("hub.mode", "publish") in form
    topics = [value for name, value in form if name == "hub.url"]
    assert any(topic.endswith("/feeds/latest.rss") for topic in topics)
    assert any(topic.endswith(f"/feeds/source/{source.slug}.atom") for topic in topics)
    assert ping.headers["content-type"] == "application/x-www-form-urlencoded"


def test_a_subscriber_can_follow_the_stories_a_routing_rule_matched(source: Source) -> None:
    subscriber = Subscriber(name="sport-partner", url="https://partner.example/hook",
                            rules=["Sport desk"])
    story = Story(source=source, gate_reasons=[
        {"check": "rule Sport desk", "outcome": "publish", "reason": "section sport"}])
    assert matches(subscriber, story, "published", set())
    story.gate_reasons = [{"check": "rule Markets", "outcome": "publish", "reason": "tags"}]
    assert not matches(subscriber, story, "published", set())
    story.gate_reasons = [{"check": "rule Sport desk", "outcome": "publish",
                           "reason": "failed on this item and was skipped: timeout"}]
    assert not matches(subscriber, story, "published", set())
    story.gate_reasons = [{"check": "thin", "outcome": "publish", "reason": "rule Sport desk"}]
    assert not matches(subscriber, story, "published", set())
