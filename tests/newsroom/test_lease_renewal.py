"""Renewing leases never waits for a row another transaction holds (PostgreSQL): the keeper's
renewal passes over a payload or source a session of the same process is writing, renews the
rest at once, and the passed-over one at its next turn. Waiting deadlocked with a session
updating its payloads in another order (seen with four workers in benchmarks/feed_farm.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.support.factories import make_source
from wiredesk.newsroom.models import RawPayload, Source
from wiredesk.newsroom.transports.ingest import store_payload
from wiredesk.newsroom.workers import leases

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'",
                       reason="SQLite has one writer: a renewal has no lock to wait for"),
]


@contextmanager
def _locked_elsewhere(lock: str, *params: object) -> Iterator[None]:
    """A transaction on a connection of its own holding a row lock until the block ends."""
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(lock, list(params))
                taken.set()
                done.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10)
    try:
        yield
    finally:
        done.set()
        thread.join(10)


def test_a_renewal_never_waits_for_a_row_another_transaction_holds() -> None:
    me = leases.holder()
    soon = timezone.now() + timedelta(seconds=1)
    source = make_source("Wire")
    other = make_source("Other")
    Source.objects.filter(pk__in=[source.pk, other.pk]).update(lease_holder=me, lease_until=soon)
    payloads = [store_payload(source, b"<rss/>", origin="test://renew") for _ in range(3)]
    RawPayload.objects.update(claimed_by=me, claim_until=soon)
    busy = payloads[1]
    later = timezone.now() + timedelta(minutes=5)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")  # waiting would fail the test, not hang it
    for lock, row in ((f"SELECT 1 FROM {RawPayload._meta.db_table} WHERE id = %s FOR UPDATE",
                       busy.pk),
                      (f"UPDATE {Source._meta.db_table} SET error_count = error_count "
                       "WHERE id = %s", other.pk)):
        with _locked_elsewhere(lock, row):
            leases.renew(later)
    renewed = leases.expiry(later)
    claims = dict(RawPayload.objects.values_list("pk", "claim_until"))
    assert claims == {payloads[0].pk: renewed, busy.pk: renewed, payloads[2].pk: renewed}
    assert dict(Source.objects.values_list("pk", "lease_until")) == {source.pk: renewed,
                                                                     other.pk: renewed}


def test_while_the_lock_is_held_only_the_free_rows_are_renewed() -> None:
    me = leases.holder()
    soon = timezone.now() + timedelta(seconds=1)
    source = make_source("Wire")
    payloads = [store_payload(source, b"<rss/>", origin="test://renew") for _ in range(3)]
    RawPayload.objects.update(claimed_by=me, claim_until=soon)
    later = timezone.now() + timedelta(minutes=5)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")
    lock = f"SELECT 1 FROM {RawPayload._meta.db_table} WHERE id = %s FOR UPDATE"
    with _locked_elsewhere(lock, payloads[1].pk):
        leases.renew(later)
        claims = dict(RawPayload.objects.values_list("pk", "claim_until"))
    assert claims == {payloads[0].pk: leases.expiry(later), payloads[1].pk: soon,
                      payloads[2].pk: leases.expiry(later)}
    leases.renew(later)
    assert RawPayload.objects.get(pk=payloads[1].pk).claim_until == leases.expiry(later)
