from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wiredesk.core.errors import WiredeskError
from wiredesk.newsroom.outbox.delivery import replay
from wiredesk.newsroom.outbox.models import EVENTS, Delivery, Subscriber
from wiredesk.newsroom.outbox.subscribers import add_subscriber, new_subscriber_secret


def _names(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Command(BaseCommand):
    help = ("Send stories to partner systems as they are published: add NAME URL, list, "
            "remove NAME, secret NAME, dead, replay [ID...].")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="Add a subscriber; prints its signing secret once.")
        add.add_argument("name")
        add.add_argument("url")
        add.add_argument("--events", type=_names, default=[],
                         help=f"Comma-separated, of {', '.join(EVENTS)} (default: all).")
        add.add_argument("--sections", type=_names, default=[], help="Section slugs.")
        add.add_argument("--sources", type=_names, default=[], help="Source slugs.")
        add.add_argument("--topics", type=_names, default=[],
                         help="IPTC subject codes, e.g. medtop:04000000.")
        add.add_argument("--rules", type=_names, default=[],
                         help="Routing rule names: only stories one of them matched.")
        actions.add_parser("list", help="List subscribers and what waits for each.")
        remove = actions.add_parser("remove", help="Remove a subscriber and its deliveries.")
        remove.add_argument("name")
        secret = actions.add_parser("secret", help="Issue a new signing secret.")
        secret.add_argument("name")
        actions.add_parser("dead", help="List dead letters (deliveries that never got through).")
        again = actions.add_parser("replay", help="Send dead letters again (all, or these ids).")
        again.add_argument("ids", nargs="*", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "add":
                subscriber, secret = add_subscriber(
                    options["name"], options["url"], events=options["events"],
                    sections=options["sections"], sources=options["sources"],
                    topics=options["topics"], rules=options["rules"])
                self.stdout.write(f"Added subscriber {subscriber.name}: {subscriber.url}\n"
                                  f"Signing secret (shown once): {secret}")
            elif action == "list":
                for subscriber in Subscriber.objects.order_by("name"):
                    waiting = subscriber.deliveries.filter(state=Delivery.State.PENDING).count()
                    gave_up = subscriber.deliveries.filter(state=Delivery.State.DEAD).count()
                    self.stdout.write(
                        f"{subscriber.name}  {subscriber.url}  "
                        f"{'active' if subscriber.active else 'inactive'}  "
                        f"events={','.join(subscriber.events) or 'all'}  "
                        f"waiting={waiting} dead={gave_up}")
            elif action == "remove":
                deleted, _ = self._subscriber(options["name"]).delete()
                self.stdout.write(f"Removed {options['name']} ({deleted - 1} deliveries)")
            elif action == "secret":
                secret = new_subscriber_secret(self._subscriber(options["name"]))
                self.stdout.write(f"New signing secret (shown once): {secret}")
            elif action == "dead":
                for delivery in Delivery.objects.filter(state=Delivery.State.DEAD).order_by("id"):
                    self.stdout.write(f"{delivery.pk}  {delivery.event or delivery.kind}  "
                                      f"story {delivery.story_id}  -> {delivery.target}  "
                                      f"{delivery.attempts} attempts: {delivery.last_error}")
            elif action == "replay":
                letters = Delivery.objects.filter(state=Delivery.State.DEAD)
                if options["ids"]:
                    letters = letters.filter(pk__in=options["ids"])
                self.stdout.write(f"{replay(letters)} dead letters queued again")
        except WiredeskError as exc:
            raise CommandError(str(exc)) from exc

    @staticmethod
    def _subscriber(name: str) -> Subscriber:
        subscriber = Subscriber.objects.filter(name=name).first()
        if subscriber is None:
            raise CommandError(f"no subscriber named {name!r}")
        return subscriber
