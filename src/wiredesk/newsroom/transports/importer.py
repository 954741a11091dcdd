"""Importing payloads from files: each file is stored as a raw payload, then processed.

A file is read only up to the import cap (``WIREDESK_IMPORT_MAX_BYTES``, by default the same as
polling's): a larger one is refused before it is read whole or stored, as a fetched feed would be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from wiredesk.core.errors import ParseError
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.transports.ingest import IngestReport, process_payload, store_payload
from wiredesk.newsroom.write.desk import WriteDesk

_CONTENT_TYPES = {".json": "application/json", ".xml": "application/xml",
                  ".rss": "application/rss+xml", ".atom": "application/atom+xml"}


def content_type_for(path: Path) -> str:
    """The media type a file's suffix suggests (one piece of evidence for its encoding)."""
    return _CONTENT_TYPES.get(path.suffix.lower(), "")


@dataclass(slots=True)
class ImportResult:
    report: IngestReport = field(default_factory=IngestReport)
    failures: list[tuple[Path, str]] = field(default_factory=list)


class TooLarge(Exception):
    """A file larger than the import cap."""


def read_capped(path: Path, limit: int) -> bytes:
    """The file's bytes; raises TooLarge beyond ``limit`` without reading more than that."""
    if path.stat().st_size > limit:
        raise TooLarge
    with path.open("rb") as handle:
        body = handle.read(limit + 1)  # the file may have grown since
    if len(body) > limit:
        raise TooLarge
    return body


def import_files(desk: WriteDesk, source: Source, paths: Iterable[Path], *, base_url: str = "",
                 on_file: Callable[[Path], None] = lambda _: None,
                 max_bytes: int | None = None) -> ImportResult:
    """Import each file; a file that cannot be read or parsed, or is larger than ``max_bytes``
    (default: the import cap), is reported, never fatal."""
    result = ImportResult()
    limit = settings.WIREDESK_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    for path in paths:
        try:
            body = read_capped(path, limit)
        except TooLarge:
            result.failures.append((path, f"larger than {limit} bytes, the import cap "
                                          "(WIREDESK_IMPORT_MAX_BYTES); not imported"))
            on_file(path)
            continue
        except OSError as exc:
            result.failures.append((path, f"cannot read: {exc.strerror or exc}"))
            on_file(path)
            continue
        payload = store_payload(source, body, origin=path.resolve().as_uri(), transport="import",
                                content_type=content_type_for(path))
        try:
            result.report.add(process_payload(desk, payload, base_url=base_url))
        except ParseError as exc:
            result.failures.append((path, str(exc)))
        on_file(path)
    return result
