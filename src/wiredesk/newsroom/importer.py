"""Importing payloads from files: each file is stored as a raw payload, then processed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from wiredesk.core.errors import ParseError
from wiredesk.newsroom.ingest import IngestReport, process_payload, store_payload
from wiredesk.newsroom.models import Source

_CONTENT_TYPES = {".json": "application/json", ".xml": "application/xml",
                  ".rss": "application/rss+xml", ".atom": "application/atom+xml"}


def content_type_for(path: Path) -> str:
    """The media type a file's suffix suggests (one piece of evidence for its encoding)."""
    return _CONTENT_TYPES.get(path.suffix.lower(), "")


@dataclass(slots=True)
class ImportResult:
    report: IngestReport = field(default_factory=IngestReport)
    failures: list[tuple[Path, str]] = field(default_factory=list)


def import_files(source: Source, paths: Iterable[Path], *, base_url: str = "",
                 on_file: Callable[[Path], None] = lambda _: None) -> ImportResult:
    """Import each file; a file that cannot be read or parsed is reported, never fatal."""
    result = ImportResult()
    for path in paths:
        try:
            body = path.read_bytes()
        except OSError as exc:
            result.failures.append((path, f"cannot read: {exc.strerror or exc}"))
            on_file(path)
            continue
        payload = store_payload(source, body, origin=path.resolve().as_uri(), transport="import",
                                content_type=content_type_for(path))
        try:
            result.report.add(process_payload(payload, base_url=base_url))
        except ParseError as exc:
            result.failures.append((path, str(exc)))
        on_file(path)
    return result
