"""A reader in a real browser: headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.newsroom.feeds import STORY_A, STORY_B, STORY_C, rss
from wiredesk.newsroom.sources import local_source, section_named
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.write.desk import WriteDesk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def browser_page() -> Iterator[Page]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI (scripts/ensure-chromium.sh installs it)")
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it when run as root)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself happen before and after, never concurrently, so the guard can be lifted.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def three_stories() -> None:
    """Published before Playwright starts: its sync API switches greenlets, and Django's
    connections are per context, so a query made inside would open a connection that the test
    database teardown never sees closed."""
    source = local_source("Test Wire")
    source.section = section_named("World")
    source.save()
    process_payload(WriteDesk(), store_payload(source, rss(STORY_A, STORY_B, STORY_C), origin="test://"))


def test_reader_opens_home_follows_a_story_and_searches(three_stories: None,
                                                        live_server: LiveServer,
                                                        browser_page: Page) -> None:
    page = browser_page
    base = live_server.url

    page.goto(base + "/")
    assert page.get_by_role("link", name=STORY_B.title).first.is_visible()
    page.get_by_role("link", name=STORY_A.title).first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == STORY_A.title
    note = page.locator(".not-edited-note").inner_text()
    assert "This story has not been edited by Testdesk staff" in note
    body = page.locator("article").inner_text()
    assert '"We have a deal," union leader Rita Sousa said.' in body

    search = page.locator("input[name=q]").first
    search.fill("flooded")
    search.press("Enter")
    page.wait_for_load_state()
    results = page.locator("main").inner_text()
    assert STORY_B.title in results and STORY_C.title not in results

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "search.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5_000
