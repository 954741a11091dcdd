"""Leases between real worker processes (issue 14, point 4): a live worker keeps a source it is
polling for as long as the poll takes, even past the lease's length; a worker killed mid-poll has
its source polled by another within one poll interval; a worker that stops cleanly leaves no
lease behind. Two `wiredesk worker` processes on the test's database (SQLite or PostgreSQL),
against a feed server on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.newsroom.feeds import STORY_A, rss
from tests.support.feedserver import FeedServer, Route
from wiredesk.newsroom.workers import leases

WIREDESK = [sys.executable, "-m", "wiredesk.cli"]
INTERVAL = 3  # seconds between two polls of a source
FAST = [f"/fast{n}.xml" for n in range(4)]
SLOW = "/slow.xml"
# The first poll of the slow feed outlasts a lease, so only renewals keep it.
LONG_POLL = leases.LEASE.total_seconds() + 4


def _url() -> str:
    return os.environ.get("WIREDESK_DATABASE_URL", "")


@pytest.fixture
def desk_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The workers' environment: a database of their own, beside the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREDESK_", "DJANGO_"))}
    env.update(WIREDESK_DATA_DIR=str(tmp_path), WIREDESK_FETCH_ALLOW_NETWORKS="127.0.0.1/32",
               WIREDESK_WORKER_TICK="0.2", WIREDESK_POLL_INTERVAL=str(INTERVAL),
               WIREDESK_FETCH_TOTAL_TIMEOUT=str(int(LONG_POLL) + 30),
               WIREDESK_ENRICH="false", WIREDESK_IMAGES="false", WIREDESK_GATE="false",
               WIREDESK_WORKER_THREADS="2")
    if _url().startswith("postgres"):
        import psycopg

        base, name = _url().rsplit("/", 1)
        own = f"{name.split('?', 1)[0]}_leases"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{own}"')
        env["WIREDESK_DATABASE_URL"] = f"{base}/{own}"
        yield env
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')
    else:
        yield env


def query(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    """Rows from the workers' database (plain SQL that both databases read alike)."""
    url = env.get("WIREDESK_DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            return list(conn.execute(sql).fetchall())
    with sqlite3.connect(Path(env["WIREDESK_DATA_DIR"]) / "wiredesk.sqlite3", timeout=20) as conn:
        return list(conn.execute(sql).fetchall())


def holder_of(env: dict[str, str], path: str) -> str:
    """Who holds a live lease on the source at ``path`` ("" when nobody does)."""
    rows = query(env, "SELECT lease_holder FROM newsroom_source WHERE lease_until IS NOT NULL "
                      f"AND url LIKE '%{path}'")
    return str(rows[0][0]) if rows else ""


def pid_of(holder: str) -> int:
    return int(holder.split("|")[-2])


def wait_for(what: str, ready: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while not (result := ready()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return result


@pytest.fixture
def workers() -> Iterator[dict[int, subprocess.Popen[bytes]]]:
    started: dict[int, subprocess.Popen[bytes]] = {}
    yield started
    for process in started.values():
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def test_leases_between_worker_processes(desk_env: dict[str, str], feed_server: FeedServer,
                                         workers: dict[int, subprocess.Popen[bytes]]) -> None:
    env = desk_env
    subprocess.run([*WIREDESK, "migrate", "--verbosity", "0"], env=env, check=True)
    for path in [SLOW, *FAST]:
        feed_server.route(path, Route(body=rss(STORY_A) if path == SLOW else rss(),
                                      delay=LONG_POLL if path == SLOW else 0.0))
        subprocess.run([*WIREDESK, "source", "add", feed_server.url(path), "--name", path],
                       env=env, check=True, capture_output=True)
    for _ in range(2):
        process = subprocess.Popen([*WIREDESK, "worker"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        workers[process.pid] = process

    # A poll longer than a lease: the other worker polls the fast feeds all along, and never
    # the slow one, whose lease its poller renews.
    wait_for("the slow feed was not polled", lambda: holder_of(env, SLOW), 30)
    asked = time.monotonic()
    fast_before = sum(len(feed_server.requests_to(path)) for path in FAST)
    wait_for("the slow feed's poll did not end",
             lambda: not holder_of(env, SLOW) and story_count(env), LONG_POLL + 30)
    assert time.monotonic() - asked > leases.LEASE.total_seconds()
    assert len(feed_server.requests_to(SLOW)) == 1
    assert sum(len(feed_server.requests_to(path)) for path in FAST) >= fast_before + 2 * len(FAST)

    # A worker killed mid-poll: the other polls its source within one poll interval.
    feed_server.route(SLOW, Route(body=rss(STORY_A), delay=8.0))
    polls = len(feed_server.requests_to(SLOW))
    holder = wait_for("the slow feed was not polled again",
                      lambda: len(feed_server.requests_to(SLOW)) > polls
                      and holder_of(env, SLOW), INTERVAL + 30)
    victim = workers.pop(pid_of(holder))
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    killed = time.monotonic()
    wait_for("the dead worker's source was not taken over within one poll interval",
             lambda: len(feed_server.requests_to(SLOW)) > polls + 1, INTERVAL)
    taken_in = time.monotonic() - killed
    [survivor] = workers.values()
    assert pid_of(holder_of(env, SLOW)) == survivor.pid, f"taken over after {taken_in:.1f} s"

    # A clean stop, once its work in hand is done: nothing of it stays leased.
    wait_for("the survivor's poll did not end", lambda: not holder_of(env, SLOW), 30)
    survivor.send_signal(signal.SIGINT)
    assert survivor.wait(timeout=30) == 0
    assert query(env, "SELECT count(*) FROM newsroom_source WHERE lease_until IS NOT NULL") \
        == [(0,)]
    assert story_count(env) == 1  # the slow feed's story, once


def story_count(env: dict[str, str]) -> int:
    return int(query(env, "SELECT count(*) FROM newsroom_story")[0][0])

