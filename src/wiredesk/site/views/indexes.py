"""Index pages: topics, people, organisations, places, the latest quotes, the sources, and the
API root that lists the API's resources.

Entity indexes list the entities that have a page worth indexing (``linked``: some story's
evidence links them), alphabetically; the quotes index is the newest quotes across the site. All
change with what is published, so they carry the global fingerprint.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from wiredesk.newsroom.models import Entity, Source, StoryQuote
from wiredesk.newsroom.queries import public_filter
from wiredesk.site.http import conditional
from wiredesk.site.listings import global_fingerprint, static_fingerprint
from wiredesk.site.nav import with_nav
from wiredesk.site.pagination import offset_page

# URL segment -> (kinds, title, description)
ENTITY_INDEXES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "people": (("person",), "People", "People in the news on {site}, A to Z."),
    "organisations": (("organisation",), "Organisations",
                      "Companies, agencies and other organisations in the news on {site}."),
    "places": (("place", "country"), "Places", "Countries, cities and places in the news on "
                                               "{site}."),
    "topics": (("topic",), "Topics", "The subjects stories on {site} are filed under (IPTC "
                                     "Media Topics)."),
}


@conditional(with_nav(global_fingerprint))
def entity_index(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ENTITY_INDEXES:
        raise Http404("No such index.")
    kinds, title, description = ENTITY_INDEXES[kind]
    entities, page = offset_page(request, Entity.objects.filter(kind__in=kinds, linked=True)
                                 .order_by("name", "pk").only("name", "slug", "kind", "code"))
    return render(request, "site/index.html", {
        "title": title, "description": description.format(site=settings.WIREDESK_SITE_NAME),
        "entities": entities, "page": page, "index": kind, "indexes": _indexes()})


@conditional(with_nav(global_fingerprint))
def quote_index(request: HttpRequest) -> HttpResponse:
    quotes, page = offset_page(request, StoryQuote.objects.filter(
        public_filter("story__"), speaker__isnull=False, speaker__linked=True)
        .select_related("speaker", "story", "story__source")
        .order_by("-published_at", "-story_id", "position"))
    return render(request, "site/quote_index.html", {
        "quotes": quotes, "page": page, "index": "quotes", "indexes": _indexes(),
        "description": f"What people said in the news on {settings.WIREDESK_SITE_NAME}, "
                       "newest first."})


@conditional(with_nav(global_fingerprint))
def source_index(request: HttpRequest) -> HttpResponse:
    sources = Source.objects.filter(is_active=True).select_related("section").order_by("name")
    return render(request, "site/sources.html", {
        "sources": list(sources), "index": "sources", "indexes": _indexes(),
        "page": {"url": reverse("site:sources")},
        "description": f"The news sources {settings.WIREDESK_SITE_NAME} publishes, with their "
                       "stories and feeds."})


def _indexes() -> list[tuple[str, str, str]]:
    """(key, title, url) of every index, for the tabs on each."""
    return [*((key, title, reverse(f"site:{key}"))
              for key, (_, title, _) in ENTITY_INDEXES.items()),
            ("quotes", "Quotes", reverse("site:quote-index")),
            ("sources", "Sources", reverse("site:sources"))]


@conditional(static_fingerprint)
def api_root(request: HttpRequest) -> JsonResponse:
    """/api/v1/: what the API offers, with absolute links (a client starts here)."""
    base = settings.WIREDESK_BASE_URL.rstrip("/")
    return JsonResponse({
        "name": f"{settings.WIREDESK_SITE_NAME} API",
        "version": "v1",
        "description": "Stories (ninjs 2.0), their versions, and quotes, as JSON.",
        "resources": {
            "stories": {"href": base + reverse("site:api-stories"),
                        "description": "Published stories, newest first; filters: section, "
                                       "source, cluster, entity, since, q; cursor pagination."},
            "story": {"href": base + "/api/v1/stories/{id}",
                      "description": "One story with its version history.", "templated": True},
            "quotes": {"href": base + reverse("site:api-quotes") + "?speaker={entity}",
                       "description": "A person's quotes, newest first.", "templated": True},
            "openapi": {"href": base + reverse("site:api-openapi"),
                        "description": "OpenAPI 3.1 description of every resource."},
        },
        "feeds": {"rss": base + reverse("site:latest-feed-rss"),
                  "atom": base + reverse("site:latest-feed-atom"),
                  "json": base + reverse("site:latest-feed-json")},
        "sitemap": base + reverse("site:sitemap"),
    }, json_dumps_params={"indent": 2})
