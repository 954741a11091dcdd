"""The ranked front page, full coverage pages and the index pages (issue 15, points 2 to 4)."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from django.test import Client
from django.utils import timezone

from tests.support.factories import make_section, make_source, make_story
from wiredesk.newsroom.models import Cluster, Entity, Story, StoryEntity, StoryQuote
from wiredesk.site.teasers import teaser

pytestmark = pytest.mark.django_db


def page(client: Client, url: str) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return lxml.html.fromstring(response.content)


def texts(doc: lxml.html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in doc.xpath(xpath)]


def event(title: str, *stories: Story) -> Cluster:
    cluster = Cluster.objects.create(key=title[:40], title=title, story_count=len(stories))
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(cluster=cluster)
    return cluster


def test_a_big_event_leads_over_a_newer_single_story(client: Client) -> None:
    now = timezone.now()
    world = make_section("World")
    wires = [make_source(f"Wire {n}", section=world) for n in range(3)]
    quake = [make_story(f"Quake report {n}", source=wires[n], published_at=now - timedelta(
        hours=3 + n)) for n in range(3)]
    cluster = event("Quake", *quake)
    make_story("A minor newer item", source=wires[0], published_at=now - timedelta(minutes=5))
    doc = page(client, "/")
    assert texts(doc, "//article[contains(@class, 'front-lead')]//h3") == ["Quake report 0"]
    assert texts(doc, "//article[contains(@class, 'front-lead')]//*[@class='more-coverage']") == [
        "2 more from 3 sources → Full coverage"]
    assert doc.xpath("//article[contains(@class, 'front-lead')]//*[@class='more-coverage']/a"
                     "/@href") == [cluster.get_absolute_url()]
    # The event's other stories are under it, not repeated as top stories.
    top = texts(doc, "//section[@class='front-top']//h3")
    assert top == ["Quake report 0", "A minor newer item"]


@pytest.mark.parametrize("untimely", ["stale", "undated"])
def test_untimely_stories_never_lead(client: Client, untimely: str) -> None:
    now = timezone.now()
    newest = make_story("Old news seen today", published_at=now - timedelta(minutes=1),
                        date_is_fallback=untimely == "undated")
    Story.objects.filter(pk=newest.pk).update(timely=False)
    make_story("Timely story", published_at=now - timedelta(hours=2))
    doc = page(client, "/")
    assert texts(doc, "//article[contains(@class, 'front-lead')]//h3") == ["Timely story"]
    assert "Old news seen today" not in texts(doc, "//section[@class='front-top']//h3")
    # It is still in the latest-news river, but below the timely one, although newer: the
    # river's first places go to timely stories first (an untimely story's time is not news).
    assert texts(doc, "//section[@class='river']//h3")[:2] == ["Timely story",
                                                               "Old news seen today"]


def test_section_blocks_show_each_sections_stories(client: Client) -> None:
    now = timezone.now()
    sport = make_section("Sport")
    make_story("World story", published_at=now - timedelta(hours=1))
    for n in range(9):
        make_story(f"Match {n}", section=sport, published_at=now - timedelta(hours=2 + n))
    doc = page(client, "/")
    assert texts(doc, "//section[@class='front-section']/h2") == ["Sport"]
    assert len(doc.xpath("//section[@class='front-section']//article")) == 3  # 6 are on top


def test_full_coverage_is_named_after_its_most_representative_story(client: Client) -> None:
    now = timezone.now()
    wires = [make_source(f"Wire {n}") for n in range(2)]
    first = make_story("Lisbon compact signed", source=wires[0],
                       published_at=now - timedelta(hours=5))
    follow = make_story("Bond market eyes fund", source=wires[1],
                        published_at=now - timedelta(hours=1))
    other = make_story("Delegates react", source=wires[1], published_at=now - timedelta(hours=2))
    cluster = event("Bond market eyes fund", first, follow, other)
    people = [Entity.objects.create(key=f"person:p{n}", kind="person", name=f"Person {n}",
                                    slug=f"person-{n}", linked=True) for n in range(2)]
    for story in (first, other):
        for person in people:
            StoryEntity.objects.create(story=story, entity=person, linked=True)
    StoryQuote.objects.create(story=first, position=0, text="We act this decade",
                              speaker_name="Person 0", speaker=people[0])
    doc = page(client, cluster.get_absolute_url())
    assert texts(doc, "//h1") == ["Lisbon compact signed"]
    assert texts(doc, "//title") == ["Full coverage: Lisbon compact signed — Testdesk"]
    assert texts(doc, "//ol[@class='timeline-list']//a") == [
        "Bond market eyes fund", "Delegates react", "Lisbon compact signed"]
    assert texts(doc, "//section[@aria-labelledby='sources-title']//li/a") == ["Wire 1", "Wire 0"]
    assert texts(doc, "//section[@aria-labelledby='people-title']//a") == ["Person 0",
                                                                            "Person 1"]
    assert texts(doc, "//section[@class='coverage-quotes']//p") == ["“We act this decade”"]
    assert doc.xpath("//link[@rel='alternate']/@href")[0] == f"/feeds/cluster/{cluster.pk}.rss"


def test_index_pages_and_the_api_root(client: Client) -> None:
    story = make_story()
    for kind, slug in [("person", "ana-lima"), ("organisation", "un"), ("place", "lisbon"),
                       ("country", "country-pt"), ("topic", "topic-medtop-1")]:
        entity = Entity.objects.create(key=f"{kind}:{slug}", kind=kind, name=slug.title(),
                                       slug=slug, linked=True)
        StoryEntity.objects.create(story=story, entity=entity, linked=True)
    Entity.objects.create(key="person:unsure", kind="person", name="Unsure", slug="unsure")
    assert texts(page(client, "/people/"), "//main//ul[contains(@class, 'index-grid')]//a") == [
        "Ana-Lima"]
    assert texts(page(client, "/places/"), "//main//ul[contains(@class, 'index-grid')]/li/a") \
        == ["Country-Pt", "Lisbon"]
    for url, title in [("/topics/", "Topics"), ("/organisations/", "Organisations"),
                       ("/quotes/", "Quotes"), ("/sources/", "Sources")]:
        doc = page(client, url)
        assert texts(doc, "//h1[@class='page-title']") == [title]
        assert doc.xpath("//meta[@name='description']/@content")
        assert doc.xpath("//meta[@property='og:title']/@content")
    assert texts(page(client, "/sources/"), "//main//ul[contains(@class, 'index-grid')]/li/a") \
        == [story.source.name]
    root = client.get("/api/v1/").json()
    assert set(root["resources"]) == {"stories", "story", "quotes", "openapi"}
    assert root["resources"]["stories"]["href"] == "http://testserver/api/v1/stories"
    assert client.get(root["resources"]["stories"]["href"]).status_code == 200


def test_an_article_links_its_source_page_and_breadcrumbs(client: Client) -> None:
    story = make_story()
    doc = page(client, story.get_absolute_url())
    assert doc.xpath("//*[@class='more-from']/a/@href") == [f"/source/{story.source.slug}/"]
    assert texts(doc, "//nav[@class='breadcrumbs']/a") == ["Home", "World", "Test Wire"]


def test_teasers_cut_at_sentences_and_show_no_raw_links() -> None:
    assert teaser("Stocks fell sharply. https://t.co/AbC123 Read more") == "Stocks fell sharply."
    assert teaser("Markets rallied bit.ly/x3 on Monday.") == "Markets rallied on Monday."
    long = "The FBI said it had concerns. " * 5 + "Then " + "more words " * 30
    assert teaser(long, 40).endswith("concerns.")
    assert teaser("word " * 50, 10) == " ".join(["word"] * 10) + " …"


def test_every_listing_has_a_description_and_opengraph_and_thin_ones_are_noindexed(
        client: Client) -> None:
    story = make_story()
    for url in ["/", "/section/world/", f"/source/{story.source.slug}/"]:
        doc = page(client, url)
        assert doc.xpath("//meta[@name='description']/@content"), url
        assert len(doc.xpath("//meta[@property='og:title']")) == 1, url
        assert doc.xpath("//meta[@property='og:url']/@content")[0].startswith("http://testserver/")
    assert page(client, "/section/world/").xpath("//meta[@name='robots']/@content") == [
        "noindex, follow"]
    assert page(client, "/").xpath("//meta[@name='robots']") == []
