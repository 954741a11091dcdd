"""A desk process settles its collector once it has loaded what it runs (wiredesk.heap); a
command run inside another process (a test) leaves that process's collector alone
(tests/newsroom/test_commands.py::test_cli_maps_import_to_its_command)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from wiredesk import heap

PROBE = "import gc; print(gc.get_threshold()[0], gc.get_freeze_count() > 0)"


def test_a_command_run_as_its_own_process_settles_the_collector(tmp_path: Path) -> None:
    env = {**os.environ, "WIREDESK_DATA_DIR": str(tmp_path)}
    env.pop("WIREDESK_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-m", "wiredesk.cli", "shell", "-c", PROBE], env=env,
                         capture_output=True, text=True, check=True, timeout=120).stdout
    assert out.splitlines()[-1].split() == [str(heap.YOUNG_THRESHOLD), "True"]
