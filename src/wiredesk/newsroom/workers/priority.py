"""Recovery first: a worker's secondary jobs give way while payloads are being recovered.

Payloads a crash left unprocessed were acknowledged to their senders, and one of them may be a
kill: applying them is the worker's most urgent work. In one process the jobs share Python's
lock, and on SQLite also the database's one writer, so the enrichment loop (a language model,
~0.1 s of CPU a story) and the picture job (a transaction a story) working through the stories a
backlog publishes would slow the backlog itself. They start once the worker's first recovery
pass is over, and pause before each pass of theirs while a recovery pass is under way; ingest
does not wait (it is as urgent).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Recovering:
    """Whether one of the worker's recovery threads is in a pass (see the module)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._working = 0
        self._passes = 0

    @contextmanager
    def recovering(self) -> Iterator[None]:
        """A recovery pass: the secondary jobs wait until it (and any other) is over."""
        with self._changed:
            self._working += 1
        try:
            yield
        finally:
            with self._changed:
                self._working -= 1
                self._passes += 1
                self._changed.notify_all()

    def give_way(self, stop: threading.Event) -> bool:
        """Wait until a first recovery pass is over and none is under way: True then, False
        when ``stop`` was set first (it is looked at every second: it cannot wake this wait)."""
        with self._changed:
            while not self._clear() and not stop.is_set():
                self._changed.wait(1.0)
        return not stop.is_set()

    def _clear(self) -> bool:
        return self._passes > 0 and self._working == 0
