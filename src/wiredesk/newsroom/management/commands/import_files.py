import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.transports.importer import import_files
from wiredesk.newsroom.transports.restore import is_export, restore_files
from wiredesk.newsroom.workers import leases
from wiredesk.newsroom.write.desk import WriteDesk


class Command(BaseCommand):
    help = ("Ingest feed files from disk (`wiredesk import PATH…`); directories are read "
            "recursively. Exits non-zero only when no file could be read.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--source", default="",
                            help="Source name or slug (created if new; default: 'Local files').")

    def handle(self, *args: Any, **options: Any) -> None:
        files = [path for given in options["paths"]
                 for path in (sorted(p for p in given.rglob("*") if p.is_file())
                              if given.is_dir() else [given])]
        if not files:
            raise CommandError("no files to import")
        with leases.kept():
            self._import(WriteDesk(), files, options["source"])

    def _import(self, desk: WriteDesk, files: list[Path], source_name: str) -> None:
        # Payloads a stopped process (an import, a push receiver) left unprocessed go first.
        if recovered := inbox.recover(desk):
            self.stdout.write(f"{recovered} payloads left unprocessed by a stopped process "
                              "were processed first.")
        exports = [path for path in files if is_export(path)]
        if exports:  # Wiredesk's own export: restored as it was, not ingested as a feed
            restored = restore_files(desk, exports)
            self.stdout.write(restored.summary())
            for problem in restored.problems:
                self.stderr.write(f"  {problem}")
            files = [path for path in files if path not in exports]
            if not files:
                return
        source = local_source(source_name)
        progress = tqdm(total=len(files), unit="file", file=sys.stderr,
                        disable=len(files) < 5 or not sys.stderr.isatty())

        def advance(_: Path) -> None:
            progress.update()

        result = import_files(desk, source, files, on_file=advance)
        progress.close()
        for path, error in result.failures:
            self.stderr.write(f"could not import {path}: {error}")
        self.stdout.write(f"{source.name}: {len(files) - len(result.failures)} of {len(files)} "
                          f"files read; {result.report.summary()}")
        for error in result.report.errors:
            self.stderr.write(f"  {error}")
        if len(result.failures) == len(files):
            raise CommandError("no file could be read", returncode=1)
