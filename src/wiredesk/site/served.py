"""The WSGI application ``wiredesk serve`` and ``wiredesk run`` serve: Django behind the
in-process response cache (:mod:`wiredesk.site.responsecache`).

Granian imports it by name in each web process it starts (see
:func:`wiredesk.newsroom.workers.runtime.serve`). A web process receives pushed payloads, which
stay its
own while it lives: on import in such a process, :func:`keep_leases` keeps its leases for as long
as the process runs (a process that dies is recognised as gone on this machine and its work taken
over at once).
"""

from __future__ import annotations

import atexit
import contextlib
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
_django = get_wsgi_application()

from wiredesk import heap  # noqa: E402
from wiredesk.newsroom.workers import leases  # noqa: E402  (Django is set up above)
from wiredesk.site.responsecache import wrap  # noqa: E402

application = wrap(_django)

# What is loaded by now (Django, the apps, the templates' modules: ~140k objects) lives as long as
# the process: out of the collector's sight, a full collection no longer walks it on some
# reader's request (50-70 ms each time, the p95 of a listing; benchmarks/scale.py).
heap.settle()

_kept = contextlib.ExitStack()


def keep_leases() -> None:
    """Keep this process's leases until it exits (idempotent)."""
    if not _kept._exit_callbacks:  # type: ignore[attr-defined]
        _kept.enter_context(leases.kept())
        atexit.register(_kept.close)


if os.environ.get("WIREDESK_WEB_PROCESS") == "1":
    keep_leases()
