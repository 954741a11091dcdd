"""sitemap.xml and the Google News sitemap.

``sitemap.xml`` is an index of Django sitemaps (stories, sections, sources), each split in pages of
50,000 URLs as the protocol requires: a desk publishing thousands of stories a day passes that in
weeks. All list public stories only, starting from :func:`public_stories`; URLs are built on
``WIREDESK_BASE_URL`` whatever host name the request came in on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, Min, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Entity, Section, Source, Story
from wiredesk.newsroom.queries import public_stories
from wiredesk.newsroom.serialize import iso
from wiredesk.newsroom.write.listing_state import ALL
from wiredesk.site.http import Fingerprint, listing_fingerprint
from wiredesk.site.xml import xml_safe

T = TypeVar("T")

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
# Google News reads stories published in the last two days, at most 1,000 per sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000


class _OnBaseUrl(Sitemap[T]):
    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.WIREDESK_BASE_URL).scheme

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.WIREDESK_BASE_URL).netloc


@dataclass(frozen=True, slots=True)
class IdRangePage:
    object_list: QuerySet[Any]


class IdRangePaginator:
    """Pages of a sitemap by ranges of ids, ``limit`` ids a page, from the table's smallest id to
    its largest: both ends are one primary-key index seek, where Django's paginator counts every
    row the sitemap lists (and reads later pages with an OFFSET). A page holds at most ``limit``
    URLs, fewer where ids are not listed (held, killed, merged, excerpt-only)."""

    def __init__(self, items: QuerySet[Any], limit: int) -> None:
        self.items = items
        self.limit = limit
        # One aggregate per statement: SQLite reads MIN() or MAX() alone from the end of the
        # primary key, but both in one statement by a scan of the whole table.
        table = items.model._default_manager
        self.low: int = table.aggregate(low=Min("pk"))["low"] or 1
        self.high: int = table.aggregate(high=Max("pk"))["high"] or 0

    @property
    def num_pages(self) -> int:
        return max(1, -(-(self.high - self.low + 1) // self.limit))

    def page(self, number: Any) -> IdRangePage:
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("That page number is not an integer") from exc
        if number < 1 or number > self.num_pages:
            raise EmptyPage("That page contains no results")
        start = self.low + (number - 1) * self.limit
        return IdRangePage(self.items.filter(pk__gte=start, pk__lt=start + self.limit)
                           .order_by("pk"))


class _ByIdRanges(_OnBaseUrl[T]):
    """A sitemap of a table that grows with the archive, paged by ranges of ``limit`` ids (the
    protocol allows 50,000 URLs a page; a page of 50,000 is seconds of work on every cache miss,
    a page of a thousand what a listing costs)."""

    limit = 1000

    @property
    def paginator(self) -> Any:  # Django's Paginator interface, as far as sitemaps use it
        return IdRangePaginator(cast(QuerySet[Any], self.items()), self.limit)


class _UrlPattern:
    """A URL pattern's path for one slug-like argument and an id, built once by reverse() and
    then by string formatting: reverse() per URL is most of a sitemap page's time. Arguments
    that reverse() would quote (not plain slugs) go through reverse()."""

    _PLAIN = re.compile(r"[-A-Za-z0-9_]+")
    _ID, _SLUG = 999999937, "wdslugmark"

    def __init__(self, name: str, with_id: str = "") -> None:
        self.name, self.with_id = name, with_id
        kwargs: dict[str, Any] = {"slug": self._SLUG}
        if with_id:
            kwargs[with_id] = self._ID
        self.prefix, self.suffix = reverse(name, kwargs=kwargs).split(self._SLUG)
        if with_id:
            self.prefix, self.middle = self.prefix.split(str(self._ID))
        else:
            self.middle = ""

    def path(self, slug: str, pk: int | None = None) -> str:
        if not self._PLAIN.fullmatch(slug):
            kwargs: dict[str, Any] = {"slug": slug}
            if self.with_id:
                kwargs[self.with_id] = pk
            return reverse(self.name, kwargs=kwargs)
        if self.with_id:
            return f"{self.prefix}{pk}{self.middle}{slug}{self.suffix}"
        return f"{self.prefix}{slug}{self.suffix}"


@lru_cache(maxsize=4)
def _pattern(name: str, with_id: str = "") -> _UrlPattern:
    return _UrlPattern(name, with_id)


def listed() -> Q:
    """:data:`wiredesk.newsroom.canonical.IN_SITEMAPS` as two index ranges: full text from a
    source whose canonical policy names our page (its few ids, read now: a changed policy applies
    at once), or full text with no original to name (the story's own part, kept on it by
    publishing: wiredesk.newsroom.write.sitemap_flags). Tested on each story, the rule joined
    every story of the news sitemap's 48 hours to its version."""
    ours = list(Source.objects.filter(canonical_policy=Source.Canonical.SELF)
                .values_list("pk", flat=True))
    return (Q(full_without_original=True)
            | Q(publication_mode=Source.Mode.FULL, source_id__in=ours))


def story_path(story: Story) -> str:
    """``story.get_absolute_url()``, without a reverse() per story."""
    return _pattern("site:story", "story_id").path(story.slug, story.pk)


class StorySitemap(_ByIdRanges[Story]):
    def items(self) -> QuerySet[Story]:
        # Only what a URL and its date need: no body. Only pages whose canonical page is ours
        # (wiredesk.newsroom.canonical): full text, not pointed at the original by its source.
        return public_stories().filter(listed()).select_related(None).only(
            "id", "slug", "first_published_at", "last_updated_at")

    def location(self, item: Story) -> str:
        return story_path(item)

    def lastmod(self, item: Story) -> Any:
        return item.last_updated_at or item.first_published_at


class SectionSitemap(_OnBaseUrl[Section]):
    def items(self) -> QuerySet[Section]:
        return Section.objects.all()

    def location(self, item: Section) -> str:
        return reverse("site:section", kwargs={"slug": item.slug})


class SourceSitemap(_OnBaseUrl[Source]):
    def items(self) -> QuerySet[Source]:
        return Source.objects.all()

    def location(self, item: Source) -> str:
        return reverse("site:source", kwargs={"slug": item.slug})


class EntitySitemap(_ByIdRanges[Entity]):
    """Entity pages enrichment is sure of (``linked``, see wiredesk.enrich.linking); the others
    keep their page, noindexed, and stay out of here."""

    def items(self) -> QuerySet[Entity]:
        return Entity.objects.filter(linked=True).only("id", "slug").order_by("pk")

    def location(self, item: Entity) -> str:
        return _pattern("site:entity").path(item.slug)


SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
    "stories": StorySitemap, "sections": SectionSitemap, "sources": SourceSitemap,
    "entities": EntitySitemap,
}


def sitemap_fingerprint(request: HttpRequest, *args: Any, **kwargs: Any) -> Fingerprint:
    """All stories (their stored listing version), plus the sections and sources that have pages:
    a renamed one bumps the ``site`` state (publishing.touch); one added or removed changes the
    count or the largest id of its small table."""
    shape = [f"{table.objects.count()}:{table.objects.aggregate(last=Max('pk'))['last']}"
             for table in (Section, Source)]
    return listing_fingerprint([ALL], extra="\x1e".join(shape))


def sitemap_index(request: HttpRequest) -> HttpResponse:
    """Every page of every sitemap: stories and entities by id ranges (no count), sections and
    sources (small tables) by count."""
    index = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap=_namespaces())
    for section, sitemap in SITEMAPS.items():
        pages = (sitemap() if isinstance(sitemap, type) else sitemap).paginator.num_pages
        url = settings.WIREDESK_BASE_URL + reverse("site:sitemap-section",
                                                   kwargs={"section": section})
        for page in range(1, pages + 1):
            entry = etree.SubElement(index, f"{{{SITEMAP_NS}}}sitemap")
            etree.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = (
                url if page == 1 else f"{url}?p={page}")
    return _xml_response(index)


def sitemap_page(request: HttpRequest, section: str,
                 sitemaps: dict[str, type[Sitemap[Any]] | Sitemap[Any]] | None = None,
                 ) -> HttpResponse:
    """One page (``?p=``) of one sitemap, written with lxml: Django's sitemap view renders a
    template per URL, ten times the cost."""
    found = (sitemaps or SITEMAPS).get(section)
    if found is None:
        raise Http404("No such sitemap.")
    sitemap = found() if isinstance(found, type) else found
    try:
        page = sitemap.paginator.page(request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404("No such sitemap page.") from exc
    base = settings.WIREDESK_BASE_URL
    lastmod = getattr(sitemap, "lastmod", None)
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap=_namespaces())
    loc, mod = f"{{{SITEMAP_NS}}}loc", f"{{{SITEMAP_NS}}}lastmod"
    for item in page.object_list:
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, loc).text = base + sitemap.location(item)
        moment = lastmod(item) if callable(lastmod) else None
        if moment is not None:
            etree.SubElement(url, mod).text = timezone.localtime(moment).date().isoformat()
    return _xml_response(urlset)


def _namespaces(**extra: str) -> dict[Any, str]:
    return {None: SITEMAP_NS, **extra}  # None: the default namespace, as lxml spells it


def _xml_response(root: Any) -> HttpResponse:
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    # As Django's sitemap views do: a sitemap is for crawlers, not a page to show in results.
    return HttpResponse(body, content_type="application/xml; charset=utf-8",
                        headers={"X-Robots-Tag": "noindex, noodp, noarchive"})


def news_cutoff() -> Any:
    return clock.now() - NEWS_WINDOW


def news_fingerprint(request: HttpRequest, *args: Any, **kwargs: Any) -> Fingerprint:
    """All stories' stored version, and the window's edge: the oldest story still inside it (one
    index seek). A story ageing out changes no stored version, but it moves the edge."""
    edge = (Story.objects.filter(first_published_at__gte=news_cutoff())
            .order_by("first_published_at", "id").values_list("id", flat=True).first())
    return listing_fingerprint([ALL], extra=f"news-window:{edge}")


@dataclass(frozen=True, slots=True)
class NewsEntry:
    id: int
    slug: str
    published: Any
    headline: str
    language: str


def news_stories() -> list[NewsEntry]:
    """Up to a thousand entries, read as plain rows: building a thousand model instances (with
    their current versions) was most of the sitemap's time. Our own articles only, and only
    timely ones: an undated story's time is when we received it, and a story first seen long
    after its date is not news (see wiredesk.core.gate)."""
    rows = (public_stories().filter(listed(), first_published_at__gte=news_cutoff(),
                                    timely=True)
            .select_related(None)
            .values_list("id", "slug", "first_published_at", "headline",
                         "current_version__language")[:NEWS_LIMIT])
    return [NewsEntry(*row) for row in rows]


def news_sitemap(request: HttpRequest) -> HttpResponse:
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap=_namespaces(news=NEWS_NS))
    base = settings.WIREDESK_BASE_URL.rstrip("/")
    name = xml_safe(settings.WIREDESK_SITE_NAME)
    pattern = _pattern("site:story", "story_id")
    tags = [f"{{{SITEMAP_NS}}}url", f"{{{SITEMAP_NS}}}loc", f"{{{NEWS_NS}}}news",
            f"{{{NEWS_NS}}}publication", f"{{{NEWS_NS}}}name", f"{{{NEWS_NS}}}language",
            f"{{{NEWS_NS}}}publication_date", f"{{{NEWS_NS}}}title"]
    url_tag, loc_tag, news_tag, publication_tag, name_tag, language_tag, date_tag, title_tag = tags
    for story in news_stories():
        url = etree.SubElement(urlset, url_tag)
        etree.SubElement(url, loc_tag).text = base + pattern.path(story.slug, story.id)
        news = etree.SubElement(url, news_tag)
        publication = etree.SubElement(news, publication_tag)
        etree.SubElement(publication, name_tag).text = name
        etree.SubElement(publication, language_tag).text = news_language(story.language or "")
        etree.SubElement(news, date_tag).text = iso(story.published)
        etree.SubElement(news, title_tag).text = xml_safe(story.headline)
    return _xml_response(urlset)


def news_language(tag: str) -> str:
    """Google News wants an ISO 639 code, except zh-cn and zh-tw for Chinese."""
    tag = (tag or settings.LANGUAGE_CODE).strip().lower().replace("_", "-")
    if tag.startswith("zh"):
        return "zh-tw" if tag in {"zh-tw", "zh-hant", "zh-hk"} else "zh-cn"
    return tag.split("-")[0] or "en"



def robots_txt(request: HttpRequest) -> HttpResponse:
    """Points crawlers at both sitemaps; everything public may be crawled, search results aside."""
    base = settings.WIREDESK_BASE_URL
    lines = ["User-agent: *", "Disallow: /search/", "Disallow: /admin/", "",
             f"Sitemap: {base}{reverse('site:sitemap')}",
             f"Sitemap: {base}{reverse('site:news-sitemap')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
