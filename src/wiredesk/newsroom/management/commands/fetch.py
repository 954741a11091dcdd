from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wiredesk.newsroom.models import Source
from wiredesk.newsroom.workers import leases
from wiredesk.newsroom.workers.scheduler import POLLED, claim, refresh_claimed
from wiredesk.newsroom.workers.timed import apply_timed_changes
from wiredesk.newsroom.write.desk import WriteDesk

# A stored error can be a long multi-line report; its first line is enough to see what is wrong.
ERROR_SHOWN = 200
NOT_POLLED: dict[str, str] = {
    Source.Transport.PUSH: "a push source: its sender delivers, there is nothing to fetch",
    Source.Transport.FOLDER: "a drop folder: the worker scans it (`wiredesk worker`)",
    Source.Transport.LOCAL: "its files were imported from disk: there is nothing to fetch",
}


class Command(BaseCommand):
    help = ("One ingest pass over the due sources (or the named ones, due or not), printing what "
            "happened per source and why any was skipped; exits 1 when any source failed.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=int, action="append", dest="sources",
                            metavar="ID", help="Fetch this source now, due or not (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        named = options["sources"]
        if named:
            missing = set(named) - set(Source.objects.filter(pk__in=named)
                                       .values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no source with id {', '.join(map(str, sorted(missing)))}")
        released, expired = apply_timed_changes()
        if released or expired:
            self.stdout.write(f"{released} embargoed stories published, {expired} expired.")
        failed = 0
        with leases.kept():  # a slow feed stays this pass's until done
            sources = claim(10_000, source_ids=named)
            desk = WriteDesk()
            for source in sources:
                report = refresh_claimed(desk, source)
                failed += report.status == "error"
                self.stdout.write(report.line())
        # What was not fetched and why: a failing source must not hide behind "nothing is due".
        now = timezone.now()
        fetched = {source.pk for source in sources}
        skipped = [line for source in _not_fetched(named, fetched)
                   if (line := skipped_line(source, now, named=bool(named)))]
        for line in skipped:
            self.stdout.write(line)
        if not sources and not named:
            self.stdout.write("No other source is due; `wiredesk fetch --source ID` fetches one "
                              "now." if skipped else "No source is due.")
        if failed:
            raise CommandError(f"{failed} of {len(sources)} sources failed", returncode=1)


def _not_fetched(named: list[int] | None, fetched: set[int]) -> list[Source]:
    """The named sources that were not fetched, or, in a pass over the due ones, the polled
    sources a user would expect to see: those backing off after an error or held by a worker."""
    if named:
        return list(Source.objects.filter(pk__in=named).exclude(pk__in=fetched).order_by("pk"))
    return list(Source.objects.filter(is_active=True, transport__in=POLLED)
                .exclude(pk__in=fetched).order_by("pk"))


def skipped_line(source: Source, now: datetime, *, named: bool) -> str | None:
    """Why ``source`` was not fetched (``[3] Example: skipped, …``); None when it simply is not
    due yet on its normal schedule, which is not worth a line in a pass over the due sources."""
    label = f"[{source.pk}] {source.name}: skipped"
    if not source.is_active:
        return f"{label}, disabled (`wiredesk source enable {source.pk}` re-enables it)"
    if source.transport not in POLLED:
        return f"{label}, {NOT_POLLED.get(str(source.transport), 'not a polled source')}"
    if source.lease_until is not None and source.lease_until > now:
        return f"{label}, a worker is fetching it (lease until {_utc(source.lease_until)})"
    if source.error_count and source.next_check_at > now:
        return (f"{label}, backing off until {_utc(source.next_check_at)} after error: "
                f"{_first_line(source.last_error)}")
    return None


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "(no message)"
    return line if len(line) <= ERROR_SHOWN else line[:ERROR_SHOWN - 1] + "…"
