from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wiredesk.newsroom.models import Source
from wiredesk.newsroom.scheduler import claim, refresh_claimed
from wiredesk.newsroom.timed import apply_timed_changes


class Command(BaseCommand):
    help = ("One ingest pass over the due sources (or the named ones), printing what happened per "
            "source; exits 1 when any source failed.")

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
        sources = claim(10_000, source_ids=named)
        if not sources:
            self.stdout.write("No source is due." if not named else
                              "The named sources are inactive or being fetched by a worker.")
            return
        failed = 0
        for source in sources:
            report = refresh_claimed(source)
            failed += report.status == "error"
            self.stdout.write(report.line())
        if failed:
            raise CommandError(f"{failed} of {len(sources)} sources failed", returncode=1)
