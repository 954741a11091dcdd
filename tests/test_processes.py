"""The real processes: `wiredesk run --demo` as the README starts it, and `wiredesk serve` +
`wiredesk worker` as a split deployment, each with its own data directory and real sockets."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.newsroom.feeds import STORY_A, Entry, paragraphs, rss
from tests.support.feedserver import FeedServer, Route

WIREDESK = [sys.executable, "-m", "wiredesk.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREDESK_", "DJANGO_"))}
    env.update(WIREDESK_DATA_DIR=str(data_dir), WIREDESK_BASE_URL=f"http://127.0.0.1:{port}",
               WIREDESK_FETCH_ALLOW_NETWORKS="127.0.0.1/32", WIREDESK_WORKER_TICK="0.2")
    if os.environ.get("WIREDESK_DATABASE_URL", "").startswith("postgres"):
        # These processes run beside the test database, never on it.
        env["WIREDESK_DATABASE_URL"] = os.environ["WIREDESK_DATABASE_URL"].rsplit("/", 1)[0] \
            + "/wiredesk_processes"
    return env


def get(url: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.send_signal(signal.SIGINT)
    for process in started:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[None]:
    url = os.environ.get("WIREDESK_DATABASE_URL", "")
    if url.startswith("postgres"):
        admin = url.rsplit("/", 1)[0] + "/postgres"
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS wiredesk_processes WITH (FORCE)")
            conn.execute("CREATE DATABASE wiredesk_processes")
    yield


def test_run_with_the_demo_serves_a_populated_site(tmp_path: Path, fresh_database: None,
                                                    processes: list[subprocess.Popen[bytes]]
                                                    ) -> None:
    port = free_port()
    log = tmp_path / "stderr.log"
    env = environment(tmp_path, port)
    del env["WIREDESK_BASE_URL"]  # implied by --port, as for a user who runs it on another port
    with log.open("wb") as stderr:
        processes.append(subprocess.Popen([*WIREDESK, "run", "--demo", "--port", str(port)],
                                          env=env, stderr=stderr))
    home = get(f"http://127.0.0.1:{port}/", timeout=90)
    assert "Meridian Wire" in home and "Lisbon Ocean Compact" in home
    assert '"public_stories": 24' in get(f"http://127.0.0.1:{port}/healthz")
    # The worker's enrichment thread follows publication: the newest story gets its entities.
    deadline = time.monotonic() + 120
    while True:
        newest = json.loads(get(f"http://127.0.0.1:{port}/api/v1/stories?page_size=1"))
        if newest["items"][0]["enrichment"] is not None:
            break
        assert time.monotonic() < deadline, "the worker did not enrich the newest story"
        time.sleep(1)
    assert newest["items"][0]["entities"] and newest["items"][0]["topics"]
    assert newest["items"][0]["uri"].startswith(f"http://127.0.0.1:{port}/story/")
    # Each log record is printed once, formatted, even after waitress's logging.basicConfig().
    while "wiredesk.newsroom.workers.enrichment: enriched" not in log.read_text():
        assert time.monotonic() < deadline, "the enricher logged nothing"
        time.sleep(0.5)
    lines = log.read_text().splitlines()
    assert not [line for line in lines if line.startswith("INFO:")], lines


def test_serve_and_worker_as_separate_processes(tmp_path: Path, fresh_database: None,
                                                processes: list[subprocess.Popen[bytes]],
                                                feed_server: FeedServer) -> None:
    port = free_port()
    env = environment(tmp_path, port)
    subprocess.run([*WIREDESK, "migrate", "--verbosity", "0"], env=env, check=True)
    feed_server.route("/feed.xml", Route(body=rss(STORY_A)))
    subprocess.run([*WIREDESK, "source", "add", feed_server.url("/feed.xml"), "--name", "Wire"],
                   env=env, check=True, capture_output=True)
    processes.append(subprocess.Popen([*WIREDESK, "serve", "--port", str(port)], env=env))
    processes.append(subprocess.Popen([*WIREDESK, "worker"], env=env))
    deadline = time.monotonic() + 60
    while STORY_A.title not in get(f"http://127.0.0.1:{port}/search/?q=harbour"):
        assert time.monotonic() < deadline, "the worker did not publish the story"
        time.sleep(0.5)
    assert len(feed_server.requests_to("/feed.xml")) == 1


def distinct_stories(count: int, outlet: str) -> list[Entry]:
    """``count`` stories that share no wording with one another, as ``outlet`` would carry them."""
    chooser = random.Random(20261128)
    # English words (the publication gate holds text in a language the site does not publish),
    # drawn at random so that no two stories share a run of words.
    words = ["harbour", "council", "budget", "river", "bridge", "farmers", "market", "school",
             "hospital", "railway", "station", "minister", "court", "storm", "village", "factory",
             "workers", "union", "museum", "festival", "airport", "police", "mayor", "election",
             "teachers", "doctors", "bank", "prices", "harvest", "water", "power", "energy",
             "wind", "solar", "coast", "island", "mountain", "forest", "road", "traffic",
             "report", "survey", "study", "scientists", "engineers", "ministry", "league", "club",
             "players", "coach", "stadium", "fans", "tickets", "season", "record", "plan",
             "talks", "deal", "ferry", "tunnel", "canal", "garden", "library", "clinic"]
    stories = []
    for number in range(count):
        sentences = [" ".join(chooser.choice(words) for _ in range(12)) + "." for _ in range(6)]
        stories.append(Entry(f"{outlet}-{number}", f"Report {number}: {sentences[0][:40]}",
                             paragraphs(*sentences)))
    return stories


def test_two_workers_receiving_the_same_stories_through_two_feeds_publish_each_once(
        tmp_path: Path, fresh_database: None, processes: list[subprocess.Popen[bytes]],
        feed_server: FeedServer) -> None:
    port = free_port()
    env = environment(tmp_path, port)
    subprocess.run([*WIREDESK, "migrate", "--verbosity", "0"], env=env, check=True)
    count = 40
    for outlet in ("agency", "partner"):
        feed_server.route(f"/{outlet}.xml", Route(body=rss(*distinct_stories(count, outlet))))
        subprocess.run([*WIREDESK, "source", "add", feed_server.url(f"/{outlet}.xml"),
                        "--name", outlet], env=env, check=True, capture_output=True)
    processes.append(subprocess.Popen([*WIREDESK, "serve", "--port", str(port)], env=env))
    # Two workers, each taking one source at the same moment: the duplicate decisions must be
    # serialised between them or both would publish the stories the other is publishing.
    processes.append(subprocess.Popen([*WIREDESK, "worker", "--threads", "1"], env=env))
    processes.append(subprocess.Popen([*WIREDESK, "worker", "--threads", "1"], env=env))
    deadline = time.monotonic() + 90
    while True:
        health = json.loads(get(f"http://127.0.0.1:{port}/healthz"))
        if health["counts"]["stories"] == 2 * count:
            break
        assert time.monotonic() < deadline, f"not every item was stored: {health['counts']}"
        time.sleep(0.5)
    assert health["counts"]["public_stories"] == count
