"""The ``wiredesk`` command: Django's management commands under Wiredesk's settings.

``wiredesk run``, ``serve``, ``worker``, ``source``, ``rules``, ``fetch``, ``import``, ``export``,
``reprocess``, ``enrich`` and ``demo`` are Wiredesk's own (see docs/commands.md); ``wiredesk help``
lists them. Django's (``migrate``, ``createsuperuser``, ``shell``…) work too, listed by
``wiredesk help --all``.

Before one of Wiredesk's own commands runs, the database is checked: on a fresh data folder the
embedded SQLite database is set up, and a server database that needs ``wiredesk migrate`` is
refused in one line (see :mod:`wiredesk.newsroom.schema`).
"""

from __future__ import annotations

import os
import sys
import textwrap
from typing import TextIO

from wiredesk import heap

# "import" is a Python keyword, so the command's module cannot carry that name.
ALIASES = {"import": "import_files"}
DOCUMENTED_NAMES = {module: name for name, module in ALIASES.items()}
# What `wiredesk help` lists, in this order; Django's other commands are one line away.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Serving", ("run", "serve", "worker")),
    ("Sources", ("source", "rules", "fetch", "import", "export", "reprocess")),
    ("Enrichment", ("enrich",)),
    ("Sending out", ("webhook",)),
    ("Setup", ("demo", "createsuperuser", "migrate")),
)
# `run` migrates by itself, on any database; Django's maintenance commands (migrate, shell,
# check…) must see the database as it is. createsuperuser is Django's but part of setting up.
SETS_UP_ITSELF = frozenset({"run"})
NEEDS_TABLES = frozenset({"createsuperuser"})
# Django's own help lines ("Used to create a superuser") say little to a desk's operator.
SUMMARIES = {
    "createsuperuser": "Create an editor's account for the admin at /admin/",
    "migrate": "Create or upgrade the database's tables (on PostgreSQL, after every upgrade)",
}
HELP_FLAGS = frozenset({"-h", "--help"})
WRAP = 100
SERVING_COMMANDS = frozenset({"run", "serve"})
LONG_RUNNING = frozenset({"run", "serve", "worker"})
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


def summary(help_text: str) -> str:
    """The first sentence of a command's help, for its line in the listing."""
    text = " ".join(help_text.split())
    end = text.find(". ")
    return (text if end < 0 else text[:end]).rstrip(".")


def _app(module: str) -> str | None:
    from django.core.management import get_commands

    return get_commands().get(module)


def _is_own(module: str) -> bool:
    return (_app(module) or "").startswith("wiredesk.")


def _help_of(name: str) -> str:
    from django.core.management import load_command_class

    if name in SUMMARIES:
        return SUMMARIES[name]
    module = ALIASES.get(name, name)
    app = _app(module)
    return summary(str(load_command_class(app, module).help)) if app else ""


def listing(*, everything: bool = False) -> str:
    """What `wiredesk help` prints: Wiredesk's commands by group, one line each."""
    from django.core.management import get_commands

    width = max(len(name) for _, names in GROUPS for name in names) + 4
    lines = ["Usage: wiredesk COMMAND [options]; `wiredesk help COMMAND` shows a command's "
             "options.", ""]
    for group, names in GROUPS:
        lines.append(f"{group}:")
        for name in names:
            lines.extend(textwrap.wrap(_help_of(name), WRAP, initial_indent=f"  {name:<{width}}",
                                       subsequent_indent=" " * (width + 2)))
        lines.append("")
    listed = {ALIASES.get(name, name) for _, names in GROUPS for name in names}
    others: dict[str, list[str]] = {}
    for module, app in get_commands().items():
        if module not in listed and not app.startswith("wiredesk."):
            label = "django" if app == "django.core" else app.rsplit(".", 1)[-1]
            others.setdefault(label, []).append(module)
    if not everything:
        lines.append("Django's commands (shell, dbshell, check, collectstatic…): "
                     "wiredesk help --all")
    else:
        lines.append("Django's commands:")
        for app in sorted(others):
            lines.extend(textwrap.wrap(", ".join(sorted(others[app])), WRAP,
                                       initial_indent=f"  [{app}] ", subsequent_indent="    "))
    lines.append("Settings come from WIREDESK_* environment variables: see docs/settings.md.")
    return "\n".join(lines) + "\n"


def _help(args: list[str], out: TextIO) -> int:
    """`wiredesk help [--all | --commands | COMMAND]`; returns the exit code."""
    from django.core.management import get_commands, load_command_class

    if not args or args[0] in HELP_FLAGS | {"--all"}:
        out.write(listing(everything=bool(args) and args[0] == "--all"))
        return 0
    if args[0] == "--commands":  # for shell completion, as Django's `help --commands`
        out.write("\n".join(sorted(DOCUMENTED_NAMES.get(m, m) for m in get_commands())) + "\n")
        return 0
    name = args[0]
    module = ALIASES.get(name, name)
    app = _app(module)
    if app is None:
        sys.stderr.write(f"Unknown command: {name!r}. Type 'wiredesk help' for usage.\n")
        return 1
    load_command_class(app, module).print_help("wiredesk", DOCUMENTED_NAMES.get(module, name))
    return 0


def _check_database(module: str, rest: list[str]) -> None:
    """Set up or refuse the database before a command that needs its tables (not for --help)."""
    if HELP_FLAGS & set(rest) or module in SETS_UP_ITSELF:
        return
    if not (_is_own(module) or module in NEEDS_TABLES):
        return
    from wiredesk.newsroom.schema import SchemaError, ensure_schema

    try:
        ensure_schema(sys.stderr)
    except SchemaError as exc:
        sys.stderr.write(f"wiredesk: {exc}\n")
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Run a command; ``argv`` None means this process's own command line (``sys.argv``): the
    process is then this command's, and its collector is settled for it (:mod:`wiredesk.heap`)."""
    own_process = argv is None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    base_url = default_base_url(args)
    if base_url and not os.environ.get("WIREDESK_BASE_URL"):
        os.environ["WIREDESK_BASE_URL"] = base_url
    if args and args[0] in LONG_RUNNING:
        # Their counters are summed across processes in files (wiredesk.newsroom.metrics); a
        # one-shot command's would only pile up, one set of files per run.
        os.environ.setdefault("WIREDESK_METRICS_FILES", "1")
    import django

    # Before anything asks which commands exist: Django caches the answer, and before setup it
    # knows only its own.
    django.setup()
    if not args or args[0] in HELP_FLAGS | {"help"}:
        sys.exit(_help(args[1:], sys.stdout))
    name, rest = args[0], args[1:]
    module = ALIASES.get(name, name)
    _check_database(module, rest)
    app = _app(module)
    if app is not None and app.startswith("wiredesk."):
        from django.core.management import load_command_class

        # Run under its documented name, so usage lines and errors say `wiredesk import`.
        command = load_command_class(app, module)
        if own_process:
            heap.settle()  # what the command runs is loaded
        command.run_from_argv(["wiredesk", DOCUMENTED_NAMES.get(module, name), *rest])
        return
    from django.core.management import execute_from_command_line

    if own_process:
        heap.settle()
    execute_from_command_line(["wiredesk", module, *rest])

if __name__ == "__main__":
    main()
