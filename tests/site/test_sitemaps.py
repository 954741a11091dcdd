"""sitemap.xml, the Google News sitemap and robots.txt."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from tests.support import factories
from tests.support.factories import add_version, make_section, make_source, set_status
from wiredesk.newsroom import canonical
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.write import sitemap_flags
from wiredesk.newsroom.write.publishing import publish_change
from wiredesk.site.sitemaps import StorySitemap

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def make_story(*args: Any, **kwargs: Any) -> Story:
    """A story whose canonical page is ours (its source says so), as sitemaps list."""
    if "source" not in kwargs:
        kwargs["source"] = Source.objects.get_or_create(
            slug="licensed", defaults={"name": "Licensed wire",
                                       "canonical_policy": Source.Canonical.SELF})[0]
    return factories.make_story(*args, **kwargs)


def sitemap(client: Client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


def locations(doc: etree._Element) -> list[str]:
    found = cast(list[str], doc.xpath("//s:url/s:loc/text()", namespaces=NS))
    return [str(loc) for loc in found]


def absolute(story: Story) -> str:
    return "http://testserver" + story.get_absolute_url()


def index(client: Client, **headers: str) -> list[str]:
    response = client.get("/sitemap.xml", headers=headers)
    assert response.status_code == 200
    found = etree.fromstring(response.content).xpath("//s:sitemap/s:loc/text()", namespaces=NS)
    return [str(loc) for loc in cast(list[str], found)]


def every_sitemap_url(client: Client) -> list[str]:
    return [url for loc in index(client)
            for url in locations(sitemap(client, loc.removeprefix("http://testserver")))]


def test_sitemap_is_an_index_of_stories_sections_and_sources(client: Client, db: None) -> None:
    assert index(client) == ["http://testserver/sitemap-stories.xml",
                             "http://testserver/sitemap-sections.xml",
                             "http://testserver/sitemap-sources.xml",
                             "http://testserver/sitemap-entities.xml"]
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_sitemaps_list_public_stories_and_listing_pages(client: Client) -> None:
    world = make_section("World")
    wire = make_source("Wire", section=world, canonical_policy=Source.Canonical.SELF)
    public = make_story("Public story", source=wire)
    make_story("Held story", source=wire, status=Story.Status.HELD)
    unpublished = make_story("Was public", source=wire)
    set_status(unpublished, Story.Status.UNPUBLISHED)

    assert every_sitemap_url(client) == [absolute(public), "http://testserver/section/world/",
                                         "http://testserver/source/wire/"]
    stories = sitemap(client, "/sitemap-stories.xml")
    assert stories.xpath("//s:url[1]/s:lastmod/text()", namespaces=NS) == [
        f"{public.first_published_at:%Y-%m-%d}"]


def test_large_sitemaps_are_split_in_pages(client: Client,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StorySitemap, "limit", 2)
    made = [make_story(f"Story {n}", published_at=timezone.now() - timedelta(minutes=n))
            for n in range(5)]
    assert index(client)[:3] == ["http://testserver/sitemap-stories.xml",
                                 "http://testserver/sitemap-stories.xml?p=2",
                                 "http://testserver/sitemap-stories.xml?p=3"]
    assert every_sitemap_url(client)[:5] == [absolute(story) for story in made]


def test_sitemap_lastmod_follows_updates(client: Client) -> None:
    story = make_story(published_at=timezone.now() - timedelta(days=3))
    add_version(story)
    doc = sitemap(client, "/sitemap-stories.xml")
    assert doc.xpath("//s:url[1]/s:lastmod/text()", namespaces=NS) == [
        f"{timezone.now():%Y-%m-%d}"]


def test_sitemap_urls_use_the_base_url_whatever_the_host(client: Client) -> None:
    story = make_story()
    assert index(client, host="localhost")[0] == "http://testserver/sitemap-stories.xml"
    response = client.get("/sitemap-stories.xml", HTTP_HOST="localhost")
    assert locations(etree.fromstring(response.content)) == [absolute(story)]


def test_news_sitemap_lists_public_stories_of_the_last_48_hours(client: Client) -> None:
    now = timezone.now()
    recent = make_story("Recent story", published_at=now - timedelta(hours=2), language="en-GB")
    edge = make_story("Nearly two days old", published_at=now - timedelta(hours=47))
    make_story("Three days old", published_at=now - timedelta(hours=72))
    make_story("Held recent story", published_at=now - timedelta(hours=1),
               status=Story.Status.HELD)

    doc = sitemap(client, "/news-sitemap.xml")
    assert locations(doc) == [absolute(recent), absolute(edge)]
    [entry] = cast(list[Any], doc.xpath("//s:url[1]/news:news", namespaces=NS))
    assert entry.xpath("news:publication/news:name/text()", namespaces=NS) == ["Testdesk"]
    assert entry.xpath("news:publication/news:language/text()", namespaces=NS) == ["en"]
    assert entry.xpath("news:title/text()", namespaces=NS) == ["Recent story"]
    assert entry.xpath("news:publication_date/text()", namespaces=NS) == [
        recent.first_published_at.isoformat().replace("+00:00", "Z")]


def test_news_sitemap_never_lists_a_story_that_stopped_being_public(client: Client) -> None:
    story = make_story()
    assert locations(sitemap(client, "/news-sitemap.xml")) == [absolute(story)]
    set_status(story, Story.Status.UNPUBLISHED)
    assert locations(sitemap(client, "/news-sitemap.xml")) == []


def test_a_story_ageing_out_of_the_news_window_changes_its_etag(client: Client) -> None:
    story = make_story(published_at=timezone.now() - timedelta(hours=2))
    first = client.get("/news-sitemap.xml")
    # Moving the publication time back without publish_change stands in for time passing.
    Story.objects.filter(pk=story.pk).update(
        first_published_at=timezone.now() - timedelta(hours=49))
    second = client.get("/news-sitemap.xml", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert locations(etree.fromstring(second.content)) == []


def test_robots_txt_points_to_both_sitemaps(client: Client, db: None) -> None:
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines


def test_a_story_without_an_original_is_listed_by_its_published_versions(
        client: Client) -> None:
    """Under a source whose policy names the original canonical, a story is ours to list while
    its current version links no original: the flag kept on the story by publishing
    (wiredesk.newsroom.write.sitemap_flags) follows each version and the gate's mode."""
    paper = make_source("Paper", canonical_policy=Source.Canonical.ORIGINAL)
    story = factories.make_story("Lava reaches the town", source=paper,
                                 published_at=timezone.now() - timedelta(hours=1),
                                 link="https://paper.example/lava")
    assert locations(sitemap(client, "/news-sitemap.xml")) == []
    add_version(story, link="")
    assert locations(sitemap(client, "/news-sitemap.xml")) == [absolute(story)]
    assert absolute(story) in locations(sitemap(client, "/sitemap-stories.xml"))
    with transaction.atomic():  # the gate makes it an excerpt, publishing follows
        Story.objects.filter(pk=story.pk).update(publication_mode=Source.Mode.EXCERPT)
        publish_change(story)
    assert locations(sitemap(client, "/news-sitemap.xml")) == []
    with transaction.atomic():
        Story.objects.filter(pk=story.pk).update(publication_mode=Source.Mode.FULL)
        publish_change(story)
    assert locations(sitemap(client, "/news-sitemap.xml")) == [absolute(story)]
    add_version(Story.objects.get(pk=story.pk), link="https://paper.example/lava-2")
    assert locations(sitemap(client, "/news-sitemap.xml")) == []


def test_the_news_sitemap_reads_only_the_stories_it_may_list() -> None:
    """Its statement walks the stories sources list as ours and those flagged full without
    an original, each from an index, not every story of its 48 hours with its version."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.site.test_listing_plans import plan_of
    from wiredesk.site.sitemaps import news_stories

    paper = make_source("Paper", canonical_policy=Source.Canonical.ORIGINAL)
    for n in range(30):
        factories.make_story(f"Story {n}", source=paper, link=f"https://paper.example/{n}",
                             published_at=timezone.now() - timedelta(minutes=n))
    flagged = factories.make_story("No original", source=paper, link="",
                                   published_at=timezone.now() - timedelta(minutes=40))
    with CaptureQueriesContext(connection) as captured:
        assert [entry.id for entry in news_stories()] == [flagged.pk]
    (query,) = [q["sql"] for q in captured.captured_queries if "newsroom_story" in q["sql"]]
    assert "newsroom_storyversion" in query  # (its language only)
    if connection.vendor == "postgresql":  # (SQLite's choice on a few rows is its statistics')
        plan = plan_of(query, None)
        assert "story_full_without_original" in plan, plan


def test_the_stored_flag_is_the_rule_of_the_canonical_module() -> None:
    """sitemap_flags.refresh writes its statement out; the flag it stores is what
    canonical.FULL_WITHOUT_ORIGINAL (and canonical.original_url) say of the story, for each mode
    and kind of link, in one statement however many stories."""
    links = ["", "http://paper.example/a", "HTTPS://paper.example/b", "Http://x.example/c",
             "ftp://paper.example/d", "/relative/e", "https:/broken", "httpx://f"]
    stories = []
    for mode in (Source.Mode.FULL, Source.Mode.EXCERPT, Source.Mode.HEADLINE):
        for link in links:
            one = make_story(f"Lava {mode} {link}", link=link)
            Story.objects.filter(pk=one.pk).update(publication_mode=mode,
                                                   full_without_original=mode != "full")
            stories.append(one.pk)
    unversioned = make_story("Lava without a version")
    Story.objects.filter(pk=unversioned.pk).update(current_version=None,
                                                   publication_mode=Source.Mode.FULL)
    stories.append(unversioned.pk)
    sitemap_flags.refresh(stories)
    flagged = set(Story.objects.filter(canonical.FULL_WITHOUT_ORIGINAL, pk__in=stories)
                  .values_list("pk", flat=True))
    stored = set(Story.objects.filter(full_without_original=True, pk__in=stories)
                 .values_list("pk", flat=True))
    assert stored == flagged
    # Full text with "", "ftp:", "/relative", "https:/", "httpx:" or no version at all.
    assert len(flagged) == 6 and unversioned.pk in flagged
    for one in Story.objects.filter(pk__in=stories).select_related("current_version"):
        assert (one.pk in stored) is (one.publication_mode == Source.Mode.FULL
                                      and not canonical.original_url(one.current_version))
        # What the desk inserts a new story with (sitemap_flags.flag) is the same.
        link = one.current_version.link if one.current_version else ""
        assert sitemap_flags.flag(one.publication_mode, link) is (one.pk in stored)
    with CaptureQueriesContext(connection) as writes:
        sitemap_flags.refresh(stories)
    assert len(writes) == 1 and writes[0]["sql"].startswith("UPDATE")
    assert Story.objects.filter(full_without_original=True, pk__in=stories).count() == 6
