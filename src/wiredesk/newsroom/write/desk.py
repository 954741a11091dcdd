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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import transaction

from wiredesk.newsroom.models import Story
from wiredesk.newsroom.write.clustering import ClusterDesk
from wiredesk.newsroom.write.duplicates import DuplicateDesk
from wiredesk.newsroom.write.publishing import publish_changes


class WriteDesk:
    """The duplicate desk and the cluster index one process (or one test) writes with."""

    def __init__(self, duplicates: DuplicateDesk | None = None,
                 clusters: ClusterDesk | None = None) -> None:
        self.duplicates = duplicates or DuplicateDesk()
        self.clusters = clusters or ClusterDesk()
        # Threads sharing this desk share its session state, so they take turns. Taken before
        # the transaction opens, so two threads never wait on each other's database locks.
        self._lock = threading.RLock()
        self._depth = 0  # sessions open in the thread holding the lock (see session())
        self._owner = 0  # that thread
        # Stories changed in the open session, published once at its end (see publish()).
        self._changed: dict[int, Story] = {}
        self._created: dict[int, Story] = {}

    def reset(self) -> None:
        """Forget any session's reads and additions (a new process starts without them)."""
        with self._lock:
            self.duplicates.reset()
            self.clusters.reset()

    def publish(self, stories: Sequence[Story], *, created: bool = False) -> None:
        """Publish changes to stories (:func:`~wiredesk.newsroom.write.publishing.publish_changes`)
        once, at the end of the session they were changed in: a backlog of payloads, or one
        payload's new stories, duplicates and updates, bump their listings and index their text
        in one go, in the same transaction as the change. (Nothing outside the transaction can
        tell: it sees the changes and their publication when it commits.)"""
        if not self.in_session:
            publish_changes(stories, created=created)
            return
        for story in stories:
            if created and story.pk not in self._changed:
                self._created[story.pk] = story
            else:
                self._created.pop(story.pk, None)
                self._changed[story.pk] = story

    @property
    def in_session(self) -> bool:
        """Whether the calling thread is inside a session of this desk."""
        return self._depth > 0 and self._owner == threading.get_ident()

    @contextmanager
    def session(self) -> Iterator[None]:
        """One transaction holding the duplicate desk and the clusterer, both caught up with the
        database. A failed transaction takes its index additions back and drops the clusterer's
        reads (they are read again on next use).

        Sessions nest: one opened inside another is part of it (no new transaction, no second
        catch-up), so a caller may apply many payloads -- a backlog -- in one session, paying its
        fixed costs (the catch-up, the locks, the commit) once. An error inside a nested session
        fails the whole outer one: the caller starts again with a session per payload.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._depth, self._owner = 1, threading.get_ident()
            try:
                with transaction.atomic():
                    self.duplicates.sync()
                    self.clusters.sync()
                    yield
                    self.clusters.flush()
                    self._publish_pending()
            except BaseException:
                self.clusters.reset()
                raise
            finally:
                self._depth = 0
                self._changed, self._created = {}, {}
                self.duplicates.reset()

    def _publish_pending(self) -> None:
        created, changed = list(self._created.values()), list(self._changed.values())
        self._changed, self._created = {}, {}
        publish_changes(created, created=True)
        publish_changes(changed)
