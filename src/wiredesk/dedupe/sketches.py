"""datasketch, imported without scipy: the one place Wiredesk imports it from.

datasketch's package imports ``scipy.integrate`` when it is imported (its LSH module binds
``quad`` at the top), which pulls in scipy.special, scipy.fft, pydoc and more: about half a
second of CPU in every process that loads the write path -- the web server and each of its
workers, every worker, every ``wiredesk`` command, three processes restarting at once after a
crash. The integration is used for one thing only: choosing an LSH's bands and rows for a
threshold when none are given. Wiredesk gives them (:func:`lsh_bands`), and for its settings in use
the answer is recorded here (a test checks it against datasketch's own computation), so no
process needs scipy at all. For any other setting datasketch computes it as before, with the
real ``scipy.integrate``, imported at that first call.

The deferral is narrow: while datasketch itself is imported, ``scipy.integrate`` in
``sys.modules`` is a stand-in whose ``quad`` imports the real module and calls it; the stand-in
is removed again at once, so anything else importing scipy.integrate gets the real one.
"""

from __future__ import annotations

import importlib
import sys
import types
from functools import lru_cache
from typing import Any


def _defer_scipy_integrate_while_importing_datasketch() -> None:
    if "datasketch" in sys.modules or "scipy.integrate" in sys.modules:
        return  # already imported (or scipy already paid for): nothing to save
    stand_in = types.ModuleType("scipy.integrate", "deferred: see wiredesk.dedupe.sketches")

    def quad(*args: Any, **kwargs: Any) -> Any:
        return importlib.import_module("scipy.integrate").quad(*args, **kwargs)

    stand_in.quad = quad  # type: ignore[attr-defined]
    sys.modules["scipy.integrate"] = stand_in
    try:
        importlib.import_module("datasketch")
    finally:
        if sys.modules.get("scipy.integrate") is stand_in:
            del sys.modules["scipy.integrate"]


_defer_scipy_integrate_while_importing_datasketch()

from datasketch import LeanMinHash, MinHash, MinHashLSH  # noqa: E402

# (threshold, num_perm, (false positive weight, false negative weight)) -> (bands, rows), as
# datasketch's optimisation chooses them (tests/dedupe/test_sketches.py recomputes each).
KNOWN_BANDS: dict[tuple[float, int, tuple[float, float]], tuple[int, int]] = {
    (0.3, 128, (0.3, 0.7)): (42, 3),  # IndexConfig's defaults
}


def lsh_bands(threshold: float, num_perm: int, weights: tuple[float, float]) -> tuple[int, int]:
    """The (bands, rows) datasketch chooses for an LSH of this threshold and weights."""
    known = KNOWN_BANDS.get((threshold, num_perm, weights))
    return known if known is not None else optimal_bands(threshold, num_perm, weights)


@lru_cache(maxsize=8)
def optimal_bands(threshold: float, num_perm: int,
                  weights: tuple[float, float]) -> tuple[int, int]:
    """datasketch's own choice, computed (by numerical integration: costs more than a small
    index, hence cached)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
    return int(lsh.b), int(lsh.r)


__all__ = ["KNOWN_BANDS", "LeanMinHash", "MinHash", "MinHashLSH", "lsh_bands", "optimal_bands"]
