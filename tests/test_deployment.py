"""Deployment: `wiredesk check --deploy` passes with the production settings docs/deployment.md
gives, and the data folder and its files are private to Wiredesk's user."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

from wiredesk.newsroom.filemodes import make_private

DOCS = Path(__file__).resolve().parents[1] / "docs"
WIREDESK = [sys.executable, "-m", "wiredesk.cli"]


def documented_production_settings() -> dict[str, str]:
    """The variables of the /etc/wiredesk.env block in docs/deployment.md."""
    text = (DOCS / "deployment.md").read_text()
    block = text.split("# /etc/wiredesk.env", 1)[1].split("\n", 1)[1].split("```", 1)[0]
    pairs = (line.split("=", 1) for line in block.splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def environment(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREDESK_", "DJANGO_"))}
    env.update(WIREDESK_DATA_DIR=str(data_dir), WIREDESK_ENRICH="false", **settings)
    return env


def wiredesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WIREDESK, *args], env=env, capture_output=True, text=True,
                          timeout=180, preexec_fn=lambda: os.umask(0o022))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_check_deploy_passes_with_the_documented_production_settings(tmp_path: Path) -> None:
    documented = documented_production_settings()
    assert documented["WIREDESK_HSTS_SECONDS"] == "31536000"
    # The placeholders a reader replaces: a real secret key, and a database on this machine
    # (the check reads settings only; it does not connect).
    documented.update(WIREDESK_SECRET_KEY=secrets.token_urlsafe(50))
    documented.pop("WIREDESK_DATABASE_URL")
    documented.pop("WIREDESK_DATA_DIR")
    result = wiredesk(environment(tmp_path / "data", **documented),
                      "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_warns_without_them(tmp_path: Path) -> None:
    result = wiredesk(environment(tmp_path / "data"), "check", "--deploy")
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def test_the_data_folder_and_its_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = environment(data)
    result = wiredesk(env, "migrate", "--verbosity", "0")
    assert result.returncode == 0, result.stderr
    result = wiredesk(env, "source", "add-push", "Agency", "--hmac")  # writes through the WAL
    assert result.returncode == 0, result.stderr
    assert mode(data) == 0o700
    files = [path for path in data.iterdir() if path.is_file()]
    assert {path.name for path in files} >= {"secret_key", "wiredesk.sqlite3"}
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}


def test_existing_database_files_lose_group_and_other_access(tmp_path: Path) -> None:
    database = tmp_path / "wiredesk.sqlite3"
    for path in (database, tmp_path / "wiredesk.sqlite3-wal"):
        path.write_bytes(b"")
        path.chmod(0o644)
    make_private(database)
    assert mode(database) == mode(tmp_path / "wiredesk.sqlite3-wal") == 0o600
