"""Real agency copy through the whole desk: Reuters publish-then-kill, a kill delivered first,
the embargoed ninjs item, and an AP writethru becoming a new version.

Runs when ``../shared/data/wire-agency/`` is present (agency copyright, never vendored).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client

from wiredesk.newsroom import clock
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports.importer import import_files
from wiredesk.newsroom.workers.timed import apply_timed_changes
from wiredesk.newsroom.write.desk import WriteDesk

pytestmark = [pytest.mark.conformance, pytest.mark.django_db]

REUTERS = "tag_reuters.com_2016_newsml_L1N14N0FF_version_{}"
USABLE, CANCELED = "978556838", "1542761538"


@pytest.fixture
def wire(shared_data: Path) -> Path:
    return shared_data / "wire-agency" / "superdesk-core"


@pytest.fixture
def source() -> Source:
    return local_source("Agency")


def deliver(source: Source, *paths: Path) -> None:
    result = import_files(WriteDesk(), source, list(paths))
    assert result.failures == []


def surfaces(client: Client, headline: str) -> dict[str, bool]:
    return {path: headline in client.get(path).content.decode() for path in
            ("/", "/feeds/latest.rss", "/feeds/latest.json", "/sitemap-stories.xml",
             "/news-sitemap.xml", "/api/v1/stories")}


def test_reuters_publishes_then_kills(wire: Path, source: Source, client: Client) -> None:
    deliver(source, wire / REUTERS.format(USABLE))
    story = Story.objects.get()
    assert story.status == Story.Status.PUBLISHED
    url = story.get_absolute_url()
    assert client.get(url).status_code == 200
    words = story.headline.split()[0]
    assert client.get(f"/search/?q={words}").content.decode().count(url) == 1

    deliver(source, wire / REUTERS.format(CANCELED))
    story.refresh_from_db()
    assert story.status == Story.Status.KILLED
    assert client.get(url).status_code == 410
    assert story.get_absolute_url() not in client.get(f"/search/?q={words}").content.decode()
    assert not any(url in client.get(path).content.decode() for path in
                   ("/", "/feeds/latest.rss", "/feeds/latest.atom", "/feeds/latest.json",
                    "/sitemap-stories.xml", "/api/v1/stories"))
    assert client.get(f"/api/v1/stories/{story.pk}").status_code == 410


def test_the_kill_delivered_first_means_it_is_never_published(wire: Path, source: Source,
                                                               client: Client) -> None:
    deliver(source, wire / REUTERS.format(CANCELED))
    deliver(source, wire / REUTERS.format(USABLE))
    assert not Story.objects.filter(status=Story.Status.PUBLISHED).exists()
    assert "/story/" not in client.get("/feeds/latest.json").content.decode()


def test_the_embargoed_ninjs_item_waits_for_its_time(wire: Path, source: Source,
                                                     client: Client,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    embargo = datetime(2022, 6, 29, 2, 30, tzinfo=UTC)
    moment = [embargo - timedelta(hours=2)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    deliver(source, wire / "ninjs_embargoed.json")
    story = Story.objects.get()
    assert story.status == Story.Status.EMBARGOED and story.embargoed_until == embargo
    assert client.get(story.get_absolute_url()).status_code == 404
    assert story.get_absolute_url() not in client.get("/feeds/latest.rss").content.decode()

    moment[0] = embargo + timedelta(seconds=1)
    assert apply_timed_changes() == (1, 0)
    assert client.get(story.get_absolute_url()).status_code == 200
    assert story.get_absolute_url() in client.get("/feeds/latest.rss").content.decode()


def test_an_ap_writethru_becomes_a_new_version(wire: Path, source: Source, client: Client,
                                               tmp_path: Path) -> None:
    writethru = (wire / "ap.xml").read_bytes()
    original = (writethru.replace(b'version="2"', b'version="1"', 1)
                .replace(b", 1st Ld-Writethru</slugline>", b"</slugline>", 1)
                .replace(b"2018-02-26T21:20:34Z", b"2018-02-26T20:00:00Z", 1)
                # A first take is shorter and worded differently; the writethru rewrites it.
                .replace(b"Nutrisystem beats", b"Nutrisystem reports", 1))
    (tmp_path / "original.xml").write_bytes(original)
    (tmp_path / "writethru.xml").write_bytes(writethru)
    guid = "tag:ap.org,2011:5e565888b587889c5c8bd62b6164118c-text"  # ap.xml holds three items
    deliver(source, tmp_path / "original.xml")
    deliver(source, tmp_path / "writethru.xml")
    story = Story.objects.get(external_id=guid)
    assert story.version_count == 2 and story.current_version is not None
    assert story.current_version.version_number == 2
    assert "Updated" in client.get(story.get_absolute_url()).content.decode()
    # Delivered the other way round, the original is kept in history only.
    other = local_source("Agency again")
    deliver(other, tmp_path / "writethru.xml")
    deliver(other, tmp_path / "original.xml")
    late = Story.objects.get(source=other, external_id=guid)
    assert late.current_version is not None and late.current_version.version_number == 2
    assert late.versions.filter(is_superseded=True, version_number=1).count() == 1
