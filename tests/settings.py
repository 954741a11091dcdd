"""Settings for the test suite: Wiredesk's own, from a throwaway data directory.

pytest-django imports this before any conftest runs, so the environment is prepared here.
"""

import os
import tempfile

os.environ.setdefault("WIREDESK_DATA_DIR", tempfile.mkdtemp(prefix="wiredesk-test-"))
# The test process stands for a long-running one: its metrics go to files, as `serve`'s do.
os.environ.setdefault("WIREDESK_METRICS_FILES", "1")
os.environ.setdefault("WIREDESK_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("WIREDESK_SITE_NAME", "Testdesk")
os.environ.setdefault("WIREDESK_BASE_URL", "http://testserver")
os.environ.setdefault("WIREDESK_ALLOWED_HOSTS", "testserver")
# Tests that run the worker loop test ingest; enrichment is tested by calling it directly (its
# thread would otherwise race each test's rollback).
os.environ.setdefault("WIREDESK_ENRICH", "false")
# Likewise the picture job (tests/newsroom/test_pictures.py calls it directly).
os.environ.setdefault("WIREDESK_IMAGES", "false")
# Most tests predate the publication gate and deliver short hand-built items from polled feeds:
# they test ingest and the site with everything published in full. The gate's own tests
# (tests/core/test_gate.py, tests/newsroom/test_gate_*.py) switch it on with its defaults.
os.environ.setdefault("WIREDESK_GATE", "false")
os.environ.setdefault("WIREDESK_FEED_MODE", "full")

from wiredesk.settings import *  # noqa: F403

# Log records go to the root logger, where pytest captures them; a handler bound to the stderr of
# the moment would outlive pytest's capture of it.
LOGGING["root"]["handlers"] = []  # noqa: F405

# Threads (the live server, worker threads) must not keep connections open past a test, or
# PostgreSQL refuses to drop the test database at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# SQLite tests use a file, as the embedded default does, not a shared-cache in-memory database:
# worker threads and the live server then see the database exactly as in production (WAL).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
