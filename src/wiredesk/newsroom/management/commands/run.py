import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wiredesk.newsroom.workers import runtime


class Command(BaseCommand):
    help = ("The embedded default: migrate if needed, serve the site and run the worker in one "
            "process.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--demo", action="store_true",
                            help="Load the bundled offline demo sources first.")

    def handle(self, *args: Any, **options: Any) -> None:
        runtime.migrate()
        if options["demo"]:
            from django.core.management import call_command

            call_command("demo", stdout=self.stdout)
        stop = threading.Event()
        worker = runtime.start_worker_thread(stop)
        self.stdout.write(f"Wiredesk is up: http://{options['host']}:{options['port']}/ "
                          "(admin at /admin/; Ctrl-C stops)")
        try:
            runtime.serve(options["host"], options["port"], recover=False)  # the worker does
        finally:
            stop.set()
            worker.join(timeout=30)
