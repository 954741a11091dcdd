"""Test configuration shared by the whole suite.

The database is real: SQLite by default, PostgreSQL when WIREDESK_DATABASE_URL says so (`.ci/run`
runs the suite once on each). Settings are read from the environment, so they are set here, before
pytest-django imports ``wiredesk.settings``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_DATA_DIR = Path(tempfile.mkdtemp(prefix="wiredesk-test-"))
os.environ.setdefault("WIREDESK_DATA_DIR", str(_DATA_DIR))
os.environ.setdefault("WIREDESK_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("WIREDESK_SITE_NAME", "Testdesk")
os.environ.setdefault("WIREDESK_BASE_URL", "http://testserver")
os.environ.setdefault("WIREDESK_ALLOWED_HOSTS", "testserver")

import pytest  # noqa: E402

from tests.support.factories import *  # noqa: E402,F403  (story/source factories)
from tests.support.fixtures import *  # noqa: E402,F403  (local feed server)

SHARED = Path(os.environ.get("WIREDESK_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def pytest_report_header() -> str:
    url = os.environ.get("WIREDESK_DATABASE_URL", "")
    return f"wiredesk database: {url.split('@')[-1] if url else 'SQLite (default)'}"


def pytest_sessionstart(session: pytest.Session) -> None:
    # In CI the PostgreSQL pass must really run on PostgreSQL: refuse to pass silently elsewhere.
    if os.environ.get("WIREDESK_REQUIRE_POSTGRESQL") and not os.environ.get(
        "WIREDESK_DATABASE_URL", ""
    ).startswith("postgres"):
        raise pytest.UsageError("WIREDESK_REQUIRE_POSTGRESQL is set but the database is not PostgreSQL")


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` beside the repository; skips the test when it is absent (a user's clone)."""
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip(f"{data} is not present: conformance data is only on the team's machines and CI")
    return data
