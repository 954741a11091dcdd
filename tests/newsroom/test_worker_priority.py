"""Recovery first (issue 14, point 4): the worker's enrichment and picture jobs start after its
first recovery pass and give way to every later one, so a backlog a crash left is applied at
full speed. Real threads and, for the enrichment loop, the real database and enricher."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from tests.support.processes import dead_holder
from wiredesk.enrich.pipeline import Enricher
from wiredesk.newsroom.models import Enrichment, RawPayload, Story
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.workers.enrichment import run_enricher
from wiredesk.newsroom.workers.pictures import run_pictures
from wiredesk.newsroom.workers.priority import Recovering
from wiredesk.newsroom.workers.scheduler import run_recovery
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import Entry, paragraphs, rss

STORIES = [
    ("Port workers strike in Lisbon",
     "LISBON, Nov 27 (Test Wire) - Dock workers at the port of Lisbon stopped work on Friday, "
     "the union said, as talks with the port authority broke down.",
     "Union leader Rui Tavares said 1,200 jobs were at risk."),
    ("Kenya's central bank holds rates",
     "NAIROBI, Nov 27 (Test Wire) - The Central Bank of Kenya kept its main lending rate at "
     "10.5% on Thursday, citing easing inflation and a stable shilling.",
     "Governor Kamau Thugge told reporters the bank would watch food prices closely."),
    ("Typhoon forces evacuations in the Philippines",
     "MANILA, Nov 27 (Test Wire) - More than 40,000 people left their homes in the northern "
     "Philippines on Friday as a typhoon approached the island of Luzon.",
     "The disaster agency said schools in six provinces would stay closed on Monday."),
]
WAIT = 30.0  # seconds a thread may take to do what the test waits for (a loaded machine)


def waiter(priority: Recovering, stop: threading.Event) -> tuple[threading.Thread, list[bool]]:
    answers: list[bool] = []
    thread = threading.Thread(target=lambda: answers.append(priority.give_way(stop)),
                              daemon=True)
    thread.start()
    return thread, answers


def eventually(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_secondary_jobs_wait_for_the_first_recovery_pass() -> None:
    priority, stop = Recovering(), threading.Event()
    thread, answers = waiter(priority, stop)
    thread.join(0.5)
    assert thread.is_alive() and answers == []  # no pass yet: nothing is known to be left
    with priority.recovering():
        pass
    thread.join(WAIT)
    assert answers == [True]


def test_they_give_way_while_any_recovery_pass_is_under_way() -> None:
    priority, stop = Recovering(), threading.Event()
    with priority.recovering():
        pass
    assert priority.give_way(stop)  # the first pass is over and none is under way
    first, second = priority.recovering(), priority.recovering()  # two recovery threads
    first.__enter__()
    second.__enter__()
    thread, answers = waiter(priority, stop)
    first.__exit__(None, None, None)
    thread.join(0.5)
    assert thread.is_alive() and answers == []  # the other pass is still under way
    second.__exit__(None, None, None)
    thread.join(WAIT)
    assert answers == [True]


def test_a_stop_ends_the_wait() -> None:
    priority, stop = Recovering(), threading.Event()
    thread, answers = waiter(priority, stop)
    stop.set()
    thread.join(WAIT)
    assert answers == [False]


def test_the_picture_job_waits_and_stops_without_a_pass() -> None:
    priority, stop = Recovering(), threading.Event()
    thread = threading.Thread(target=run_pictures, args=(stop,),
                              kwargs={"tick": 0.05, "priority": priority}, daemon=True)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()
    stop.set()
    thread.join(WAIT)
    assert not thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_stories_a_backlog_publishes_are_enriched_once_it_is_recovered(
        enricher: Enricher) -> None:
    """The enrichment loop runs beside the recovery thread, as in the worker: it enriches
    nothing before the backlog has been recovered, then the stories the backlog published."""
    source = local_source("Test Wire")
    for number, (headline, first, second) in enumerate(STORIES):
        body = rss(Entry(f"p-{number}", headline, paragraphs(first, second)))
        payload = inbox.store(source, body, transport="push", origin="push")
        RawPayload.objects.filter(pk=payload.pk).update(claimed_by=dead_holder())
    priority, stop = Recovering(), threading.Event()
    enriching = threading.Thread(target=run_enricher, args=(stop,), daemon=True,
                                 kwargs={"tick": 0.05, "enricher": enricher,
                                         "priority": priority})
    enriching.start()
    held = priority.recovering()
    held.__enter__()  # a recovery pass under way (the recovery thread below is its second)
    recovering = threading.Thread(target=run_recovery, args=(WriteDesk(), stop), daemon=True,
                                  kwargs={"tick": 0.05, "priority": priority})
    try:
        recovering.start()
        assert eventually(lambda: Story.objects.filter(status="published",
                                                       merged_into=None).count() == 3)
        time.sleep(3)  # time enough for an enrichment pass, were one allowed (~0.1 s a story)
        assert not Enrichment.objects.exists()
        held.__exit__(None, None, None)
        assert eventually(lambda: Enrichment.objects.count() == 3)
    finally:
        stop.set()
        enriching.join(WAIT)
        recovering.join(WAIT)
    assert not enriching.is_alive() and not recovering.is_alive()
