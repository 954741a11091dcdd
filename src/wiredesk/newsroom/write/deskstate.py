"""The duplicate desk's and the clusterer's state, as rows a decision reads by key.

Both used to live only in each process's memory, rebuilt at start by replaying the last days of
the archive (seconds at 100k stories, in every ``import``, ``fetch`` and worker start). Here is
what the decisions need, each row found through an index, so that a new process decides at once
and a decision costs the same however big the archive:

* :class:`DuplicateKey` -- a stored version's LSH buckets, exact hash and lead key as integers
  (:mod:`wiredesk.dedupe.keys`); kept for the duplicate window only.
* :class:`ClusterSummary` -- an active event cluster as the clusterer summarises it (capped
  centroid, entities, years, a few headlines, young clusters' samples), and
  :class:`ClusterPosting` -- the inverted index from its top terms to it.
* :class:`TermCount` -- the document frequencies of terms and entities (for the IDF).
* :class:`DeskCounter` -- a few named numbers: how far the duplicate keys are caught up, the
  clusterer's clock and document counts.

Terms are stored as 64-bit hashes (:func:`wiredesk.newsroom.write.clustering.term_key`): fixed
width, whatever the word. Imported by :mod:`wiredesk.newsroom.models`, so Django sees them there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models
from django.utils.dateparse import parse_datetime


class DuplicateKey(models.Model):
    """One lookup key of a stored version's fingerprint (see :mod:`wiredesk.dedupe.keys`)."""

    key = models.BigIntegerField()
    version = models.ForeignKey("newsroom.StoryVersion", on_delete=models.CASCADE,
                                related_name="+")
    received_at = models.DateTimeField()

    class Meta:
        app_label = "newsroom"
        indexes = [
            # The lookup: a key's most recent versions inside the window.
            models.Index(fields=["key", "-received_at"], name="dupkey_lookup"),
            # Forgetting what left the window.
            models.Index(fields=["received_at"], name="dupkey_received"),
        ]


class ClusterSummary(models.Model):
    """An event cluster as the clusterer keeps it (``wiredesk.cluster.Cluster.to_state``, without
    its member list): read when a story's lookup proposes it, written back when one joins."""

    key = models.CharField(max_length=60, unique=True)
    last_seen = models.FloatField(db_index=True)  # seconds since the epoch; active while recent
    state = models.JSONField()
    # Drawn at random by each flush that writes the row: a process that kept the cluster decoded
    # reads its state again only when this changed (wiredesk.newsroom.write.clustering).
    revision = models.BigIntegerField(db_default=0)

    class Meta:
        app_label = "newsroom"


class ClusterPosting(models.Model):
    """The inverted index: a cluster listed under one of its top terms (a term hash)."""

    term = models.BigIntegerField()
    cluster_key = models.CharField(max_length=60, db_index=True)
    last_seen = models.FloatField()

    class Meta:
        app_label = "newsroom"
        indexes = [models.Index(fields=["term", "-last_seen"], name="clusterposting_lookup")]


class TermCount(models.Model):
    """In how many stories a term (kind 1) or an entity (kind 2) occurred: the IDF's counts."""

    kind = models.PositiveSmallIntegerField()
    term = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "newsroom"
        constraints = [models.UniqueConstraint(fields=["kind", "term"], name="termcount_key")]


class DeskCounter(models.Model):
    """A named number the desks keep between processes."""

    name = models.CharField(max_length=60, primary_key=True)
    value = models.FloatField(default=0.0)

    class Meta:
        app_label = "newsroom"

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"


# Parameters per statement in :func:`insert_rows`: under SQLite's oldest limit (999).
_PARAMETERS = 990
# Rows per statement on PostgreSQL, where each column is one array parameter.
_ARRAY_ROWS = 10_000


def insert_rows(table: str, columns: str, template: str, rows: Sequence[Sequence[Any]],
                conflict: str = "") -> None:
    """Insert rows in a few multi-row statements (``INSERT ... <rows> <conflict>``).

    Not ``executemany``: on PostgreSQL that is a round trip per row, and the desks write
    hundreds of rows per batch (keys, term counts, postings). Rows given in one call must not
    conflict with each other.

    PostgreSQL, rows of numbers, times and short strings (keys, term counts, postings):
    ``INSERT ... SELECT * FROM unnest(<one array per column>)``, each array cast to its
    column's type -- three parameters for thousands of rows, where a VALUES list bound ~1,000
    parameters a statement on the client (Django's psycopg cursors bind there: the statement's
    text is split and every value quoted in Python) and the server parsed them all: 200 vs
    100 ms for 5,000 key rows, side by side. Not for long text or JSON (cluster summaries),
    whose array literal costs more to escape than the VALUES list (350 vs 170 ms for 200
    summaries of 5 KB). Otherwise, and on SQLite: ``VALUES`` lists of ``template`` (one row's
    placeholders, e.g. ``"(%s, %s)"`` or ``"(%s, %s::jsonb)"``), under SQLite's parameter limit.
    """
    if not rows:
        return
    with connection.cursor() as cursor:
        kinds = _column_types(table, columns) if connection.vendor == "postgresql" else []
        if kinds and not any(kind in _LONG_TYPES for kind in kinds):
            arrays = ", ".join(f"%s::{kind}[]" for kind in kinds)
            for start in range(0, len(rows), _ARRAY_ROWS):
                batch = rows[start:start + _ARRAY_ROWS]
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "
                               f"{conflict}", [array_parameter(list(column)) for column
                                               in zip(*batch, strict=True)])
            return
        per_statement = max(1, _PARAMETERS // len(rows[0]))
        for start in range(0, len(rows), per_statement):
            batch = rows[start:start + per_statement]
            params: list[Any] = [value for row in batch for value in row]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES "
                           f"{', '.join([template] * len(batch))} {conflict}", params)


def array_parameter(values: Sequence[Any]) -> str | list[Any]:
    """A list bound as one PostgreSQL array parameter (cast it in the statement: ``%s::bigint[]``).

    Numbers, aware datetimes and short strings are written here as the array's text form, in
    one ``join``: Django's psycopg cursors bind on the client, and psycopg quoted such a list
    element by element in Python -- the largest part of the desk's session on the client side
    for the thousands of key rows, term counts and postings it writes (9 vs 1 ms for 10,000
    integers). Anything else is left to psycopg."""
    if all(type(value) is int for value in values):  # not bool: it would print True
        return "{" + ",".join(map(str, values)) + "}"
    if all(type(value) is float and math.isfinite(value) for value in values):
        return "{" + ",".join(map(repr, values)) + "}"  # repr: the shortest exact form
    if all(type(value) is str for value in values):
        return "{" + ",".join(_quoted(value) for value in values) + "}"
    if all(type(value) is datetime and value.utcoffset() is not None for value in values):
        return "{" + ",".join(_quoted(value.isoformat()) for value in values) + "}"
    return list(values)


def _quoted(text: str) -> str:
    """An element of an array's text form: in double quotes, with quote and backslash escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_types: dict[tuple[str, str], list[str]] = {}
# Column types written as VALUES, not arrays (see insert_rows).
_LONG_TYPES = frozenset({"text", "json", "jsonb", "bytea"})


def _column_types(table: str, columns: str) -> list[str]:
    """The PostgreSQL types of some columns of a table, in the order named (read from the
    catalog once per process)."""
    key = (table, columns)
    if key not in _types:
        names = [name.strip().strip('"') for name in columns.split(",")]
        with connection.cursor() as cursor:
            cursor.execute("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                           "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                           [table])
            found = dict(cursor.fetchall())
        _types[key] = [found[name] for name in names]
    return _types[key]


def insert_objects(objects: Sequence[models.Model]) -> None:
    """Insert new instances of one model in a few multi-row ``INSERT ... RETURNING id``
    statements and set their ids: what ``bulk_create`` does for the write path's rows (each
    field's value prepared by the field itself, defaults already on the instances), without
    compiling every value of every row through the ORM's insert compiler, which cost more than
    the statement on the write path. Like ``bulk_create`` it relies on the database returning
    the ids in the order of the rows (SQLite 3.35+, PostgreSQL), and sends no signals."""
    if not objects:
        return
    model = type(objects[0])
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    per_statement = max(1, _PARAMETERS // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), per_statement):
            batch = objects[start:start + per_statement]
            params = [field.get_db_prep_save(field.pre_save(obj, True), connection)
                      for obj in batch for field in fields]
            returning = quote(str(meta.pk.column))
            cursor.execute(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
                           f"{', '.join([row] * len(batch))} RETURNING {returning}", params)
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding, obj._state.db = False, connection.alias


def stored_time(value: datetime | str | None) -> datetime | None:
    """A time read in plain SQL, as the ORM gives it (aware, UTC): SQLite gives a typed column's
    time naive and an aggregate's (``MIN(...)``) as its stored text; PostgreSQL an aware one."""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"not a stored time: {value!r}")
        value = parsed
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
