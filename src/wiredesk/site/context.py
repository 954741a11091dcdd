"""Template context shared by every page."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {"site_name": settings.WIREDESK_SITE_NAME, "base_url": settings.WIREDESK_BASE_URL,
            "display_tz": display_zone(), "brand": brand(),
            # Listings whose first page has a single story are noindexed as thin (an
            # entity page's own rule is whether enrichment links it).
            "thin_kinds": THIN_KINDS}


THIN_KINDS = ("section", "source", "cluster")


def display_zone() -> ZoneInfo:
    """The zone pages show times in (WIREDESK_TIME_ZONE): a publisher's readers read their own
    clock time; datetime attributes, feeds and the API stay in UTC."""
    return ZoneInfo(getattr(settings, "WIREDESK_TIME_ZONE", "UTC") or "UTC")


def brand() -> dict[str, Any]:
    """The publisher's look, from settings (docs/site.md, "The publisher's brand")."""
    links = []
    for entry in getattr(settings, "WIREDESK_FOOTER_LINKS", []):
        label, _, url = entry.partition("|")
        if label.strip() and url.strip():
            links.append((label.strip(), url.strip()))
    return {"color": getattr(settings, "WIREDESK_BRAND_COLOR", ""),
            "font": getattr(settings, "WIREDESK_BRAND_FONT", ""),
            "logo": getattr(settings, "WIREDESK_LOGO", ""),
            "language": getattr(settings, "WIREDESK_LANGUAGE", "") or settings.LANGUAGE_CODE,
            "footer_links": links,
            "analytics": getattr(settings, "WIREDESK_ANALYTICS_HTML", "")}
