from typing import Any

from django.core.management.base import BaseCommand

from wiredesk.newsroom.demo import load_demo


class Command(BaseCommand):
    help = "Load the bundled offline demo sources (idempotent: loading twice changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in load_demo():
            self.stdout.write(line)
