"""Applying the payloads a worker's ingest threads fetched, several in one session of the desk.

Deciding and writing is serialised: a worker's threads share one write desk and take turns on
it, and on PostgreSQL every worker takes the desk's advisory lock for the whole session (see
:mod:`wiredesk.newsroom.write.duplicates`). Each session also has fixed costs -- taking the lock,
catching the duplicate and cluster state up, publishing, committing -- that, for the usual
changed feed with one or two new items, outweigh the items themselves. One session per payload
therefore caps the whole desk at one changed feed per session length, however many workers
poll.

So the threads combine: a thread with a payload to apply queues it; the thread whose turn it is
applies everything queued in one session
(:func:`wiredesk.newsroom.transports.inbox.process_together`, the same decisions as one payload
after another), and every waiting thread takes its own result.
With one payload waiting it is the ordinary session; when the desk is busy the sessions grow
with the queue, so the lock is held once for many payloads instead of once for each.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from wiredesk.core.errors import ParseError
from wiredesk.newsroom.models import RawPayload
from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.transports.ingest import IngestReport, process_payload
from wiredesk.newsroom.write.desk import WriteDesk

# Most payloads applied in one session: a session's transaction and lock stay short.
MOST = 20


@dataclass(slots=True)
class _Waiting:
    payload: RawPayload
    done: threading.Event = field(default_factory=threading.Event)
    report: IngestReport | None = None
    error: BaseException | None = None


class Applier:
    """Applies payloads for the threads of one worker, combining those that wait together."""

    def __init__(self, most: int = MOST) -> None:
        self.most = most
        self.sessions = 0  # sessions run, and payloads applied in them (for the benchmark)
        self.applied = 0
        self._queue: list[_Waiting] = []
        self._queue_lock = threading.Lock()
        self._turn = threading.Lock()  # held by the thread applying a batch
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """Payloads handed in and not yet applied."""
        return self._waiting

    def apply(self, desk: WriteDesk, payload: RawPayload) -> IngestReport:
        """Apply ``payload`` with ``desk`` (alone or with others queued meanwhile); returns its
        report, or raises ParseError when it could not be read (it is then quarantined)."""
        mine = _Waiting(payload)
        with self._queue_lock:
            self._queue.append(mine)
            self._waiting += 1
        while not mine.done.is_set():
            with self._turn:
                if mine.done.is_set():
                    break
                with self._queue_lock:
                    batch, self._queue = self._queue[:self.most], self._queue[self.most:]
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

    def _run(self, desk: WriteDesk, batch: list[_Waiting]) -> None:
        # Together only the payloads read from their source's own address: process_together reads
        # relative links against it, where a lone payload is read against where it came from (a
        # temporary redirect's target).
        together = [waiting for waiting in batch
                    if waiting.payload.origin == waiting.payload.source.url]
        if len(together) < 2:
            together = []
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
            results = inbox.process_together(desk, [waiting.payload for waiting in batch])
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
