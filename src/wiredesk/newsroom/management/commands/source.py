from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from wiredesk.core.errors import FetchError, RefusedAddress, WiredeskError
from wiredesk.ingest.fetch import check_feed_address
from wiredesk.newsroom.models import Source
from wiredesk.newsroom.opml import OPMLError, export_opml, import_opml
from wiredesk.newsroom.sources import (
    add_folder_source,
    add_push_source,
    add_source,
    rotate_push_credentials,
    set_duplicate_policy,
)
from wiredesk.newsroom.transports.push import Credentials, push_path
from wiredesk.newsroom.transports.refresh import fetch_policy


class Command(BaseCommand):
    help = ("Manage sources: add URL, add-push NAME, add-folder PATH, push-token ID, list, "
            "disable ID, enable ID, import FILE.opml, export.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="Add a feed to poll.")
        add.add_argument("url")
        _describe(add, name=True)
        push = actions.add_parser("add-push", help="Add a source that pushes to us over HTTP.")
        push.add_argument("name")
        _describe(push, name=False)
        push.add_argument("--hmac", action="store_true",
                          help="Also make a key for HMAC-SHA256 body signatures.")
        folder = actions.add_parser("add-folder", help="Add a watched drop folder.")
        folder.add_argument("path")
        _describe(folder, name=True)
        token = actions.add_parser("push-token", help="Replace a push source's token.")
        token.add_argument("id", type=int)
        token.add_argument("--hmac", action="store_true", help="Replace the HMAC key too.")
        actions.add_parser("list", help="List sources with their health.")
        opml_in = actions.add_parser(
            "import", help="Add the feeds of an OPML file (with Wiredesk's settings when it "
                           "has them); a bad or hostile file is refused whole.")
        opml_in.add_argument("file")
        opml_out = actions.add_parser("export", help="Write the polled sources as OPML 2.0.")
        opml_out.add_argument("--output", "-o", default="-",
                              help="File to write (default: standard output).")
        for name in ("disable", "enable"):
            sub = actions.add_parser(name, help=f"{name.capitalize()} a source.")
            sub.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "add":
                self._add(options)
            elif action == "add-push":
                source, credentials = add_push_source(
                    options["name"], section=options["section"], fmt=options["format"],
                    hmac_key=options["hmac"])
                set_duplicate_policy(source, options["duplicates"])
                self.stdout.write(f"Added push source {source.pk}: {source.name}")
                self._show_credentials(source, credentials)
            elif action == "add-folder":
                source = add_folder_source(options["path"], name=options["name"],
                                           section=options["section"], fmt=options["format"])
                set_duplicate_policy(source, options["duplicates"])
                self.stdout.write(f"Added drop-folder source {source.pk}: {source.name} "
                                  f"<{source.folder}>")
            elif action == "push-token":
                source, credentials = rotate_push_credentials(options["id"],
                                                              hmac_key=options["hmac"])
                self.stdout.write(f"New push credentials for source {source.pk}: {source.name} "
                                  "(the old ones no longer work)")
                self._show_credentials(source, credentials)
            elif action == "list":
                self._list()
            elif action in ("import", "export"):
                self._opml(action, options)
            else:
                self._enable(options["id"], action == "enable", action)
        except WiredeskError as exc:
            raise CommandError(str(exc)) from exc

    def _add(self, options: dict[str, Any]) -> None:
        with transaction.atomic():
            source = add_source(options["url"], name=options["name"],
                                section=options["section"], fmt=options["format"])
            set_duplicate_policy(source, options["duplicates"])
            # Refused now, not at the first fetch hours later (rolled back with the source).
            warning = _address_warning(source.url)
        if warning:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(f"Added source {source.pk}: {source.name} <{source.url}>")

    def _opml(self, action: str, options: dict[str, Any]) -> None:
        """OPML in or out (wiredesk.newsroom.opml)."""
        if action == "export":
            data = export_opml()
            if options["output"] == "-":
                self.stdout.write(data.decode("utf-8"), ending="")
            else:
                Path(options["output"]).write_bytes(data)
                self.stdout.write(f"Wrote {options['output']}")
            return
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        try:
            done = import_opml(data)
        except OPMLError as exc:
            raise CommandError(f"{options['file']}: {exc}; no source was added") from exc
        self.stdout.write(f"{done.added} sources added, {done.updated} updated from "
                          f"{options['file']}.")

    def _show_credentials(self, source: Source, credentials: Credentials) -> None:
        url = settings.WIREDESK_BASE_URL + push_path(source)
        self.stdout.write(f"Push URL: {url}")
        # Only the token's hash is kept: this is the one time anyone sees it.
        self.stdout.write(f"Bearer token (shown only now): {credentials.token}")
        if credentials.hmac_key:
            self.stdout.write(f"HMAC key (shown only now): {credentials.hmac_key}")
        self.stdout.write(f'Example: curl -H "Authorization: Bearer <token>" '
                          f"--data-binary @item.json {url}")

    def _enable(self, source_id: int, active: bool, action: str) -> None:
        if not Source.objects.filter(pk=source_id).update(is_active=active):
            raise CommandError(f"no source with id {source_id}")
        self.stdout.write(f"Source {source_id} {action}d.")

    def _list(self) -> None:
        self.stdout.write(f"{'ID':>4}  {'ACTIVE':6}  {'ERRORS':>6}  {'STORIES':>7}  NAME  WHERE")
        for source in Source.objects.order_by("pk"):
            self.stdout.write(
                f"{source.pk:>4}  {'yes' if source.is_active else 'no':6}  "
                f"{source.error_count:>6}  {source.stories.count():>7}  {source.name}  "
                f"{_where(source)}"
                + (f"\n      last error: {source.last_error}" if source.error_count else ""))


def _address_warning(url: str) -> str:
    """Refuse a feed on an address the fetcher would refuse (CommandError); a name that does not
    resolve now is only a warning ("" when all is well): the feed may be reachable later."""
    policy = fetch_policy()
    try:
        check_feed_address(url, policy.address_policy, timeout=policy.connect_timeout)
    except RefusedAddress as exc:
        raise CommandError(f"{exc}; see docs/settings.md") from exc
    except FetchError as exc:
        return f"{exc}; added anyway (the address is checked again at every fetch)"
    return ""


def _describe(parser: ArgumentParser, *, name: bool) -> None:
    if name:
        parser.add_argument("--name", default="")
    parser.add_argument("--section", default="", help="Section name (created if new).")
    parser.add_argument("--format", default="auto", choices=Source.Format.values)
    parser.add_argument("--duplicates", default=Source.DuplicatePolicy.ALSO_REPORTED.value,
                        choices=Source.DuplicatePolicy.values,
                        help="When another source already has the story: list this one as "
                             "also reporting it (default), merge it as a new version (same "
                             "agency copy), or keep both.")


def _where(source: Source) -> str:
    if source.transport == Source.Transport.PUSH:
        return f"POST {push_path(source)}"
    if source.transport == Source.Transport.FOLDER:
        return f"folder {source.folder}"
    return source.url or f"({source.get_transport_display()})"
