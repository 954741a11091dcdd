"""The demo's pages in a real browser at desktop and phone widths: no horizontal overflow, the lead
picture loaded from our own origin, every image with its dimensions and alt text."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from tests.site.test_browser import browser_page  # noqa: F401  (skips without Chromium)
from wiredesk.newsroom.demo import load_demo
from wiredesk.newsroom.models import Cluster, Entity, Story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("WIREDESK_SHOTS", Path(__file__).resolve().parents[2]
                            / "test-artifacts"))
WIDTHS = (1280, 390)


@pytest.fixture
def browser(browser_page: Page) -> Browser:  # noqa: F811
    """The browser behind test_browser's page (which skips the test without Chromium)."""
    launched = browser_page.context.browser
    assert launched is not None
    return launched


@pytest.fixture
def demo_urls() -> list[str]:
    """The demo loaded (before Playwright starts): home, an article with a picture, the full
    coverage of the two-outlet event, an entity page and an index."""
    load_demo()
    article = Story.objects.filter(pictures__status="ready", merged_into__isnull=True).first()
    cluster = Cluster.objects.filter(story_count__gte=2).first() or Cluster.objects.first()
    entity = Entity.objects.filter(linked=True).first()
    assert article is not None and cluster is not None
    urls = ["/", article.get_absolute_url(), cluster.get_absolute_url(), "/people/"]
    if entity is not None:
        urls.append(entity.get_absolute_url())
    return urls


def test_pages_fit_the_screen_and_pictures_come_from_our_origin(
        demo_urls: list[str], live_server: LiveServer, browser: Browser) -> None:
    origin = urlsplit(live_server.url).netloc
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        for url in demo_urls:
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            name = url.strip("/").replace("/", "_") or "home"
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - "
                                     "document.documentElement.clientWidth")
            assert overflow <= 0, (url, width, overflow)
            images = page.evaluate("""[...document.images].map(i => ({
                src: i.currentSrc || i.src, width: i.getAttribute('width'),
                height: i.getAttribute('height'), alt: i.getAttribute('alt'),
                loaded: i.complete && i.naturalWidth > 0, lazy: i.loading}))""")
            for image in images:
                assert image["width"] and image["height"] and image["alt"], (url, image)
                assert urlsplit(image["src"]).netloc == origin, (url, image)
            if url == "/":
                lead = page.locator(".front-lead img").first
                assert lead.evaluate("i => i.complete && i.naturalWidth > 0")
                src = lead.evaluate("i => i.currentSrc")
                assert urlsplit(src).netloc == origin and "/media/images/" in src
                assert src.endswith(".webp")  # Chromium takes the WebP source
        page.close()
