"""/metrics (Prometheus) and JSON log lines (issue 16, point 2)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.test import Client
from django.test.utils import override_settings
from prometheus_client.parser import text_string_to_metric_families

from wiredesk import logformat
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.workers import enrichment
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import STORY_A, STORY_B, rss

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def source() -> Source:
    return local_source("Metrics Wire")


def scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, parsed by prometheus-client's own parser."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
          **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_the_endpoint_is_off_without_a_token_and_refuses_a_wrong_one(client: Client) -> None:
    with override_settings(WIREDESK_METRICS_TOKEN=""):
        assert client.get("/metrics").status_code == 404
    with override_settings(WIREDESK_METRICS_TOKEN=TOKEN):
        refused = client.get("/metrics")
        assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
        assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 401


@override_settings(WIREDESK_METRICS_TOKEN=TOKEN)
def test_counters_and_backlogs_move_when_items_are_ingested(client: Client,
                                                             source: Source) -> None:
    before = scrape(client)
    waiting = store_payload(source, rss(STORY_A, STORY_B), origin="test://feed")
    stored = scrape(client)
    assert value(stored, "wiredesk_payloads_waiting") == value(before,
                                                               "wiredesk_payloads_waiting") + 1
    process_payload(WriteDesk(), waiting)
    after = scrape(client)
    new = ("wiredesk_items_total", {"source": source.slug, "outcome": "new"})
    assert value(after, new[0], **new[1]) == value(before, new[0], **new[1]) + 2
    assert value(after, "wiredesk_payloads_total", source=source.slug, outcome="parsed") == \
        value(before, "wiredesk_payloads_total", source=source.slug, outcome="parsed") + 1
    assert value(after, "wiredesk_payloads_waiting") == value(before, "wiredesk_payloads_waiting")
    assert value(after, "wiredesk_publish_to_visible_seconds_count") == \
        value(before, "wiredesk_publish_to_visible_seconds_count") + 1
    # Both new stories wait for enrichment until the enricher has done them.
    assert value(after, "wiredesk_enrichment_queue") == enrichment.queue_length() == \
        value(before, "wiredesk_enrichment_queue") + 2


@override_settings(WIREDESK_METRICS_TOKEN=TOKEN)
def test_request_latency_is_counted_by_view(client: Client, source: Source) -> None:
    before = scrape(client)
    assert client.get("/").status_code == 200
    after = scrape(client)
    counts = {labels: count for (name, labels), count in after.items()
              if name == "wiredesk_request_seconds_count"}
    home = [labels for labels in counts
            if counts[labels] > before.get(("wiredesk_request_seconds_count", labels), 0)]
    assert home and all(dict(labels)["view"] for labels in home)


@override_settings(WIREDESK_METRICS_TOKEN=TOKEN)
def test_a_scrape_sums_what_other_processes_counted(client: Client) -> None:
    before = scrape(client)
    # Another process of the desk (a worker, say) polls a feed: its counter file is summed in.
    code = ("from wiredesk.newsroom import metrics\n"
            "metrics.record_fetch('far-away-wire', 'ok', 0.2)\n"
            "metrics.record_fetch('far-away-wire', 'error', 1.5)\n")
    subprocess.run([sys.executable, "-c", code], check=True, env={
        **os.environ, "PROMETHEUS_MULTIPROC_DIR": os.environ["PROMETHEUS_MULTIPROC_DIR"]})
    after = scrape(client)
    for result in ("ok", "error"):
        assert value(after, "wiredesk_fetches_total", source="far-away-wire", result=result) == \
            value(before, "wiredesk_fetches_total", source="far-away-wire", result=result) + 1
    assert value(after, "wiredesk_fetch_seconds_count") == \
        value(before, "wiredesk_fetch_seconds_count") + 2


@pytest.fixture
def json_lines() -> Iterator[list[str]]:
    """Log lines of the wiredesk loggers as WIREDESK_LOG_FORMAT=json writes them."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(logformat.JsonFormatter())
    logger = logging.getLogger("wiredesk")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_json_log_lines_name_the_source_and_payload(json_lines: list[str],
                                                    source: Source) -> None:
    payload = store_payload(source, rss(STORY_A), origin="test://feed")
    process_payload(WriteDesk(), payload)
    records = [json.loads(line) for line in json_lines]
    processed = [r for r in records if r["message"].startswith("payload processed")]
    assert processed, records
    assert processed[0]["source"] == source.slug and processed[0]["payload"] == payload.pk
    assert processed[0]["level"] == "DEBUG"
    assert processed[0]["logger"] == "wiredesk.newsroom.transports.ingest"
    assert processed[0]["time"].endswith("+00:00")


def test_json_log_lines_carry_ids_given_and_exceptions(json_lines: list[str]) -> None:
    log = logging.getLogger("wiredesk.test")
    with logformat.context(source="reuters"), logformat.context(payload=7):
        try:
            raise ValueError("broken\nline")
        except ValueError:
            log.exception("could not apply %s", "item 3", extra={"story": 42})
    log.warning("outside")
    inside, outside = (json.loads(line) for line in json_lines)
    assert (inside["source"], inside["payload"], inside["story"]) == ("reuters", 7, 42)
    assert inside["message"] == "could not apply item 3"
    assert "ValueError: broken" in inside["exception"]
    assert "source" not in outside and "payload" not in outside
    assert logformat.current() == {}


def test_the_enrichment_queue_is_read_through_its_own_index() -> None:
    """The worker's pass and the backlog gauge read the queue's partial index in queue order,
    never the archive (issue 11): EXPLAIN after ANALYZE, on SQLite and PostgreSQL."""
    from django.db import connection, transaction

    from tests.support.factories import make_story

    for n in range(3):
        make_story(f"Queued story {n}")
    sql, params = enrichment.pending().values_list("pk", flat=True)[:50].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            # A tiny table is cheaper to read whole: ask whether the ordered index scan exists.
            for setting in ("enable_seqscan", "enable_sort", "enable_incremental_sort",
                            "enable_bitmapscan"):
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "story_enrich_queue" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan.replace("Sort Key", ""), plan
