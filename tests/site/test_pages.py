"""The HTML pages: what a reader sees on the home, section, source and article pages."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import lxml.html
import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from tests.support.factories import add_version, make_section, make_source, make_story, set_status
from wiredesk.newsroom.models import Cluster, Source, Story

pytestmark = pytest.mark.django_db


def page(client: Client, url: str, status: int = 200) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    return lxml.html.fromstring(response.content)


def texts(doc: lxml.html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in doc.xpath(xpath)]


def story_links(doc: lxml.html.HtmlElement) -> list[str]:
    return [str(href) for href in doc.xpath("//main//h2/a/@href")]


def river_links(doc: lxml.html.HtmlElement) -> list[str]:
    """The home page's latest-news river (its top stories and section blocks come first)."""
    return [str(href) for href in doc.xpath("//section[@class='river']//h3/a/@href")]


# The article page


def test_article_shows_the_story_with_its_attribution(client: Client, story: Story) -> None:
    doc = page(client, story.get_absolute_url())
    version = story.current_version
    assert version is not None
    assert texts(doc, "//main//article//h1") == ["Leaders meet to discuss trade"]
    assert texts(doc, "//*[@class='byline']") == ["By Jane Doe"]
    assert texts(doc, "//*[@class='dateline']") == ["WASHINGTON"]
    assert doc.xpath("//*[@class='published']/time/@datetime") == [
        story.first_published_at.isoformat()]
    assert texts(doc, "//*[@class='kicker']/a") == ["World"]
    # The body is the sanitised HTML as stored: the subheading element survives.
    assert texts(doc, "//*[@class='story-body']/h2") == ["NEXT STEPS"]
    assert doc.xpath("//*[@class='source']/a/@href") == [version.link]
    assert texts(doc, "//*[@class='source']") == ["Source: Test Wire"]
    assert texts(doc, "//*[@class='not-edited-note']") == [
        "This story has not been edited by Testdesk staff and is auto-generated from a "
        "syndicated feed."]
    assert doc.xpath("//*[@class='date-fallback-note']") == []


def test_article_page_semantics(client: Client, story: Story) -> None:
    doc = page(client, story.get_absolute_url())
    assert doc.get("lang") == "en-us"
    assert len(doc.xpath("//main")) == 1
    assert doc.xpath("//main/article/@lang") == ["en"]
    assert doc.xpath("//header//form[@role='search']/@action") == ["/search/"]
    assert doc.xpath("//header//form//input[@name='q']/@type") == ["search"]
    assert texts(doc, "//header//nav[@aria-label='Sections']//a") == ["World"]
    assert doc.xpath("//footer")


def test_a_source_attribution_note_replaces_the_site_note(client: Client) -> None:
    source = make_source("Agency", attribution_note="Supplied by Agency to {site}; unedited.")
    story = make_story(source=source)
    doc = page(client, story.get_absolute_url())
    assert texts(doc, "//*[@class='not-edited-note']") == [
        "Supplied by Agency to Testdesk; unedited."]


def test_updated_time_and_history_only_with_more_than_one_version(client: Client,
                                                                  story: Story) -> None:
    doc = page(client, story.get_absolute_url())
    assert doc.xpath("//*[@class='updated']") == []
    assert doc.xpath("//*[@class='version-history']") == []

    update = add_version(story, headline="Leaders agree on trade")
    story.refresh_from_db()
    doc = page(client, story.get_absolute_url())
    assert story.last_updated_at == update.received_at
    assert texts(doc, "//*[@class='updated']") == [
        f"Updated {story.last_updated_at:%-d %B %Y, %H:%M} UTC"]
    assert doc.xpath("//*[@class='updated']/time/@datetime") == [
        story.last_updated_at.isoformat()]
    assert texts(doc, "//main//article//h1") == ["Leaders agree on trade"]
    history = texts(doc, "//*[@class='version-history']//li")
    assert [item.split(",")[0] for item in history] == ["Version 1", "Version 2"]


def test_a_fallback_date_is_said_so(client: Client) -> None:
    story = make_story(date_is_fallback=True)
    doc = page(client, story.get_absolute_url())
    assert texts(doc, "//*[@class='date-fallback-note']") == [
        "Time shown is when we received this story; the source's date could not be read."]


def test_a_publishers_images_are_never_hot_linked(client: Client) -> None:
    # Pictures are shown once the picture job has stored them on our origin
    # (tests/newsroom/test_pictures.py); until then the page has none, never the publisher's.
    story = make_story(images=[
        {"url": "https://img.wire.example/1.jpg", "caption": "Leaders shake hands",
         "credit": "Jane Photo/Wire"},
        {"caption": "an image without a URL is skipped"},
    ])
    response = client.get(story.get_absolute_url())
    doc = lxml.html.fromstring(response.content)
    assert doc.xpath("//figure") == [] and doc.xpath("//meta[@property='og:image']") == []
    assert b"img.wire.example" not in response.content


@pytest.mark.parametrize(("policy", "link", "expected"), [
    (Source.Canonical.ORIGINAL, "https://wire.example/a", "https://wire.example/a"),
    (Source.Canonical.ORIGINAL, "", "self"),
    (Source.Canonical.SELF, "https://wire.example/a", "self"),
])
def test_canonical_link_follows_the_source_policy(client: Client, policy: str, link: str,
                                                  expected: str) -> None:
    story = make_story(source=make_source("Wire", canonical_policy=policy), link=link)
    doc = page(client, story.get_absolute_url())
    ours = "http://testserver" + story.get_absolute_url()
    assert doc.xpath("//link[@rel='canonical']/@href") == [ours if expected == "self" else expected]


def test_opengraph_tags(client: Client, story: Story) -> None:
    doc = page(client, story.get_absolute_url())
    og = {str(meta.get("property")): str(meta.get("content"))
          for meta in doc.xpath("//meta[@property]")}
    version = story.current_version
    assert version is not None
    assert og["og:type"] == "article"
    assert og["og:title"] == "Leaders meet to discuss trade"
    assert og["og:description"] == "Officials said the talks would continue."
    assert og["og:url"] == version.link  # canonical policy "original"
    assert og["article:published_time"] == story.first_published_at.isoformat()
    assert og["article:modified_time"] == story.first_published_at.isoformat()
    assert "og:image" not in og


def json_ld(doc: lxml.html.HtmlElement) -> dict[str, object]:
    [script] = doc.xpath("//script[@type='application/ld+json']")
    data = json.loads(script.text)
    assert isinstance(data, dict)
    return data


def test_json_ld_news_article(client: Client, story: Story) -> None:
    doc = page(client, story.get_absolute_url())
    data = json_ld(doc)
    ours = "http://testserver" + story.get_absolute_url()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Leaders meet to discuss trade"
    assert data["datePublished"] == story.first_published_at.isoformat().replace("+00:00", "Z")
    assert data["dateModified"] == data["datePublished"]
    assert data["author"] == [{"@type": "Person", "name": "Jane Doe"}]
    assert data["publisher"] == {"@type": "Organization", "name": "Testdesk",
                                 "url": "http://testserver/"}
    # The source's canonical policy is the original (the default): every signal names it.
    original = story.current_version.link
    assert ours != original
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": original}
    assert data["url"] == original
    assert doc.xpath("//link[@rel='canonical']/@href") == [original]
    assert data["isAccessibleForFree"] is True


def test_json_ld_cannot_close_its_script_element(client: Client) -> None:
    hostile = "Breaking </script><script>alert(1)</script> <!-- & more"
    story = make_story(headline=hostile)
    response = client.get(story.get_absolute_url())
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(lxml.html.fromstring(response.content))["headline"] == hostile


def test_a_wrong_slug_redirects_permanently_to_the_right_one(client: Client, story: Story) -> None:
    response = client.get(f"/story/{story.pk}/old-headline/")
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


def test_the_permalink_redirects_to_the_page(client: Client, story: Story) -> None:
    response = client.get(f"/story/{story.pk}/")
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


@pytest.mark.parametrize("status", [Story.Status.HELD, Story.Status.UNPUBLISHED])
def test_a_story_that_is_not_public_is_not_found(client: Client, story: Story,
                                                 status: str) -> None:
    url = story.get_absolute_url()
    set_status(story, status)
    doc = page(client, url, status=404)
    assert texts(doc, "//main//h1") == ["Not found"]
    assert page(client, f"/story/{story.pk}/", status=404) is not None
    assert page(client, f"/story/{story.pk}/other-slug/", status=404) is not None


def test_unknown_story_is_a_404_page_of_the_site(client: Client) -> None:
    doc = page(client, "/story/999999/nothing/", status=404)
    assert texts(doc, "//header//a[@class='site-name']") == ["Testdesk"]
    assert doc.xpath("//main//form[@role='search']")


# Listings


def test_home_lists_public_stories_newest_first_with_a_lead(client: Client) -> None:
    now = timezone.now()
    older = make_story("Older story", published_at=now - timedelta(hours=3))
    newer = make_story("Newer story", published_at=now - timedelta(hours=1))
    make_story("Held story", status=Story.Status.HELD)
    doc = page(client, "/")
    assert river_links(doc) == [newer.get_absolute_url(), older.get_absolute_url()]
    assert texts(doc, "//article[contains(@class, 'lead')]//h3") == ["Newer story"]
    assert doc.xpath("//link[@rel='canonical']/@href") == ["http://testserver/"]
    assert doc.xpath("//link[@rel='alternate']/@href") == [
        "/feeds/latest.rss", "/feeds/latest.atom", "/feeds/latest.json"]


def test_listings_paginate_with_rel_links(client: Client, settings: Settings) -> None:
    settings.WIREDESK_PAGE_SIZE = 2
    now = timezone.now()
    stories = [make_story(f"Story {n}", published_at=now - timedelta(minutes=n))
               for n in range(5)]
    first = page(client, "/")
    assert river_links(first) == [s.get_absolute_url() for s in stories[:2]]
    assert first.xpath("//head/link[@rel='next']/@href") == ["/?page=2"]
    assert first.xpath("//head/link[@rel='prev']") == []
    second = page(client, "/?page=2")
    assert story_links(second) == [s.get_absolute_url() for s in stories[2:4]]
    assert second.xpath("//head/link[@rel='prev']/@href") == ["/"]
    assert second.xpath("//head/link[@rel='next']/@href") == ["/?page=3"]
    assert second.xpath("//article[contains(@class, 'lead')]") == []
    last = page(client, "/?page=3")
    assert story_links(last) == [stories[4].get_absolute_url()]
    assert last.xpath("//a[@rel='next']") == []
    page(client, "/?page=4", status=404)
    page(client, "/?page=0", status=404)
    page(client, "/?page=two", status=404)


def test_an_empty_home_page(client: Client, db: None) -> None:
    doc = page(client, "/")
    assert texts(doc, "//main//*[@class='empty']") == ["No stories here yet."]


def test_section_page_lists_its_public_stories_only(client: Client) -> None:
    world, sport = make_section("World"), make_section("Sport")
    wire = make_source("Wire", section=world)
    in_world = make_story("World story", source=wire)
    make_story("Sport story", source=wire, section=sport)
    make_story("Held world story", source=wire, status=Story.Status.HELD)
    doc = page(client, "/section/world/")
    assert story_links(doc) == [in_world.get_absolute_url()]
    assert texts(doc, "//main//h1") == ["World"]
    assert doc.xpath("//nav[@aria-label='Sections']//a[@aria-current='page']/@href") == [
        "/section/world/"]
    assert doc.xpath("//link[@rel='alternate']/@href") == [
        "/feeds/section/world.rss", "/feeds/section/world.atom", "/feeds/section/world.json"]
    page(client, "/section/nowhere/", status=404)


def test_source_page_lists_its_public_stories_only(client: Client) -> None:
    one, two = make_source("One"), make_source("Two")
    from_one = make_story("From one", source=one)
    make_story("From two", source=two)
    doc = page(client, "/source/one/")
    assert story_links(doc) == [from_one.get_absolute_url()]
    assert texts(doc, "//main//h1") == ["One"]
    page(client, "/source/nobody/", status=404)


def test_pages_load_nothing_from_other_hosts(client: Client, story: Story) -> None:
    for url in ["/", "/section/world/", "/source/test-wire/", story.get_absolute_url(),
                "/search/?q=trade"]:
        doc = page(client, url)
        assets = doc.xpath("//link[@rel='stylesheet' or @rel='icon']/@href | //script/@src")
        assert assets, url
        assert all(not urlsplit(str(asset)).netloc for asset in assets), (url, assets)


# A fixed number of queries whatever the number of stories


@pytest.mark.parametrize("count", [1, 12])
def test_listing_pages_take_a_fixed_number_of_queries(
        client: Client, django_assert_max_num_queries: DjangoAssertNumQueries,
        count: int) -> None:
    world = make_section("World")
    wire = make_source("Wire", section=world)
    for n in range(count):
        make_story(f"Story {n}", source=wire, versions=2,
                   images=[{"url": f"https://img.wire.example/{n}.jpg"}])
    # fingerprint, navigation, the page of stories, its pictures; the home page also reads its
    # ranking pool (its pictures in the same query) and, when it has events, their sizes.
    for url, queries in [("/", 7), ("/section/world/", 6), ("/source/wire/", 6)]:
        with django_assert_max_num_queries(queries):
            page(client, url)


@pytest.mark.parametrize("versions", [1, 6])
def test_the_article_page_takes_a_fixed_number_of_queries(
        client: Client, django_assert_max_num_queries: DjangoAssertNumQueries,
        versions: int) -> None:
    story = make_story(versions=versions, images=[{"url": "https://img.wire.example/1.jpg"}])
    # fingerprint, story, versions, "Also reported by", the enrichment and its entity pages
    with django_assert_max_num_queries(7):
        page(client, story.get_absolute_url())


@pytest.mark.parametrize("related", [1, 8])
def test_related_coverage_takes_a_fixed_number_of_queries(
        client: Client, django_assert_max_num_queries: DjangoAssertNumQueries,
        related: int) -> None:
    cluster = Cluster.objects.create(key="c", title="Harbour strike")
    story = make_story()
    for number in range(related):
        make_story(f"Related story {number}")
    Story.objects.update(cluster=cluster)
    # ... and for the related block: the cluster, five of its stories, and their count
    with django_assert_max_num_queries(10):
        doc = page(client, story.get_absolute_url())
    assert texts(doc, "//aside[@class='related-coverage']/h2") == ["Related coverage"]
    assert len(doc.xpath("//aside[@class='related-coverage']//li")) == min(related, 5)


def test_healthz(client: Client, story: Story) -> None:
    make_story("Held", status=Story.Status.HELD)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["counts"]["stories"] == 2
    assert body["counts"]["public_stories"] == 1


def test_links_from_a_feed_that_are_not_web_urls_are_not_rendered(client: Client) -> None:
    story = make_story(link="javascript:alert(1)", images=[
        {"url": "javascript:alert(2)", "caption": "bad"},
        {"url": "data:image/png;base64,AAAA", "caption": "inline"},
    ])
    html = client.get(story.get_absolute_url()).content
    assert b"javascript:" not in html
    assert b"data:image" not in html
    doc = lxml.html.fromstring(html)
    assert doc.xpath("//*[@class='source']/a/@href") == [f"/source/{story.source.slug}/"]
    assert doc.xpath("//link[@rel='canonical']/@href") == [
        "http://testserver" + story.get_absolute_url()]
    assert doc.xpath("//figure") == []
