"""Whether the database's tables match this version of Wiredesk, and setting up the embedded one.

Wiredesk's commands need their tables, and a fresh data folder has none. The embedded SQLite
database belongs to this installation alone, so it is set up (migrated) on first use and after an
upgrade. A server database (PostgreSQL) may be shared by several processes and machines and is
upgraded deliberately, so there a command refuses and names the fix instead.

The check loads the migration graph and reads the applied migrations: a few tens of milliseconds,
paid once per command start.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor

from wiredesk.core.errors import WiredeskError


class SchemaError(WiredeskError):
    """The database cannot be used as it is; the message is one line that names the fix."""


def ensure_schema(stderr: TextIO) -> None:
    """Make sure the tables are there before a command uses them.

    On the embedded SQLite database unapplied migrations are applied, with one line on ``stderr``
    saying so; on any other database :class:`SchemaError` says to run ``wiredesk migrate``.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    pending = _pending(connection)
    if not pending:
        return
    if not is_embedded(connection):
        raise SchemaError(
            f"the database {_describe(connection)} is not set up for this version of Wiredesk "
            f"({pending} migrations not applied): run `wiredesk migrate` first")
    with _setup_lock(connection):
        # Another process started at the same moment may have done it while we waited.
        pending = _pending(connection)
        if not pending:
            return
        fresh = not _any_applied(connection)
        call_command("migrate", interactive=False, verbosity=0)
    path = connection.settings_dict["NAME"]
    stderr.write(f"wiredesk: set up a new database in {path}\n" if fresh else
                 f"wiredesk: updated the database in {path} ({pending} migrations applied)\n")


def is_embedded(connection: BaseDatabaseWrapper) -> bool:
    """SQLite is a file only this installation uses; anything else is a server's to manage."""
    return connection.vendor == "sqlite"


def _pending(connection: BaseDatabaseWrapper) -> int:
    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError as exc:
        # Typically a server that is down or a wrong password: one line, not a traceback.
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SchemaError(f"cannot use the database {_describe(connection)}: {first_line}"
                          ) from exc


def _any_applied(connection: BaseDatabaseWrapper) -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.loader.applied_migrations)


def _describe(connection: BaseDatabaseWrapper) -> str:
    """Where the database is, without its credentials."""
    settings = connection.settings_dict
    if is_embedded(connection):
        return str(settings["NAME"])
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"{settings['NAME']!r} on {host}{port}"


@contextmanager
def _setup_lock(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Serialise first-use setup between processes started together (``serve`` and ``worker``
    by one service manager): two concurrent migrations would both try to create each table."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        yield
        return
    with Path(name + ".setup-lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
