"""The publisher's brand by settings alone: the default look and the demo's second look
(src/wiredesk/demo/brands/monsoon.env) render the same stories differently."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

from tests.support.factories import make_story

pytestmark = pytest.mark.django_db

BRANDS = Path(__file__).resolve().parents[2] / "src" / "wiredesk" / "demo" / "brands"


def monsoon() -> dict[str, Any]:
    """The .env file's settings, as Django settings."""
    values = {}
    for line in (BRANDS / "monsoon.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = " ".join(shlex.split(value))
    templates = [dict(settings.TEMPLATES[0], DIRS=[str(BRANDS / "monsoon" / "templates")])]
    return {"WIREDESK_SITE_NAME": values["WIREDESK_SITE_NAME"],
            "WIREDESK_BRAND_COLOR": values["WIREDESK_BRAND_COLOR"],
            "WIREDESK_BRAND_FONT": values["WIREDESK_BRAND_FONT"],
            "WIREDESK_TIME_ZONE": values["WIREDESK_TIME_ZONE"],
            "WIREDESK_LANGUAGE": values["WIREDESK_LANGUAGE"],
            "WIREDESK_FOOTER_LINKS": values["WIREDESK_FOOTER_LINKS"].split(","),
            "TEMPLATES": templates}


def home(client: Client) -> lxml.html.HtmlElement:
    response = client.get("/")
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def test_the_default_and_the_second_look(client: Client) -> None:
    story = make_story("Monsoon arrives early",
                       published_at=datetime(2026, 6, 1, 3, 30, tzinfo=UTC))
    default = home(client)
    assert default.xpath("//html/@lang") == ["en-us"]
    assert default.xpath("//style") == []
    assert "1 Jun 2026, 03:30 UTC" in default.text_content()
    assert default.xpath("//*[@class='ad-slot']/*") == []
    with override_settings(**monsoon()):
        branded = home(client)
        article = lxml.html.fromstring(client.get(story.get_absolute_url()).content)
    assert branded.xpath("//html/@lang") == ["en-IN"]
    assert branded.xpath("//a[@class='site-name']/text()") == ["Monsoon Daily"]
    assert "--accent: #0b6e4f" in branded.xpath("//style/text()")[0]
    # Times in the publisher's zone (IST, UTC+5:30); the machine-readable time stays UTC.
    assert "1 Jun 2026, 09:00 IST" in branded.text_content()
    assert branded.xpath("//article//time/@datetime")[0] == "2026-06-01T03:30:00+00:00"
    assert branded.xpath("//*[@class='footer-links']/a[text()='About us']/@href") == ["/about/"]
    # The publisher's own template fills the named ad slots.
    assert [" ".join(t.split()) for t in branded.xpath("//*[@class='ad-placeholder']/text()")] \
        == ["Advertisement · front-river"]
    assert article.xpath("//*[@data-slot='article-end']/p/text()") == [
        "Advertisement · article-end"]
