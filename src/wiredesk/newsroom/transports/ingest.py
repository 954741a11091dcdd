"""Storing what arrives: the raw payload first, then every candidate version through the lifecycle.

The payload is written before it is parsed, so nothing received is ever lost; a payload that cannot
be parsed keeps its error beside it (outcome ``failed``) and can be re-processed later.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from wiredesk import logformat
from wiredesk.core.errors import ParseError
from wiredesk.core.lifecycle import Action
from wiredesk.ingest.pipeline import Batch, prepare
from wiredesk.newsroom import metrics
from wiredesk.newsroom import rules as stored_rules
from wiredesk.newsroom.health import record as health
from wiredesk.newsroom.models import RawPayload, Source
from wiredesk.newsroom.workers import leases
from wiredesk.newsroom.write.apply import (
    MERGED,
    Ahead,
    apply_backlog,
    apply_candidates,
    prepare_backlog,
)
from wiredesk.newsroom.write.desk import WriteDesk

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    """What one payload did to the site."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    killed: int = 0
    refused: int = 0
    merged: int = 0  # new items that were another source's story, or a re-send under a new id
    errors: list[str] = field(default_factory=list)
    # Items the payloads held (counted from their tags when a feed had to be recovered) and how
    # many of them were not applied: lost by the recovery, refused alone, or cut off.
    expected: int = 0
    lost: int = 0

    COUNTERS = ("new", "updated", "unchanged", "stale", "killed", "refused", "merged")

    @property
    def items(self) -> int:
        return sum(getattr(self, name) for name in self.COUNTERS)

    def add(self, other: IngestReport) -> None:
        for name in self.COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)
        self.expected += other.expected
        self.lost += other.lost

    def recovered(self) -> str:
        """"recovered N of M items" when items were lost or refused, else ""."""
        if not self.lost:
            return ""
        return f"recovered {self.expected - self.lost} of {self.expected} items"

    def summary(self) -> str:
        recovered = self.recovered()
        text = (f"{recovered}: " if recovered else "") + (
                f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged"
                f"{f', {self.stale} stale' if self.stale else ''}"
                f"{f', {self.killed} killed' if self.killed else ''}"
                f"{f', {self.refused} refused (tombstoned)' if self.refused else ''}"
                f"{f', {self.merged} merged as duplicates' if self.merged else ''}")
        return text + (f", {len(self.errors)} errors" if self.errors else "")


def store_payload(source: Source, body: bytes, *, origin: str, content_type: str = "",
                  transport: str = "poll", received_at: datetime | None = None) -> RawPayload:
    return RawPayload.objects.create(
        source=source, origin=origin[:2000], content_type=content_type[:200], transport=transport,
        compressed_body=RawPayload.compress(body), size=len(body),
        sha256=hashlib.sha256(body).hexdigest(), received_at=received_at or timezone.now(),
        # Taken by this process until processed: if it dies first, the next process recovers it.
        claimed_by=leases.holder(), claim_until=leases.expiry(),
    )


def _logged_as_payload(process: Callable[..., IngestReport]) -> Callable[..., IngestReport]:
    """Log lines written while a payload is processed name its source and id (JSON logs)."""

    @functools.wraps(process)
    def wrapper(desk: WriteDesk, payload: RawPayload, **options: Any) -> IngestReport:
        with logformat.context(source=payload.source.slug, payload=payload.pk):
            return process(desk, payload, **options)

    return wrapper


@_logged_as_payload
def process_payload(desk: WriteDesk, payload: RawPayload, *, base_url: str = "") -> IngestReport:
    """Parse a stored payload and apply every item with ``desk`` (the running process's); a
    ParseError is recorded and re-raised."""
    batch = _parse(payload, base_url)
    with stored_rules.read_once():
        actions = apply_candidates(desk, payload.source, batch.candidates, payload)
    return _finish(payload, batch, actions)


def process_payloads(desk: WriteDesk, payloads: list[RawPayload]
                     ) -> list[IngestReport | ParseError]:
    """Parse and apply stored payloads, oldest first, in one session of ``desk`` (a backlog:
    see :func:`wiredesk.newsroom.transports.inbox.process_together`): :func:`prepare_payloads`
    then :func:`apply_prepared`."""
    return apply_prepared(desk, [prepare_payloads(desk, payloads)])


@dataclass(slots=True)
class Prepared:
    """Stored payloads parsed, and what their decisions need worked out, before a session
    (:func:`prepare_payloads`)."""

    payloads: list[RawPayload]
    parsed: list[tuple[RawPayload, Batch]]
    errors: dict[int, ParseError]  # payload id -> why it could not be parsed (recorded on it)
    runs: list[tuple[list[tuple[RawPayload, Batch]], Ahead]]


def prepare_payloads(desk: WriteDesk, payloads: list[RawPayload]) -> Prepared:
    """The part of processing stored payloads that needs no session: parsing, the publication
    gate and fingerprinting (:func:`~wiredesk.newsroom.write.apply.prepare_backlog`), so the
    database's writer is held only to decide and write. Consecutive payloads of one source make
    a run, applied together. A payload that cannot be parsed is recorded as with
    :func:`process_payload` and its ParseError kept for its place in the results."""
    parsed: list[tuple[RawPayload, Batch]] = []
    errors: dict[int, ParseError] = {}
    with _preparing:
        for payload in payloads:
            try:
                parsed.append((payload, _parse(payload, payload.source.url)))
            except ParseError as exc:
                errors[payload.pk] = exc
        with stored_rules.read_once():
            runs = [(run, prepare_backlog(desk, run[0][0].source,
                                          [(payload, batch.candidates) for payload, batch in run]))
                    for run in _by_source(parsed)]
    return Prepared(list(payloads), parsed, errors, runs)


def apply_prepared(desk: WriteDesk, prepared: list[Prepared]
                   ) -> list[IngestReport | ParseError]:
    """Apply prepared payloads, in the order given, in one session of ``desk``: the same
    decisions as one payload after another. Consecutive payloads of one source are applied
    together (:func:`~wiredesk.newsroom.write.apply.apply_backlog`): a few statements for all
    of them instead of a dozen per payload, and what each payload leaves on its row and its
    source's figures is written in a few statements too (:func:`_write_outcomes`). Returns each
    payload's report, or its ParseError in its place."""
    payloads = [payload for part in prepared for payload in part.payloads]
    errors = {pk: error for part in prepared for pk, error in part.errors.items()}
    batches = {payload.pk: batch for part in prepared for payload, batch in part.parsed}
    results: list[IngestReport | ParseError] = []
    with desk.session():
        actions: dict[int, list[str]] = {}
        for part in prepared:
            for run, ahead in part.runs:
                backlog = [(payload, batch.candidates) for payload, batch in run]
                for (payload, _), outcome in zip(run, apply_backlog(desk, run[0][0].source,
                                                                    backlog, ahead),
                                                 strict=True):
                    actions[payload.pk] = outcome
        done: list[tuple[RawPayload, IngestReport]] = []
        for payload in payloads:
            if payload.pk in errors:
                results.append(errors[payload.pk])
                continue
            with logformat.context(source=payload.source.slug, payload=payload.pk):
                report = _finish(payload, batches[payload.pk], actions[payload.pk], done)
            results.append(report)
        _write_outcomes(done)
    return results


# One backlog prepared at a time in a process. Preparing is Python work, so threads preparing
# side by side share one core and finish late together (traced: four recovery steps prepared in
# step were all ready after four steps' time), while the desk -- whose sessions are what a
# recovery waits for -- sits idle. One at a time, the first is ready after one step's time and
# the next is prepared while it is applied.
_preparing = threading.Lock()


def _by_source(parsed: list[tuple[RawPayload, Batch]]) -> list[list[tuple[RawPayload, Batch]]]:
    """Runs of consecutive payloads of one source."""
    runs: list[list[tuple[RawPayload, Batch]]] = []
    for item in parsed:
        if runs and runs[-1][0][0].source_id == item[0].source_id:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _parse(payload: RawPayload, base_url: str) -> Batch:
    """A stored payload's candidates; a ParseError is recorded on the payload and re-raised."""
    try:
        return prepare(payload.body, content_type=payload.content_type,
                       url=base_url or payload.origin, received_at=payload.received_at,
                       iframe_hosts=frozenset(settings.WIREDESK_IFRAME_HOSTS))
    except ParseError as exc:
        payload.outcome, payload.error = RawPayload.Outcome.FAILED, str(exc)
        payload.save(update_fields=["outcome", "error"])
        metrics.record_payload(payload.source.slug, payload.outcome, {}, None)
        raise


def _finish(payload: RawPayload, batch: Batch, actions: list[str],
            done: list[tuple[RawPayload, IngestReport]] | None = None) -> IngestReport:
    """Count what the items' decisions were and record the payload's outcome and health --
    at once, or (``done`` given: a backlog) added to ``done`` for :func:`_write_outcomes`."""
    report = IngestReport(errors=[f"item {f.position + 1} ({f.title!r}): {f.error}"
                                  for f in batch.failures])
    read = len(batch.feed.items) + len(batch.feed.refused_items)
    report.expected = max(batch.feed.expected_items, read)
    report.lost = report.expected - read + len(batch.failures)
    for action in actions:
        _count(report, action)
    _settle(payload, batch, report)
    if done is None:
        _write_outcomes([(payload, report)])
    else:
        done.append((payload, report))
    return report


def _write_outcomes(done: list[tuple[RawPayload, IngestReport]]) -> None:
    """Store processed payloads' outcomes (set by :func:`_settle`) and their sources' figures,
    in a few statements however many payloads: one UPDATE per distinct outcome (a push burst's
    are all alike), and per source one count of new items and one of items lost -- the state
    the payloads, recorded one after the other, would leave."""
    if not done:
        return
    alike: dict[tuple[str, str, str, int], list[RawPayload]] = {}
    for payload, _ in done:
        key = (payload.outcome, json.dumps(payload.warnings), payload.format, payload.item_count)
        alike.setdefault(key, []).append(payload)
    for group in alike.values():
        first = group[0]
        if len(group) == 1:
            first.save(update_fields=["outcome", "warnings", "format", "item_count", "error"])
            continue
        RawPayload.objects.filter(pk__in=[payload.pk for payload in group]).update(
            outcome=first.outcome, warnings=first.warnings, format=first.format,
            item_count=first.item_count, error="")
    by_source: dict[int, list[IngestReport]] = {}
    for payload, report in done:
        by_source.setdefault(payload.source_id, []).append(report)
    # One arrival per payload processed on its own; a backlog's payloads become public
    # together, so they are one arrival (gaps of a millisecond would teach the source's
    # rhythm that it never goes quiet). All the sources' figures in a few statements.
    health.sources_items_arrived({source_id: sum(report.new for report in reports)
                                  for source_id, reports in by_source.items()})
    _record_item_health(by_source)


def _record_item_health(by_source: dict[int, list[IngestReport]]) -> None:
    """Count items lost or refused on each source's figures, and say what its latest payload
    lost; a latest payload read whole clears that message (the count stays). Sources that lost
    nothing -- nearly all -- are cleared in one statement."""
    whole = []
    for source_id, reports in by_source.items():
        lost = sum(report.lost for report in reports)
        if not lost:
            whole.append(source_id)
            continue
        latest = reports[-1]
        problem = ""
        if latest.lost:
            first = f"; {latest.errors[0]}" if latest.errors else ""
            problem = f"{latest.recovered()}{first}"[:500]
        Source.objects.filter(pk=source_id).update(
            item_errors=F("item_errors") + lost, last_item_problem=problem,
            last_item_problem_at=timezone.now())
    if whole:
        Source.objects.filter(pk__in=sorted(whole)).exclude(last_item_problem="").update(
            last_item_problem="")


def format_mismatch(declared: str, found: str) -> str:
    """A warning when a payload is not in the format its source is set to (a sender changed
    formats, or the source was set up wrong), else "". The payload is still read: the parsers
    detect the format themselves, so nothing is lost, but the operator should know."""
    if declared in ("", Source.Format.AUTO) or found.startswith(declared):
        return ""
    return (f"the source is set to {declared}, but this payload is {found or 'unrecognised'}; "
            "it was read as what it is (set the source's format to auto, or fix the sender)")


def _settle(payload: RawPayload, batch: Batch, report: IngestReport) -> None:
    """Set a processed payload's outcome, warnings and format (written by
    :func:`_write_outcomes`), and count it in the metrics."""
    warnings = list(batch.feed.warnings) + report.errors
    mismatch = format_mismatch(payload.source.format, batch.feed.format)
    if mismatch:
        warnings.insert(0, mismatch)
    if batch.duplicates_in_feed:
        warnings.append(f"{batch.duplicates_in_feed} exact duplicate items in the feed skipped")
    payload.outcome = RawPayload.Outcome.PARTIAL if warnings else RawPayload.Outcome.PARSED
    payload.warnings, payload.format = warnings, batch.feed.format
    payload.item_count = len(batch.feed.items)
    payload.error = ""  # re-processed after a fix: the old error would only mislead
    metrics.record_payload(payload.source.slug, payload.outcome,
                           {name: getattr(report, name) for name in report.COUNTERS},
                           payload.received_at.timestamp())
    log.debug("payload processed (%s): %s", payload.outcome, report.summary())


def _count(report: IngestReport, outcome: str) -> None:
    field_name = {Action.CREATE: "new", Action.NEW_VERSION: "updated",
                  Action.IDENTICAL: "unchanged", Action.STALE: "stale",
                  Action.KILL: "killed", Action.REFUSED: "refused", MERGED: "merged"}[outcome]
    setattr(report, field_name, getattr(report, field_name) + 1)
