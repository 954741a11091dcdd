"""Loading the bundled demo: real-looking sources shipped in :mod:`wiredesk.demo`, imported from disk."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from wiredesk import demo
from wiredesk.newsroom.importer import import_files
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.sources import section_named

FEEDS = Path(demo.__file__).parent / "feeds"


def load_demo() -> list[str]:
    lines = []
    for entry in demo.DEMO_SOURCES:
        source, _ = Source.objects.get_or_create(
            slug=entry.slug,
            defaults={"name": entry.name, "url": entry.url, "transport": Source.Transport.LOCAL,
                      "section": section_named(entry.section)},
        )
        # Relative image URLs in the demo feeds resolve against the site's own static files.
        base_url = f"{settings.WIREDESK_BASE_URL}/static/wiredesk/demo/"
        result = import_files(source, [FEEDS / entry.filename], base_url=base_url)
        problems = "; ".join(error for _, error in result.failures)
        lines.append(f"{entry.name}: {result.report.summary()}"
                     + (f" -- {problems}" if problems else ""))
    return lines
