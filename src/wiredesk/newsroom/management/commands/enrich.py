import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from wiredesk.enrich.pipeline import ENRICHER_VERSION, Enricher
from wiredesk.newsroom.workers.enrichment import (
    enrich_all,
    enrich_story,
    pending,
    requeue_outdated,
    run_enricher,
)


class Command(BaseCommand):
    help = ("Enrich stories (entities, quotes, key figures, places, topics): those not enriched "
            "by this enricher version yet, or the ones named. Idempotent: safe to re-run.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="Story ids (default: --all).")
        parser.add_argument("--all", action="store_true",
                            help="Every story that needs it, with a progress bar.")
        parser.add_argument("--follow", action="store_true",
                            help="Keep running, enriching stories as they arrive (a dedicated "
                                 "enrichment process; stop with Ctrl-C).")

    def handle(self, *args: Any, **options: Any) -> None:
        enricher = Enricher()  # this run's recogniser, loaded once
        self.stdout.write(f"enricher {ENRICHER_VERSION}: "
                          + ", ".join(f"{stage}: {how}"
                                      for stage, how in enricher.methods().items()))
        if options["follow"]:
            stop = threading.Event()
            try:
                run_enricher(stop, tick=settings.WIREDESK_WORKER_TICK, enricher=enricher)
            except KeyboardInterrupt:
                stop.set()
            return
        if options["ids"]:
            for story_id in options["ids"]:
                try:
                    outcome = enrich_story(enricher, story_id)
                except Exception as exc:
                    raise CommandError(f"story {story_id}: {exc}") from exc
                self.stdout.write(f"story {story_id}: "
                                  f"{'changed' if outcome.changed else 'unchanged'}")
            return
        if not options["all"]:
            raise CommandError("name story ids, or use --all (or --follow)")
        requeue_outdated()  # after an enricher upgrade, what the old one did is done again
        total = pending().count()
        progress = tqdm(total=total, unit="story", file=sys.stderr,
                        disable=total < 5 or not sys.stderr.isatty())

        def advance(count: int) -> None:
            progress.update(count)

        done = enrich_all(enricher, advance)
        progress.close()
        self.stdout.write(f"{done} stories enriched; {pending().count()} still to do")
