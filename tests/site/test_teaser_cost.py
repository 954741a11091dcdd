"""A teaser's cheaper paths (issue 11, point 3: ~50 teasers rendered on a home page whose kept
fragments are gone) give exactly what the plain ones gave: the meta line's filters against
Django's ``timezone``/``utc``/``date`` filters and ``{% url %}``, the summary's link and trailer
tests against the regular expressions alone."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.template.loader import get_template

from tests.support.factories import make_section, make_source, make_story
from wiredesk.site import teasers

# _meta.html as it was written with Django's own filters and tags.
PLAIN_META = """{% load tz %}<p class="meta"><time datetime="{{ story.first_published_at|utc|date:'c' }}">{{ story.first_published_at|timezone:display_tz|date:'j M Y, H:i T' }}</time>
  <span class="sep" aria-hidden="true">·</span> <a href="{% url 'site:source' story.source.slug %}">{{ story.source.name }}</a>{% if story.section %}
  <span class="sep" aria-hidden="true">·</span> <a href="{% url 'site:section' story.section.slug %}">{{ story.section.name }}</a>{% endif %}</p>
"""  # noqa: E501


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/St_Johns", "Asia/Kolkata"])
def test_the_meta_line_is_what_the_plain_filters_gave(zone: str) -> None:
    plain = engines["django"].from_string(PLAIN_META)
    meta = get_template("site/_meta.html")
    source = make_source("Wire & Co", section=make_section("World news"))
    unsectioned = make_source("Other", slug="other-wire")
    # Either side of the European and North American clock changes, with and without
    # microseconds.
    moments = [datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, 1,
                                                                      tzinfo=UTC),
               datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 11, 1, 5, 30, 7, 250,
                                                                  tzinfo=UTC)]
    for n, (moment, wire) in enumerate(itertools.product(moments, [source, unsectioned])):
        story = make_story(f"Story {n}", source=wire, published_at=moment + timedelta(days=n))
        if wire is unsectioned:
            story.section = None
        context = {"story": story, "display_tz": ZoneInfo(zone)}
        assert meta.render(context) == plain.render(context)


@pytest.mark.parametrize("text", [
    "Stocks fell sharply. https://t.co/AbC123 Read more",
    "Stocks fell sharply. Read more...", "Rates rose ( )", "Rates rose [ ]",
    "A story via @wire", "A story via:", "A story —", "A story |", "A story -",
    "Continue reading »", "see MORE", "Markets rallied bit.ly/x3 on Monday.",
    "Visit WWW.example.com today", "24/7 coverage of the vote", "more", "via", "",
    "Nothing to cut here.", "Ends with a smile :)", "A quote (in brackets)",
    "Moreover it rained", "A story via e-mail", "read more read more   ",
])
def test_summaries_lose_links_and_trailers_as_before(text: str) -> None:
    reference = teasers._TRAILER.sub("", " ".join(teasers._URL.sub(" ", text).split())).strip()
    assert teasers.without_links(text) == reference
