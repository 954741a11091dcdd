"""Many workers on PostgreSQL (issue 11, point 7): the same story reaching two workers through two
feeds at the same moment is published once.

Each test runs real sessions of the write desk on connections of their own (threads, as worker
processes would), the two copies arriving together, many times over; one makes both sessions
decide before either commits, and the last shows that the race is real: without the desk's
lock (:mod:`wiredesk.newsroom.write.duplicates`) the story is published twice. Any finer locking
must keep the first two passing.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from tests.newsroom.feeds import Entry, paragraphs, rss
from tests.support.factories import make_source
from wiredesk.dedupe import Decision
from wiredesk.newsroom.models import Section, Source, Story
from wiredesk.newsroom.transports.ingest import IngestReport, process_payload, store_payload
from wiredesk.newsroom.write.clustering import DOCUMENTS, TERMS
from wiredesk.newsroom.write.desk import WriteDesk
from wiredesk.newsroom.write.deskstate import DeskCounter
from wiredesk.newsroom.write.duplicates import DuplicateDesk

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'",
                       reason="SQLite has one writer: its sessions never overlap"),
]

VOCABULARY = (
    "council harbour minister river budget school railway hospital election court farmers "
    "bridge storm police museum factory union airport village market bank festival drought "
    "energy mayor vaccine parliament league border reservoir tunnel orchestra senator wildfire "
    "pension tariff refinery glacier satellite archive ferry cathedral vineyard stadium "
    "inquiry treaty nurses miners students pilots judges traders fishermen engineers "
    "approved rejected delayed opened closed reported announced warned promised extended "
    "cancelled doubled halved restored expanded suspended criticised praised investigated "
    "northern southern coastal rural central eastern western regional national local"
)
WORDS = VOCABULARY.split()


def story_text(seed: int) -> tuple[str, str]:
    """A headline and body of their own for each seed: no two seeds' texts are near copies."""
    rng = random.Random(seed)

    def sentence() -> str:
        words = [rng.choice(WORDS) for _ in range(rng.randint(14, 20))]
        return f"The {' '.join(words)} on {rng.choice(['Monday', 'Tuesday', 'Friday'])}."

    headline = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize()
    return headline, paragraphs(*(" ".join(sentence() for _ in range(3)) for _ in range(4)))


@pytest.fixture
def wires(section: Section) -> tuple[Source, Source]:
    return (make_source("North Wire", slug="north-wire", section=section),
            make_source("South Wire", slug="south-wire", section=section))


def run_together(*jobs: Callable[[], None]) -> None:
    """Run each job in a thread of its own, on a connection of its own; re-raise an error."""
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a session never finished"
    if errors:
        raise errors[0]


def same_story_twice(wires: tuple[Source, Source], seed: int) -> list[IngestReport]:
    """The story of ``seed`` through both sources at the same moment, each ingested by a desk of
    its own (a worker process's) on its own connection; returns both reports."""
    headline, body = story_text(seed)
    payloads = [store_payload(source, rss(Entry(f"{source.slug}-{seed}", headline, body),
                                          title=source.name), origin="test")
                for source in wires]
    start = threading.Barrier(len(payloads))
    reports: list[IngestReport] = []

    def ingest(n: int) -> Callable[[], None]:
        def job() -> None:
            start.wait(timeout=30)
            reports.append(process_payload(WriteDesk(), payloads[n]))
        return job

    run_together(*(ingest(n) for n in range(len(payloads))))
    return reports


def shown(seed: int) -> list[Story]:
    """The seed's stories shown on their own (not merged into another)."""
    return list(Story.objects.filter(external_id__endswith=f"-{seed}", merged_into__isnull=True))


@pytest.fixture
def deciding_slowly(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every duplicate decision waits (up to a second) for the other session's, after its
    lookup and before its session writes anything: two sessions that are not kept apart then
    both decide before either commits -- the worst moment for the guarantee."""
    check = DuplicateDesk.check
    both_decided = threading.Barrier(2)

    def check_slowly(self: DuplicateDesk, source: Source, doc: Any) -> Decision:
        decision = check(self, source, doc)
        # Broken: the other session waits for this one to commit, and decides after it.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_decided.wait(timeout=1.0)
        return decision

    monkeypatch.setattr(DuplicateDesk, "check", check_slowly)
    yield


def test_the_same_story_through_two_feeds_at_once_is_one_story_every_time(
        wires: tuple[Source, Source]) -> None:
    """Thirty stories, each through both sources at the same moment: each is shown once, the
    other copy merged into it; and the clusterer counted every story shown exactly once (no
    session overwrote another's counts)."""
    for seed in range(30):
        reports = same_story_twice(wires, seed)
        assert sorted((r.new, r.merged) for r in reports) == [(0, 1), (1, 0)], seed
        [story] = shown(seed)
        assert Story.objects.filter(merged_into=story).count() == 1
    documents = DeskCounter.objects.get(name=DOCUMENTS[TERMS]).value
    assert documents == Story.objects.filter(merged_into__isnull=True).count() == 30


def test_a_session_deciding_on_the_same_story_waits_for_the_others_commit(
        wires: tuple[Source, Source], deciding_slowly: None) -> None:
    """Both sessions would decide before either commits; the second waits for the first's
    commit and then finds its version."""
    for seed in range(3):
        reports = same_story_twice(wires, seed)
        assert sorted((r.new, r.merged) for r in reports) == [(0, 1), (1, 0)]
        assert len(shown(seed)) == 1


def test_without_the_desks_lock_the_same_story_is_published_twice(
        wires: tuple[Source, Source], deciding_slowly: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests above are a real race: with the advisory lock's statement taken out of each
    session's start, the two sessions decide at once, neither sees the other's story, and both
    publish it."""
    sync = DuplicateDesk.sync

    def without_lock(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                     context: Any) -> Any:
        if "pg_advisory_xact_lock" in sql:
            return execute("SELECT 1", None, many, context)
        return execute(sql, params, many, context)

    def sync_unlocked(self: DuplicateDesk) -> None:
        with connection.execute_wrapper(without_lock):
            sync(self)

    monkeypatch.setattr(DuplicateDesk, "sync", sync_unlocked)
    reports = same_story_twice(wires, 7)
    assert sorted((r.new, r.merged) for r in reports) == [(1, 0), (1, 0)]
    assert len(shown(7)) == 2
