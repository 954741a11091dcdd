"""Loading the bundled demo: real-looking sources shipped in :mod:`wiredesk.demo`."""

from __future__ import annotations

import hashlib

from django.conf import settings

from wiredesk import demo
from wiredesk.core.errors import ParseError
from wiredesk.newsroom.demopictures import demo_is_current, load_demo_pictures
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.sources import section_named
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.write.desk import WriteDesk

# The demo feeds link their images on the default base URL; the site serves them wherever it is.
DEFAULT_BASE = b"http://127.0.0.1:8000/"


def load_demo() -> list[str]:
    """Create the demo sources and ingest their files; returns one summary line per source."""
    base = settings.WIREDESK_BASE_URL.encode() + b"/"
    lines = []
    desk = WriteDesk()
    for entry in demo.DEMO_SOURCES:
        source, _ = Source.objects.get_or_create(
            slug=entry.slug,
            # The demo's stories are the project's own (MIT): licensed in full, our pages
            # canonical (and so in our sitemaps).
            defaults={"name": entry.name, "url": entry.url, "transport": Source.Transport.LOCAL,
                      "section": section_named(entry.section),
                      "publication_mode": Source.Mode.FULL,
                      "canonical_policy": Source.Canonical.SELF},
        )
        path = demo.FEEDS_DIR / entry.filename
        body = path.read_bytes().replace(DEFAULT_BASE, base)
        if source.payloads.filter(sha256=hashlib.sha256(body).hexdigest()).exists():
            lines.append(f"{entry.name}: already loaded")
            continue
        payload = store_payload(source, body, origin=path.as_uri(), transport="import")
        try:
            lines.append(f"{entry.name}: {process_payload(desk, payload).summary()}")
        except ParseError as exc:
            lines.append(f"{entry.name}: could not be read: {exc}")
    demo_is_current()
    lines.append(load_demo_pictures())
    return lines
