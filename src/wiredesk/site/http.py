"""HTTP caching for every public response: validators, conditional requests and the body cache.

One mechanism serves pages, feeds, sitemaps and the API. Each view is decorated with
:func:`conditional` and a *fingerprint* function saying what its response is derived from (see
:class:`Fingerprint`). From the fingerprint and the request URL comes the ETag; from the ETag:

- a conditional request (If-None-Match / If-Modified-Since) that still matches answers 304 before
  the view runs, at the cost of the fingerprint's query;
- the rendered body is kept in Django's cache *under the ETag*. A change to any story a response
  shows bumps the stored version of every listing it was or is in
  (:func:`wiredesk.newsroom.write.publishing.publish_changes`,
  :mod:`wiredesk.newsroom.write.listing_state`),
  or moves ``Story.changed_at`` for an article; hence the fingerprint, hence the key: the stale
  body is simply never asked for again and ages out. No purge lists, and a change invalidates
  exactly the responses that draw on the changed story.

A listing's fingerprint is one indexed read of a few rows (:func:`listing_fingerprint`), whatever
the size of the archive; never a ``Count``/``Max`` over the listing.

Responses of views that keep their body are also marked *shared*: the in-process response cache
(:mod:`wiredesk.site.responsecache`) then answers repeats of the URL before Django runs, and the
front cache of the recommended deployment keeps them, purged on every change
(:mod:`wiredesk.newsroom.write.purge`).

``Cache-Control: public, max-age=60``: browsers and a CDN in front may reuse a response for a
minute without asking, then must revalidate (cheap: a 304 from the fingerprint alone). A minute
bounds how long a killed story can linger in a shared cache, which matters more to a news site than
the load on the origin.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

import wiredesk
from wiredesk.newsroom.models import Story
from wiredesk.newsroom.write import listing_state

# The attribute that lets the in-process response cache (wiredesk.site.responsecache) keep a
# response for every reader of its URL.
SHARED = "wiredesk_shared"

MAX_AGE = 60
CACHE_CONTROL = f"public, max-age={MAX_AGE}"
# How long an unused body stays in the cache. Correctness does not depend on it (a change gives a
# new key); it only bounds memory, and how long an edit outside story state (a source renamed)
# takes to show.
BODY_TIMEOUT = 600
_KEY_PREFIX = "wiredesk:response:"

View = Callable[..., HttpResponseBase]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a response is derived from.

    ``last_change`` is when it last changed (Last-Modified); ``state`` a token that changes
    whenever what it shows does (stored listing versions, or a story count); ``extra`` anything
    else the body depends on (the section navigation, a time window's edge).
    """

    last_change: datetime | None
    state: str = ""
    extra: str = ""


def listing_fingerprint(keys: Iterable[str], extra: str = "") -> Fingerprint:
    """The fingerprint of listings by their stored versions: one indexed query. Every listing
    also reads the ``site`` state, bumped when something all of them show is edited."""
    state = listing_state.read([*keys, listing_state.SITE])
    return Fingerprint(state.changed_at, state.token, extra)


def stories_fingerprint(stories: QuerySet[Story], extra: str = "") -> Fingerprint:
    """The fingerprint of a few stories (an article, its copies and its event), in one query;
    listings use :func:`listing_fingerprint`."""
    state = stories.order_by().aggregate(last=Max("changed_at"), count=Count("pk"))
    return Fingerprint(state["last"], str(state["count"]), extra)


def make_etag(request: HttpRequest, fingerprint: Fingerprint) -> str:
    """A strong ETag for this URL in this state.

    The query string is part of it (page number, filters), and so are the settings every body
    shows and the code version, so that neither a configuration change nor a deploy serves a body
    rendered under the old ones.
    """
    parts = [
        wiredesk.__version__,
        settings.WIREDESK_BASE_URL,
        settings.WIREDESK_SITE_NAME,
        request.path,
        "&".join(sorted(request.GET.urlencode().split("&"))),
        fingerprint.last_change.isoformat() if fingerprint.last_change else "-",
        fingerprint.state,
        fingerprint.extra,
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def conditional(fingerprint: Callable[..., Fingerprint], *,
                cache_body: bool = True) -> Callable[[View], View]:
    """Decorate a GET view with validators, 304s and (unless ``cache_body`` is off) the body cache.

    ``fingerprint`` is called with the view's own arguments. Only 200 responses get validators and
    are cached: redirects and errors pass through untouched.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            state = fingerprint(request, *args, **kwargs)
            etag = make_etag(request, state)
            # HTTP dates have whole seconds: a client validating by date alone cannot see a second
            # change within the same second. The ETag has no such limit and takes precedence.
            modified = int(state.last_change.timestamp()) if state.last_change else None
            early = get_conditional_response(request, etag=etag, last_modified=modified)
            if early is not None:
                return _with_validators(early, etag, modified)
            response: HttpResponseBase | None = _cached_response(etag) if cache_body else None
            if response is None:
                response = view(request, *args, **kwargs)
                if response.status_code == 410 and cache_body:
                    # Gone stays gone (a republished story is published again, which moves
                    # the desk's generation and purges the front caches): shareable too.
                    response.headers["Cache-Control"] = CACHE_CONTROL
                    setattr(response, SHARED, True)
                if response.status_code != 200:
                    return response
                if cache_body:
                    _store_response(etag, response)
            if cache_body:
                setattr(response, SHARED, True)
            return _with_validators(response, etag, modified)

        return wrapped

    return decorator


def _with_validators(response: HttpResponseBase, etag: str,
                     modified: int | None) -> HttpResponseBase:
    if response.status_code in (200, 304):
        response.headers["ETag"] = etag
        if modified is not None:
            response.headers["Last-Modified"] = http_date(modified)
        else:
            # Views such as Django's feeds set their own; ours is the one derived from state.
            response.headers.pop("Last-Modified", None)
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _cached_response(etag: str) -> HttpResponse | None:
    entry = cache.get(body_key(etag))
    if entry is None:
        return None
    content, headers = entry
    return HttpResponse(content, headers=headers)


def _store_response(etag: str, response: HttpResponseBase) -> None:
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.render()
    if not isinstance(response, HttpResponse):  # streaming responses have no body to keep
        return
    headers = {name: value for name, value in response.headers.items()
               if name.lower() not in {"etag", "last-modified", "cache-control"}}
    cache.set(body_key(etag), (response.content, headers), BODY_TIMEOUT)


def body_key(etag: str) -> str:
    """Where the body of the response with this ETag is kept."""
    return _KEY_PREFIX + etag.strip('"')
