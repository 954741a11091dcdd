"""The publication gate on the write path and every public surface: held items vanish, excerpts
and headlines link to the original, undated stories stay off the top, pages carry the detected
language. The gate runs with its defaults (tests/settings.py switches it off for older tests)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.support.clock import WIRE_HOUR, FakeClock
from wiredesk.core.items import FeedItem, WireMeta
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.sources import local_source, section_named

from .test_kill import HEADLINE, SURFACES
from .wire import deliver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk_clock")]

LAVA = ("<p>Lava reached the outskirts of the town on Saturday morning, and the authorities "
        "ordered hundreds of residents to leave their homes as the eruption grew stronger.</p>")
GERMAN = ("<p>Der Stadtrat hat am Montag nach einer langen Debatte über Verkehr, Wohnen und "
          "Schulen einen neuen Haushalt beschlossen. Der Bürgermeister sagte, der Plan werde "
          "im Frühjahr überprüft, und die Opposition forderte mehr Geld für Bibliotheken.</p>")


@pytest.fixture(autouse=True)
def gate(settings: SettingsWrapper) -> SettingsWrapper:
    settings.WIREDESK_GATE = "true"
    settings.WIREDESK_FEED_MODE = "excerpt"
    return settings


@pytest.fixture
def wire() -> Source:
    """A licensed source (files imported in a wire format: full by default), whose stories'
    canonical page is ours (so they are in our sitemaps)."""
    source = local_source("Wire")
    source.canonical_policy = Source.Canonical.SELF
    source.section = section_named("World")
    source.format = Source.Format.NINJS
    source.save()
    return source


@pytest.fixture
def publisher() -> Source:
    """A publisher's RSS feed, polled: excerpts by default."""
    return Source.objects.create(name="Daily Paper", slug="daily-paper", format=Source.Format.RSS,
                                 url="https://paper.example/rss", section=section_named("World"))


def item(guid: str, *, headline: str = HEADLINE, body: str = LAVA, rights: str = "",
         version: int = 1, dated: bool = True) -> FeedItem:
    created = WIRE_HOUR.replace(minute=version)
    return FeedItem(guid=guid, title=headline, content_html=body,
                    link=f"https://wire.example/{guid}", published=created if dated else None,
                    updated=created if dated else None, rights=rights,
                    wire=WireMeta(version=str(version), version_number=version,
                                  version_created=created if dated else None))


def visible_on(client: Client, story: Story) -> list[str]:
    return [name for name, check in SURFACES.items() if check(client, story)]


def test_a_clean_wire_story_is_published_in_full_everywhere(client: Client, wire: Source) -> None:
    deliver(wire, item("lava"))
    story = Story.objects.get(external_id="lava")
    assert (story.status, story.publication_mode, story.gate_outcome) == (
        Story.Status.PUBLISHED, "full", "publish")
    assert visible_on(client, story) == list(SURFACES)


@pytest.mark.parametrize(("why", "changes"), [
    ("rights", {"rights": "NOT FOR ONLINE USE"}),
    ("language", {"body": GERMAN, "headline": "Stadtrat beschließt Haushalt über Lava"}),
    ("placeholder", {"headline": "Untitled story"}),
])
def test_a_held_or_dropped_item_is_on_no_public_surface(client: Client, wire: Source, why: str,
                                                       changes: dict[str, str]) -> None:
    deliver(wire, item("lava", **changes))
    story = Story.objects.get(external_id="lava")
    assert story.status == Story.Status.HELD
    assert story.status_reason.startswith("held by the publication gate: ")
    assert why in [finding["check"] for finding in story.gate_reasons]
    # Visible nowhere: the same surfaces a kill empties, and the page is simply not found.
    story.headline = HEADLINE  # what the surfaces look for
    assert visible_on(client, story) == []
    assert client.get(story.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/stories/{story.pk}").status_code == 404


def test_a_new_version_is_gated_too_and_a_passing_one_releases_the_gate_hold(
        client: Client, wire: Source) -> None:
    deliver(wire, item("lava"))
    story = Story.objects.get(external_id="lava")
    deliver(wire, item("lava", version=2, rights="Print only. Not for online use.",
                       body=LAVA.replace("Saturday", "Sunday")))
    story.refresh_from_db()
    assert story.status == Story.Status.HELD and "rights" in story.status_reason
    assert visible_on(client, story) == []
    deliver(wire, item("lava", version=3, body=LAVA.replace("Saturday", "Monday")))
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.gate_reasons == []
    assert client.get(story.get_absolute_url()).status_code == 200


def test_an_editors_hold_is_not_released_by_a_new_version(wire: Source) -> None:
    deliver(wire, item("lava"))
    story = Story.objects.get(external_id="lava")
    story.status, story.status_reason = Story.Status.HELD, "set by editor"
    story.save()
    deliver(wire, item("lava", version=2, body=LAVA.replace("Saturday", "Sunday")))
    story.refresh_from_db()
    assert story.status == Story.Status.HELD


def test_a_polled_publisher_item_is_an_excerpt(client: Client, publisher: Source) -> None:
    deliver(publisher, item("teaser", body=LAVA + "<p>More text follows here. Continue "
                                                  "reading...</p>"))
    story = Story.objects.get(external_id="teaser")
    assert (story.status, story.publication_mode) == (Story.Status.PUBLISHED, "excerpt")
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Read the full story at Daily Paper" in page
    assert '<link rel="canonical" href="https://wire.example/teaser">' in page
    excerpt = re.search(r'<div class="story-excerpt">\s*<p>(.*?)</p>', page, re.S)
    assert excerpt is not None and "Lava reached" in excerpt.group(1)
    assert "Continue reading" not in excerpt.group(1)  # the teaser's own link text goes
    assert story.get_absolute_url() not in client.get("/sitemap-stories.xml").content.decode()
    assert HEADLINE not in client.get("/news-sitemap.xml").content.decode()
    api = client.get(f"/api/v1/stories/{story.pk}").json()
    assert (api["publication_mode"], api["body_html"]) == ("excerpt", "")
    assert HEADLINE in client.get("/").content.decode()  # listed, linking to our excerpt


def test_an_excerpt_shows_at_most_sixty_words(client: Client, publisher: Source) -> None:
    long_text = " ".join(f"word{n}" for n in range(200)) + "."
    deliver(publisher, item("long", body=f"<p>{long_text}</p>"))
    story = Story.objects.get(external_id="long")
    page = client.get(story.get_absolute_url()).content.decode()
    excerpt = re.search(r'<div class="story-excerpt">\s*<p>(.*?)</p>', page, re.S)
    assert excerpt is not None and len(excerpt.group(1).split()) <= 61  # 60 words and "…"
    assert "word150" not in page


def test_a_thin_item_is_a_headline_linking_to_the_original(client: Client, wire: Source) -> None:
    deliver(wire, item("thin", body="<p>Lava reached the town.</p>"))
    story = Story.objects.get(external_id="thin")
    assert (story.publication_mode, story.gate_outcome) == ("headline", "headline")
    response = client.get(story.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == "https://wire.example/thin"
    assert 'href="https://wire.example/thin"' in client.get("/").content.decode()
    assert story.get_absolute_url() not in client.get("/sitemap-stories.xml").content.decode()


def test_an_undated_story_never_tops_the_home_page_or_enters_the_news_sitemap(
        client: Client, wire: Source, desk_clock: FakeClock) -> None:
    wire.duplicate_policy = Source.DuplicatePolicy.KEEP_BOTH  # twelve similar texts
    wire.save()
    for n in range(12):
        deliver(wire, item(f"dated-{n}", headline=f"Dated story number {n} about the eruption",
                           body=LAVA.replace("Lava", f"Lava ({n})")))
    desk_clock.advance(timedelta(minutes=30))
    deliver(wire, item("undated", headline="Undated story about the eruption",
                       body=LAVA.replace("Lava", "Hot lava"), dated=False))
    story = Story.objects.get(external_id="undated")
    assert story.is_public and not story.timely, (story.status_reason, story.gate_reasons)
    home = client.get("/").content.decode()
    # The ranked top stories (site/front.py) are drawn from timely stories only.
    top = home.split('id="top-title"')[1].split("</section>")[0]
    top_links = re.findall(r'class="teaser-headline"><a href="([^"]+)"', top)
    assert story.get_absolute_url() not in top_links and top_links
    assert story.get_absolute_url() in home  # still listed in the latest news, at its time
    assert "Undated story" not in client.get("/news-sitemap.xml").content.decode()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Received <time" in page


def test_when_nothing_is_timely_dated_stories_lead_the_river_above_undated_ones(
        client: Client, wire: Source, desk_clock: FakeClock) -> None:
    """A desk whose feeds are all old has no ranked top: the river leads the page, and an undated
    story (its time is when we received it) must not head it."""
    wire.duplicate_policy = Source.DuplicatePolicy.KEEP_BOTH
    wire.save()
    desk_clock.advance(timedelta(days=5))  # every dated item is first seen long after its date
    for n in range(12):
        deliver(wire, item(f"old-{n}", headline=f"Old story number {n} about the eruption",
                           body=LAVA.replace("Lava", f"Lava ({n})")))
    deliver(wire, item("undated", headline="Undated story about the eruption",
                       body=LAVA.replace("Lava", "Hot lava"), dated=False))
    assert not Story.objects.filter(timely=True).exists()
    undated = Story.objects.get(external_id="undated").get_absolute_url()
    home = client.get("/").content.decode()
    first_ten = re.findall(r'class="teaser-headline"><a href="([^"]+)"', home)[:10]
    assert len(first_ten) == 10 and undated not in first_ten
    assert undated in home  # still in the latest news, below the dated stories


def test_the_page_language_is_the_detected_one(client: Client, wire: Source,
                                               settings: SettingsWrapper) -> None:
    settings.WIREDESK_LANGUAGES = "en,de"
    deliver(wire, item("de", headline="Stadtrat beschließt Haushalt", body=GERMAN))
    story = Story.objects.get(external_id="de")
    assert story.status == Story.Status.PUBLISHED
    page = client.get(story.get_absolute_url()).content.decode()
    assert '<article class="story" lang="de">' in page


def test_the_admin_shows_the_decision_and_the_sources_mode(editor: Client, wire: Source,
                                                           publisher: Source) -> None:
    deliver(wire, item("held", rights="Not for online use"))
    story = Story.objects.get(external_id="held")
    listing = editor.get("/admin/newsroom/story/").content.decode()
    assert "hold (rights)" in listing
    change = editor.get(f"/admin/newsroom/story/{story.pk}/change/").content.decode()
    assert "usage terms forbid online publication" in change
    sources = editor.get("/admin/newsroom/source/").content.decode()
    assert "excerpt (default)" in sources and "full (default)" in sources


def test_feeds_link_a_headline_story_to_the_original(client: Client, wire: Source) -> None:
    deliver(wire, item("thin", body="<p>Lava reached the town.</p>"))
    assert "<link>https://wire.example/thin</link>" in client.get(
        "/feeds/latest.rss").content.decode()
    [entry] = client.get("/feeds/latest.json").json()["items"]
    assert entry["url"] == "https://wire.example/thin"
