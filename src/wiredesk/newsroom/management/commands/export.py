import json
from datetime import UTC, datetime, time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from wiredesk.newsroom.exports import EXPORT_RELATED, export_record, export_versions
from wiredesk.newsroom.models import Story


def _since(value: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since: {value!r} is not a date (YYYY-MM-DD) or ISO datetime")
        moment = datetime.combine(day, time.min)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


class Command(BaseCommand):
    help = ("Write every story as JSON lines (one ninjs-shaped object per story) to standard "
            "output, with its whole version history, its source and its state: `wiredesk "
            "import` restores such a file.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", default="",
                            help="Only stories changed since this date or ISO datetime (UTC).")

    def handle(self, *args: Any, **options: Any) -> None:
        stories = (Story.objects.select_related(*EXPORT_RELATED)
                   .prefetch_related(export_versions()).order_by("pk"))
        if options["since"]:
            stories = stories.filter(changed_at__gte=_since(options["since"]))
        for story in stories.iterator(chunk_size=500):
            record = export_record(story, base_url=settings.WIREDESK_BASE_URL)
            self.stdout.write(json.dumps(record, ensure_ascii=False, sort_keys=True))
