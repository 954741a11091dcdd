"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {"site_name": settings.WIREDESK_SITE_NAME, "base_url": settings.WIREDESK_BASE_URL,
            # Listings whose first page with fewer than three stories is noindexed as thin (an
            # entity page's own rule is whether enrichment links it).
            "thin_kinds": THIN_KINDS}


THIN_KINDS = ("section", "source", "cluster")
