"""An editor in a real browser (Debian's Chromium through Playwright): previews a routing rule on
recent items before saving it, then clears the review queue with one click per story and a bulk
action."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from tests.site.test_browser import browser_page  # noqa: F401  (the Chromium page fixture)
from wiredesk.newsroom import rules as stored_rules
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.rules import Rule
from wiredesk.newsroom.sources import local_source, section_named

from .test_gate_publication import GERMAN, item
from .test_rules_admin import FLOODS
from .wire import deliver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("desk_clock")]

PASSWORD = "a long passphrase"


@pytest.fixture
def desk(settings: SettingsWrapper) -> None:
    """Three items in, two of them held (a rule, the language check); made before Playwright
    starts (see tests/site/test_browser.py on why)."""
    settings.WIREDESK_GATE = "true"
    stored_rules.forget()
    User.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    source = local_source("Wire")
    source.section = section_named("World")
    source.format = Source.Format.NINJS
    source.save()
    Rule.objects.create(name="Hold floods", when={"words": ["rivers"]},
                        then={"action": "hold", "reason": "check the rescue figures"})
    deliver(source, item("lava"),
            item("floods", headline="Floods in Valencia", body=FLOODS),
            item("german", headline="Stadtrat beschließt Haushalt", body=GERMAN))


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#review-counts")).to_contain_text("2 held for review")


def test_an_editor_previews_a_rule_then_clears_the_review_queue(
        desk: None, live_server: LiveServer, browser_page: Page) -> None:  # noqa: F811
    page, base = browser_page, live_server.url
    sign_in(page, base)

    page.goto(f"{base}/admin/newsroom/rule/add/")
    page.fill("#id_name", "Volcanoes to review")
    page.fill("#id_position", "20")
    page.fill("#id_when_text", 'words = ["lava", "eruption"]')
    page.fill("#id_then_text", 'action = "hold"\ntags = ["volcanoes"]')
    page.click("#rule-preview-button")
    preview = page.locator("#rule-preview")
    expect(preview).to_contain_text("Of the last 3 items, this rule matches 1")
    expect(preview.locator(".preview-matches")).to_contain_text(
        "Volcano erupts near coastal town")
    expect(preview.locator(".preview-matches")).to_contain_text("publish → hold")
    expect(page.locator("#id_when_text")).to_have_value('words = ["lava", "eruption"]')
    page.goto(f"{base}/admin/newsroom/rule/")
    expect(page.locator("#result_list")).not_to_contain_text("Volcanoes to review")  # not saved

    page.goto(f"{base}/admin/newsroom/rule/add/")
    page.fill("#id_name", "Broken")
    page.fill("#id_when_text", 'regex = "(unclosed"')
    page.fill("#id_then_text", 'action = "hold"')
    page.click("input[name=_save]")
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("when.regex: bad regular expression")

    page.goto(f"{base}/admin/newsroom/heldstory/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#result_list")).to_contain_text("hold: check the rescue figures")
    expect(page.locator("#result_list")).to_contain_text("written in 'de'")
    expect(page.locator("#result_list")).to_contain_text("Rivers burst their banks")  # preview
    floods = rows.filter(has_text="Floods in Valencia")
    floods.locator("button.approve-one").click()
    expect(page.locator(".messagelist")).to_contain_text("1 story approved and published")
    expect(rows).to_have_count(1)
    page.locator("#result_list tbody input.action-select").first.check()
    page.select_option("select[name=action]", "reject")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("1 story rejected (dropped)")
    page.goto(f"{base}/admin/")
    expect(page.locator("#review-counts")).to_contain_text("0 held for review")


def test_afterwards_the_decisions_are_stored(desk: None) -> None:
    """The same desk as the browser test sees, decided the same way without the browser: the
    approved story is public, the rejected one dropped (a check on the fixture, so the browser
    test's expectations rest on the database's)."""
    from wiredesk.newsroom import review

    floods, german = (Story.objects.get(external_id=x) for x in ("floods", "german"))
    assert set(review.queue()) == {floods, german}
    review.approve(floods, "editor")
    review.reject(german, "editor")
    assert Story.objects.get(external_id="floods").status == Story.Status.PUBLISHED
    assert Story.objects.get(external_id="german").gate_outcome == "drop"
