from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from wiredesk.newsroom.models import RawPayload
from wiredesk.newsroom.transports.inbox import reprocess
from wiredesk.newsroom.write.desk import WriteDesk


class Command(BaseCommand):
    help = ("Parse stored payloads again (by id, or every quarantined one with --failed), printing "
            "the outcome of each; exits 1 when any still fails.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, metavar="ID", help="Payload ids.")
        parser.add_argument("--failed", action="store_true",
                            help="Every payload that could not be parsed.")
        parser.add_argument("--source", type=int, metavar="ID",
                            help="Only this source's payloads.")

    def handle(self, *args: Any, **options: Any) -> None:
        payloads = self._select(options["ids"], options["failed"], options["source"])
        if not payloads:
            self.stdout.write("No payload to re-process.")
            return
        results = reprocess(WriteDesk(), payloads)
        for result in results:
            self.stdout.write(result.line())
        failed = sum(result.failed for result in results)
        if failed:
            raise CommandError(f"{failed} of {len(results)} payloads still fail", returncode=1)

    def _select(self, ids: list[int], failed: bool, source: int | None) -> list[RawPayload]:
        if not ids and not failed:
            raise CommandError("name payload ids, or --failed for every quarantined payload")
        payloads: QuerySet[RawPayload] = RawPayload.objects.select_related("source")
        if ids:
            missing = set(ids) - set(RawPayload.objects.filter(pk__in=ids)
                                     .values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no payload with id {', '.join(map(str, sorted(missing)))}")
            payloads = payloads.filter(pk__in=ids)
        if failed:
            payloads = payloads.filter(outcome=RawPayload.Outcome.FAILED)
        if source is not None:
            payloads = payloads.filter(source_id=source)
        # Oldest first: the order they arrived in, as the lifecycle would have seen them.
        return list(payloads.order_by("pk"))
