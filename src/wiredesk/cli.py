"""The ``wiredesk`` command: Django's management commands under Wiredesk's settings.

``wiredesk run``, ``serve``, ``worker``, ``source``, ``fetch``, ``import``, ``export`` and ``demo``
are Wiredesk's own (see docs/commands.md); Django's (``migrate``, ``createsuperuser``…) work too.
"""

from __future__ import annotations

import os
import sys

# "import" is a Python keyword, so the command's module cannot carry that name.
ALIASES = {"import": "import_files"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wiredesk", *args])


if __name__ == "__main__":
    main()
