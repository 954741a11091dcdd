"""Telling complete files in a drop folder from files still being written (no database)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wiredesk.ingest.dropfolder import (
    Sighting,
    move_into,
    read_if_unchanged,
    ready_files,
    write_note,
)

SETTLE = 2.0


def scan(folder: Path, seen: dict[str, Sighting], now: float) -> list[str]:
    return [path.name for path in ready_files(folder, seen=seen, now=now, settle_seconds=SETTLE)]


def test_a_file_is_ready_once_it_has_not_changed_for_the_settle_time(tmp_path: Path) -> None:
    (tmp_path / "story.xml").write_bytes(b"<rss/>")
    seen: dict[str, Sighting] = {}
    assert scan(tmp_path, seen, now=100.0) == []  # first sight: it may still be growing
    assert scan(tmp_path, seen, now=101.9) == []
    assert scan(tmp_path, seen, now=102.0) == ["story.xml"]
    assert seen["story.xml"] == Sighting(6, (tmp_path / "story.xml").stat().st_mtime_ns, 100.0)


def test_a_file_that_grows_starts_settling_again(tmp_path: Path) -> None:
    path = tmp_path / "story.xml"
    path.write_bytes(b"<rss>")
    seen: dict[str, Sighting] = {}
    assert scan(tmp_path, seen, now=100.0) == []
    with path.open("ab") as file:
        file.write(b"</rss>")
    assert scan(tmp_path, seen, now=103.0) == []  # changed since last seen: settles from now
    assert scan(tmp_path, seen, now=104.9) == []
    assert scan(tmp_path, seen, now=105.0) == ["story.xml"]


def test_a_rewrite_of_the_same_size_is_noticed_by_its_mtime(tmp_path: Path) -> None:
    path = tmp_path / "story.xml"
    path.write_bytes(b"aaaa")
    seen: dict[str, Sighting] = {}
    scan(tmp_path, seen, now=100.0)
    path.write_bytes(b"bbbb")
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000))
    assert scan(tmp_path, seen, now=102.5) == []
    assert scan(tmp_path, seen, now=104.5) == ["story.xml"]


def test_hidden_partial_and_temporary_names_are_never_ready(tmp_path: Path) -> None:
    for name in (".story.xml", "story.xml.part", "story.xml.PARTIAL", "story.tmp",
                 "story.xml.filepart", "good.xml"):
        (tmp_path / name).write_bytes(b"<rss/>")
    seen: dict[str, Sighting] = {}
    scan(tmp_path, seen, now=100.0)
    assert scan(tmp_path, seen, now=200.0) == ["good.xml"]
    assert list(seen) == ["good.xml"]


def test_a_file_renamed_into_place_is_ready_after_it_settles(tmp_path: Path) -> None:
    upload = tmp_path / "story.xml.part"
    upload.write_bytes(b"<rss/>")
    seen: dict[str, Sighting] = {}
    assert scan(tmp_path, seen, now=100.0) == []
    upload.rename(tmp_path / "story.xml")
    assert scan(tmp_path, seen, now=150.0) == []  # the new name is seen for the first time
    assert scan(tmp_path, seen, now=152.0) == ["story.xml"]


def test_subfolders_and_symbolic_links_are_skipped(tmp_path: Path) -> None:
    for sub in ("processed", "error", "other"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "old.xml").write_bytes(b"<rss/>")
    outside = tmp_path / "other" / "secret.txt"
    (tmp_path / "link.xml").symlink_to(outside)
    seen: dict[str, Sighting] = {}
    scan(tmp_path, seen, now=100.0)
    assert scan(tmp_path, seen, now=200.0) == []


def test_files_that_disappear_are_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "story.xml"
    path.write_bytes(b"<rss/>")
    seen: dict[str, Sighting] = {}
    scan(tmp_path, seen, now=100.0)
    path.unlink()
    assert scan(tmp_path, seen, now=200.0) == [] and seen == {}
    path.write_bytes(b"<rss/>")  # a new delivery under the same name settles afresh
    assert scan(tmp_path, seen, now=300.0) == []
    assert scan(tmp_path, seen, now=302.0) == ["story.xml"]


def test_ready_files_come_oldest_first(tmp_path: Path) -> None:
    for name, mtime in (("b.xml", 3), ("a.xml", 2), ("c.xml", 1)):
        (tmp_path / name).write_bytes(b"<rss/>")
        os.utime(tmp_path / name, (mtime, mtime))
    seen: dict[str, Sighting] = {}
    scan(tmp_path, seen, now=100.0)
    assert scan(tmp_path, seen, now=102.0) == ["c.xml", "a.xml", "b.xml"]


def test_with_no_settle_time_a_file_is_ready_at_first_sight(tmp_path: Path) -> None:
    (tmp_path / "story.xml").write_bytes(b"<rss/>")
    ready = ready_files(tmp_path, seen={}, now=100.0, settle_seconds=0)
    assert ready == [tmp_path / "story.xml"]


def test_a_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ready_files(tmp_path / "missing", seen={}, now=0.0, settle_seconds=SETTLE)


def test_read_if_unchanged_reads_the_settled_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "story.xml"
    path.write_bytes(b"<rss>complete</rss>")
    seen: dict[str, Sighting] = {}
    scan(tmp_path, seen, now=100.0)
    assert read_if_unchanged(path, seen["story.xml"]) == b"<rss>complete</rss>"


def test_read_if_unchanged_refuses_a_file_written_to_after_the_scan(tmp_path: Path) -> None:
    path = tmp_path / "story.xml"
    path.write_bytes(b"<rss>")
    seen: dict[str, Sighting] = {}
    scan(tmp_path, seen, now=100.0)
    with path.open("ab") as file:
        file.write(b"more")
    assert read_if_unchanged(path, seen["story.xml"]) is None


def test_read_if_unchanged_refuses_a_symbolic_link_swapped_in(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(b"<rss/>")
    path = tmp_path / "story.xml"
    path.write_bytes(b"<rss/>")
    seen: dict[str, Sighting] = {}
    scan(tmp_path, seen, now=100.0)
    path.unlink()
    path.symlink_to(target)
    with pytest.raises(OSError):
        read_if_unchanged(path, seen["story.xml"])


def test_move_into_never_overwrites(tmp_path: Path) -> None:
    first = tmp_path / "story.xml"
    first.write_bytes(b"first")
    moved = move_into(first, "processed", "20260101T120000Z")
    assert moved == tmp_path / "processed" / "20260101T120000Z-story.xml"
    first.write_bytes(b"second")
    again = move_into(first, "processed", "20260101T120000Z")
    assert again == tmp_path / "processed" / "20260101T120000Z-2-story.xml"
    assert (moved.read_bytes(), again.read_bytes()) == (b"first", b"second")
    assert not first.exists()


def test_write_note_puts_the_reason_beside_the_file(tmp_path: Path) -> None:
    moved = tmp_path / "error" / "20260101T120000Z-bad.xml"
    moved.parent.mkdir()
    moved.write_bytes(b"junk")
    note = write_note(moved, "not a feed\n")
    assert note == tmp_path / "error" / "20260101T120000Z-bad.xml.error.txt"
    assert note.read_text() == "not a feed\n"
