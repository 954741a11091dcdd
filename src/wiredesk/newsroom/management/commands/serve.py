from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wiredesk.newsroom.workers import runtime


class Command(BaseCommand):
    help = "Serve the site only (run `wiredesk worker` separately to ingest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8,
                            help="Threads per web process (they wait on the database).")
        parser.add_argument("--workers", type=int, default=1,
                            help="Web processes (Granian only); about one per core.")

    def handle(self, *args: Any, **options: Any) -> None:
        runtime.serve(options["host"], options["port"], threads=options["threads"],
                      workers=options["workers"])
