"""Applying the payloads a worker's ingest threads fetched, several in one session of the desk.

Deciding and writing is serialised: a worker's threads share one write desk and take turns on
it, and on PostgreSQL every worker takes the desk's advisory lock for the whole session (see
:mod:`wiredesk.newsroom.write.duplicates`). Each session also has fixed costs -- taking the lock,
catching the duplicate and cluster state up, publishing, committing -- that, for the usual
changed feed with one or two new items, outweigh the items themselves. One session per payload
therefore caps the whole desk at one changed feed per session length, however many workers
poll.

So the threads combine: a thread with a payload to apply prepares it (parses it, gates and
fingerprints its items: :func:`wiredesk.newsroom.transports.ingest.prepare_payloads`) and queues
it; the thread whose turn it is applies everything queued in one session
(:func:`wiredesk.newsroom.transports.inbox.process_together`, the same decisions as one payload
after another), and every waiting thread takes its own result. When the desk is busy the
sessions grow with the queue, so the lock is held once for many payloads instead of once for
each; and as the preparing is done by each payload's own thread, not in its turn, the next
payloads are prepared while a session waits on the database. (Prepared in its turn, half a
worker's applying time in the feed farm went to payloads applied alone, each paying its own
preparation and a whole session: the threads of a batch came back from their next fetches at
nearly the same time, and the first back found the queue empty.)
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from wiredesk.core.errors import ParseError
from wiredesk.newsroom.models import RawPayload
from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.transports.ingest import (
    IngestReport,
    Prepared,
    prepare_payloads,
    process_payload,
)
from wiredesk.newsroom.write.desk import WriteDesk

log = logging.getLogger(__name__)

# Most payloads applied in one session: a session's transaction and lock stay short.
MOST = 20
# Longest a thread whose turn it is waits for payloads other threads are still preparing, so
# they join its session instead of paying one of their own (see Applier.apply): about two
# payloads' preparation, less than a session's fixed costs (~60 ms in the feed farm).
GATHER = 0.05


@dataclass(slots=True)
class _Waiting:
    payload: RawPayload
    prepared: Prepared | None = None  # None: processed alone, from the start
    done: threading.Event = field(default_factory=threading.Event)
    report: IngestReport | None = None
    error: BaseException | None = None


class Applier:
    """Applies payloads for the threads of one worker, combining those that wait together."""

    def __init__(self, most: int = MOST, gather: float = GATHER) -> None:
        self.most, self.gather = most, gather
        self.sessions = 0  # sessions run, and payloads applied in them (for the benchmark)
        self.applied = 0
        self._queue: list[_Waiting] = []
        self._queue_lock = threading.Lock()
        self._queued = threading.Condition(self._queue_lock)  # a payload joined the queue
        self._turn = threading.Lock()  # held by the thread applying a batch
        self._waiting = 0
        self._preparing = 0  # threads preparing a payload, about to queue it

    @property
    def waiting(self) -> int:
        """Payloads handed in and not yet applied."""
        return self._waiting

    def apply(self, desk: WriteDesk, payload: RawPayload) -> IngestReport:
        """Apply ``payload`` with ``desk`` (alone or with others queued meanwhile); returns its
        report, or raises ParseError when it could not be read (it is then quarantined)."""
        with self._queue_lock:
            self._preparing += 1
        try:
            mine = _Waiting(payload, self._prepare(desk, payload))
        except BaseException:
            with self._queue_lock:
                self._preparing -= 1
                self._queued.notify_all()
            raise
        # Done preparing and queued in one step: a thread gathering (see _take) never sees
        # this payload as neither preparing nor queued.
        with self._queue_lock:
            self._preparing -= 1
            self._queue.append(mine)
            self._waiting += 1
            self._queued.notify_all()
        while not mine.done.is_set():
            with self._turn:
                if mine.done.is_set():
                    break
                batch = self._take()
                try:
                    self._run(desk, batch)
                finally:  # whatever stopped this thread, no waiter waits for ever
                    for waiting in batch:
                        if not waiting.done.is_set():
                            waiting.error = RuntimeError("not applied: the applying thread "
                                                         "stopped")
                            waiting.done.set()
        with self._queue_lock:
            self._waiting -= 1
        if mine.error is not None:
            raise mine.error
        assert mine.report is not None
        return mine.report

    def _take(self) -> list[_Waiting]:
        """The next batch: what is queued, after waiting up to :attr:`gather` seconds for the
        payloads other threads are still preparing. Without the wait, the threads of one batch,
        coming back from their next fetches at about the same time, left the first one back to
        a session of its own (half the sessions in the feed farm held one payload, the other half
        five), paying a session's fixed costs for one payload."""
        with self._queue_lock:
            deadline = time.monotonic() + self.gather
            while (self._preparing and len(self._queue) < self.most
                   and (left := deadline - time.monotonic()) > 0):
                self._queued.wait(left)
            batch, self._queue = self._queue[:self.most], self._queue[self.most:]
        return batch

    @staticmethod
    def _prepare(desk: WriteDesk, payload: RawPayload) -> Prepared | None:
        """The payload prepared for :meth:`_together`, in the calling thread; None for one to
        be processed alone: read from another address than its source's (a temporary redirect's
        target: prepare_payloads reads relative links against the source's own address, as a
        lone payload is read against where it came from), or whose preparing failed (it is
        then processed alone, from the start, and fails or succeeds there on its own)."""
        if payload.origin != payload.source.url:
            return None
        try:
            return prepare_payloads(desk, [payload])
        except Exception:
            log.warning("preparing payload %s failed; processing it alone", payload.pk,
                        exc_info=True)
            return None

    def _run(self, desk: WriteDesk, batch: list[_Waiting]) -> None:
        together = [waiting for waiting in batch if waiting.prepared is not None]
        for waiting in batch:
            if waiting not in together:
                self._alone(desk, waiting)
        if together:
            self._together(desk, together)

    def _alone(self, desk: WriteDesk, waiting: _Waiting) -> None:
        """The ordinary session: a ParseError or any other error goes back to its thread."""
        try:
            waiting.report = process_payload(desk, waiting.payload)
        except Exception as exc:
            waiting.error = exc
        self.sessions += 1
        self.applied += 1
        waiting.done.set()

    def _together(self, desk: WriteDesk, batch: list[_Waiting]) -> None:
        """One session; a payload that cannot be read, or breaks the session, is quarantined
        alone (see process_together) and its thread told why."""
        try:
            results = inbox.process_together(
                desk, [waiting.payload for waiting in batch],
                [waiting.prepared for waiting in batch if waiting.prepared is not None])
        except Exception as exc:  # e.g. the database went away: every waiter learns it
            for waiting in batch:
                waiting.error = exc
                waiting.done.set()
            return
        self.sessions += 1
        self.applied += len(batch)
        for waiting, processed in zip(batch, results, strict=True):
            if processed.report is None:
                waiting.error = ParseError(processed.error)
            else:
                waiting.report = processed.report
            waiting.done.set()
