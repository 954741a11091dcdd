"""/healthz: for load balancers and monitoring. Never cached."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from wiredesk.newsroom.models import Section, Source, Story
from wiredesk.newsroom.queries import public_stories


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        counts = _counts()
    except DatabaseError as exc:
        body: dict[str, Any] = {"status": "error", "database": "unreachable",
                                "error": type(exc).__name__}
        return JsonResponse(body, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "counts": counts})


def _counts() -> dict[str, int]:
    return {
        "stories": Story.objects.count(),
        "public_stories": public_stories().count(),
        "sources": Source.objects.count(),
        "active_sources": Source.objects.filter(is_active=True).count(),
        "sections": Section.objects.count(),
    }
