"""Keeping the front caches right: every published change refreshes the URLs it changed.

The recommended deployment (docs/deployment.md) puts nginx in front of ``wiredesk serve`` with a
cache of whole responses, so a cached article, listing or feed is served without Python. For a
kill to be a 410 *at the front* as soon as publishing returns, Wiredesk tells the front caches
which URLs changed: :func:`wiredesk.newsroom.write.publishing.publish_changes` hands this module the
changed stories and the listing keys it bumped; the affected paths are queued for every base URL in
``WIREDESK_PURGE_URLS`` in the outbox (:mod:`wiredesk.newsroom.outbox`) inside the transaction,
and sent as soon as it commits -- *refreshed* at an nginx refresh listener (``http://...``), or
*purged* at a cache that takes ``PURGE`` (``purge+http://...``: Varnish, CDNs). A cache that
cannot be reached keeps its queued row, which the outbox tries again with backoff.

Why a refresh and not a PURGE: nginx's open-source build has no purge, and the cache purge module
Debian ships (libnginx-mod-http-cache-purge 2.3) crashes its worker on every purge with nginx
1.22. A refresh needs nothing but stock nginx: a second listener on loopback shares the cache
zone and key with ``proxy_cache_bypass 1``, so a ``HEAD <path>`` sent there fetches the current
answer from Wiredesk and *replaces* the cached one (a 410 for a killed story: 410s are cacheable
for that reason). It also warms the cache with the new page instead of leaving a hole for the
next reader to fill.

Which paths: the front cache keeps only paths without a query string (the config bypasses the
rest), so the set is finite and known from the change alone:

- each changed story's article page, permanent address and API object;
- for each bumped listing (:mod:`wiredesk.newsroom.write.listing_state`), its page, its three feeds
  (and its sitemap, for a section); for ``all``: home, latest feeds, sitemaps, the API lists;
- for a bumped cluster, the article pages of its newest :data:`CLUSTER_PAGES` stories, whose
  "Related coverage" shows the change;
- ``site`` (a name edited in the admin) refreshes the listings every page links to; article and
  entity pages then show the new name when the front cache revalidates them (60 s at most).

A reader's request that started rendering before the change committed can store the old answer
*after* the refresh. A second pass :data:`SECOND_PASS` seconds later replaces it; the bound on such
a stale answer is then that delay, and 60 s (Cache-Control) if even that pass failed.
Failures to reach a front cache never fail the change (it is already committed): they stay in
the queue.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Section, Source, Story
from wiredesk.newsroom.outbox.models import Delivery
from wiredesk.newsroom.write import listing_state

log = logging.getLogger(__name__)

CLUSTER_PAGES = 100
SECOND_PASS = 1.0
TIMEOUT = 5.0
_FEED_FORMATS = ("rss", "atom", "json")


def after_commit(stories: Sequence[Story], keys: Iterable[str]) -> None:
    """Queue a refresh of the front caches for these changed stories and bumped listings, in the
    current transaction (so it exists exactly when the change does), and send it the moment the
    transaction commits. Nothing to do without front caches."""
    if not settings.WIREDESK_PURGE_URLS:
        return
    story_ids = sorted({story.pk for story in stories if story.pk is not None})
    slugs = {story.pk: story.slug for story in stories if story.pk is not None}
    changed = paths(story_ids, slugs, set(keys))
    now = clock.now()
    body = json.dumps(changed).encode()
    queued = [Delivery.objects.create(kind=Delivery.Kind.PURGE, target=base, event="purge",
                                      body=body, created_at=now, next_attempt_at=now).pk
              for base in settings.WIREDESK_PURGE_URLS]
    transaction.on_commit(lambda: send_now(queued, changed))


def paths(story_ids: Sequence[int], slugs: dict[int, str], keys: set[str]) -> list[str]:
    """The cached paths a change to these stories and listings changes, articles first."""
    found: dict[str, None] = {}  # ordered, without repeats

    def add(name: str, **kwargs: object) -> None:
        found[reverse(f"site:{name}", kwargs=kwargs or None)] = None

    for pk in story_ids:
        add("story", story_id=pk, slug=slugs[pk])
        add("permalink", story_id=pk)  # redirects to the page while public; 410 once killed
        add("api-story", story_id=pk)
    clusters = sorted(int(key.split(":", 1)[1]) for key in keys if key.startswith("cluster:"))
    for cluster in clusters:
        for pk, slug in (Story.objects.filter(cluster_id=cluster)
                         .order_by("-first_published_at", "-id")
                         .values_list("pk", "slug")[:CLUSTER_PAGES]):
            add("story", story_id=pk, slug=slug)
    if listing_state.SITE in keys:
        keys = keys | {listing_state.ALL}
        keys |= {listing_state.section_key(slug)
                 for slug in Section.objects.values_list("slug", flat=True)}
        keys |= {listing_state.source_key(slug)
                 for slug in Source.objects.values_list("slug", flat=True)}
    for key in sorted(keys):
        kind, _, name = key.partition(":")
        if key == listing_state.ALL:
            add("home")
            for fmt in _FEED_FORMATS:
                add(f"latest-feed-{fmt}")
            for view in ("sitemap", "news-sitemap", "api-stories", "api-quotes"):
                add(view)
        elif kind in ("section", "source", "cluster", "entity"):
            add(kind, slug=name)
            for fmt in _FEED_FORMATS:
                add(f"{kind}-feed-{fmt}", slug=name)
            if kind == "section":
                add("sitemap-section", section=name)
        elif kind == "quotes":
            add("entity-quotes", slug=name)
            add("entity-quotes-feed", slug=name)
            add("entity", slug=name)  # says whether the person has quotes
    return list(found)


def send_now(queued: Sequence[int], changed: Sequence[str]) -> None:
    """Send the queued refreshes now (a front cache that cannot be reached keeps its row, which
    the outbox tries again with backoff), and once more :data:`SECOND_PASS` later."""
    from wiredesk.newsroom.outbox.delivery import deliver_now

    deliver_now(queued)
    timer = threading.Timer(SECOND_PASS, _second_pass, args=(changed,))
    timer.name = "wiredesk-purge"
    timer.start()


def _second_pass(changed: Sequence[str]) -> None:
    for base in settings.WIREDESK_PURGE_URLS:
        try:
            send(base, changed)
        except Exception:
            log.warning("second refresh of the front cache at %s failed", base, exc_info=True)


def send(base: str, changed: Sequence[str]) -> None:
    """Refresh ``changed`` at one front cache, on one kept-alive connection; raises when the
    cache cannot be reached or answers with an error.

    ``http(s)://...``: a refresh listener (the documented nginx config): ``HEAD <path>``
    replaces the cached answer. ``purge+http(s)://...``: a cache that takes ``PURGE <path>``
    (the documented Varnish config, most CDNs' edge APIs): the cached answer is dropped and the
    next reader's request fetches the new one."""
    method = "HEAD"
    if base.startswith("purge+"):
        method, base = "PURGE", base[len("purge+"):]
    parts = urlsplit(base)
    connection_class = (http.client.HTTPSConnection if parts.scheme == "https"
                        else http.client.HTTPConnection)
    connection = connection_class(parts.hostname or "127.0.0.1", parts.port, timeout=TIMEOUT)
    prefix = parts.path.rstrip("/")
    try:
        for path in changed:
            connection.request(method, prefix + path)
            response = connection.getresponse()
            response.read()
            if response.status >= 500 or response.status in (401, 403, 405):
                raise PurgeRefused(f"{method} {path} at {base}: HTTP {response.status}")
    finally:
        connection.close()


class PurgeRefused(Exception):
    """A front cache answered a refresh or purge with an error."""
