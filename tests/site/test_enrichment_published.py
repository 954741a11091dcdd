"""What enrichment may publish unedited (issue 13): the demo's remittances story shows its own
news in "By the numbers" and links no junk; an entity below the bar keeps a noindexed page out
of the sitemap; "Typhoon Quilla" is no person."""

from __future__ import annotations

import pytest
from django.test import Client
from lxml import etree

from wiredesk.core.text import html_to_text
from wiredesk.demo import DEMO_SOURCES
from wiredesk.enrich.pipeline import Enricher
from wiredesk.ingest.formats import parse_feed
from wiredesk.newsroom.models import Entity, Source, Story
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.workers.enrichment import enrich_story
from wiredesk.newsroom.write.desk import WriteDesk

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _demo_story(enricher: Enricher, source: Source, title_start: str) -> Story:
    from tests.newsroom.feeds import Entry, rss

    for demo in DEMO_SOURCES:
        for item in parse_feed(demo.path.read_bytes()).items:
            if item.title.startswith(title_start):
                body = html_to_text(item.content_html or item.summary_html)
                paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
                process_payload(WriteDesk(), store_payload(
                    source, rss(Entry(title_start, item.title, paragraphs)), origin="test://"))
                story = Story.objects.get(external_id=title_start)
                enrich_story(enricher, story.pk)
                return story
    raise AssertionError(title_start)


def test_the_remittances_story_shows_its_news_and_links_no_junk(enricher: Enricher,
                                                                client: Client) -> None:
    story = _demo_story(enricher, local_source("Meridian"), "Remittances to Mexico")
    page = client.get(story.get_absolute_url()).content.decode()
    box = page.split('class="by-the-numbers"', 1)[1].split("</aside>", 1)[0]
    assert "$6.1 billion" in box and "7.4%" in box
    assert "58%" not in box and "peso" not in box
    digital = Entity.objects.filter(name="Digital").first()
    if digital is not None:  # kept for the API, but no link, no index, no sitemap entry
        assert digital.get_absolute_url() not in page
        assert not digital.linked
        entity_page = client.get(digital.get_absolute_url())
        assert entity_page.status_code == 200
        assert '<meta name="robots" content="noindex">' in entity_page.content.decode()
    montiel = Entity.objects.get(name="Gabriela Montiel")
    assert montiel.linked and f'href="{montiel.get_absolute_url()}"' in page
    assert '<meta name="robots"' not in client.get(montiel.get_absolute_url()).content.decode()
    sitemap = etree.fromstring(client.get("/sitemap-entities.xml").content)
    urls = {str(u) for u in sitemap.xpath("//s:loc/text()", namespaces=NS)}
    assert any(u.endswith(montiel.get_absolute_url()) for u in urls)
    assert not any(u.endswith(e.get_absolute_url())
                   for e in Entity.objects.filter(linked=False) for u in urls)
    api = client.get(f"/api/v1/stories/{story.pk}").json()
    assert "Digital" in str(api) or digital is None  # the API keeps it, with its confidence


def test_typhoon_quilla_is_no_person(enricher: Enricher, client: Client) -> None:
    story = _demo_story(enricher, local_source("Meridian"), "Typhoon Quilla")
    page = client.get(story.get_absolute_url()).content.decode()
    person = Entity.objects.filter(kind="person", name="Typhoon Quilla").first()
    if person is not None:
        assert not person.linked and person.get_absolute_url() not in page
    for name in ("Ferry", "Farmers"):
        assert not Entity.objects.filter(name=name, linked=True).exists()
