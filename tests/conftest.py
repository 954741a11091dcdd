"""Test configuration shared by the whole suite.

The database is real: SQLite by default, PostgreSQL when WIREDESK_DATABASE_URL says so (`.ci/run`
runs the suite once on each). The settings module is ``tests.settings``.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.enrichment import *  # noqa: F403  (a fresh enricher per test)
from tests.support.factories import *  # noqa: F403  (story/source factories)
from tests.support.fixtures import *  # noqa: F403  (local feed server)

CLOCK_SHIFT_DAYS = os.environ.get("TEST_CLOCK_SHIFT_DAYS", "")
SHARED = Path(os.environ.get("WIREDESK_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def pytest_report_header() -> list[str]:
    url = os.environ.get("WIREDESK_DATABASE_URL", "")
    lines = [f"wiredesk database: {url.split('@')[-1] if url else 'SQLite (default)'}"]
    if CLOCK_SHIFT_DAYS:
        lines.append(f"wall clock shifted {CLOCK_SHIFT_DAYS} days ahead: "
                     f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    return lines


def pytest_sessionstart(session: pytest.Session) -> None:
    # The shifted run (scripts/test.sh) proves the suite does not depend on today's date; if the
    # shift did not take (tests/support/shifted_clock not on PYTHONPATH), it would prove nothing.
    shift = float(CLOCK_SHIFT_DAYS or 0) * 86400
    if shift and abs(_python_clock_ahead_of_kernel() - shift) > 3600:
        raise pytest.UsageError("TEST_CLOCK_SHIFT_DAYS is set but the wall clock is not "
                                "shifted: put tests/support/shifted_clock on PYTHONPATH")
    # In CI the PostgreSQL pass must really run on PostgreSQL: refuse to pass silently elsewhere.
    url = os.environ.get("WIREDESK_DATABASE_URL", "")
    if os.environ.get("WIREDESK_REQUIRE_POSTGRESQL") and not url.startswith("postgres"):
        raise pytest.UsageError("WIREDESK_REQUIRE_POSTGRESQL is set but the database is not "
                                "PostgreSQL")


def _python_clock_ahead_of_kernel() -> float:
    """Seconds by which Python's wall clock runs ahead of the kernel's, which stamps a new file."""
    with tempfile.NamedTemporaryFile() as probe:
        return time.time() - os.fstat(probe.fileno()).st_mtime


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` beside the repository; skips the test when it is absent (user clones)."""
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip(f"{data} is not present: conformance data is only on the team's machines "
                    "and CI")
    return data
