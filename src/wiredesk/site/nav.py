"""The section navigation in every page's header, and the fingerprint of the pages that show it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.http import HttpRequest

from wiredesk.newsroom.models import Section
from wiredesk.site.http import Fingerprint

_ATTRIBUTE = "_wiredesk_sections"


def nav_sections(request: HttpRequest | None) -> list[tuple[str, str]]:
    """(slug, name) of every section, read once per request: the fingerprint and the template both
    need it."""
    known = getattr(request, _ATTRIBUTE, None)
    if known is not None:
        return list(known)
    sections = list(Section.objects.order_by("name").values_list("slug", "name"))
    if request is not None:
        setattr(request, _ATTRIBUTE, sections)
    return sections


def with_nav(fingerprint: Callable[..., Fingerprint]) -> Callable[..., Fingerprint]:
    """An HTML page's fingerprint: its stories' plus the navigation, so that a section added or
    renamed in the admin reaches every cached page."""

    def page_fingerprint(request: HttpRequest, *args: Any, **kwargs: Any) -> Fingerprint:
        state = fingerprint(request, *args, **kwargs)
        nav = "\x1e".join(f"{slug}\x1d{name}" for slug, name in nav_sections(request))
        return replace(state, extra=state.extra + nav)

    return page_fingerprint
