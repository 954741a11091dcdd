from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wiredesk.core.errors import WiredeskError
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.sources import add_source


class Command(BaseCommand):
    help = "Manage sources: add URL, list, disable ID, enable ID."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="Add a feed to poll.")
        add.add_argument("url")
        add.add_argument("--name", default="")
        add.add_argument("--section", default="", help="Section name (created if new).")
        add.add_argument("--format", default="auto", choices=Source.Format.values)
        actions.add_parser("list", help="List sources with their health.")
        for name in ("disable", "enable"):
            sub = actions.add_parser(name, help=f"{name.capitalize()} a source.")
            sub.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            try:
                source = add_source(options["url"], name=options["name"],
                                    section=options["section"], fmt=options["format"])
            except WiredeskError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Added source {source.pk}: {source.name} <{source.url}>")
        elif action == "list":
            self._list()
        else:
            updated = Source.objects.filter(pk=options["id"]).update(is_active=action == "enable")
            if not updated:
                raise CommandError(f"no source with id {options['id']}")
            self.stdout.write(f"Source {options['id']} {action}d.")

    def _list(self) -> None:
        self.stdout.write(f"{'ID':>4}  {'ACTIVE':6}  {'ERRORS':>6}  {'STORIES':>7}  NAME  URL")
        for source in Source.objects.order_by("pk"):
            self.stdout.write(
                f"{source.pk:>4}  {'yes' if source.is_active else 'no':6}  "
                f"{source.error_count:>6}  {source.stories.count():>7}  {source.name}  "
                f"{source.url or '(' + source.get_transport_display() + ')'}"
                + (f"\n      last error: {source.last_error}" if source.error_count else ""))
