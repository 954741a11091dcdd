"""datasketch without scipy (wiredesk.dedupe.sketches): the recorded bands are datasketch's own
choice, no process of the desk imports scipy, and anything that does gets the real module."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wiredesk.dedupe.index import IndexConfig, lsh_bands
from wiredesk.dedupe.sketches import KNOWN_BANDS, optimal_bands


@pytest.mark.parametrize("setting", sorted(KNOWN_BANDS))
def test_recorded_bands_are_the_ones_datasketch_chooses(
        setting: tuple[float, int, tuple[float, float]]) -> None:
    assert KNOWN_BANDS[setting] == optimal_bands(*setting)


def test_the_default_setting_is_recorded() -> None:
    config = IndexConfig()
    assert (config.lsh_threshold, config.num_perm, config.lsh_weights) in KNOWN_BANDS


def test_another_setting_is_computed_by_datasketch() -> None:
    config = IndexConfig(lsh_threshold=0.5)
    bands, rows = lsh_bands(config)
    assert (bands, rows) == optimal_bands(0.5, 128, config.lsh_weights)
    assert bands * rows <= 128 and (bands, rows) != lsh_bands(IndexConfig())


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, timeout=120).stdout.strip()


def test_the_write_path_loads_without_scipy() -> None:
    """A fresh process that loads the duplicate desk and decides with it has not imported
    scipy's integration and special functions (half a second of CPU in every process start;
    the bare package, which datasketch also imports, costs milliseconds)."""
    out = _run("import sys\n"
               "from wiredesk.dedupe import Fingerprinter, NearDuplicateIndex, KeyScheme\n"
               "from wiredesk.dedupe.index import IndexConfig\n"
               "fingerprint = Fingerprinter().fingerprint('The port handles 2.8 million "
               "containers a year, officials said on Tuesday after the strike ended.')\n"
               "NearDuplicateIndex(IndexConfig())\n"
               "print(len(KeyScheme.for_config(IndexConfig()).keys(fingerprint)) > 0,"
               " any(name in sys.modules for name in ('scipy.integrate', 'scipy.special')))")
    assert out == "True False"


def test_scipy_integrate_imported_afterwards_is_the_real_one() -> None:
    out = _run("import wiredesk.dedupe, scipy.integrate, sys\n"
               "print(scipy.integrate.quad(lambda x: x, 0, 2)[0],"
               " hasattr(scipy.integrate, 'solve_ivp'))")
    assert out == "2.0 True"
