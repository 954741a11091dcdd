"""Feeds that advertise a WebSub hub (``WIREDESK_WEBSUB_HUB``), so readers and aggregators hear
of a change at once instead of polling; the desk pings the hub when a feed changes
(:mod:`wiredesk.newsroom.outbox`). WebSub (W3C) asks for two links in each feed: ``rel="hub"``,
and ``rel="self"`` with the URL subscribers use as the topic (Django writes that one already)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed


class HubRss(Rss201rev2Feed):
    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        if settings.WIREDESK_WEBSUB_HUB:
            handler.addQuickElement("atom:link", None,
                                    {"rel": "hub", "href": settings.WIREDESK_WEBSUB_HUB})


class HubAtom(Atom1Feed):
    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        if settings.WIREDESK_WEBSUB_HUB:
            handler.addQuickElement("link", "", {"rel": "hub",
                                                 "href": settings.WIREDESK_WEBSUB_HUB})


def json_feed_hubs() -> dict[str, Any]:
    """JSON Feed 1.1's ``hubs`` member, when a hub is set."""
    hub = settings.WIREDESK_WEBSUB_HUB
    return {"hubs": [{"type": "WebSub", "url": hub}]} if hub else {}
