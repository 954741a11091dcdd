"""The ``wiredesk`` entry point: the public address a serving command implies, its listing of
commands, and every documented command run as a real process on a fresh data folder."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.newsroom.feeds import STORY_A, rss
from wiredesk.cli import default_base_url


@pytest.mark.parametrize(("args", "expected"), [
    (["run", "--demo", "--port", "8011"], "http://127.0.0.1:8011"),
    (["serve", "--port=9000", "--host", "localhost"], "http://localhost:9000"),
    (["run", "--host", "0.0.0.0", "--port", "8080"], "http://127.0.0.1:8080"),
    (["serve", "--host", "::1"], "http://[::1]:8000"),
    (["run", "--demo"], None),            # the default address is the configured default
    (["worker", "--port", "8011"], None),  # only commands that serve imply an address
    ([], None),
])
def test_a_serving_command_on_another_port_implies_its_own_address(
        args: list[str], expected: str | None) -> None:
    assert default_base_url(args) == expected


# --- Every command as a real process, on a data folder nobody has set up -------------------------

WIREDESK = [sys.executable, "-m", "wiredesk.cli"]
SET_UP = "wiredesk: set up a new database in "


def fresh_environment(data_dir: Path) -> dict[str, str]:
    """A user's environment on a new data folder: the embedded SQLite default, whatever database
    the suite itself runs on, and a loopback allowance so a local feed can be added."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREDESK_", "DJANGO_"))}
    env.update(WIREDESK_DATA_DIR=str(data_dir), WIREDESK_FETCH_ALLOW_NETWORKS="127.0.0.1/32",
               WIREDESK_ENRICH="false", WIREDESK_WORKER_TICK="0.2",
               DJANGO_SUPERUSER_PASSWORD="a long test password 42")
    return env


def wiredesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WIREDESK, *args], env=env, capture_output=True, text=True,
                          timeout=180)


def feed_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    feed = folder / "feed.xml"
    feed.write_bytes(rss(STORY_A))
    return feed


# Each documented command, what it prints on an empty desk, and its exit code: 1 only for the
# ones that name a source that cannot exist yet.
COMMANDS: list[tuple[list[str], str, int]] = [
    (["source", "add", "http://127.0.0.1:9/feed.xml", "--name", "Loop"],
     "Added source 1: Loop <http://127.0.0.1:9/feed.xml>", 0),
    (["source", "add-push", "Agency", "--format", "ninjs"], "Bearer token (shown only now): ", 0),
    (["source", "add-folder", "{tmp}/drop"], "Added drop-folder source 1: drop", 0),
    (["source", "list"], "ID  ACTIVE  ERRORS  STORIES  NAME  WHERE", 0),
    (["source", "enable", "1"], "no source with id 1", 1),
    (["source", "disable", "1"], "no source with id 1", 1),
    (["source", "push-token", "1"], "no source with id 1", 1),
    (["fetch"], "No source is due.", 0),
    (["fetch", "--source", "1"], "no source with id 1", 1),
    (["import", "{tmp}/files/feed.xml", "--source", "Archive"],
     "Archive: 1 of 1 files read; 1 new, 0 updated, 0 unchanged", 0),
    (["export", "--since", "2026-11-01"], "", 0),
    (["reprocess", "--failed"], "No payload to re-process.", 0),
    (["rules", "export"], "# Wiredesk routing rules", 0),
    (["rules", "list"], "", 0),
    (["source", "export"], "<opml", 0),
    (["enrich", "--all"], "0 stories enriched; 0 still to do", 0),
    (["webhook", "list"], "", 0),
    (["webhook", "dead"], "", 0),
    (["webhook", "replay"], "0 dead letters queued again", 0),
    (["demo"], "Meridian Wire: ", 0),
    (["createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.org"],
     "Superuser created successfully.", 0),
]


@pytest.mark.parametrize(("args", "expected", "code"), COMMANDS,
                         ids=[" ".join(args[:2]) for args, _, _ in COMMANDS])
def test_each_command_works_on_a_fresh_data_folder(tmp_path: Path, args: list[str],
                                                   expected: str, code: int) -> None:
    data = tmp_path / "data"
    (tmp_path / "drop").mkdir()
    feed_file(tmp_path / "files")
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    result = wiredesk(fresh_environment(data), *args)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, (result.stdout, result.stderr)
    assert expected in result.stdout + result.stderr
    # The database was set up first, said so in one line, and is complete.
    assert result.stderr.count(SET_UP) == 1, result.stderr
    assert f"{SET_UP}{data / 'wiredesk.sqlite3'}\n" in result.stderr
    assert applied_newsroom_migrations(data) == NEWSROOM_MIGRATIONS


NEWSROOM_MIGRATIONS = sorted(path.stem for path in (
    Path(__file__).resolve().parents[1] / "src/wiredesk/newsroom/migrations").glob("0*.py"))


def applied_newsroom_migrations(data: Path) -> list[str]:
    with closing(sqlite3.connect(data / "wiredesk.sqlite3")) as db:
        return sorted(name for (name,) in db.execute(
            "SELECT name FROM django_migrations WHERE app = 'newsroom'"))


def test_a_second_command_on_the_folder_says_nothing_about_the_database(tmp_path: Path) -> None:
    env = fresh_environment(tmp_path / "data")
    wiredesk(env, "import", str(feed_file(tmp_path)))
    again = wiredesk(env, "source", "list")
    assert again.returncode == 0 and again.stderr == ""
    assert "Local files" in again.stdout


@pytest.mark.parametrize("command", ["run", "serve", "worker"])
def test_the_serving_commands_explain_themselves_without_touching_the_database(
        tmp_path: Path, command: str) -> None:
    data = tmp_path / "data"
    result = wiredesk(fresh_environment(data), command, "--help")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith(f"usage: wiredesk {command} ")
    assert not (data / "wiredesk.sqlite3").exists()


def test_the_worker_starts_on_a_fresh_data_folder_and_stops_on_sigint(tmp_path: Path) -> None:
    data = tmp_path / "data"
    worker = subprocess.Popen([*WIREDESK, "worker"], env=fresh_environment(data),
                              stderr=subprocess.PIPE, text=True)
    try:
        assert worker.stderr is not None
        lines = []
        for line in worker.stderr:
            lines.append(line)
            if "worker started" in line:
                break
        assert lines and lines[0].startswith(SET_UP), lines
    finally:
        worker.send_signal(signal.SIGINT)
        rest = worker.communicate(timeout=60)[1]
    assert worker.returncode == 0
    assert "Traceback" not in "".join(lines) + rest


def test_maintenance_commands_see_the_database_as_it_is(tmp_path: Path) -> None:
    env = fresh_environment(tmp_path / "data")
    shown = wiredesk(env, "showmigrations", "newsroom")
    assert shown.returncode == 0 and SET_UP not in shown.stderr
    assert "[ ] 0001_initial" in shown.stdout
    checked = wiredesk(env, "check")
    assert checked.returncode == 0 and SET_UP not in checked.stderr
    assert "[ ] 0001_initial" in wiredesk(env, "showmigrations", "newsroom").stdout
    migrated = wiredesk(env, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0 and migrated.stderr == ""
    assert "[ ]" not in wiredesk(env, "showmigrations").stdout


@pytest.fixture
def empty_postgresql() -> Iterator[str]:
    """A new, empty PostgreSQL database beside the suite's (named after it, so that suites run
    by different people on one server do not meet), dropped afterwards."""
    url = os.environ.get("WIREDESK_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (WIREDESK_DATABASE_URL)")
    import psycopg

    base, name = url.rsplit("/", 1)
    empty = f"{name.split('?')[0]}_empty_cli"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{empty}"')
    yield f"{base}/{empty}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')


def test_a_server_database_is_never_migrated_behind_the_operators_back(
        tmp_path: Path, empty_postgresql: str) -> None:
    env = {**fresh_environment(tmp_path / "data"), "WIREDESK_DATABASE_URL": empty_postgresql}
    for args in (["fetch"], ["source", "list"], ["import", str(feed_file(tmp_path))]):
        refused = wiredesk(env, *args)
        assert refused.returncode == 1 and refused.stdout == ""
        assert "Traceback" not in refused.stderr
        [line] = refused.stderr.splitlines()
        assert "not set up for this version of Wiredesk" in line
        assert line.endswith("run `wiredesk migrate` first")
    assert wiredesk(env, "migrate", "--verbosity", "0").returncode == 0
    listed = wiredesk(env, "source", "list")
    assert listed.returncode == 0 and listed.stderr == ""


def test_an_unreachable_server_database_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        env = {**fresh_environment(tmp_path / "data"),
               "WIREDESK_DATABASE_URL": f"postgresql://wiredesk@127.0.0.1:{port}/wiredesk"}
        result = wiredesk(env, "fetch")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("wiredesk: cannot use the database 'wiredesk' on 127.0.0.1:")


# --- The listing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["--help"], ["help"], ["-h"]])
def test_the_command_lists_its_own_commands_by_group(tmp_path: Path, args: list[str]) -> None:
    result = wiredesk(fresh_environment(tmp_path / "data"), *args)
    assert result.returncode == 0 and result.stderr == ""
    out = result.stdout
    groups = ["Serving:", "Sources:", "Enrichment:", "Setup:"]
    assert [out.index(group) for group in groups] == sorted(out.index(g) for g in groups)
    sources = out[out.index("Sources:"):out.index("Enrichment:")]
    for name in ("source", "rules", "fetch", "import", "export", "reprocess"):
        assert f"\n  {name} " in sources
    assert "import_files" not in out
    # One line from each command's own help.
    assert "  demo               Load the bundled offline demo sources" in out
    assert "  serve              Serve the site only" in out
    # Django's maintenance commands are one line away, not in the listing.
    assert "wiredesk help --all" in out and "dbshell" in out and "sqlflush" not in out
    assert not (tmp_path / "data" / "wiredesk.sqlite3").exists()


def test_help_all_adds_djangos_commands(tmp_path: Path) -> None:
    out = wiredesk(fresh_environment(tmp_path / "data"), "help", "--all").stdout
    assert "Django's commands:" in out
    assert "[django] check," in out and "sqlflush" in out and "[staticfiles] collectstatic" in out
    assert "import_files" not in out


@pytest.mark.parametrize("args", [["help", "import"], ["import", "--help"]])
def test_import_is_known_by_its_documented_name(tmp_path: Path, args: list[str]) -> None:
    result = wiredesk(fresh_environment(tmp_path / "data"), *args)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: wiredesk import ")
    assert "import_files" not in result.stdout


def test_an_unknown_command_is_one_clear_line(tmp_path: Path) -> None:
    for args in (["help", "frobnicate"], ["frobnicate"]):
        result = wiredesk(fresh_environment(tmp_path / "data"), *args)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "Unknown command: 'frobnicate'" in result.stderr
