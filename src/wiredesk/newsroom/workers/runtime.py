"""Starting the desk's processes: the web server, the worker, or both in one process."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.workers import leases
from wiredesk.newsroom.workers.scheduler import run_worker
from wiredesk.newsroom.write.desk import WriteDesk

log = logging.getLogger(__name__)


def migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def start_worker_thread(stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(
        target=run_worker, args=(stop,), name="wiredesk-worker", daemon=True,
        kwargs={"threads": settings.WIREDESK_WORKER_THREADS, "tick": settings.WIREDESK_WORKER_TICK},
    )
    thread.start()
    return thread


def serve(host: str, port: int, *, threads: int = 8, workers: int = 1,
          recover: bool = True) -> None:
    """Serve the site until interrupted, with Granian (``WIREDESK_SERVER=granian``, the
    default) or waitress.

    Granian is an HTTP server written in Rust: parsing requests and writing responses costs no
    Python, which is what a cached page is left with once the in-process response cache
    (:mod:`wiredesk.site.responsecache`) answers it. Measured with benchmarks/serving.py, a cached
    article is served about three times as fast as by waitress (pure Python, where writing the
    response was a third of the cost); waitress stays as the fallback. Granian serves from
    ``workers`` processes of its own (``threads`` threads each) that import
    :mod:`wiredesk.site.served`; this process supervises them (and runs the worker, in ``wiredesk
    run``).

    Pushed payloads waiting to be processed stay their web process's while it runs (its leases
    are kept) and are released when it stops. With ``recover``, payloads a stopped process left
    unprocessed are processed first, in the background (``wiredesk run`` leaves that to its
    worker)."""
    log.info("serving %s on http://%s:%d/ (%s)", settings.WIREDESK_SITE_NAME, host, port,
             settings.WIREDESK_SERVER)
    with leases.kept():
        if recover:
            threading.Thread(target=_recover_once, name="wiredesk-recover", daemon=True).start()
        if settings.WIREDESK_SERVER == "granian":
            _serve_granian(host, port, threads=threads, workers=workers)
        else:
            from waitress import serve as waitress_serve

            from wiredesk.site.served import application

            waitress_serve(application, host=host, port=port, threads=threads,
                           ident="wiredesk")


def _serve_granian(host: str, port: int, *, threads: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    # Read by wiredesk.site.served in the web processes Granian starts (they inherit it).
    os.environ["WIREDESK_WEB_PROCESS"] = "1"
    # Web processes are started fresh, not forked: this process has threads of its own (the
    # worker in ``wiredesk run``, the lease keeper, recovery) and a fork copies whatever lock one
    # of them holds at that moment -- a module's lock, SQLite's own mutexes -- held for ever in
    # the child, whose push threads then wait on it without end. Granian takes the default start
    # method; it forks again when it respawns a failed web process, at any time.
    multiprocessing.set_start_method("spawn", force=True)
    try:
        Granian("wiredesk.site.served:application", address=host, port=port,
                interface=Interfaces.WSGI, workers=workers, blocking_threads=threads,
                backlog=1024, log_enabled=False, respawn_failed_workers=True).serve()
    finally:
        os.environ.pop("WIREDESK_WEB_PROCESS", None)


def _recover_once() -> None:
    try:
        if recovered := inbox.recover(WriteDesk()):
            log.warning("recovered %d payloads left unprocessed by a stopped process", recovered)
    except Exception:
        log.exception("recovering unprocessed payloads failed; a worker will do it")
    finally:
        connection.close()
