"""Which files in a drop folder are complete: the filesystem half of the folder transport.

Agencies deliver by FTP or SFTP into a folder we watch. A file being uploaded is visible while it
is written, so a file is taken only once its size and modification time have stayed the same for
``settle_seconds`` *as observed by us* (our own monotonic clock, never the file's timestamp, which
comes from the writer's clock and may be skewed or preserved from elsewhere). Uploaders that write
under a temporary name and rename into place (``.part``, ``.tmp``, dot-files) are skipped until the
rename, and the renamed file settles like any other.

No Django here: the caller keeps the observations between scans and decides what to do with a
ready file (:mod:`wiredesk.newsroom.transports.folders`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

# Suffixes uploaders use while a file is incomplete (FileZilla .filepart, wget/curl .part, ...).
INCOMPLETE_SUFFIXES = (".tmp", ".part", ".partial", ".filepart")
# Where handled files go; being directories they are skipped anyway, named here for the docs.
PROCESSED = "processed"
ERROR = "error"


class Sighting(NamedTuple):
    """A file as last observed: its size and mtime, and since when (our clock) it looked so."""

    size: int
    mtime_ns: int
    since: float


def is_candidate(name: str) -> bool:
    """Whether a file of this name may be a delivery (not hidden, not an upload in progress)."""
    return not name.startswith(".") and not name.lower().endswith(INCOMPLETE_SUFFIXES)


def ready_files(folder: Path, *, seen: dict[str, Sighting], now: float,
                settle_seconds: float) -> list[Path]:
    """The files in ``folder`` that have stopped changing, oldest first.

    ``seen`` carries the observations from one scan to the next and is updated in place; ``now``
    is a monotonic clock reading. A file seen for the first time, or changed since last seen,
    starts settling now. Only regular files directly in ``folder`` count: subfolders (among them
    processed/ and error/) and symbolic links (which could point anywhere on the machine) are
    skipped. Raises OSError when the folder cannot be listed.
    """
    present = _observe(folder)
    for name in seen.keys() - present.keys():
        del seen[name]  # moved away or deleted: forget it, a new file of that name starts afresh
    ready = []
    for name, (size, mtime_ns) in present.items():
        previous = seen.get(name)
        if previous is None or (previous.size, previous.mtime_ns) != (size, mtime_ns):
            seen[name] = previous = Sighting(size, mtime_ns, now)
        if now - previous.since >= settle_seconds:
            ready.append((mtime_ns, name))
    return [folder / name for _, name in sorted(ready)]


def _observe(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime of every candidate regular file directly in ``folder``."""
    found = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if not is_candidate(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed between listing and stat
            found[entry.name] = (stat.st_size, stat.st_mtime_ns)
    return found


def read_if_unchanged(path: Path, sighting: Sighting) -> bytes | None:
    """The file's bytes, or None when it no longer matches ``sighting`` (written to again).

    The file is checked again after reading, so a writer that resumed between the scan and the
    read is noticed instead of yielding a truncated payload. Symbolic links are refused even if
    one was swapped in after the scan. Raises OSError when the file cannot be read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as file:
        if not _matches(os.fstat(fd), sighting):
            return None
        body = file.read(sighting.size + 1)
        if len(body) != sighting.size or not _matches(os.fstat(fd), sighting):
            return None
    return body


def _matches(stat: os.stat_result, sighting: Sighting) -> bool:
    return (stat.st_size, stat.st_mtime_ns) == (sighting.size, sighting.mtime_ns)


def move_into(path: Path, subfolder: str, stamp: str) -> Path:
    """Move a handled file to ``<folder>/<subfolder>/<stamp>-<name>`` and return where it went.

    The subfolder is created when missing; an existing file there is never overwritten (a
    counter is added instead). Both are in the same folder, so the move is one atomic rename.
    """
    target_dir = path.parent / subfolder
    target_dir.mkdir(exist_ok=True)
    target = target_dir / f"{stamp}-{path.name}"
    counter = 1
    while target.exists():
        counter += 1
        target = target_dir / f"{stamp}-{counter}-{path.name}"
    path.rename(target)
    return target


def write_note(moved: Path, text: str) -> Path:
    """Write ``text`` beside a file moved to error/, as ``<its name>.error.txt``."""
    note = moved.with_name(moved.name + ".error.txt")
    note.write_text(text, encoding="utf-8")
    return note
