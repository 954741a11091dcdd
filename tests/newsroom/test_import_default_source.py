"""Every `wiredesk import` without --source feeds one default source, so that the versions and the
kill of one wire story, imported in separate runs, meet as one story."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from wiredesk.newsroom.models import Source, Story

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk_clock")]

URI = "urn:newsml:agency.example:20261128:dam-opens"
HEADLINES = {1: "Dam opens on the river", 2: "Dam opens on the river, 40 villages supplied",
             3: "Dam opens on the river, 52 villages supplied"}


def ninjs(version: int, pubstatus: str = "usable") -> bytes:
    return json.dumps({
        "uri": URI, "version": str(version), "type": "text", "pubStatus": pubstatus,
        "firstCreated": "2026-11-28T08:00:00Z",
        "versionCreated": f"2026-11-28T08:{version:02d}:00Z",
        "headlines": [{"role": "main", "value": HEADLINES.get(version, HEADLINES[3])}],
        "bodies": [{"role": "html", "contentType": "text/html",
                    "value": f"<p>Water flowed through the new dam (version {version}).</p>"}],
    }).encode()


def import_run(path: Path) -> str:
    """One `wiredesk import PATH`, starting like a new process (its own write desk)."""
    out = StringIO()
    call_command("import_files", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_versions_and_a_kill_imported_in_separate_runs_make_one_story(
        tmp_path: Path, client: Client) -> None:
    for name, payload in [("v1.json", ninjs(1)), ("v3.json", ninjs(3)), ("v2.json", ninjs(2))]:
        (tmp_path / name).write_bytes(payload)
        import_run(tmp_path / name)

    assert Source.objects.filter(transport=Source.Transport.LOCAL).count() == 1
    story = Story.objects.select_related("current_version").get()
    assert story.current_version.version_number == 3  # the late version 2 did not overwrite 3
    assert story.current_version.headline == HEADLINES[3]
    assert client.get(story.get_absolute_url()).status_code == 200

    (tmp_path / "kill.json").write_bytes(ninjs(4, pubstatus="canceled"))
    import_run(tmp_path / "kill.json")

    assert Story.objects.get().status == Story.Status.KILLED
    assert client.get(story.get_absolute_url()).status_code == 410
    assert client.get(f"/api/v1/stories/{story.pk}").status_code == 410
    for surface in ["/", "/feeds/latest.rss", "/news-sitemap.xml", "/sitemap-stories.xml",
                    "/search/?q=dam", "/api/v1/stories"]:
        assert "Dam opens" not in client.get(surface).content.decode(), surface


def test_a_named_source_is_still_used_by_name(tmp_path: Path) -> None:
    (tmp_path / "v1.json").write_bytes(ninjs(1))
    call_command("import_files", str(tmp_path / "v1.json"), "--source", "Agency",
                 stdout=StringIO(), stderr=StringIO())
    import_run(tmp_path / "v1.json")
    assert sorted(Source.objects.values_list("name", flat=True)) == ["Agency", "Local files"]
