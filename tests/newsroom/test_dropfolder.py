"""The drop-folder transport on a real filesystem: each complete file is ingested once, then moved
to processed/ or to error/ with its reason; slow writes are read whole; the worker watches folders.
"""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from wiredesk.ingest.dropfolder import Sighting, read_if_unchanged
from wiredesk.newsroom.models import RawPayload, Source, Story
from wiredesk.newsroom.sources import add_folder_source
from wiredesk.newsroom.transports.folders import FOLDER_RETRY, FolderScan, scan_claimed, scan_folder
from wiredesk.newsroom.workers.scheduler import WATCHED, claim, run_worker
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import STORY_A, STORY_B, STORY_C, rss

pytestmark = pytest.mark.django_db

STAMP = re.compile(r"^\d{8}T\d{6}Z-")
BROKEN = b"<html><head><title>Proxy Error</title></head><body>502</body></html>"


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    return folder


@pytest.fixture
def source(drop: Path) -> Source:
    return add_folder_source(str(drop), name="Agency Drop", section="World")


def settled_scan(source: Source, seen: dict[str, Sighting] | None = None) -> FolderScan:
    """Two scans far enough apart (by the scanner's clock) for every unchanged file to settle."""
    seen = {} if seen is None else seen
    scan_folder(WriteDesk(), source, seen, now=1000.0)
    return scan_folder(WriteDesk(), source, seen, now=1000.0 + 60)


def names(folder: Path) -> list[str]:
    """The files in ``folder`` with their time stamps taken off."""
    return sorted(STAMP.sub("", path.name) for path in folder.iterdir()) if folder.exists() else []


def test_a_settled_file_is_ingested_once_and_moved_to_processed(drop: Path,
                                                                source: Source) -> None:
    (drop / "world.xml").write_bytes(rss(STORY_A, STORY_B))
    seen: dict[str, Sighting] = {}
    assert scan_folder(WriteDesk(), source, seen, now=1000.0).idle  # first sight: not settled yet
    assert not RawPayload.objects.exists()
    scan = scan_folder(WriteDesk(), source, seen, now=1002.0)
    assert scan.line() == (f"[{source.pk}] Agency Drop: 1 files ingested; "
                           "2 new, 0 updated, 0 unchanged")
    payload = RawPayload.objects.get()
    moved = drop / "processed" / scan.processed[0].name
    assert (payload.transport, payload.outcome, payload.content_type, payload.origin) == (
        "folder", "parsed", "application/xml", (drop / "world.xml").as_uri())
    assert moved.read_bytes() == payload.body == rss(STORY_A, STORY_B)
    assert STAMP.match(moved.name) and names(drop) == ["processed"]
    assert Story.objects.filter(source=source, status="published").count() == 2
    # It left the folder: never read again.
    assert scan_folder(WriteDesk(), source, seen, now=1100.0).idle
    assert RawPayload.objects.count() == 1


def test_a_file_written_slowly_is_ingested_once_and_complete(drop: Path, source: Source,
                                                             settings: object) -> None:
    settings.WIREDESK_FOLDER_SETTLE = 0.4  # type: ignore[attr-defined]
    body = rss(STORY_A, STORY_B, STORY_C)
    chunks = [body[i:i + len(body) // 10 + 1] for i in range(0, len(body), len(body) // 10 + 1)]
    written = threading.Event()

    def writer() -> None:
        with (drop / "slow.xml").open("wb") as file:
            for chunk in chunks:  # about a second in all, each pause shorter than the settle time
                file.write(chunk)
                file.flush()
                time.sleep(0.1)
        written.set()

    thread = threading.Thread(target=writer)
    thread.start()
    seen: dict[str, Sighting] = {}
    deadline = time.monotonic() + 15
    while not (drop / "processed").exists() and time.monotonic() < deadline:
        scan_folder(WriteDesk(), source, seen)  # the real monotonic clock, scanning all the while
        assert written.is_set() or not RawPayload.objects.exists(), "read before it was complete"
        time.sleep(0.03)
    thread.join()
    payload = RawPayload.objects.get()
    assert payload.body == body and payload.outcome == "parsed"
    assert Story.objects.filter(source=source).count() == 3
    assert names(drop / "processed") == ["slow.xml"] and names(drop) == ["processed"]


def test_a_broken_file_goes_to_error_with_its_reason_and_the_next_file_is_still_ingested(
        drop: Path, source: Source) -> None:
    (drop / "a-broken.xml").write_bytes(BROKEN)
    (drop / "b-good.xml").write_bytes(rss(STORY_A))
    scan = settled_scan(source)
    assert scan.line() == (f"[{source.pk}] Agency Drop: 1 files ingested, 1 moved to error/; "
                           "1 new, 0 updated, 0 unchanged")
    failed = RawPayload.objects.get(outcome="failed")
    assert "Proxy Error" in failed.error
    assert names(drop / "error") == ["a-broken.xml", "a-broken.xml.error.txt"]
    moved = next((drop / "error").glob("*-a-broken.xml"))
    assert moved.read_bytes() == BROKEN
    note = moved.with_name(moved.name + ".error.txt").read_text()
    assert note.startswith(failed.error + "\n\nFile: a-broken.xml\n")
    assert f"Payload: {failed.pk} (kept; after a fix run `wiredesk reprocess {failed.pk}`)" in note
    assert names(drop / "processed") == ["b-good.xml"]
    assert Story.objects.get(source=source).external_id == STORY_A.guid
    source.refresh_from_db()  # the good file came last: the source is healthy again
    assert source.error_count == 0 and source.last_error == f"a-broken.xml: {failed.error}"


def test_hidden_and_partial_files_are_left_alone(drop: Path, source: Source) -> None:
    for name in (".upload.xml", "story.xml.part", "story.tmp", "story.xml.filepart"):
        (drop / name).write_bytes(rss(STORY_A))
    assert settled_scan(source).idle
    assert not RawPayload.objects.exists()
    assert names(drop) == [".upload.xml", "story.tmp", "story.xml.filepart", "story.xml.part"]


def test_a_file_that_cannot_be_read_goes_to_error(drop: Path, source: Source,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (drop / "story.xml").write_bytes(rss(STORY_A))
    (drop / "next.xml").write_bytes(rss(STORY_B))
    os.utime(drop / "story.xml", (1, 1))  # the older one, read first

    def unreadable(path: Path, sighting: Sighting) -> bytes | None:
        # File permissions cannot stop the root user these tests may run as.
        if path.name == "story.xml":
            raise PermissionError(13, "Permission denied")
        return read_if_unchanged(path, sighting)

    monkeypatch.setattr("wiredesk.newsroom.transports.folders.read_if_unchanged", unreadable)
    scan = settled_scan(source)
    assert [(path.name, reason) for path, reason in scan.rejected] == [
        ("story.xml", "cannot read the file: Permission denied")]
    assert names(drop / "error") == ["story.xml", "story.xml.error.txt"]
    note = next((drop / "error").glob("*.error.txt")).read_text()
    assert note.startswith("cannot read the file: Permission denied\n") and "Payload:" not in note
    assert names(drop / "processed") == ["next.xml"]
    assert RawPayload.objects.get().origin == (drop / "next.xml").as_uri()


def test_a_file_larger_than_the_limit_goes_to_error_unread(drop: Path, source: Source,
                                                           settings: object) -> None:
    settings.WIREDESK_FETCH_MAX_BYTES = 100  # type: ignore[attr-defined]
    (drop / "huge.xml").write_bytes(rss(STORY_A))
    scan = settled_scan(source)
    assert [reason for _, reason in scan.rejected] == ["the file is larger than 100 bytes"]
    assert names(drop / "error") == ["huge.xml", "huge.xml.error.txt"]
    assert not RawPayload.objects.exists()


def test_a_file_that_cannot_be_moved_is_not_ingested_again(drop: Path, source: Source) -> None:
    # A dangling link where processed/ should be: no folder can be made there.
    (drop / "processed").symlink_to(drop.parent / "gone")
    (drop / "story.xml").write_bytes(rss(STORY_A))
    seen: dict[str, Sighting] = {}
    settled_scan(source, seen)
    assert scan_folder(WriteDesk(), source, seen, now=2000.0).idle
    assert RawPayload.objects.count() == 1 and Story.objects.count() == 1
    source.refresh_from_db()
    assert source.last_error == "cannot move story.xml to processed/: File exists"


def test_a_missing_folder_is_an_error_on_the_source(drop: Path, source: Source) -> None:
    drop.rmdir()
    scan = scan_folder(WriteDesk(), source, {}, now=0.0)
    assert scan.line() == (f"[{source.pk}] Agency Drop: ERROR cannot read the drop folder "
                           f"{drop}: No such file or directory")
    source.refresh_from_db()
    assert source.error_count == 1 and source.last_error.startswith("cannot read the drop folder")


@pytest.mark.django_db(transaction=True)
def test_a_folder_that_fails_is_retried_after_a_minute_not_every_tick(
        drop: Path, source: Source) -> None:
    drop.rmdir()
    [claimed] = claim(5, transports=WATCHED)
    before = timezone.now()
    assert scan_claimed(WriteDesk(), claimed, {}).error.startswith("cannot read the drop folder")
    source.refresh_from_db()
    assert source.lease_until is None and source.error_count == 1
    assert source.next_check_at >= before + FOLDER_RETRY


def run(*args: str) -> str:
    out = StringIO()
    call_command("source", *args, stdout=out)
    return out.getvalue()


def test_add_folder_creates_a_folder_source(drop: Path) -> None:
    out = run("add-folder", str(drop), "--section", "World", "--format", "ninjs")
    source = Source.objects.get()
    assert out == f"Added drop-folder source {source.pk}: drop <{drop}>\n"
    assert (source.transport, source.folder, source.format, source.name) == (
        "folder", str(drop), "ninjs", "drop")
    assert f"drop  folder {drop}" in run("list")


def test_add_folder_refuses_a_missing_folder_and_a_folder_already_watched(
        drop: Path, source: Source) -> None:
    with pytest.raises(CommandError, match="not a directory"):
        run("add-folder", str(drop / "missing"))
    with pytest.raises(CommandError, match=f"already the drop folder of source {source.pk}"):
        run("add-folder", str(drop), "--name", "Again")


def test_a_folder_source_is_leased_to_one_worker_at_a_time(source: Source) -> None:
    assert [s.pk for s in claim(5, transports=WATCHED)] == [source.pk]
    assert claim(5, transports=WATCHED) == []
    assert claim(5) == []  # `wiredesk fetch` polls only


@pytest.mark.django_db(transaction=True)
def test_the_worker_watches_drop_folders(drop: Path, source: Source, settings: object) -> None:
    settings.WIREDESK_FOLDER_SETTLE = 0.2  # type: ignore[attr-defined]
    settings.WIREDESK_WORKER_TICK = 0.1  # type: ignore[attr-defined]
    (drop / "a.xml").write_bytes(rss(STORY_A))
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(stop,), kwargs={"threads": 2, "tick": 0.1})
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while not names(drop / "processed") and time.monotonic() < deadline:
            time.sleep(0.05)
        (drop / "b.xml").write_bytes(rss(STORY_B))  # a later delivery, while it runs
        while len(names(drop / "processed")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(timeout=20)
    assert not worker.is_alive()
    assert names(drop / "processed") == ["a.xml", "b.xml"]
    assert Story.objects.filter(source=source).count() == 2
    source.refresh_from_db()
    assert source.lease_until is None and source.last_success_at is not None
    assert source.next_check_at <= timezone.now() + timedelta(seconds=1)
