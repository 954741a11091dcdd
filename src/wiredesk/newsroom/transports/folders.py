"""The drop-folder transport: complete files in a source's folder become payloads, once each.

Each ready file (see :mod:`wiredesk.ingest.dropfolder` for when a file is complete) is read,
stored as a raw payload and processed. Then it leaves the folder, which is what makes it ingested
exactly once:

- to ``processed/<UTC time>-<name>`` when it was ingested;
- to ``error/<UTC time>-<name>``, with ``<that name>.error.txt`` beside it saying why, when it
  could not be read or parsed. The payload, when one was stored, stays quarantined in the database
  and can be re-processed after a fix (``wiredesk reprocess``).

A bad file never stops the next one. The worker calls :func:`scan_claimed` for folder sources it
has leased, so two workers never scan one folder at once.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from wiredesk.ingest.dropfolder import (
    ERROR,
    PROCESSED,
    Sighting,
    move_into,
    read_if_unchanged,
    ready_files,
    write_note,
)
from wiredesk.newsroom.models import RawPayload, Source
from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.transports.importer import content_type_for
from wiredesk.newsroom.transports.ingest import IngestReport
from wiredesk.newsroom.write.desk import WriteDesk

log = logging.getLogger(__name__)

# How long a folder that could not be scanned (missing, unreadable) waits before the next try.
FOLDER_RETRY = timedelta(minutes=1)


@dataclass(slots=True)
class FolderScan:
    """What one scan of a drop folder did."""

    source: Source
    report: IngestReport = field(default_factory=IngestReport)
    processed: list[Path] = field(default_factory=list)  # where the ingested files went
    rejected: list[tuple[Path, str]] = field(default_factory=list)  # (file, reason)
    error: str = ""  # the folder itself could not be scanned

    @property
    def idle(self) -> bool:
        return not (self.processed or self.rejected or self.error)

    def line(self) -> str:
        label = f"[{self.source.pk}] {self.source.name}"
        if self.error:
            return f"{label}: ERROR {self.error}"
        moved = f", {len(self.rejected)} moved to error/" if self.rejected else ""
        return f"{label}: {len(self.processed)} files ingested{moved}; {self.report.summary()}"


def scan_folder(desk: WriteDesk, source: Source, seen: dict[str, Sighting], *,
                now: float | None = None) -> FolderScan:
    """Ingest every complete file in ``source``'s drop folder, writing with ``desk``.

    ``seen`` holds what earlier scans observed (kept by the caller between scans, per source);
    ``now`` is a :func:`time.monotonic` reading.
    """
    scan = FolderScan(source)
    folder = Path(source.folder)
    if not source.folder or not folder.is_absolute():
        return _folder_failed(scan, f"the drop folder must be an absolute path, not "
                                    f"{source.folder!r}")
    try:
        ready = ready_files(folder, seen=seen, now=time.monotonic() if now is None else now,
                            settle_seconds=settings.WIREDESK_FOLDER_SETTLE)
    except OSError as exc:
        return _folder_failed(scan, f"cannot read the drop folder {folder}: {exc.strerror or exc}")
    for path in ready:
        _ingest_file(desk, scan, path, seen)
    return scan


def scan_claimed(desk: WriteDesk, source: Source, seen: dict[str, Sighting]) -> FolderScan:
    """Scan a leased folder source in a worker thread, then release it until it is due again."""
    close_old_connections()
    try:
        scan = _scan_guarded(desk, source, seen)
        # Due again after one worker tick (a file needs a later look to show it has settled), or
        # after a while when the folder itself failed, so a lost mount is not an error every tick.
        wait = FOLDER_RETRY if scan.error else timedelta(seconds=settings.WIREDESK_WORKER_TICK)
        now = timezone.now()
        Source.objects.filter(pk=source.pk).update(lease_until=None, last_fetch_at=now,
                                                   next_check_at=now + wait)
        return scan
    finally:
        connection.close()


def _scan_guarded(desk: WriteDesk, source: Source, seen: dict[str, Sighting]) -> FolderScan:
    try:
        return scan_folder(desk, source, seen)
    except Exception as exc:  # a bug must not kill the worker; it is recorded on the source
        log.exception("scan of drop folder source %s crashed", source.pk)
        return _folder_failed(FolderScan(source), f"internal error: {exc}")


def _folder_failed(scan: FolderScan, error: str) -> FolderScan:
    scan.error = error
    inbox.record_delivery(scan.source.pk, error)
    log.warning("source %s (%s): %s", scan.source.pk, scan.source.name, error)
    return scan


def _ingest_file(desk: WriteDesk, scan: FolderScan, path: Path, seen: dict[str, Sighting]
                 ) -> None:
    sighting = seen[path.name]
    limit = settings.WIREDESK_FETCH_MAX_BYTES
    if sighting.size > limit:
        _reject(scan, path, seen, f"the file is larger than {limit} bytes", None)
        return
    try:
        body = read_if_unchanged(path, sighting)
    except FileNotFoundError:
        seen.pop(path.name, None)  # taken away since the scan: nothing to ingest or move
        return
    except OSError as exc:
        _reject(scan, path, seen, f"cannot read the file: {exc.strerror or exc}", None)
        return
    if body is None:
        seen.pop(path.name, None)  # written to since the scan: it settles anew
        return
    payload = inbox.store(scan.source, body, transport=Source.Transport.FOLDER,
                          origin=path.as_uri(), content_type=content_type_for(path))
    error = _process(desk, scan, payload)
    if error:
        _reject(scan, path, seen, error, payload)
    else:
        _done(scan, path, seen)


def _process(desk: WriteDesk, scan: FolderScan, payload: RawPayload) -> str:
    """Process a stored file's payload; returns the error, or "" when it was ingested."""
    try:
        processed = inbox.process(desk, payload)
    except Exception as exc:
        # The payload is stored and still "received": the worker's recovery tries it again.
        log.exception("processing payload %s from %s crashed", payload.pk, payload.origin)
        return f"internal error while processing (the worker will try again): {exc}"
    if processed.report is not None:
        scan.report.add(processed.report)
    return processed.error


def _done(scan: FolderScan, path: Path, seen: dict[str, Sighting]) -> None:
    if (moved := _move(scan, path, seen, PROCESSED)) is not None:
        scan.processed.append(moved)
        inbox.record_delivery(scan.source.pk, "")


def _reject(scan: FolderScan, path: Path, seen: dict[str, Sighting], reason: str,
            payload: RawPayload | None) -> None:
    scan.rejected.append((path, reason))
    inbox.record_delivery(scan.source.pk, f"{path.name}: {reason}")
    if (moved := _move(scan, path, seen, ERROR)) is None:
        return
    try:
        write_note(moved, _note(path, reason, payload))
    except OSError as exc:
        log.error("cannot write the error note beside %s: %s", moved, exc)


def _move(scan: FolderScan, path: Path, seen: dict[str, Sighting], subfolder: str
          ) -> Path | None:
    try:
        moved = move_into(path, subfolder, timezone.now().strftime("%Y%m%dT%H%M%SZ"))
    except OSError as exc:
        # The file stays where it is. Marking it as settling forever keeps this process from
        # ingesting it again at every tick, until it changes (or the worker restarts).
        sighting = seen[path.name]
        seen[path.name] = sighting._replace(since=math.inf)
        error = f"cannot move {path.name} to {subfolder}/: {exc.strerror or exc}"
        inbox.record_delivery(scan.source.pk, error)
        log.error("source %s: %s", scan.source.pk, error)
        return None
    seen.pop(path.name, None)
    return moved


def _note(path: Path, reason: str, payload: RawPayload | None) -> str:
    lines = [reason, "", f"File: {path.name}", f"Folder: {path.parent}",
             f"Moved here: {timezone.now():%Y-%m-%d %H:%M:%S} UTC"]
    if payload is not None:
        lines.append(f"Payload: {payload.pk} (kept; after a fix run `wiredesk reprocess "
                     f"{payload.pk}`)")
    return "\n".join(lines) + "\n"
