"""`wiredesk rules export|import|list`: the routing rules as a file a desk keeps in version
control (TOML; docs/rules.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wiredesk.core.rules import RuleError
from wiredesk.newsroom.rules import Rule, export_text, import_text


class Command(BaseCommand):
    help = ("Routing rules: export them to a file, import a file (replacing every rule, all or "
            "nothing), or list them.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Write every rule, in order, as TOML.")
        export.add_argument("--output", "-o", default="-",
                            help="File to write (default: standard output).")
        imported = actions.add_parser(
            "import", help="Replace the desk's rules with a file's; a file with any bad rule "
                           "is refused whole and changes nothing.")
        imported.add_argument("file", help="A rules file (TOML); - reads standard input.")
        actions.add_parser("list", help="List the rules with their errors.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export":
            text = export_text()
            if options["output"] == "-":
                self.stdout.write(text, ending="")
            else:
                Path(options["output"]).write_text(text, encoding="utf-8")
                self.stdout.write(f"Wrote {Rule.objects.count()} rules to {options['output']}")
        elif action == "import":
            self._import(options["file"])
        else:
            for rule in Rule.objects.select_related("source"):
                scope = rule.source.slug if rule.source else "all sources"
                state = "" if rule.enabled else " (disabled)"
                self.stdout.write(f"{rule.position:>5}  {rule.name}{state}  [{scope}]")
                if rule.last_error:
                    self.stdout.write(f"       error ({rule.error_count}x): {rule.last_error}")

    def _import(self, name: str) -> None:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {name}: {exc}") from exc
        try:
            count = import_text(text)
        except RuleError as exc:
            raise CommandError(f"{name}: {exc}; nothing was changed") from exc
        self.stdout.write(f"Imported {count} rules from {name} (they replace the desk's rules).")
