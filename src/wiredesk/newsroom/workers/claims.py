"""Claims on a unit of work, so that several enrichers -- threads of one worker, or workers
sharing one PostgreSQL database -- never work on the same story at the same time.

In one process a claim is an entry in a set under a lock; across processes it is a PostgreSQL
session-level advisory lock, tried without waiting (the two-key form: a key for the kind of work
and the unit's id). Ingest and the site take neither, so a claim never makes them wait. On SQLite
there is one worker process, and the process-local claim is all there is to take.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_lock = threading.Lock()
_held: set[tuple[int, int]] = set()


@contextmanager
def claim(kind: int, key: int) -> Iterator[bool]:
    """Try to claim unit ``key`` of work ``kind``; yields True when this caller holds it until
    the block ends, False when someone else (a thread or another process) does."""
    unit = (kind, key)
    with _lock:
        mine = unit not in _held
        if mine:
            _held.add(unit)
    if not mine:
        yield False
        return
    try:
        locked = _try_database_lock(kind, key)
        try:
            yield locked
        finally:
            if locked:
                _database_unlock(kind, key)
    finally:
        with _lock:
            _held.discard(unit)


def _database_key(key: int) -> int:
    return key % 2**31  # the two-key form takes 32-bit integers; a collision only skips a unit


def _try_database_lock(kind: int, key: int) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [kind, _database_key(key)])
        return bool(cursor.fetchone()[0])


def _database_unlock(kind: int, key: int) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [kind, _database_key(key)])
