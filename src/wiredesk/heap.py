"""The garbage collector's settings for a desk process (a worker, a web process, a command).

CPython's cyclic collector, left at its defaults, cost a recovering worker an eighth of its time
(``benchmarks/crash_recovery.py --backlog 1000`` on PostgreSQL: 570-600 ms of collections in
8.1 s): a desk session keeps hundreds of thousands of objects alive until it ends -- the term
counts it read, the cluster summaries it decoded, the stories it built -- so they survive the
young collections, which walk them again every 700 allocations, and pile up until a full
collection walks everything the process holds, Django and every module included (~90 ms each).
"""

from __future__ import annotations

import gc

# Allocations between collections of the youngest generation (CPython's default is 700). The
# older generations keep their defaults: counted in young collections, they come as often as
# before relative to them, and so 14x less often in time.
YOUNG_THRESHOLD = 10_000


def settle() -> None:
    """Call once the process has loaded what it runs (Django, the apps, the command's modules).

    What is loaded by then lives as long as the process: frozen, out of the collector's sight, a
    full collection no longer walks it (CPython's ``gc.freeze``). And the young generation is
    collected every :data:`YOUNG_THRESHOLD` allocations: objects that die young are freed by
    reference counting anyway; the collector is only for cycles, which can wait a little.
    Measured with the recovery benchmark above: collections took 63-82 ms instead of 570-600,
    and the process's CPU fell from 5.95 to 5.3 s.
    """
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
