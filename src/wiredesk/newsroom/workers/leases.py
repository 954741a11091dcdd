"""Who holds which work: a process's name on the sources and payloads it has taken, kept alive
while the process lives and released when it stops.

Work is taken by writing this process's name (:func:`holder`) and a short expiry on the row: a
source's ``lease_holder``/``lease_until``, a payload's ``claimed_by``/``claim_until``. While the
process runs, a :class:`Keeper` thread pushes every expiry it holds forward, so work that takes
long (a slow feed, a queue of pushed payloads) is never taken from a live process. On a clean exit
the keeper releases everything at once, so the next process need not wait.

When a process dies (``kill -9``, a power cut) its work is free once its leases expire, at most
:data:`LEASE` later -- well within one poll interval. Sooner, when the dead process ran on the
same machine: its name carries the machine's boot, its PID namespace and its PID, so a process on
the same machine sees at once that the PID is gone, or left only as a zombie (:func:`is_dead`). A
PID that was reused only makes the dead process look alive until its leases expire, never the
other way round.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from django.db import connection
from django.utils import timezone

log = logging.getLogger(__name__)

# How long work stays taken without a renewal. Short, so a dead process's work on another machine
# is free soon; renewed every RENEW_EVERY, so a live process never loses it to a slow database.
LEASE = timedelta(seconds=30)
RENEW_EVERY = 5.0
_SEPARATOR = "|"


@functools.cache
def _this_process(pid: int) -> str:
    # The token tells apart two processes that reuse a PID; the machine part says who can check
    # the PID at all: the same host, since the same boot, in the same PID namespace.
    return _SEPARATOR.join((_machine(), str(pid), secrets.token_hex(4)))


def holder() -> str:
    """This process's name on the work it takes (``host|boot|pidns|pid|token``)."""
    return _this_process(os.getpid())


@functools.cache
def _machine() -> str:
    boot = _read("/proc/sys/kernel/random/boot_id")[:8]
    return _SEPARATOR.join((socket.gethostname()[:100], boot, _pid_namespace()))


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid").removeprefix("pid:").strip("[]")
    except OSError:
        return ""


def is_dead(name: str) -> bool:
    """Whether ``name`` is a process of this machine (same boot and PID namespace) that is gone.
    False whenever that cannot be known: then only the lease's expiry frees its work."""
    machine, _, rest = name.rpartition(_SEPARATOR)[0].rpartition(_SEPARATOR)
    if (not rest.isascii() or not rest.isdigit() or machine != _machine()
            or not all(machine.split(_SEPARATOR))):
        return False  # another machine, or this one without /proc: the PID means nothing here
    try:
        os.kill(int(rest), 0)
    except ProcessLookupError:
        return True
    except OSError:  # e.g. PermissionError: the process exists under another user
        return False
    return _exited(int(rest))


def _exited(pid: int) -> bool:
    """Whether the process has ended but not yet been waited for (a zombie): it answers
    ``kill(pid, 0)`` like a live one. A web process killed with its server, whose parent died
    too, stays one until the machine's first process reaps it -- in a container, maybe never; its
    work waited for its leases to expire (seen as 5 s more after a crash, half the time)."""
    fields = _read(f"/proc/{pid}/stat").rpartition(")")[2].split()
    return bool(fields) and fields[0] in ("Z", "X")


def dead_among(names: Iterable[str]) -> list[str]:
    """The names among ``names`` whose processes are known to be dead."""
    return [name for name in set(names) if name and is_dead(name)]


def expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + LEASE


def renew(now: datetime | None = None) -> None:
    """Push forward the expiry of everything this process holds.

    On PostgreSQL, rows another transaction has locked are passed over (``SKIP LOCKED``), to
    be renewed at the next turn: they are this process's own sessions writing a payload's
    outcome or a source's figures, about to commit. Waiting for them deadlocked: a session
    updating its payloads in one order and this statement locking them in another (seen with
    four workers in benchmarks/feed_farm.py). A session holds such a lock for moments, a lease
    lasts :data:`LEASE`; and should a claim expire meanwhile, another process's claim waits
    for the lock and then finds the payload processed."""
    from wiredesk.newsroom.models import RawPayload, Source

    me, until = holder(), expiry(now)
    sources = Source.objects.filter(lease_holder=me, lease_until__isnull=False)
    payloads = RawPayload.objects.filter(outcome=RawPayload.Outcome.RECEIVED, claimed_by=me)
    if connection.vendor != "postgresql":  # one writer: nothing to deadlock with
        sources.update(lease_until=until)
        payloads.update(claim_until=until)
        return
    held = ((Source._meta.db_table, "lease_until",
             "lease_holder = %s AND lease_until IS NOT NULL", [me]),
            (RawPayload._meta.db_table, "claim_until",
             "claimed_by = %s AND outcome = %s", [me, RawPayload.Outcome.RECEIVED]))
    with connection.cursor() as cursor:
        for table, column, condition, params in held:
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id IN (SELECT id FROM "
                           f"{table} WHERE {condition} FOR UPDATE SKIP LOCKED)",
                           [until, *params])


def release() -> None:
    """Give up everything this process holds, so another process can take it at once."""
    from wiredesk.newsroom.models import RawPayload, Source

    me = holder()
    Source.objects.filter(lease_holder=me).update(lease_until=None, lease_holder="")
    RawPayload.objects.filter(outcome=RawPayload.Outcome.RECEIVED, claimed_by=me).update(
        claim_until=None, claimed_by="")


class Keeper:
    """A thread renewing this process's leases until stopped; stopping releases them."""

    def __init__(self, every: float = RENEW_EVERY) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wiredesk-leases", daemon=True)

    def start(self) -> Keeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        try:
            release()
        except Exception:  # the database is gone: the leases expire by themselves
            log.exception("releasing this process's leases failed")

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                renew()
            except Exception:  # a database hiccup: the next renewal is soon, the lease longer
                log.exception("renewing this process's leases failed")
            finally:
                connection.close()


_keeping = threading.Lock()
_keeper: Keeper | None = None
_users = 0


@contextmanager
def kept() -> Iterator[None]:
    """Keep this process's leases alive for the duration of the block, then release them. One
    keeper serves the whole process (``wiredesk run`` serves and works in one), until its last
    user's block ends."""
    global _keeper, _users
    with _keeping:
        if _keeper is None:
            _keeper = Keeper().start()
        _users += 1
    try:
        yield
    finally:
        with _keeping:
            _users -= 1
            last, keeper = _users == 0, _keeper
            if last:
                _keeper = None
        if last and keeper is not None:
            keeper.stop()
