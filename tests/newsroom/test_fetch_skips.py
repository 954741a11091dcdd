"""`wiredesk fetch` says what it skipped and why, and fetches a named source due or not."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.support.feedserver import FeedServer, Route
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.sources import add_folder_source, add_push_source, add_source

from .feeds import STORY_A, rss

# A fetch closes the thread's database connection when it ends, as in a worker thread.
pytestmark = pytest.mark.django_db(transaction=True)

# Far in the future, so the source is not due whatever day the suite runs on.
BACKING_OFF_UNTIL = datetime(2999, 12, 7, 10, 15, 42, tzinfo=UTC)


def fetch(*args: str) -> str:
    out = StringIO()
    call_command("fetch", *args, stdout=out)
    return out.getvalue()


def backing_off(url: str, name: str) -> Source:
    source = add_source(url, name=name)
    Source.objects.filter(pk=source.pk).update(
        error_count=3, next_check_at=BACKING_OFF_UNTIL,
        last_error="HTTP 503 Service Unavailable\n(the server said: try later)")
    return source


@pytest.fixture
def loopback(settings: object) -> None:
    settings.WIREDESK_FETCH_ALLOW_NETWORKS = ["127.0.0.1/32"]  # type: ignore[attr-defined]


def test_a_source_backing_off_is_listed_with_its_error(feed_server: FeedServer,
                                                         loopback: None) -> None:
    source = backing_off(feed_server.url("/down.xml"), "Example")
    out = fetch()
    assert out.splitlines() == [
        f"[{source.pk}] Example: skipped, backing off until 2999-12-07 10:15 UTC after error: "
        "HTTP 503 Service Unavailable",
        "No other source is due; `wiredesk fetch --source ID` fetches one now.",
    ]
    assert feed_server.requests == []


def test_skipped_sources_are_listed_beside_the_fetched_ones(feed_server: FeedServer,
                                                           loopback: None) -> None:
    feed_server.route("/up.xml", Route(body=rss(STORY_A)))
    up = add_source(feed_server.url("/up.xml"), name="Up")
    down = backing_off(feed_server.url("/down.xml"), "Down")
    lines = fetch().splitlines()
    assert lines[0] == f"[{up.pk}] Up: 1 new, 0 updated, 0 unchanged"
    assert lines[1].startswith(f"[{down.pk}] Down: skipped, backing off until 2999-12-07")
    assert len(lines) == 2


def test_only_failing_sources_are_worth_a_line(feed_server: FeedServer, loopback: None) -> None:
    quiet = add_source(feed_server.url("/quiet.xml"), name="Quiet")
    Source.objects.filter(pk=quiet.pk).update(next_check_at=BACKING_OFF_UNTIL)
    add_push_source("Agency")
    assert fetch() == "No source is due.\n"


def test_a_named_source_is_fetched_even_while_backing_off(feed_server: FeedServer,
                                                            loopback: None) -> None:
    feed_server.route("/back.xml", Route(body=rss(STORY_A)))
    source = backing_off(feed_server.url("/back.xml"), "Back")
    assert fetch("--source", str(source.pk)) == f"[{source.pk}] Back: 1 new, 0 updated, " \
                                                "0 unchanged\n"
    source.refresh_from_db()
    assert source.error_count == 0 and Story.objects.filter(source=source).count() == 1


def test_a_named_source_that_fails_again_exits_1(feed_server: FeedServer,
                                                 loopback: None) -> None:
    feed_server.route("/down.xml", Route(status=503))
    source = backing_off(feed_server.url("/down.xml"), "Down")
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("fetch", "--source", str(source.pk), stdout=out)
    assert failure.value.returncode == 1
    assert out.getvalue().startswith(f"[{source.pk}] Down: ERROR ")


def test_named_sources_that_cannot_be_fetched_say_why(feed_server: FeedServer, tmp_path: object,
                                                      loopback: None) -> None:
    disabled = add_source(feed_server.url("/off.xml"), name="Off")
    Source.objects.filter(pk=disabled.pk).update(is_active=False)
    push, _ = add_push_source("Agency")
    folder = add_folder_source(str(tmp_path), name="Drop")
    out = fetch("--source", str(disabled.pk), "--source", str(push.pk),
                "--source", str(folder.pk))
    assert out.splitlines() == [
        f"[{disabled.pk}] Off: skipped, disabled (`wiredesk source enable {disabled.pk}` "
        "re-enables it)",
        f"[{push.pk}] Agency: skipped, a push source: its sender delivers, there is nothing to "
        "fetch",
        f"[{folder.pk}] Drop: skipped, a drop folder: the worker scans it (`wiredesk worker`)",
    ]


def test_the_fetch_still_refuses_an_internal_address() -> None:
    # `source add` refuses it, but a source stored earlier, or whose name resolves inside later,
    # is refused at fetch time too.
    source = Source.objects.create(name="Old", slug="old", url="http://127.0.0.1:9/feed.xml")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("fetch", "--source", str(source.pk), stdout=out)
    assert "a loopback address; refused (set WIREDESK_FETCH_ALLOW_NETWORKS" in out.getvalue()
