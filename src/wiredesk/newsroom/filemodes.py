"""The SQLite database's files are private to Wiredesk's user (mode 0600).

They hold every payload, the push sources' secrets (token hashes, encrypted HMAC keys) and the
admin's password hashes. SQLite creates the database with the process's umask (often 0644) and
its -wal and -shm files like the database; each new connection therefore checks the files once
they exist and takes group and other access away. The data folder itself is created 0700
(settings.py), so nobody else could reach them even in the moment before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

SUFFIXES = ("", "-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """Take group and other access away from ``path`` and SQLite's files beside it."""
    for suffix in SUFFIXES:
        candidate = path.with_name(path.name + suffix)
        try:
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except OSError:  # not there (yet), or not ours: nothing to tighten
            continue


def on_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` handler: private files for a file-backed SQLite database."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if name and name != ":memory:" and not name.startswith("file:"):
        make_private(Path(name))
