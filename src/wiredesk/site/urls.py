"""The public site's URL map: pages, feeds, sitemaps, the API and the health check.

Every response that shows stories is wrapped in :func:`wiredesk.site.http.conditional` with the
fingerprint of what it shows (pages do it in their modules; feeds and sitemaps here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path, re_path

from wiredesk.site import api, feeds, listings
from wiredesk.site.http import Fingerprint, conditional
from wiredesk.site.listings import Listing
from wiredesk.site.sitemaps import (
    SITEMAPS,
    news_fingerprint,
    news_sitemap,
    robots_txt,
    sitemap_fingerprint,
    sitemap_index,
    sitemap_page,
)
from wiredesk.site.views import health, indexes, media, pages

app_name = "site"


def _feeds(prefix: str, kind: str, resolve: Callable[..., Listing],
           fingerprint: Callable[..., Fingerprint]) -> list[URLPattern]:
    """RSS, Atom and JSON Feed of one kind of listing, named ``<kind>-feed-<format>``."""
    views: dict[str, Any] = {"rss": feeds.rss(resolve), "atom": feeds.atom(resolve),
                             "json": feeds.JsonFeed(resolve)}
    return [path(f"{prefix}.{fmt}", conditional(fingerprint)(view), name=f"{kind}-feed-{fmt}")
            for fmt, view in views.items()]


urlpatterns = [
    path("", pages.home, name="home"),
    path("section/<slug:slug>/", pages.section, name="section"),
    path("source/<slug:slug>/", pages.source, name="source"),
    path("story/<int:story_id>/", pages.permalink, name="permalink"),
    path("story/<int:story_id>/<str:slug>/", pages.article, name="story"),
    path("cluster/<slug:slug>/", pages.cluster, name="cluster"),
    path("entity/<slug:slug>/", pages.entity, name="entity"),
    path("entity/<slug:slug>/quotes/", pages.quotes, name="entity-quotes"),
    path("search/", pages.search, name="search"),
    path("topics/", indexes.entity_index, {"kind": "topics"}, name="topics"),
    path("people/", indexes.entity_index, {"kind": "people"}, name="people"),
    path("organisations/", indexes.entity_index, {"kind": "organisations"},
         name="organisations"),
    path("places/", indexes.entity_index, {"kind": "places"}, name="places"),
    path("quotes/", indexes.quote_index, name="quote-index"),
    path("sources/", indexes.source_index, name="sources"),
    *_feeds("feeds/latest", "latest", listings.latest, listings.global_fingerprint),
    *_feeds("feeds/section/<slug:slug>", "section", listings.for_section,
            listings.section_fingerprint),
    *_feeds("feeds/source/<slug:slug>", "source", listings.for_source,
            listings.source_fingerprint),
    *_feeds("feeds/cluster/<slug:slug>", "cluster", listings.for_cluster,
            listings.cluster_fingerprint),
    *_feeds("feeds/entity/<slug:slug>", "entity", listings.for_entity,
            listings.entity_fingerprint),
    path("feeds/entity/<slug:slug>/quotes.rss",
         conditional(listings.quotes_fingerprint)(feeds.QuoteFeed()), name="entity-quotes-feed"),
    path("sitemap.xml", conditional(sitemap_fingerprint)(sitemap_index), name="sitemap"),
    path("sitemap-<slug:section>.xml", conditional(sitemap_fingerprint)(sitemap_page),
         {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("news-sitemap.xml", conditional(news_fingerprint)(news_sitemap), name="news-sitemap"),
    path("robots.txt", conditional(listings.static_fingerprint)(robots_txt), name="robots"),
    path("api/v1/", indexes.api_root, name="api-root"),
    path("api/v1/stories", api.story_list, name="api-stories"),
    path("api/v1/stories/<int:story_id>", api.story_detail, name="api-story"),
    path("api/v1/quotes", api.quote_list, name="api-quotes"),
    path("api/v1/openapi.json", api.openapi_description, name="api-openapi"),
    re_path(r"^api/", api.not_found, name="api-not-found"),
    path("healthz", health.healthz, name="healthz"),
    path("media/images/<path:name>", media.picture, name="picture"),
]
