"""Adding and finding webhook subscribers (shared by the admin and ``wiredesk webhook``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from wiredesk.core.addresses import AddressPolicy
from wiredesk.core.errors import FetchError, WiredeskError
from wiredesk.core.webhooks import new_secret
from wiredesk.ingest.fetch import check_feed_address
from wiredesk.newsroom import sealed
from wiredesk.newsroom.outbox.models import EVENTS, Subscriber


class SubscriberError(WiredeskError):
    """A subscriber that cannot be added as given (the message says why)."""


def check_url(url: str) -> None:
    """Refuse a receiver's URL the desk would refuse as a feed's (internal addresses unless
    allowed by WIREDESK_FETCH_ALLOW_NETWORKS): a webhook must not become a way into the
    desk's own network."""
    policy = AddressPolicy.allowing(settings.WIREDESK_FETCH_ALLOW_NETWORKS)
    try:
        check_feed_address(url, policy, timeout=settings.WIREDESK_FETCH_CONNECT_TIMEOUT)
    except FetchError as exc:
        raise SubscriberError(f"refused {url}: {exc}") from exc


def add_subscriber(name: str, url: str, *, events: Sequence[str] = (),
                   sections: Sequence[str] = (), sources: Sequence[str] = (),
                   topics: Sequence[str] = (), rules: Sequence[str] = ()
                   ) -> tuple[Subscriber, str]:
    """Create a subscriber; returns it with its signing secret (shown once, stored sealed)."""
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise SubscriberError(f"unknown events {', '.join(unknown)}; the events are "
                              f"{', '.join(EVENTS)}")
    if Subscriber.objects.filter(name=name).exists():
        raise SubscriberError(f"a subscriber named {name!r} exists already")
    check_url(url)
    secret = new_secret()
    subscriber = Subscriber.objects.create(
        name=name, url=url, secret=sealed.seal(secret), events=list(events),
        sections=list(sections), sources=list(sources), topics=list(topics), rules=list(rules))
    return subscriber, secret


def new_subscriber_secret(subscriber: Subscriber) -> str:
    """Replace a subscriber's secret; returns the new one (the old one stops verifying)."""
    secret = new_secret()
    subscriber.secret = sealed.seal(secret)
    subscriber.save(update_fields=["secret"])
    return secret
