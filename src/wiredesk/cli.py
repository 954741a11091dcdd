"""The ``wiredesk`` command: Django's management commands under Wiredesk's settings.

``wiredesk run``, ``serve``, ``worker``, ``source``, ``fetch``, ``import``, ``export`` and ``demo``
are Wiredesk's own (see docs/commands.md); Django's (``migrate``, ``createsuperuser``…) work too.
"""

from __future__ import annotations

import os
import sys

# "import" is a Python keyword, so the command's module cannot carry that name.
ALIASES = {"import": "import_files"}
SERVING_COMMANDS = frozenset({"run", "serve"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def _option(args: list[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in a command line, if given."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def default_base_url(args: list[str]) -> str | None:
    """The site's public address when ``run``/``serve`` is started on another host or port and
    WIREDESK_BASE_URL is not set: without it, links in feeds, sitemaps and the API would point at
    the default port, where nothing answers. A wildcard host is reached through loopback."""
    if not args or args[0] not in SERVING_COMMANDS:
        return None
    host, port = _option(args, "--host"), _option(args, "--port")
    if host is None and port is None:
        return None
    host = "127.0.0.1" if host is None or host in WILDCARD_HOSTS else host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port or 8000}"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    base_url = default_base_url(args)
    if base_url and not os.environ.get("WIREDESK_BASE_URL"):
        os.environ["WIREDESK_BASE_URL"] = base_url
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wiredesk", *args])


if __name__ == "__main__":
    main()
