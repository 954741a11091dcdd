"""One canonical page per story, named alike by every surface (issue 15, point 5): the page's
rel=canonical and og:url, its JSON-LD, sitemap.xml, the news sitemap and the API, for each
publication mode, canonical policy, and with or without a link to the original."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, cast

import lxml.html
import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from lxml import etree

from tests.support.factories import make_source, make_story
from wiredesk.newsroom import canonical
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.write.publishing import publish_change

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ORIGINAL = "https://paper.example/2026/lava-reaches-town"

# (mode, policy, has original) -> (canonical is ours, in our sitemaps)
CASES = [
    ("full", "self", True, True, True),
    ("full", "self", False, True, True),
    ("full", "original", True, False, False),
    ("full", "original", False, True, True),  # nothing else to name
    ("excerpt", "self", True, False, False),
    ("excerpt", "original", True, False, False),
    ("excerpt", "original", False, True, False),  # names itself, noindex
    ("headline", "self", True, False, False),
    ("headline", "original", True, False, False),
]


def sitemap_urls(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    found = etree.fromstring(response.content).xpath("//s:url/s:loc/text()", namespaces=NS)
    return [str(loc) for loc in cast(list[str], found)]


def story_in(mode: str, policy: str, has_original: bool) -> Story:
    source = make_source("Paper", canonical_policy=policy)
    story = make_story("Lava reaches the town", source=source,
                       published_at=timezone.now() - timedelta(hours=1),
                       link=ORIGINAL if has_original else "")
    with transaction.atomic():  # the gate's mode, published as apply publishes it
        Story.objects.filter(pk=story.pk).update(publication_mode=mode)
        story.refresh_from_db()
        publish_change(story)
    return story


@pytest.mark.parametrize(("mode", "policy", "has_original", "ours", "listed"), CASES)
def test_every_surface_names_the_same_canonical_page(
        client: Client, mode: str, policy: str, has_original: bool, ours: bool,
        listed: bool) -> None:
    story = story_in(mode, policy, has_original)
    page = "http://testserver" + story.get_absolute_url()
    expected = page if ours else ORIGINAL
    assert canonical.canonical_url(story, story.current_version, "http://testserver") == expected
    assert canonical.in_sitemaps(story, story.current_version) is listed
    # The SQL form of the rule, which the sitemaps read, says the same.
    assert Story.objects.filter(canonical.IN_SITEMAPS, pk=story.pk).exists() is listed

    api = json.loads(client.get(f"/api/v1/stories/{story.pk}").content)
    assert [link["href"] for link in api["links"] if link["rel"] == "canonical"] == [expected]

    in_sitemap = page in sitemap_urls(client, "/sitemap-stories.xml")
    in_news = page in sitemap_urls(client, "/news-sitemap.xml")
    assert (in_sitemap, in_news) == (listed, listed)

    response = client.get(story.get_absolute_url())
    if mode == "headline":
        assert response.status_code == 302 and response["Location"] == ORIGINAL
        return
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content)
    assert doc.xpath("//link[@rel='canonical']/@href") == [expected]
    assert doc.xpath("//meta[@property='og:url']/@content") == [expected]
    scripts = cast(list[str], doc.xpath("//script[@type='application/ld+json']/text()"))
    data: dict[str, Any] = json.loads(scripts[0])
    assert data["url"] == expected
    assert data["mainEntityOfPage"]["@id"] == expected
    # A page of ours that is not in our sitemaps and names itself is not for the index.
    robots = cast(list[str], doc.xpath("//meta[@name='robots']/@content"))
    assert bool(robots and "noindex" in robots[0]) is (ours and not listed)


def test_changing_the_source_policy_moves_its_stories_in_or_out_of_the_sitemaps(
        client: Client) -> None:
    story = story_in("full", "original", True)
    page = "http://testserver" + story.get_absolute_url()
    assert page not in sitemap_urls(client, "/sitemap-stories.xml")
    source = story.source
    source.canonical_policy = Source.Canonical.SELF
    source.save()
    # The rule reads the policy when asked: nothing on the stories to bring up to date.
    assert Story.objects.filter(canonical.IN_SITEMAPS, pk=story.pk).exists()
