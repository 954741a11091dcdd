import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from wiredesk.newsroom.workers.scheduler import run_worker


class Command(BaseCommand):
    help = "Run the scheduler and ingest workers only (any number of these may run at once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threads", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        run_worker(stop, threads=options["threads"] or settings.WIREDESK_WORKER_THREADS,
                   tick=settings.WIREDESK_WORKER_TICK)
