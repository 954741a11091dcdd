"""Starting the desk's processes: the web server, the worker, or both in one process."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from wiredesk.newsroom import inbox, leases
from wiredesk.newsroom.scheduler import run_worker

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


def serve(host: str, port: int, *, threads: int = 8, recover: bool = True) -> None:
    """Serve the site with waitress (a production WSGI server in pure Python) until interrupted.

    Pushed payloads waiting to be processed stay this process's while it runs (its leases are
    kept) and are released when it stops. With ``recover``, payloads a stopped process left
    unprocessed are processed first, in the background (``wiredesk run`` leaves that to its
    worker)."""
    from waitress import serve as waitress_serve

    from wiredesk.wsgi import application

    log.info("serving %s on http://%s:%d/", settings.WIREDESK_SITE_NAME, host, port)
    with leases.kept():
        if recover:
            threading.Thread(target=_recover_once, name="wiredesk-recover", daemon=True).start()
        waitress_serve(application, host=host, port=port, threads=threads, ident="wiredesk")


def _recover_once() -> None:
    try:
        if recovered := inbox.recover():
            log.warning("recovered %d payloads left unprocessed by a stopped process", recovered)
    except Exception:
        log.exception("recovering unprocessed payloads failed; a worker will do it")
    finally:
        connection.close()
