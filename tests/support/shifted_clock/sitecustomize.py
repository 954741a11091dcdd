"""Starts a Python process with its wall clock shifted by ``TEST_CLOCK_SHIFT_DAYS`` days.

``scripts/test.sh`` puts this folder on ``PYTHONPATH`` to run the suite a year ahead, which proves
that no test depends on today's date; every Python process the tests start (``wiredesk run``, the
CLI) inherits the shift. The variable is not a ``WIREDESK_`` setting on purpose: tests start their
servers with the ``WIREDESK_`` variables removed, and a server on the real clock beside a test on
the shifted one would compare two different "nows".

Debian's faketime would shift the whole machine's clock, but libfaketime 0.9.10 breaks Python's
timed waits (``time.sleep`` fails with EINVAL, ``Event.wait`` never returns), so the shift is made
inside Python with time-machine: it moves the wall clock (``datetime.now``, ``time.time``) and
leaves alone the monotonic clock that timeouts use.
"""

import os

_days = os.environ.get("TEST_CLOCK_SHIFT_DAYS", "")
if _days:
    from datetime import UTC, datetime, timedelta

    import time_machine

    time_machine.travel(datetime.now(UTC) + timedelta(days=float(_days)), tick=True).start()
