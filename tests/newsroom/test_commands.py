"""The `wiredesk` commands: source management, import and export."""

from __future__ import annotations

import gc
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wiredesk.cli import main
from wiredesk.newsroom.models import RawPayload, Source, Story

from .feeds import STORY_A, STORY_B, rss

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_source_add_list_disable(settings: object) -> None:
    # `source add` checks the address now: a loopback feed, allowed, resolves without DNS.
    settings.WIREDESK_FETCH_ALLOW_NETWORKS = ["127.0.0.1/32"]  # type: ignore[attr-defined]
    out = run("source", "add", "https://127.0.0.1/feed.xml", "--name", "Example Wire",
              "--section", "World", "--format", "rss")
    source = Source.objects.get()
    assert f"Added source {source.pk}: Example Wire" in out
    assert (source.format, source.section and source.section.name) == ("rss", "World")
    assert "Example Wire" in run("source", "list")
    run("source", "disable", str(source.pk))
    source.refresh_from_db()
    assert source.is_active is False


def test_source_add_refuses_non_http_urls() -> None:
    with pytest.raises(CommandError, match="not an http"):
        run("source", "add", "file:///etc/passwd")
    assert not Source.objects.exists()


def test_import_reads_good_files_and_reports_bad_ones(tmp_path: Path) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(rss(STORY_A, STORY_B))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<html><body>error page</body></html>")
    err = StringIO()
    out = StringIO()
    call_command("import_files", str(good), str(bad), str(tmp_path / "missing.xml"),
                 "--source", "Archive", stdout=out, stderr=err)
    assert Story.objects.filter(source__name="Archive").count() == 2
    assert "2 new" in out.getvalue() and "1 of 3 files read" in out.getvalue()
    assert f"could not import {bad}" in err.getvalue()
    assert f"could not import {tmp_path / 'missing.xml'}" in err.getvalue()
    # The unreadable payload is kept, with its error.
    assert RawPayload.objects.get(outcome=RawPayload.Outcome.FAILED).error


def test_import_fails_only_when_nothing_could_be_read(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"not a feed at all")
    with pytest.raises(CommandError, match="no file could be read"):
        run("import_files", str(bad))


def test_cli_maps_import_to_its_command(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # A command run from the command line closes every connection when it ends; here that would
    # close the test's own transaction.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(STORY_A))
    collector = gc.get_threshold(), gc.get_freeze_count()
    main(["import", str(feed)])
    assert "1 new" in capsys.readouterr().out
    assert Story.objects.get().source.name == "Local files"
    # Run inside this process, not as its own: the collector is left as it was (wiredesk.heap).
    assert (gc.get_threshold(), gc.get_freeze_count()) == collector


def test_export_writes_one_ninjs_object_per_story(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(STORY_A, STORY_B))
    run("import_files", str(feed))
    lines = run("export").strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert sorted(r["headline"] for r in records) == sorted([STORY_A.title, STORY_B.title])
    record = next(r for r in records if r["headline"] == STORY_A.title)
    assert record["version"] == "1" and record["pubstatus"] == "usable"
    assert "We have a deal," in record["body_html"]
    assert record["source"]["name"] == "Local files"
    assert len(record["versions"]) == 1
    assert run("export", "--since", "2999-01-01") == ""
