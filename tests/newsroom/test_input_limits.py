"""Input limits and reporting: `wiredesk import` has the polling size cap; a truncated feed never
publishes the item it was cut in, and says "recovered N of M items" in the command and on the
source; a hostile construct in one item costs that item alone; item refusals count on the
source."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from wiredesk.ingest.formats import parse_feed
from wiredesk.newsroom.models import RawPayload, Source, Story

from .feeds import Entry, paragraphs, rss

pytestmark = pytest.mark.django_db

TEXTS = [
    ("Harbour cranes idle as dock strike enters second week",
     "Container ships queued off the coast while crane operators kept their picket lines, and "
     "shipping agents warned that perishable cargo would be diverted to other ports."),
    ("Central bank holds rates, signals patience on inflation",
     "Policymakers left the benchmark rate unchanged for a third meeting and said price growth "
     "in services had to cool further before any cut could be considered this year."),
    ("Alpine glacier loses record volume in hot summer",
     "Survey teams measured the ice with drones and stakes and found the tongue had retreated "
     "by more than sixty metres, the largest loss since measurements began in the valley."),
]
STORIES = [Entry(f"cut-{n}", title, paragraphs(f"{title}.", body))
           for n, (title, body) in enumerate(TEXTS, start=1)]


def import_file(path: Path, source: str = "Archive") -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_files", str(path), "--source", source, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def truncated_feed() -> bytes:
    whole = rss(*STORIES)
    return whole[:whole.index(b"by more than", whole.index(b"cut-3"))]  # inside item 3's body


def test_import_refuses_a_file_over_the_cap_without_storing_it(
        tmp_path: Path, settings: Settings) -> None:
    settings.WIREDESK_IMPORT_MAX_BYTES = 2000
    big, small = tmp_path / "big.xml", tmp_path / "small.xml"
    big.write_bytes(rss(*STORIES) + b" " * 2000)
    small.write_bytes(rss(STORIES[0]))
    out, err = import_file(tmp_path)
    assert err.splitlines()[0] == (
        f"could not import {big}: larger than 2000 bytes, the import cap "
        "(WIREDESK_IMPORT_MAX_BYTES); not imported")
    assert "1 of 2 files read" in out
    assert RawPayload.objects.count() == 1 and Story.objects.count() == 1


def test_the_import_cap_is_the_polling_cap_unless_set(settings: Settings) -> None:
    assert settings.WIREDESK_IMPORT_MAX_BYTES == settings.WIREDESK_FETCH_MAX_BYTES


def test_a_truncated_feed_never_publishes_the_item_it_was_cut_in(tmp_path: Path) -> None:
    feed = tmp_path / "cut.xml"
    feed.write_bytes(truncated_feed())
    out, err = import_file(feed)
    assert ("recovered 2 of 3 items: 2 new, 0 updated, 0 unchanged, 1 errors") in out
    assert ("item 3 ('Alpine glacier loses record volume in hot summer'): not published: the "
            "payload ends or breaks inside this item, so its text may be cut off") in err
    assert sorted(Story.objects.values_list("external_id", flat=True)) == ["cut-1", "cut-2"]
    source = Source.objects.get(name="Archive")
    assert source.item_errors == 1
    assert source.last_item_problem.startswith("recovered 2 of 3 items; item 3 (")
    payload = RawPayload.objects.get()
    assert payload.outcome == "partial"
    assert any("not closed in the payload" in warning for warning in payload.warnings)
    # The same items again, whole: the held-back one is published, the source is whole again.
    feed.write_bytes(rss(*STORIES))
    out, _ = import_file(feed)
    assert "recovered" not in out and "1 new, 0 updated, 2 unchanged" in out
    assert Story.objects.count() == 3
    source.refresh_from_db()
    assert (source.item_errors, source.last_item_problem) == (1, "")


def test_the_source_health_shows_what_was_recovered(tmp_path: Path, editor: object) -> None:
    feed = tmp_path / "cut.xml"
    feed.write_bytes(truncated_feed())
    import_file(feed)
    page = editor.get("/admin/newsroom/source/").content.decode()  # type: ignore[attr-defined]
    assert "partial: recovered 2 of 3 items" in page


def deep(levels: int) -> str:
    return "<span>" * levels + "deep" + "</span>" * levels


def test_a_hostile_item_is_refused_alone(tmp_path: Path) -> None:
    # Item 2 carries a construct too deep for the parser, as XML elements (not escaped HTML).
    marker = f"<title>{TEXTS[1][0]}</title>".encode()
    body = rss(*STORIES).replace(marker, marker + f"<extra>{deep(300)}</extra>".encode())
    feed = tmp_path / "hostile.xml"
    feed.write_bytes(body)
    out, err = import_file(feed)
    assert "recovered 2 of 3 items: 2 new" in out
    assert (f"item 2 ('{TEXTS[1][0]}'): refused: the document nests elements more "
            "than 256 levels deep; refused") in err
    assert sorted(Story.objects.values_list("external_id", flat=True)) == ["cut-1", "cut-3"]
    assert Source.objects.get(name="Archive").item_errors == 1


def test_a_hostile_construct_outside_the_items_still_refuses_the_payload() -> None:
    body = rss(*STORIES).replace(b"<channel>", f"<channel><extra>{deep(300)}</extra>".encode())
    with pytest.raises(Exception, match="256 levels deep"):
        parse_feed(body)


def test_a_feed_read_whole_reports_no_recovery() -> None:
    feed = parse_feed(rss(*STORIES))
    assert feed.expected_items == 0 and not any(item.cut for item in feed.items)
