"""Cached pages keep the lifecycle: through a real nginx front cache (the documented config) and
through the in-process response cache of `wiredesk serve` alone.

A real `wiredesk serve` (Granian) runs on loopback against the test database; this process
publishes changes as the desk does (a new version, a kill, an embargo lifting) and, as soon as
publishing has returned, reads through the cache: the page must already show the change.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from tests.newsroom.wire import deliver, wire_item
from tests.support.nginx import Nginx, nginx_binary, site_config
from tests.support.varnish import Varnish, site_vcl, varnish_binary
from tests.test_processes import free_port
from wiredesk.core.items import PubStatus
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.sources import local_source, section_named
from wiredesk.newsroom.workers.timed import apply_timed_changes

pytestmark = pytest.mark.django_db(transaction=True)


BODIES = {
    "volcano": "Lava reached the outskirts of the fishing town before dawn, and ash closed the "
               "airport; rescue teams moved four hundred families to a school on the hill.",
    "harvest": "Farmers brought pumpkins, cider and bread to the square, where a brass band "
               "played until late and children raced wheelbarrows along the old market street.",
    "budget": "The finance ministry reported a surplus of 2.1 billion for the year, thanks to "
              "higher tax receipts, and promised to repay part of the pandemic-era debt early.",
}


def text(topic: str) -> str:
    """A body long enough to stand as an article, unlike the others (or it is a duplicate)."""
    return f"<p>{BODIES[topic]}</p>"


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def status_only(url: str) -> int:
    """The status of a GET, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}")


@pytest.fixture
def wiredesk_server(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """`wiredesk serve` on the test database; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREDESK_", "DJANGO_"))}
    env.update(WIREDESK_DATA_DIR=str(tmp_path / "data"), WIREDESK_DATABASE_URL=_database_url(),
               WIREDESK_BASE_URL=f"http://127.0.0.1:{port}", WIREDESK_SECRET_KEY="test",
               WIREDESK_LOG_LEVEL="WARNING", WIREDESK_SERVER="granian")
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "wiredesk.cli", "serve", "--port",
                                str(port), "--threads", "2"], env=env, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            fetch(base + "/healthz")
            break
        except OSError:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "wiredesk serve did not start"
            time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(params=["nginx front cache", "varnish front cache", "in-process cache"])
def site(request: pytest.FixtureRequest, wiredesk_server: str, tmp_path: Path,
         settings: object) -> Iterator[str]:
    """The URL readers use: nginx or Varnish in front (refreshed or purged by this process's
    publishing), or Wiredesk itself."""
    if request.param == "in-process cache":
        yield wiredesk_server
        return
    if request.param == "varnish front cache":
        yield from _varnish_in_front(wiredesk_server, tmp_path, settings)
        return
    if nginx_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is required in CI (scripts/ensure-nginx.sh installs it)")
        pytest.skip("nginx is not installed (scripts/ensure-nginx.sh)")
    front, refresh = free_port(), free_port()
    upstream = int(wiredesk_server.rsplit(":", 1)[1])
    nginx = Nginx(tmp_path / "nginx", site_config(listen=front, refresh=refresh,
                                                  upstream=upstream,
                                                  cache_dir=tmp_path / "nginx" / "cache"))
    nginx.start(front, refresh)
    settings.WIREDESK_PURGE_URLS = [f"http://127.0.0.1:{refresh}"]  # type: ignore[attr-defined]
    try:
        yield f"http://127.0.0.1:{front}"
    finally:
        nginx.stop()


def _varnish_in_front(wiredesk_server: str, tmp_path: Path, settings: object) -> Iterator[str]:
    if varnish_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("varnish is required in CI (scripts/ensure-nginx.sh installs it)")
        pytest.skip("varnish is not installed (scripts/ensure-nginx.sh)")
    front = free_port()
    varnish = Varnish(tmp_path / "varnish",
                      site_vcl(upstream=int(wiredesk_server.rsplit(":", 1)[1])))
    varnish.start(front)
    settings.WIREDESK_PURGE_URLS = [f"purge+http://127.0.0.1:{front}"]  # type: ignore[attr-defined]
    try:
        yield f"http://127.0.0.1:{front}"
    finally:
        varnish.stop()


@pytest.fixture
def wire(settings: object) -> Source:
    # Stories that stand as they arrive: this is about caching, not the publication gate.
    settings.WIREDESK_GATE = False  # type: ignore[attr-defined]
    source = local_source("Wire")
    source.section = section_named("World")
    source.save()
    return source


def test_a_cached_story_changes_the_moment_it_is_published(site: str, wire: Source) -> None:
    deliver(wire, wire_item("volcano", 1, body=text("volcano"),
                            headline="Volcano erupts near coastal town"))
    deliver(wire, wire_item("harvest", 1, body=text("harvest"),
                            headline="Harvest festival opens"))
    story = Story.objects.get(external_id="volcano")
    page = site + story.get_absolute_url()
    permalink = f"{site}/story/{story.pk}/"
    for _ in range(2):  # the permanent address redirects to the page (and the cache keeps that)
        assert status_only(permalink) == 301
    for _ in range(3):  # the first fills the cache, the next come from it
        status, body, headers = fetch(page)
        assert status == 200 and "Volcano erupts near coastal town" in body
    if "x-cache" in {name.lower() for name in headers}:
        assert headers.get("X-Cache") == "HIT", headers
    for listing in ("/", "/section/world/", "/feeds/latest.rss"):
        assert "Volcano erupts near coastal town" in fetch(site + listing)[1]

    # A new version: the page and the listings show it as soon as publishing returned.
    deliver(wire, wire_item("volcano", 2, body=text("volcano"),
                            headline="Volcano eruption forces evacuation"))
    assert "Volcano eruption forces evacuation" in fetch(page)[1]
    for listing in ("/", "/section/world/", "/feeds/latest.rss", "/source/wire/"):
        body = fetch(site + listing)[1]
        assert "Volcano eruption forces evacuation" in body, listing
        assert "Volcano erupts near coastal town" not in body, listing

    # A kill: 410 at once, and gone from every listing; it stays gone on the next requests.
    deliver(wire, wire_item("volcano", 3, pubstatus=PubStatus.CANCELED))
    for _ in range(2):
        assert fetch(page)[0] == 410
        assert status_only(permalink) == 410
    for listing in ("/", "/section/world/", "/feeds/latest.rss", "/feeds/latest.json",
                    "/source/wire/", "/api/v1/stories", "/sitemap.xml", "/news-sitemap.xml"):
        status, body, _ = fetch(site + listing)
        assert status == 200 and "Volcano" not in body, listing
        assert "Harvest festival opens" in body or "sitemap" in listing, listing


def test_an_embargoed_story_appears_the_moment_it_is_released(site: str, wire: Source) -> None:
    deliver(wire, wire_item("harvest", 1, body=text("harvest"),
                            headline="Harvest festival opens"))
    embargo = timezone.now() + timedelta(seconds=1)
    deliver(wire, wire_item("budget", 1, body=text("budget"), headline="Budget surplus announced",
                            embargo=embargo))
    story = Story.objects.get(external_id="budget")
    assert story.status == Story.Status.EMBARGOED
    for _ in range(2):
        assert "Budget surplus" not in fetch(site + "/")[1]
        assert fetch(site + story.get_absolute_url())[0] == 404
    while timezone.now() <= embargo:
        time.sleep(0.05)
    assert apply_timed_changes() == (1, 0)
    assert "Budget surplus announced" in fetch(site + "/")[1]
    assert "Budget surplus announced" in fetch(site + "/feeds/latest.atom")[1]
    assert fetch(site + story.get_absolute_url())[0] == 200


@pytest.mark.django_db(transaction=False)
def test_the_documented_nginx_config_is_the_tested_one() -> None:
    from tests.support.nginx import CONFIG, ROOT

    assert CONFIG.read_text() in (ROOT / "docs" / "deployment.md").read_text()


@pytest.mark.django_db(transaction=False)
def test_the_documented_varnish_config_is_the_tested_one() -> None:
    from tests.support.varnish import ROOT, VCL

    assert VCL.read_text() in (ROOT / "docs" / "deployment.md").read_text()
