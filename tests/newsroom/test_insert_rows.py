"""The desks' multi-row writes (write/deskstate.py ``insert_rows``) on either database: every row
arrives with its values and types, conflicts update as the clause says, batches larger than
one statement's share are all written."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import connection

from tests.support.clock import FakeClock
from wiredesk.newsroom.models import StoryVersion
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.write import deskstate
from wiredesk.newsroom.write.deskstate import (
    ClusterPosting,
    ClusterSummary,
    DeskCounter,
    DuplicateKey,
    TermCount,
    insert_rows,
)

from .wire import deliver, wire_item

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _at(moment: datetime) -> object:
    return connection.ops.adapt_datetimefield_value(moment)


def test_many_rows_arrive_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deskstate, "_ARRAY_ROWS", 7)  # several statements on PostgreSQL too
    terms = (-(2 ** 63), 2 ** 63 - 1, *range(2_500))
    rows = [(term, f"c{term % 7}", term / 3) for term in terms]
    insert_rows(ClusterPosting._meta.db_table, "term, cluster_key, last_seen", "(%s, %s, %s)",
                rows)
    stored = set(ClusterPosting.objects.values_list("term", "cluster_key", "last_seen"))
    assert stored == {(term, f"c{term % 7}", term / 3) for term in terms}


def test_times_arrive_as_given(desk_clock: FakeClock) -> None:
    deliver(local_source("Wire"), wire_item("a", 1), wire_item("b", 1))
    versions = list(StoryVersion.objects.order_by("pk").values_list("pk", flat=True))
    rows = [(5, versions[0], _at(AT)), (6, versions[1], _at(AT.replace(microsecond=7)))]
    insert_rows(DuplicateKey._meta.db_table, "key, version_id, received_at", "(%s, %s, %s)", rows)
    written = DuplicateKey.objects.filter(key__in=(5, 6))
    assert set(written.values_list("key", "version_id", "received_at")) == {
        (5, versions[0], AT), (6, versions[1], AT.replace(microsecond=7))}


def test_a_conflict_updates_as_its_clause_says() -> None:
    table = TermCount._meta.db_table
    conflict = f"ON CONFLICT (kind, term) DO UPDATE SET count = {table}.count + excluded.count"
    insert_rows(table, "kind, term, count", "(%s, %s, %s)", [(1, 10, 2), (1, 11, 1)], conflict)
    insert_rows(table, "kind, term, count", "(%s, %s, %s)", [(1, 10, 3), (2, 10, 4)], conflict)
    assert set(TermCount.objects.values_list("kind", "term", "count")) == {
        (1, 10, 5), (1, 11, 1), (2, 10, 4)}


def test_json_floats_and_text_keep_their_values() -> None:
    value = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    state = {"headlines": ['Rain floods "valley" towns', "Ünïcode, {braces}"], "n": 3}
    insert_rows(ClusterSummary._meta.db_table, "key, last_seen, state", f"(%s, %s, {value})",
                [("c-1", 1.5e9 + 0.25, json.dumps(state)), ("c,2", -0.0, json.dumps({}))],
                "ON CONFLICT (key) DO UPDATE SET state = excluded.state")
    summaries = {s.key: s for s in ClusterSummary.objects.all()}
    assert summaries["c-1"].state == state and summaries["c-1"].last_seen == 1.5e9 + 0.25
    assert summaries["c,2"].state == {}
    insert_rows(DeskCounter._meta.db_table, "name, value", "(%s, %s)",
                [('a "quoted" name', 2.5)],
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value")
    assert DeskCounter.objects.get(name='a "quoted" name').value == 2.5


TEXTS = ['plain', 'with "quotes"', "back\\slash\\", "a,b", "{braces}", "NULL", "", " spaced ",
         "üñí©ødé \u201c\u201d", "new\nline", "tab\there"]


@pytest.mark.parametrize(("values", "kind"), [
    ([-(2 ** 63), 2 ** 63 - 1, 0, -1, 12345], "bigint"),
    ([0.1 + 0.2, 1e-300, -0.0, 5e300, 1 / 3, -2.5], "double precision"),
    (TEXTS, "text"),
    (TEXTS, "character varying(60)"),
    ([AT, datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)], "timestamp with time zone"),
    ([], "bigint"),
])
def test_an_array_parameter_arrives_as_its_values(values: list[object], kind: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("array parameters are PostgreSQL's")
    parameter = deskstate.array_parameter(values)
    assert isinstance(parameter, str)  # written in one join, not element by element
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unnest(%s::{kind}[])", [parameter])
        found = [row[0] for row in cursor.fetchall()]
    assert found == values
    assert [type(value) for value in found] == [type(value) for value in values]


@pytest.mark.parametrize("values", [
    [True, False], [1, None], [1, 2.5], [float("nan")], [datetime(2026, 1, 1)], ["a", 1],
])
def test_values_the_array_text_form_cannot_carry_exactly_are_left_to_the_driver(
        values: list[object]) -> None:
    assert deskstate.array_parameter(values) == values
