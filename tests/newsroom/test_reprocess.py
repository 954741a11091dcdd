"""Quarantined payloads re-processed after a fix (`wiredesk reprocess`, the admin action), and
payloads a crash left unprocessed recovered by the worker."""

from __future__ import annotations

import threading
import time
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.support.processes import dead_holder
from wiredesk.core.errors import ParseError
from wiredesk.ingest.pipeline import Batch
from wiredesk.newsroom.models import RawPayload, Source, Story, StoryVersion
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.workers.scheduler import run_worker
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import STORY_A, STORY_B, STORY_C, rss

pytestmark = pytest.mark.django_db


@pytest.fixture
def source() -> Source:
    return local_source("Test Wire")


@pytest.fixture
def parser_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every payload fails to parse, as with a parser bug (undone with monkeypatch.undo())."""
    def broken(body: bytes, **kwargs: object) -> Batch:
        raise ParseError("simulated parser bug")

    monkeypatch.setattr("wiredesk.newsroom.transports.ingest.prepare", broken)


def quarantined(source: Source, body: bytes) -> RawPayload:
    payload = inbox.store(source, body, transport="push", origin="push")
    assert inbox.process(WriteDesk(), payload).error == "simulated parser bug"
    payload.refresh_from_db()
    assert (payload.outcome, payload.error) == ("failed", "simulated parser bug")
    return payload


def reprocess(*args: str) -> tuple[str, str]:
    """Run `wiredesk reprocess`; returns its output and the error it exited with ("" if none)."""
    out = StringIO()
    try:
        call_command("reprocess", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), ""


def test_a_quarantined_payload_is_published_once_re_processed_after_a_fix(
        source: Source, parser_bug: None, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = quarantined(source, rss(STORY_A, STORY_B))
    assert not Story.objects.exists()
    assert reprocess(str(payload.pk)) == (
        f"payload {payload.pk} [Test Wire, push]: failed: simulated parser bug\n",
        "1 of 1 payloads still fail")
    monkeypatch.undo()  # the fix
    assert reprocess(str(payload.pk)) == (
        f"payload {payload.pk} [Test Wire, push]: parsed: 2 new, 0 updated, 0 unchanged\n", "")
    payload.refresh_from_db()
    assert (payload.outcome, payload.error, payload.item_count) == ("parsed", "", 2)
    assert Story.objects.filter(status="published").count() == 2


def test_re_processing_again_changes_nothing(source: Source) -> None:
    payload = inbox.store(source, rss(STORY_A, STORY_B), transport="push", origin="push")
    inbox.process(WriteDesk(), payload)
    versions = list(StoryVersion.objects.values_list("pk", flat=True))
    for _ in range(2):
        assert reprocess(str(payload.pk)) == (
            f"payload {payload.pk} [Test Wire, push]: parsed: 0 new, 0 updated, 2 unchanged\n", "")
    assert list(StoryVersion.objects.values_list("pk", flat=True)) == versions


def test_failed_re_processes_every_quarantined_payload_and_source_narrows_it(
        source: Source, parser_bug: None, monkeypatch: pytest.MonkeyPatch) -> None:
    other = local_source("Other Wire")
    first = quarantined(source, rss(STORY_A))
    second = quarantined(other, rss(STORY_B))
    monkeypatch.undo()
    good = inbox.store(source, rss(STORY_C), transport="push", origin="push")
    inbox.process(WriteDesk(), good)
    out, error = reprocess("--failed", "--source", str(other.pk))
    assert (out, error) == (
        f"payload {second.pk} [Other Wire, push]: parsed: 1 new, 0 updated, 0 unchanged\n", "")
    out, error = reprocess("--failed")
    assert (out, error) == (
        f"payload {first.pk} [Test Wire, push]: parsed: 1 new, 0 updated, 0 unchanged\n", "")
    assert reprocess("--failed") == ("No payload to re-process.\n", "")


def test_reprocess_needs_ids_or_failed_and_refuses_unknown_ids(source: Source) -> None:
    assert reprocess() == ("", "name payload ids, or --failed for every quarantined payload")
    assert reprocess("999", "998") == ("", "no payload with id 998, 999")


def test_the_admin_lists_quarantined_payloads_and_re_processes_them(
        editor: Client, source: Source, parser_bug: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    payload = quarantined(source, rss(STORY_A))
    listing = editor.get("/admin/newsroom/rawpayload/?outcome__exact=failed").content.decode()
    assert "simulated parser bug" in listing and "Re-process (parse again)" in listing
    response = editor.post("/admin/newsroom/rawpayload/", {
        "action": "reprocess", "_selected_action": [payload.pk]}, follow=True)
    page = response.content.decode()
    assert "1 payload re-processed, 1 still failing." in page
    # The admin capitalises messages.
    assert f"Payload {payload.pk} [Test Wire, push]: failed: simulated parser bug" in page
    monkeypatch.undo()
    response = editor.post("/admin/newsroom/rawpayload/", {
        "action": "reprocess", "_selected_action": [payload.pk]}, follow=True)
    assert "1 payload re-processed, 0 still failing." in response.content.decode()
    assert Story.objects.get().external_id == STORY_A.guid


def test_only_editors_may_re_process(client: Client, source: Source) -> None:
    reader = User.objects.create_user("reader", "reader@example.com", "a long passphrase",
                                      is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_rawpayload"))
    client.login(username="reader", password="a long passphrase")
    listing = client.get("/admin/newsroom/rawpayload/")
    assert listing.status_code == 200 and "Re-process" not in listing.content.decode()


def unprocessed(source: Source, body: bytes) -> RawPayload:
    """A payload stored by a process that died before processing it."""
    payload = inbox.store(source, body, transport="push", origin="push")
    RawPayload.objects.filter(pk=payload.pk).update(claimed_by=dead_holder())
    return payload


def test_payloads_left_unprocessed_by_a_dead_process_are_recovered_at_once(
        source: Source) -> None:
    orphan = unprocessed(source, rss(STORY_A))
    mine = inbox.store(source, rss(STORY_B), transport="push", origin="push")  # in progress
    results = inbox.process_pending(WriteDesk())
    assert [result.line() for result in results] == [
        f"payload {orphan.pk} [Test Wire, push]: parsed: 1 new, 0 updated, 0 unchanged"]
    assert RawPayload.objects.get(pk=mine.pk).outcome == "received"
    assert inbox.process_pending(WriteDesk()) == []


def test_a_payload_that_crashes_processing_is_quarantined_not_retried_forever(
        source: Source, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = unprocessed(source, rss(STORY_A))

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("wiredesk.newsroom.transports.inbox.process_payload", crash)
    [result] = inbox.process_pending(WriteDesk())
    assert result.line() == (f"payload {payload.pk} [Test Wire, push]: failed: "
                             "internal error while processing: disk on fire")
    payload.refresh_from_db()
    assert (payload.outcome, payload.error) == ("failed",
                                                "internal error while processing: disk on fire")
    assert inbox.process_pending(WriteDesk()) == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_recovers_unprocessed_payloads_when_it_starts(source: Source) -> None:
    payload = unprocessed(source, rss(STORY_A))
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(stop,), kwargs={"threads": 1, "tick": 0.1})
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while RawPayload.objects.get(pk=payload.pk).outcome == "received":
            assert time.monotonic() < deadline, "the worker did not recover the payload"
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(timeout=20)
    assert RawPayload.objects.get(pk=payload.pk).outcome == "parsed"
    assert Story.objects.get().headline == STORY_A.title
