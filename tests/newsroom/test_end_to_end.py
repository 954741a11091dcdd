"""The whole path over real sockets: a local HTTP server serves feeds, `wiredesk fetch` ingests
them, and every surface shows the result; then updates, removals, 304s and refusals."""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from lxml import etree

from tests.support.feedserver import FeedServer, Route, gzip_bomb
from wiredesk.newsroom.models import RawPayload, Source, Story, StoryVersion
from wiredesk.newsroom.sources import add_source

from .feeds import STORY_A, STORY_B, STORY_C, rss

pytestmark = pytest.mark.django_db(transaction=True)

ALLOW_LOOPBACK = ["127.0.0.1/32"]


def fetch(*args: str) -> str:
    out = StringIO()
    try:
        call_command("fetch", *args, stdout=out)
    except CommandError as exc:
        out.write(f"\nCommandError: {exc}")
    return out.getvalue()


def add(url: str, name: str) -> Source:
    call_command("source", "add", url, "--name", name, "--section", "World", stdout=StringIO())
    # Our pages canonical, so that the stories are in our sitemaps too.
    Source.objects.filter(name=name).update(canonical_policy=Source.Canonical.SELF)
    return Source.objects.get(name=name)


def surfaces(client: Client) -> dict[str, str]:
    """What every public surface shows, as text."""
    paths = ["/", "/section/world/", "/source/test-wire/", "/feeds/latest.rss",
             "/feeds/latest.atom", "/feeds/latest.json", "/feeds/section/world.rss",
             "/sitemap-stories.xml", "/news-sitemap.xml", "/api/v1/stories", "/search/?q=talks"]
    shown = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        shown[path] = response.content.decode()
    return shown


def test_fetch_publish_update_and_not_modified(feed_server: FeedServer, settings: object,
                                               client: Client) -> None:
    settings.WIREDESK_FETCH_ALLOW_NETWORKS = ALLOW_LOOPBACK  # type: ignore[attr-defined]
    feed_server.route("/world.xml", Route(body=rss(STORY_A, STORY_B, STORY_C), etag='"v1"'))
    source = add(feed_server.url("/world.xml"), "Test Wire")

    out = fetch()
    assert f"[{source.pk}] Test Wire: 3 new, 0 updated, 0 unchanged" in out

    story = Story.objects.get(external_id=STORY_A.guid)
    page = client.get(story.get_absolute_url()).content.decode()
    assert STORY_A.title in page
    assert "This story has not been edited by Testdesk staff" in page
    assert "Updated" not in page
    for path, text in surfaces(client).items():
        expected = [STORY_A.title] if "search" in path else [STORY_A.title, STORY_B.title]
        for title in expected:
            assert title in text or f"/story/{story.pk}/" in text, (path, title)

    # Second poll: A changed, C removed from the feed, B untouched.
    changed = replace(STORY_A, title="Harbour strike ends after late-night talks")
    feed_server.route("/world.xml", Route(body=rss(changed, STORY_B), etag='"v2"'))
    out = fetch("--source", str(source.pk))
    assert "0 new, 1 updated, 1 unchanged" in out
    assert Story.objects.count() == 3 and StoryVersion.objects.count() == 4
    story.refresh_from_db()
    assert story.version_count == 2 and story.headline == changed.title
    page = client.get(story.get_absolute_url()).content.decode()
    assert changed.title in page and "Updated" in page
    home = client.get("/").content.decode()
    assert home.count(changed.title) >= 1 and STORY_A.title not in home
    assert feed_server.requests_to("/world.xml")[-1].header("If-None-Match") == '"v1"'

    # Third poll: the server answers 304 and nothing changes.
    changed_at = Story.objects.get(pk=story.pk).changed_at
    payloads = RawPayload.objects.count()
    out = fetch("--source", str(source.pk))
    assert "not modified" in out
    assert feed_server.requests_to("/world.xml")[-1].header("If-None-Match") == '"v2"'
    assert RawPayload.objects.count() == payloads and StoryVersion.objects.count() == 4
    assert Story.objects.get(pk=story.pk).changed_at == changed_at


def test_the_feed_appears_in_every_output_format(feed_server: FeedServer, settings: object,
                                                 client: Client) -> None:
    settings.WIREDESK_FETCH_ALLOW_NETWORKS = ALLOW_LOOPBACK  # type: ignore[attr-defined]
    feed_server.route("/world.xml", Route(body=rss(STORY_A, STORY_B)))
    add(feed_server.url("/world.xml"), "Test Wire")
    fetch()
    rss_doc = etree.fromstring(client.get("/feeds/latest.rss").content)
    rss_titles = rss_doc.xpath("//item/title/text()")
    assert sorted(rss_titles) == sorted([STORY_A.title, STORY_B.title])
    json_feed = json.loads(client.get("/feeds/latest.json").content)
    assert sorted(i["title"] for i in json_feed["items"]) == sorted([STORY_A.title, STORY_B.title])
    api = json.loads(client.get("/api/v1/stories").content)
    assert sorted(s["headline"] for s in api["items"]) == sorted([STORY_A.title, STORY_B.title])
    assert "/sitemap-stories.xml" in client.get("/sitemap.xml").content.decode()
    sitemap = client.get("/sitemap-stories.xml").content.decode()
    for story in Story.objects.all():
        assert story.get_absolute_url() in sitemap


def test_refusals_are_errors_on_their_source_and_the_batch_goes_on(
        feed_server: FeedServer, settings: object) -> None:
    settings.WIREDESK_FETCH_ALLOW_NETWORKS = ALLOW_LOOPBACK  # type: ignore[attr-defined]
    settings.WIREDESK_FETCH_MAX_BYTES = 200_000  # type: ignore[attr-defined]
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b"<rss version=\"2.0\"><channel><title>&lol3;</title></channel></rss>")
    xxe = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b'<rss version="2.0"><channel><title>&xxe;</title></channel></rss>')
    routes = {
        "/good.xml": Route(body=rss(STORY_A, STORY_B)),
        "/html.xml": Route(body=b"<!DOCTYPE html><html><head><title>Welcome</title></head>"
                                b"<body><p>Our news</p></body></html>", content_type="text/html"),
        "/big.xml": Route(body=rss(STORY_C) + b" " * 300_000),
        "/gzipbomb.xml": Route(body=gzip_bomb(50_000_000), headers={"Content-Encoding": "gzip"}),
        "/bomb.xml": Route(body=bomb),
        "/xxe.xml": Route(body=xxe),
        "/to-private.xml": Route(status=302, headers={"Location": "http://10.0.0.1/feed.xml"}),
        "/to-ipv6-loopback.xml": Route(status=301, headers={
            "Location": f"http://[::1]:{feed_server.port}/good.xml"}),
    }
    for path, route in routes.items():
        feed_server.route(path, route)
    sources = {path: add(feed_server.url(path), path.strip("/")) for path in routes}
    # `source add` would refuse it at once; stored anyway, as a source added before the setting
    # changed, it is refused at fetch time.
    outside_allowed = add_source(f"http://127.0.0.2:{feed_server.port}/good.xml",
                                 name="other loopback")

    out = fetch()
    assert Story.objects.filter(source=sources["/good.xml"]).count() == 2
    for path, source in sources.items():
        source.refresh_from_db()
        if path == "/good.xml":
            assert source.error_count == 0 and source.last_success_at is not None
            continue
        assert source.error_count == 1 and source.last_error, path
        assert f"[{source.pk}] {source.name}: ERROR" in out
    errors = {path: Source.objects.get(pk=s.pk).last_error.lower() for path, s in sources.items()}
    assert "html" in errors["/html.xml"]
    assert "larger than 200,000 bytes" in errors["/big.xml"]
    assert "larger than 200,000 bytes" in errors["/gzipbomb.xml"]
    assert "entit" in errors["/bomb.xml"] and "entit" in errors["/xxe.xml"]
    assert "10.0.0.1" in errors["/to-private.xml"]
    assert "::1" in errors["/to-ipv6-loopback.xml"]
    outside_allowed.refresh_from_db()
    assert outside_allowed.error_count == 1 and "127.0.0.2" in outside_allowed.last_error
    assert Story.objects.count() == 2
    # The refused redirect targets were never contacted; the server saw no request for them.
    assert feed_server.requests_to("/good.xml") and len(feed_server.requests_to("/good.xml")) == 1


def test_loopback_is_refused_without_the_setting(feed_server: FeedServer,
                                                 settings: object) -> None:
    feed_server.route("/good.xml", Route(body=rss(STORY_A)))
    settings.WIREDESK_FETCH_ALLOW_NETWORKS = ALLOW_LOOPBACK  # type: ignore[attr-defined]
    source = add(feed_server.url("/good.xml"), "Test Wire")
    # Allowed when it was added, no longer when it is fetched: the check at fetch time decides.
    settings.WIREDESK_FETCH_ALLOW_NETWORKS = []  # type: ignore[attr-defined]
    out = fetch()
    source.refresh_from_db()
    assert "ERROR" in out and source.error_count == 1 and "127.0.0.1" in source.last_error
    assert feed_server.requests == [] and not Story.objects.exists()
