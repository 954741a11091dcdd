"""Documentation that cannot drift: every setting and every command is documented."""

from pathlib import Path

from django.core.management import get_commands

from wiredesk.cli import ALIASES
from wiredesk.config import SETTINGS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in text]
    assert missing == []


def test_every_wiredesk_command_is_documented() -> None:
    text = (DOCS / "commands.md").read_text()
    public_names = {alias: name for alias, name in ALIASES.items()}
    ours = [name for name, app in get_commands().items() if app == "wiredesk.newsroom"]
    shown = [next((a for a, n in public_names.items() if n == name), name) for name in ours]
    missing = [name for name in shown if f"## `wiredesk {name}" not in text]
    assert sorted(ours) and missing == []


def test_readme_quick_start_is_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
