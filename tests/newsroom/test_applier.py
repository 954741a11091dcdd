"""A worker's threads apply the payloads they fetched together when the desk is busy: one
session for everything queued meanwhile, each thread getting its own payload's report -- or its
own ParseError -- as if it had been applied alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection

from wiredesk.core.errors import ParseError
from wiredesk.newsroom.models import RawPayload, Source, Story
from wiredesk.newsroom.sources import add_source
from wiredesk.newsroom.transports.ingest import IngestReport, store_payload
from wiredesk.newsroom.workers.applier import Applier
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import Entry, paragraphs, rss

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = ["harbour", "council", "budget", "river", "bridge", "farmers", "market", "school",
         "hospital", "railway", "station", "minister", "court", "storm", "village", "factory"]


def story(number: int) -> Entry:
    """Stories that share no wording, so none is taken for another's duplicate."""
    words = WORDS[number:] + WORDS[:number]
    return Entry(f"a-{number}", f"The {words[0]} and the {words[1]} in report {number}",
                 paragraphs(f"The {words[2]} {words[3]} {words[4]} {words[5]} opened today.",
                            f"Officials said the {words[6]} {words[7]} {words[8]} would follow."))


def fed(number: int, body: bytes) -> RawPayload:
    source = add_source(f"http://127.0.0.1:9/feed{number}.xml", name=f"Feed {number}")
    return store_payload(source, body, origin=source.url, content_type="application/rss+xml")


def apply_in_threads(applier: Applier, desk: WriteDesk, payloads: list[RawPayload],
                     held: Callable[[], None] | None = None
                     ) -> dict[int, IngestReport | BaseException]:
    """Each payload applied from a thread of its own, all queued while the desk is held, as
    ingest threads queue while another one's session runs; ``held`` is called once all have
    queued, the desk still held."""
    results: dict[int, IngestReport | BaseException] = {}

    def run(payload: RawPayload) -> None:
        try:
            results[payload.pk] = applier.apply(desk, payload)
        except BaseException as exc:
            results[payload.pk] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(payload,)) for payload in payloads]
    with desk.session():  # the desk is busy: every thread queues behind it
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while applier.waiting < len(payloads):
            assert time.monotonic() < deadline, "the threads did not queue"
            time.sleep(0.01)
        if held is not None:
            held()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_payloads_queued_meanwhile_are_applied_in_one_session() -> None:
    payloads = [fed(n, rss(story(n))) for n in range(4)]
    applier = Applier()
    results = apply_in_threads(applier, WriteDesk(), payloads)
    assert all(isinstance(report, IngestReport) and (report.new, report.items) == (1, 1)
               for report in results.values()), results
    # What the first thread to take its turn found queued (at least its own payload), then
    # everything queued behind it, together.
    assert applier.sessions in (1, 2) and applier.applied == 4
    assert Story.objects.count() == 4
    assert {Story.objects.get(source=p.source_id).external_id for p in payloads} == {
        f"a-{n}" for n in range(4)}
    assert set(RawPayload.objects.values_list("outcome", flat=True)) == {"parsed"}


def test_a_payload_that_cannot_be_read_fails_alone() -> None:
    error_page = b"<html><head><title>Proxy Error</title></head><body>502</body></html>"
    payloads = [fed(0, rss(story(0))), fed(1, rss(story(1))), fed(2, error_page),
                fed(3, rss(story(3)))]
    results = apply_in_threads(Applier(), WriteDesk(), payloads)
    bad = payloads[2]
    assert isinstance(results[bad.pk], ParseError)
    assert all(isinstance(results[p.pk], IngestReport) and results[p.pk].new == 1  # type: ignore[union-attr]
               for p in payloads if p is not bad)
    assert RawPayload.objects.get(pk=bad.pk).outcome == RawPayload.Outcome.FAILED
    assert Story.objects.count() == 3
    assert not Source.objects.filter(pk=bad.source_id, stories__isnull=False).exists()


def test_each_payload_is_prepared_by_its_own_thread_while_the_desk_is_busy(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing, gating and fingerprinting do not wait for the desk: done by the thread that
    fetched the payload, they overlap the session in progress."""
    from wiredesk.newsroom.workers import applier as applier_module

    prepared: list[tuple[int, list[int]]] = []
    real = applier_module.prepare_payloads

    def spy(desk: WriteDesk, payloads: list[RawPayload]) -> object:
        prepared.append((threading.get_ident(), [payload.pk for payload in payloads]))
        return real(desk, payloads)

    monkeypatch.setattr(applier_module, "prepare_payloads", spy)
    payloads = [fed(n, rss(story(n))) for n in range(3)]
    during: list[tuple[int, list[int]]] = []
    results = apply_in_threads(Applier(), WriteDesk(), payloads,
                               held=lambda: during.extend(prepared))
    assert sorted(pk for _, pks in during for pk in pks) == sorted(p.pk for p in payloads)
    assert len({thread for thread, _ in prepared}) == 3  # one payload each, in its own thread
    assert all(isinstance(report, IngestReport) and report.new == 1
               for report in results.values()), results
    assert Story.objects.count() == 3


def test_the_thread_whose_turn_it_is_waits_for_a_payload_still_being_prepared(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A payload another thread is preparing joins the session instead of having one of its own
    (up to Applier.gather seconds of waiting)."""
    from wiredesk.newsroom.workers import applier as applier_module

    slow, fast = fed(0, rss(story(0))), fed(1, rss(story(1)))
    started = threading.Event()
    real = applier_module.prepare_payloads

    def prepare(desk: WriteDesk, payloads: list[RawPayload]) -> object:
        if payloads[0].pk == slow.pk:
            started.set()
            time.sleep(0.5)  # still preparing when the other thread takes its turn
        return real(desk, payloads)

    monkeypatch.setattr(applier_module, "prepare_payloads", prepare)
    applier, desk = Applier(gather=10.0), WriteDesk()
    results: dict[int, object] = {}

    def run(payload: RawPayload) -> None:
        try:
            results[payload.pk] = applier.apply(desk, payload)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=(slow,))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=run, args=(fast,))
    second.start()
    for thread in (first, second):
        thread.join(timeout=60)
    assert all(isinstance(report, IngestReport) and report.new == 1
               for report in results.values()) and len(results) == 2, results
    assert (applier.sessions, applier.applied) == (1, 2)
