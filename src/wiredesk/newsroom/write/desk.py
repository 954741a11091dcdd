"""The write desk: the duplicate desk and the cluster index of one process, and their sessions.

Whoever runs the write path creates one and hands it down: a worker for its threads
(:func:`wiredesk.newsroom.workers.scheduler.run_worker`), a command for its run (``import``,
``fetch``, ``reprocess``), the push receiver for its web process's life (built by the URL map), a
test for itself. Nothing of it is a module global, so two desks in one process (two tests, a
test and a server thread) never see each other's half-finished sessions.

A desk keeps no decisions between sessions -- the state is in the database (see
:mod:`wiredesk.newsroom.write.duplicates` and :mod:`wiredesk.newsroom.write.clustering`) -- so a
fresh desk, in a new process or not, decides exactly as an old one would. What it does keep is a
session's reads and additions while the session lasts; threads sharing a desk take turns (see
:meth:`WriteDesk.session`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from wiredesk.newsroom.write.clustering import ClusterDesk
from wiredesk.newsroom.write.duplicates import DuplicateDesk


class WriteDesk:
    """The duplicate desk and the cluster index one process (or one test) writes with."""

    def __init__(self, duplicates: DuplicateDesk | None = None,
                 clusters: ClusterDesk | None = None) -> None:
        self.duplicates = duplicates or DuplicateDesk()
        self.clusters = clusters or ClusterDesk()
        # Threads sharing this desk share its session state, so they take turns. Taken before
        # the transaction opens, so two threads never wait on each other's database locks.
        self._lock = threading.RLock()

    def reset(self) -> None:
        """Forget any session's reads and additions (a new process starts without them)."""
        with self._lock:
            self.duplicates.reset()
            self.clusters.reset()

    @contextmanager
    def session(self) -> Iterator[None]:
        """One transaction holding the duplicate desk and the clusterer, both caught up with the
        database. A failed transaction takes its index additions back and drops the clusterer's
        reads (they are read again on next use)."""
        with self._lock:
            try:
                with transaction.atomic():
                    self.duplicates.sync()
                    self.clusters.sync()
                    yield
            except BaseException:
                self.clusters.reset()
                raise
            finally:
                self.duplicates.reset()
