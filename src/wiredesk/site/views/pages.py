"""The HTML pages: home, section, source, article and search.

Each view finds its data through a listing or a service and renders; caching and validators come
from :func:`wiredesk.site.http.conditional` with the page's fingerprint.
"""

from __future__ import annotations

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render

from wiredesk.newsroom.models import Entity
from wiredesk.site.article import StoryGone, StoryMerged, article_page, find_public_story
from wiredesk.site.coverage import coverage_page
from wiredesk.site.enriched import public_quotes
from wiredesk.site.front import LookBack, front_page, tiered_river
from wiredesk.site.http import CACHE_CONTROL, conditional
from wiredesk.site.listings import (
    Listing,
    cluster_fingerprint,
    cluster_listing,
    entity_fingerprint,
    entity_listing,
    find_cluster,
    for_section,
    for_source,
    global_fingerprint,
    latest,
    quotes_fingerprint,
    section_fingerprint,
    source_fingerprint,
    story_fingerprint,
)
from wiredesk.site.nav import nav_sections, with_nav
from wiredesk.site.pagination import listing_page, offset_page, page_info, page_number, page_size
from wiredesk.site.params import clean_text, object_id
from wiredesk.site.pictures import attach
from wiredesk.site.searching import search_page

MAX_QUERY_LENGTH = 200


@conditional(with_nav(global_fingerprint))
def home(request: HttpRequest) -> HttpResponse:
    listing = latest()
    stories, page = listing_page(request, listing.teasers, listing.order)
    if page.number == 1:
        look = LookBack.read()  # (once for the river's tiers and the front page's pool)
        stories = tiered_river(listing, stories, look)
        front = front_page(nav_sections(request), stories, look)
    else:
        front = None
        attach(stories)
    return render(request, "site/home.html", {"listing": listing, "stories": stories,
                                              "page": page, "front": front})


@conditional(with_nav(section_fingerprint))
def section(request: HttpRequest, slug: str) -> HttpResponse:
    return _listing(request, for_section(slug), "site/listing.html")


@conditional(with_nav(source_fingerprint))
def source(request: HttpRequest, slug: str) -> HttpResponse:
    return _listing(request, for_source(slug), "site/listing.html")


@conditional(with_nav(cluster_fingerprint))
def cluster(request: HttpRequest, slug: str) -> HttpResponse:
    """Full coverage of an event (wiredesk.site.coverage), then its stories newest first."""
    cluster = find_cluster(slug)
    overview = coverage_page(cluster) if cluster is not None else None
    if cluster is None or overview is None:  # (no public story: no page)
        raise Http404("No such story cluster.")
    listing = cluster_listing(cluster)
    # (The timeline shows no pictures.)
    stories, page = listing_page(request, listing.teasers, listing.order)
    return render(request, "site/cluster.html", {"listing": listing, "stories": stories,
                                                 "page": page, "coverage": overview})


@conditional(with_nav(entity_fingerprint))
def entity(request: HttpRequest, slug: str) -> HttpResponse:
    """A person's, organisation's, place's, country's or topic's stories; for a person, a link
    to what they said."""
    person = Entity.objects.filter(slug=slug).first()
    if person is None:
        raise Http404("No such person, organisation, place or topic.")
    listing = entity_listing(person)
    stories, page = listing_page(request, listing.teasers, listing.order)
    quotes = public_quotes(person).exists() if person.kind == Entity.Kind.PERSON else False
    return render(request, "site/entity.html", {"listing": listing, "stories": stories,
                                                "page": page, "entity": person,
                                                "has_quotes": quotes})


@conditional(with_nav(quotes_fingerprint))
def quotes(request: HttpRequest, slug: str) -> HttpResponse:
    """What a person said: every direct quote attributed to them, newest first."""
    person = Entity.objects.filter(slug=slug).first()
    if person is None:
        raise Http404("No such person.")
    found, page = offset_page(request, public_quotes(person))
    return render(request, "site/quotes.html", {"entity": person, "quotes": found,
                                                "page": page})


def _listing(request: HttpRequest, listing: Listing, template: str) -> HttpResponse:
    stories, page = listing_page(request, listing.teasers, listing.order)
    attach(stories)
    return render(request, template, {"listing": listing, "stories": stories, "page": page})


def gone(request: HttpRequest, exc: StoryGone) -> HttpResponse:
    """410 Gone with a short notice: search engines drop the page, readers learn why."""
    return render(request, "410.html", {"notice": exc.notice, "heading": exc.heading},
                  status=410)


@conditional(with_nav(story_fingerprint))
def article(request: HttpRequest, story_id: int, slug: str) -> HttpResponse:
    story_id = object_id(story_id)
    try:
        story = find_public_story(story_id)
    except StoryGone as exc:
        return gone(request, exc)
    except StoryMerged as merged:
        return HttpResponsePermanentRedirect(merged.story.get_absolute_url())
    if not story.has_page:
        # Headline mode: the article is the publisher's; its page of ours sends readers there.
        return HttpResponseRedirect(story.listing_url)
    if slug != story.slug:
        # Slugs follow headlines; a link with an old or mistyped one still reaches the story.
        return HttpResponsePermanentRedirect(story.get_absolute_url())
    versions = list(story.versions.order_by("number").select_related("from_story__source")
                    .only("story_id", "number", "received_at", "from_story__source__name"))
    return render(request, "site/story.html", {"article": article_page(story, versions)})


def permalink(request: HttpRequest, story_id: int) -> HttpResponse:
    """/story/<id>/: the permanent address used as guid and ninjs uri, sent on to the page.

    Cacheable like the pages (Cache-Control), so that a front cache's refresh of this address
    after a kill replaces the redirect it kept with the 410 (see newsroom/write/purge.py)."""
    story_id = object_id(story_id)
    try:
        response: HttpResponse = HttpResponsePermanentRedirect(
            find_public_story(story_id).get_absolute_url())
    except StoryGone as exc:
        response = gone(request, exc)
    except StoryMerged as merged:
        response = HttpResponsePermanentRedirect(merged.story.get_absolute_url())
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


# Search pages are not kept in the body cache (queries are too varied to be worth it): the ranked
# matches are, by query and desk state (wiredesk.site.searching). They still get validators: any
# story change moves the global fingerprint.
@conditional(with_nav(global_fingerprint), cache_body=False)
def search(request: HttpRequest) -> HttpResponse:
    query = clean_text(request.GET.get("q", ""), max_length=MAX_QUERY_LENGTH)
    number = page_number(request)
    size = page_size()
    found = search_page(query, limit=size, offset=(number - 1) * size)
    page = page_info(request, number, found.total)
    status = 404 if number > (page.pages or 1) else 200
    return render(request, "site/search.html",
                  {"query": query, "stories": found.stories, "page": page,
                   "exact": found.exact, "estimate": found.estimate}, status=status)
