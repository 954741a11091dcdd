"""Adding and looking up sources (shared by the CLI, the importer and the demo)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.text import slugify

from wiredesk.core.errors import WiredeskError
from wiredesk.newsroom.models import Section, Source

LOCAL_SOURCE_NAME = "Local files"


def section_named(name: str) -> Section | None:
    if not name:
        return None
    section, _ = Section.objects.get_or_create(slug=slugify(name)[:100] or "news",
                                               defaults={"name": name})
    return section


def unique_slug(name: str) -> str:
    base = slugify(name)[:90] or "source"
    slug, n = base, 1
    while Source.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def add_source(url: str, *, name: str = "", section: str = "", fmt: str = "auto") -> Source:
    """Create a polled source; obviously unusable URLs are refused now rather than at fetch time.

    Only the URL's shape is checked here; the address policy is enforced after DNS resolution on
    every fetch and every redirect hop, where it cannot be bypassed.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise WiredeskError(f"not an http(s) feed URL: {url!r}")
    if fmt not in Source.Format.values:
        raise WiredeskError(f"unknown format {fmt!r}; use one of {', '.join(Source.Format.values)}")
    name = name or parts.hostname
    return Source.objects.create(name=name, slug=unique_slug(name), url=url, format=fmt,
                                 section=section_named(section))


def local_source(name: str = "") -> Source:
    """The source files are imported into: the named one (by name or slug), else a default."""
    if name:
        found = Source.objects.filter(name=name).first() or Source.objects.filter(slug=name).first()
        if found:
            return found
    name = name or LOCAL_SOURCE_NAME
    return Source.objects.create(name=name, slug=unique_slug(name),
                                 transport=Source.Transport.LOCAL)
