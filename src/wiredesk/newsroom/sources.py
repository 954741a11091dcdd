"""Adding and looking up sources (shared by the CLI, the importer and the demo)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.text import slugify

from wiredesk.core.errors import WiredeskError
from wiredesk.newsroom.models import Section, Source
from wiredesk.newsroom.transports.push import Credentials, new_credentials

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
    _check_format(fmt)
    name = name or parts.hostname
    return Source.objects.create(name=name, slug=unique_slug(name), url=url, format=fmt,
                                 section=section_named(section))


def add_push_source(name: str, *, section: str = "", fmt: str = "auto",
                    hmac_key: bool = False) -> tuple[Source, Credentials]:
    """Create a push source with a new bearer token (and HMAC key), returned this once."""
    _check_format(fmt)
    source = Source(name=name, slug=unique_slug(name), transport=Source.Transport.PUSH,
                    format=fmt, section=section_named(section))
    credentials = new_credentials(source, hmac_key=hmac_key)
    source.save()
    return source, credentials


def rotate_push_credentials(source_id: int, *, hmac_key: bool = False
                            ) -> tuple[Source, Credentials]:
    """Replace a push source's token (and HMAC key); the old ones stop working at once."""
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id).first()
        if source is None:
            raise WiredeskError(f"no source with id {source_id}")
        if source.transport != Source.Transport.PUSH:
            raise WiredeskError(f"source {source_id} is not a push source "
                                f"({source.get_transport_display()})")
        credentials = new_credentials(source, hmac_key=hmac_key)
        source.save(update_fields=["push_token_hash", "push_hmac_key"])
    return source, credentials


def add_folder_source(folder: str, *, name: str = "", section: str = "",
                      fmt: str = "auto") -> Source:
    """Create a drop-folder source watching ``folder`` (an existing directory)."""
    _check_format(fmt)
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise WiredeskError(f"not a directory: {path}")
    taken = Source.objects.filter(transport=Source.Transport.FOLDER, folder=str(path)).first()
    if taken is not None:
        # Two sources on one folder would each lease it and race for the same files.
        raise WiredeskError(f"{path} is already the drop folder of source {taken.pk} ({taken})")
    name = name or path.name or str(path)
    return Source.objects.create(name=name, slug=unique_slug(name), folder=str(path),
                                 transport=Source.Transport.FOLDER, format=fmt,
                                 section=section_named(section))


def set_duplicate_policy(source: Source, policy: str) -> None:
    """What the source's items do when another source already has the story (see
    ``Source.DuplicatePolicy``): ``also-reported``, ``merge`` or ``keep-both``."""
    if policy not in Source.DuplicatePolicy.values:
        raise WiredeskError(f"unknown duplicate policy {policy!r}; use one of "
                            f"{', '.join(Source.DuplicatePolicy.values)}")
    if source.duplicate_policy != policy:
        source.duplicate_policy = policy
        source.save(update_fields=["duplicate_policy"])


def _check_format(fmt: str) -> None:
    if fmt not in Source.Format.values:
        raise WiredeskError(f"unknown format {fmt!r}; use one of {', '.join(Source.Format.values)}")


def local_source(name: str = "") -> Source:
    """The source files are imported into: the named one (by name or slug), else a default."""
    if name:
        found = Source.objects.filter(name=name).first() or Source.objects.filter(slug=name).first()
    else:
        # One default for every import without --source: versions and kills of one story that
        # arrive in separate runs must meet the same source's identities, or they never match.
        found = (Source.objects.filter(transport=Source.Transport.LOCAL, name=LOCAL_SOURCE_NAME)
                 .order_by("pk").first())
    if found:
        return found
    name = name or LOCAL_SOURCE_NAME
    return Source.objects.create(name=name, slug=unique_slug(name),
                                 transport=Source.Transport.LOCAL)
