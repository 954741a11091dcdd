"""Recovery after a crash: leases renewed while a process lives and released when it stops, a
dead process's sources and payloads taken over at once (same machine) or when its leases expire
(another machine), and a backlog of unprocessed payloads processed in one go, by any process."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.support.processes import dead_holder, zombie_holder
from wiredesk.ingest.pipeline import Batch
from wiredesk.newsroom.models import RawPayload, Source, Story
from wiredesk.newsroom.sources import add_source, local_source
from wiredesk.newsroom.transports import inbox, ingest
from wiredesk.newsroom.transports.ingest import IngestReport
from wiredesk.newsroom.workers import leases
from wiredesk.newsroom.workers.scheduler import claim
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import STORY_A, Entry, paragraphs, rss

pytestmark = pytest.mark.django_db

# A process on another machine: its PID cannot be checked from here, only its lease's expiry.
ELSEWHERE = "other-host|0badb007|4026531836|4242|cafe0001"


def story(number: int) -> Entry:
    return Entry(f"r-{number}", f"Recovered story number {number}",
                 paragraphs(f"Paragraph one of recovered story {number}.", "And a second one."))


def stored_by(holder: str, body: bytes, *, until: timedelta | None = timedelta(seconds=20),
              source: Source | None = None) -> RawPayload:
    """A payload stored, not yet processed, by ``holder`` whose claim ends ``until`` from now."""
    payload = inbox.store(source or local_source("Test Wire"), body, transport="push",
                          origin="push")
    RawPayload.objects.filter(pk=payload.pk).update(
        claimed_by=holder, claim_until=None if until is None else timezone.now() + until)
    return payload


def outcome(payload: RawPayload) -> str:
    return str(RawPayload.objects.get(pk=payload.pk).outcome)


def test_a_backlog_left_by_a_dead_process_is_processed_in_one_go() -> None:
    payloads = [stored_by(dead_holder(), rss(story(n))) for n in range(130)]
    assert inbox.recover(WriteDesk()) == 130
    assert {outcome(p) for p in payloads} == {"parsed"}
    assert Story.objects.count() == 130
    assert inbox.recover(WriteDesk()) == 0


def test_a_pass_starts_with_a_short_step_then_takes_full_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox, "RECOVER_FIRST_STEP", 3)
    monkeypatch.setattr(inbox, "RECOVER_BATCH", 5)
    steps: list[int] = []
    take = inbox.claim_orphans

    def counted(limit: int = inbox.RECOVER_BATCH, **kwargs: Any) -> list[RawPayload]:
        claimed = take(limit, **kwargs)
        steps.append(len(claimed))
        return claimed

    monkeypatch.setattr(inbox, "claim_orphans", counted)
    for n in range(12):
        stored_by(dead_holder(), rss(story(n)))
    assert inbox.recover(WriteDesk()) == 12
    assert steps == [3, 5, 4, 0]
    steps.clear()
    stored_by(dead_holder(), rss(story(99)))
    assert inbox.recover(WriteDesk()) == 1 and steps == [1, 0]  # each pass starts short


def test_a_process_prepares_one_backlog_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[bool] = []
    prepare = ingest.prepare_backlog

    def watched(*args: Any, **kwargs: Any) -> Any:
        held.append(ingest._preparing.locked())
        return prepare(*args, **kwargs)

    monkeypatch.setattr(ingest, "prepare_backlog", watched)
    for n in range(3):
        stored_by(dead_holder(), rss(story(n)))
    assert inbox.recover(WriteDesk()) == 3
    assert held == [True] and not ingest._preparing.locked()


def test_a_backlog_in_one_session_takes_the_decisions_of_one_payload_after_another() -> None:
    """Versions of one story, a re-send under a new id and an unreadable payload, recovered
    together: what one session per payload would have done, in the same order."""
    source = local_source("Test Wire")
    first = story(1)
    second = Entry(first.guid, "Recovered story number 1, updated",
                   paragraphs("Paragraph one of recovered story 1, now longer and updated.",
                              "And a second one."))
    resent = Entry("r-1-again", first.title, first.body)
    bodies = [rss(first), b"this is not a feed", rss(second), rss(resent), rss(story(2))]
    payloads = [stored_by(dead_holder(), body, source=source) for body in bodies]
    results = inbox.process_pending(WriteDesk())
    assert [r.payload.pk for r in results] == [p.pk for p in payloads]
    assert [outcome(p) for p in payloads] == ["parsed", "failed", "parsed", "parsed", "parsed"]
    assert [r.report.summary() if r.report else "failed" for r in results] == [
        "1 new, 0 updated, 0 unchanged", "failed", "0 new, 1 updated, 0 unchanged",
        "0 new, 0 updated, 0 unchanged, 1 merged as duplicates", "1 new, 0 updated, 0 unchanged"]
    # As one payload after the other: the re-sent first text, merged in last, is current again.
    assert Story.objects.get(external_id=first.guid).headline == first.title


def test_a_payload_that_breaks_a_backlog_session_is_quarantined_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    payloads = [stored_by(dead_holder(), rss(story(n))) for n in range(3)]
    real = ingest._settle

    def broken_second(payload: RawPayload, batch: Batch, report: IngestReport) -> None:
        if payload.pk == payloads[1].pk:
            raise RuntimeError("disk on fire")
        real(payload, batch, report)

    monkeypatch.setattr(ingest, "_settle", broken_second)
    inbox.process_pending(WriteDesk())
    assert [outcome(p) for p in payloads] == ["parsed", "failed", "parsed"]
    # Applied once each: the step's session was rolled back before they were applied alone.
    assert sorted(Story.objects.values_list("external_id", flat=True)) == ["r-0", "r-1", "r-2"]


def test_a_live_process_keeps_its_payloads() -> None:
    mine = inbox.store(local_source("Test Wire"), rss(story(1)), transport="push", origin="push")
    assert mine.claimed_by == leases.holder()
    elsewhere = stored_by(ELSEWHERE, rss(story(2)))
    assert inbox.recover(WriteDesk()) == 0
    assert (outcome(mine), outcome(elsewhere)) == ("received", "received")


def test_another_machines_payloads_are_taken_when_its_claim_expires() -> None:
    expired = stored_by(ELSEWHERE, rss(story(1)), until=-timedelta(seconds=1))
    unclaimed = stored_by("", rss(story(2)), until=None)  # stored before claims existed
    assert inbox.recover(WriteDesk()) == 2
    assert (outcome(expired), outcome(unclaimed)) == ("parsed", "parsed")


@pytest.mark.django_db(transaction=True)
def test_a_payload_taken_over_is_not_processed_again_by_its_first_process() -> None:
    payload = stored_by(ELSEWHERE, rss(STORY_A))
    in_background(payload)  # the queued job of this process, which stored it first
    assert outcome(payload) == "received"  # another process has taken it over meanwhile
    RawPayload.objects.filter(pk=payload.pk).update(claimed_by=leases.holder())
    in_background(payload)
    assert outcome(payload) == "parsed"


def in_background(payload: RawPayload) -> None:
    """Run the push inbox's background job for ``payload`` in a thread, as the pool does."""
    thread = threading.Thread(target=inbox.Background(WriteDesk()).process,
                              args=(payload.pk,))
    thread.start()
    thread.join(timeout=30)


def test_import_processes_what_a_stopped_process_left_before_its_files(tmp_path: Path) -> None:
    orphans = [stored_by(dead_holder(), rss(story(n))) for n in range(3)]
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(STORY_A))
    out = StringIO()
    call_command("import_files", str(feed), stdout=out)
    assert out.getvalue().splitlines()[0] == (
        "3 payloads left unprocessed by a stopped process were processed first.")
    assert {outcome(p) for p in orphans} == {"parsed"}
    assert Story.objects.count() == 4


def test_a_dead_workers_source_is_claimed_at_once_a_live_ones_never() -> None:
    source = add_source("https://a.example/feed", name="A")
    assert [s.pk for s in claim(10)] == [source.pk]
    assert Source.objects.get(pk=source.pk).lease_holder == leases.holder()
    assert claim(10) == []  # held by this live process
    Source.objects.filter(pk=source.pk).update(lease_holder=ELSEWHERE)
    assert claim(10) == []  # another machine's live lease
    Source.objects.filter(pk=source.pk).update(lease_holder=dead_holder())
    assert [s.pk for s in claim(10)] == [source.pk]  # its holder is dead: no need to wait


def test_renewal_keeps_a_long_poll_from_being_claimed_again() -> None:
    source = add_source("https://a.example/feed", name="A")
    claim(10)
    first = Source.objects.get(pk=source.pk).lease_until
    assert first is not None and first - timezone.now() <= leases.LEASE
    # Work still in progress well past the first lease: renewals push the lease on.
    later = timezone.now() + 3 * leases.LEASE
    leases.renew(now=later)
    renewed = Source.objects.get(pk=source.pk).lease_until
    assert renewed == later + leases.LEASE
    Source.objects.filter(pk=source.pk).update(lease_holder=ELSEWHERE)
    assert claim(10) == []


def test_a_clean_exit_releases_sources_and_payloads() -> None:
    source = add_source("https://a.example/feed", name="A")
    with leases.kept():
        claim(10)
        payload = inbox.store(local_source("Test Wire"), rss(STORY_A), transport="push",
                              origin="push")
    released = Source.objects.get(pk=source.pk)
    assert (released.lease_until, released.lease_holder) == (None, "")
    assert RawPayload.objects.get(pk=payload.pk).claim_until is None
    assert [s.pk for s in claim(10)] == [source.pk]
    assert inbox.recover(WriteDesk()) == 1


def test_a_process_name_says_what_can_be_checked() -> None:
    assert not leases.is_dead(leases.holder())
    assert leases.is_dead(dead_holder())
    assert not leases.is_dead(ELSEWHERE)
    assert not leases.is_dead("")
    assert not leases.is_dead("nonsense")


def test_a_process_that_ended_unreaped_is_dead() -> None:
    """A zombie answers kill(pid, 0) like a live process: a web process killed with its server
    stays one while nobody waits for it, and its payloads must not wait for their claims."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    name = zombie_holder(child)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
        assert time.monotonic() < deadline, "the child did not end"
        time.sleep(0.01)
    try:
        assert leases.is_dead(name)
        payload = stored_by(name, rss(story(1)))
        assert inbox.recover(WriteDesk()) == 1 and outcome(payload) == "parsed"
    finally:
        child.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert not leases.is_dead(zombie_holder(running))
    finally:
        running.kill()
        running.wait()



@pytest.mark.django_db(transaction=True)
def test_the_keeper_thread_renews_while_the_process_lives() -> None:
    source = add_source("https://a.example/feed", name="A")
    claim(10)
    soon = timezone.now() + timedelta(seconds=1)
    Source.objects.filter(pk=source.pk).update(lease_until=soon)
    keeper = leases.Keeper(every=0.05).start()
    try:
        deadline = time.monotonic() + 10
        while Source.objects.get(pk=source.pk).lease_until == soon:
            assert time.monotonic() < deadline, "the lease was not renewed"
            time.sleep(0.05)
        lease_until = Source.objects.get(pk=source.pk).lease_until
        assert lease_until is not None and lease_until > soon
    finally:
        keeper.stop()
    assert Source.objects.get(pk=source.pk).lease_until is None  # released on stopping


@pytest.mark.django_db(transaction=True)
def test_two_processes_recovering_at_once_take_each_payload_once() -> None:
    payloads = [stored_by(dead_holder(), rss(story(n))) for n in range(60)]
    taken: list[list[int]] = [[], []]

    def recover_into(bucket: list[int]) -> None:
        try:
            while step := inbox.claim_orphans(7):
                bucket.extend(p.pk for p in step)
                for payload in step:
                    inbox.process(WriteDesk(), payload)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=recover_into, args=(bucket,)) for bucket in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(taken[0] + taken[1]) == sorted(p.pk for p in payloads)
    assert {outcome(p) for p in payloads} == {"parsed"}
