"""The web processes Granian starts for ``wiredesk serve`` and ``wiredesk run``: they begin fresh,
never as a copy of a supervisor whose other threads may hold a lock at that moment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.test_processes import environment, free_port

# The supervisor as `wiredesk run` is one: Django set up, another thread at work -- here holding
# the lease keeper's lock for good, as the worker thread can hold a module's lock (or SQLite's
# own mutex) at the moment a web process starts. A forked web process would inherit that lock
# held, and wait on it for ever when it keeps its leases on start.
SUPERVISOR = textwrap.dedent("""
    import sys, threading
    import django
    django.setup()
    from wiredesk.newsroom.workers import leases, runtime

    taken = threading.Event()

    def hold_for_good():
        leases._keeping.acquire()
        taken.set()
        threading.Event().wait()

    threading.Thread(target=hold_for_good, daemon=True).start()
    taken.wait()
    runtime._serve_granian("127.0.0.1", int(sys.argv[1]), threads=2, workers=1)
""")


def test_a_web_process_does_not_inherit_a_lock_another_thread_of_its_supervisor_holds(
        tmp_path: Path) -> None:
    port = free_port()
    env = environment(tmp_path, port)
    env.update(DJANGO_SETTINGS_MODULE="wiredesk.settings", WIREDESK_SERVER="granian")
    subprocess.run([sys.executable, "-m", "wiredesk.cli", "migrate", "--verbosity", "0"],
                   env=env, check=True)
    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISOR, str(port)], env=env,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        status = None
        while status is None:
            assert supervisor.poll() is None, "the supervisor exited"
            assert time.monotonic() < deadline, "the web process never answered"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt",
                                            timeout=5) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:  # not listening yet, or listening and stuck (the timeout)
                time.sleep(0.3)
        assert status == 200
    finally:
        os.killpg(supervisor.pid, signal.SIGKILL)
        supervisor.wait(timeout=30)
