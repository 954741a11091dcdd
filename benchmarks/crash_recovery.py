"""Time from a `kill -9` in the middle of a push burst until every acknowledged payload is applied.

    .venv/bin/python benchmarks/crash_recovery.py [--payloads 1000] [--kill-at 0.5] [--no-enrich]
    .venv/bin/python benchmarks/crash_recovery.py --split \\
        --database-url postgresql://postgres@127.0.0.1:5432/wd_crash_bench
    .venv/bin/python benchmarks/crash_recovery.py --backlog 500 [--database-url URL]

Runs the desk as a user would (enrichment on, as deployed; ``--no-enrich`` switches it off)
-- `wiredesk run` on SQLite in a fresh data directory, or with
--split `wiredesk serve` plus `wiredesk worker` (on the given database, which is emptied first) --
on a free loopback port, creates a push source and pushes N one-story ninjs payloads from several
threads at once. When the given share of them has been acknowledged (202), every desk process is
killed with SIGKILL (its whole process group, web server workers included), mid-burst: payloads
acknowledged but not yet processed are left "received". The same processes are started again,
and the harness reads the database until every acknowledged payload has been applied. Prints how
many were acknowledged, how many were left unprocessed at the kill, and the time from the restart
(and from the kill) until all were applied, when the first step of them was, and the CPU time
the restarted processes used.
All traffic goes to 127.0.0.1.

``--backlog N`` measures the recovery alone, in this process: N one-story payloads stored as a
dead process leaves them (unclaimed, "received"), then ``inbox.recover`` with a fresh write desk,
timed by the wall clock and this process's CPU -- no process start, no push burst, so the figure
is the apply path's own (a fresh SQLite file, or the given PostgreSQL database emptied first).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from archive_builder import Corpus

PUSHERS = 8  # concurrent senders, as an agency's burst arrives on several connections
TIMEOUT = 120.0  # seconds the recovery may take before the harness gives up


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ninjs(number: int) -> bytes:
    headline, paragraphs = _story(number)
    return json.dumps({
        "uri": f"urn:bench:crash-recovery:{number}", "type": "text", "version": "1",
        "pubstatus": "usable", "versioncreated": datetime.now(UTC).isoformat(),
        "headline": headline, "body_html": "".join(f"<p>{p}</p>" for p in paragraphs),
    }).encode()


@functools.cache
def _corpus() -> Corpus:
    return Corpus()


def _story(number: int) -> tuple[str, list[str]]:
    """A wire's story: a real headline and real sentences recombined (seeded by the number),
    with an invented name put in, as benchmarks/scale.py builds its archives -- distinct
    stories, each passing the publication gate and the duplicate desk as news does, and
    clustered as news is. (Look-alike texts were held as thin and all landed in one cluster: a
    worst case of the clusterer's, not the cost of applying a burst.)"""
    corpus, rng = _corpus(), random.Random(number)
    return corpus.story(rng, [corpus.name(rng)])


class Desk:
    """The desk's processes, started and killed as a whole."""

    def __init__(self, env: dict[str, str], port: int, *, split: bool) -> None:
        self.env, self.port, self.split = env, port, split
        self.processes: list[subprocess.Popen[bytes]] = []

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "wiredesk.cli", *args]

    def start(self) -> None:
        port = ["--port", str(self.port)]
        commands = ([self.command("serve", *port), self.command("worker")] if self.split
                    else [self.command("run", *port)])
        # Each in a process group of its own, so that a kill reaches the web server's worker
        # processes too, as a crash of the whole service (or systemd's kill of its cgroup) does.
        self.processes = [subprocess.Popen(c, env=self.env, start_new_session=True)
                          for c in commands]

    def kill(self) -> None:
        for process in self.processes:
            os.killpg(process.pid, signal.SIGKILL)
        for process in self.processes:
            process.wait()

    def cpu_seconds(self) -> float:
        """User and system CPU time used so far by the desk's processes and their children
        (the web processes), from /proc (Linux)."""
        total = 0.0
        for process in self.processes:
            for pid in [process.pid, *_descendants(process.pid)]:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue  # gone meanwhile
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _descendants(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        direct = [int(child) for child in children.read_text().split()]
    except OSError:
        return []
    return [n for child in direct for n in (child, *_descendants(child))]


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def setup(env: dict[str, str]) -> tuple[str, str]:
    """Migrate and create the push source; returns (push path, token)."""
    wiredesk = [sys.executable, "-m", "wiredesk.cli"]
    subprocess.run([*wiredesk, "migrate", "--verbosity", "0"], env=env, check=True)
    out = subprocess.run([*wiredesk, "source", "add-push", "Bench Wire", "--format", "ninjs"],
                         env=env, check=True, capture_output=True, text=True).stdout
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    path = "/" + lines["Push URL"].split("/", 3)[3]
    token = next(value for key, value in lines.items() if "token" in key.lower()).strip()
    return path, token


def unapplied_counter(env: dict[str, str]) -> Callable[[list[int]], int]:
    """A function counting the given payloads still waiting ("received") in the database."""
    url = env.get("WIREDESK_DATABASE_URL", "")
    query = "SELECT count(*) FROM newsroom_rawpayload WHERE outcome = 'received' AND id IN ({})"
    if url.startswith("postgres"):
        import psycopg

        def count_postgres(ids: list[int]) -> int:
            with psycopg.connect(url) as db:
                row = db.execute(query.format(",".join(map(str, ids)))).fetchone()
                return int(row[0]) if row else 0
        return count_postgres
    path = Path(env["WIREDESK_DATA_DIR"]) / "wiredesk.sqlite3"

    def count_sqlite(ids: list[int]) -> int:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
            return int(db.execute(query.format(",".join(map(str, ids)))).fetchone()[0])
    return count_sqlite


def empty_postgres(url: str) -> None:
    """Drop and create the benchmark's database (through the server's ``postgres`` database)."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def burst(base: str, path: str, token: str, count: int, kill_at: int,
          desk: Desk) -> tuple[list[int], float]:
    """Push ``count`` payloads; kill the desk once ``kill_at`` are acknowledged. Returns the
    acknowledged payload ids and the moment of the kill."""
    acked: list[int] = []
    lock, killed = threading.Lock(), threading.Event()
    kill_moment = [0.0]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def push(numbers: range) -> None:
        with httpx.Client(base_url=base, timeout=30.0) as client:
            for number in numbers:
                if killed.is_set():
                    return
                try:
                    answer = client.post(path, content=ninjs(number), headers=headers)
                except httpx.TransportError:
                    return  # the desk is down: the sender would retry later
                if answer.status_code != 202:
                    continue
                with lock:
                    acked.append(int(answer.json()["payload"]))
                    if len(acked) >= kill_at and not killed.is_set():
                        killed.set()
                        desk.kill()
                        kill_moment[0] = time.perf_counter()

    shares = [range(n, count, PUSHERS) for n in range(PUSHERS)]
    with ThreadPoolExecutor(PUSHERS) as pool:
        list(pool.map(push, shares))
    if not killed.is_set():
        desk.kill()
        kill_moment[0] = time.perf_counter()
    return acked, kill_moment[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payloads", type=int, default=1000)
    parser.add_argument("--kill-at", type=float, default=0.9,
                        help="share of the payloads acknowledged when the desk is killed")
    parser.add_argument("--split", action="store_true",
                        help="`wiredesk serve` + `wiredesk worker` instead of `wiredesk run`")
    parser.add_argument("--database-url", default="",
                        help="a PostgreSQL database to empty and use (default: SQLite)")
    parser.add_argument("--no-enrich", action="store_true",
                        help="run the desk with enrichment off (default: on, as deployed)")
    parser.add_argument("--backlog", type=int, default=0,
                        help="time inbox.recover of this many stored payloads, in this process")
    args = parser.parse_args()
    if args.backlog:
        return recover_backlog(args.backlog, args.database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREDESK_", "DJANGO_"))}
    env.update(WIREDESK_DATA_DIR=tempfile.mkdtemp(prefix="wiredesk-crash-"),
               WIREDESK_BASE_URL=base, WIREDESK_LOG_LEVEL="ERROR",
               WIREDESK_ENRICH="false" if args.no_enrich else "true")
    if args.database_url:
        env["WIREDESK_DATABASE_URL"] = args.database_url
        empty_postgres(args.database_url)
    _corpus()  # read once, before the burst's threads need it
    push_path, token = setup(env)
    desk = Desk(env, port, split=args.split)
    desk.start()
    unapplied = unapplied_counter(env)
    try:
        with httpx.Client(base_url=base, timeout=5.0) as client:
            wait_until(lambda: _up(client), timeout=60)
        started = time.perf_counter()
        acked, killed_at = burst(base, push_path, token, args.payloads,
                                 int(args.payloads * args.kill_at), desk)
        pushed_for = killed_at - started
        left = unapplied(acked)
        restarted = time.perf_counter()
        desk.start()
        begun = wait_until(lambda: unapplied(acked) < left, timeout=TIMEOUT)
        done = wait_until(lambda: unapplied(acked) == 0, timeout=TIMEOUT)
        cpu = desk.cpu_seconds()
    finally:
        desk.stop()
    setup_name = ("serve + worker" if args.split else "run") + (
        ", enrichment off" if args.no_enrich else "")
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"wiredesk {setup_name} on {database}: {len(acked)} payloads acknowledged (202) in "
          f"{pushed_for:.1f} s, then kill -9; {left} of them left unprocessed")
    print(f"restart -> every acknowledged payload applied: {done - restarted:6.2f} s "
          f"(the first after {begun - restarted:.2f} s, then {left} in {done - begun:.2f} s; "
          f"CPU of the restarted processes {cpu:.2f} s; load average {_load()})")
    print(f"kill    -> every acknowledged payload applied: {done - killed_at:6.2f} s")
    return 0


def recover_backlog(count: int, database_url: str) -> int:
    """``inbox.recover`` of ``count`` payloads left unprocessed, in this process (see --backlog)."""
    from ingest_throughput import setup_django

    setup_django(database_url or "sqlite")
    from wiredesk import heap
    from wiredesk.newsroom.models import RawPayload, Source
    from wiredesk.newsroom.transports import inbox
    from wiredesk.newsroom.write.desk import WriteDesk

    heap.settle()  # as a desk process does once loaded

    source = Source.objects.create(name="Crash bench", slug="crash-bench",
                                   transport=Source.Transport.PUSH)
    for number in range(count):
        inbox.store(source, ninjs(number), transport=Source.Transport.PUSH, origin="push")
    RawPayload.objects.update(claimed_by="", claim_until=None)  # as a dead process leaves them
    wall, cpu = time.perf_counter(), time.process_time()
    done = inbox.recover(WriteDesk())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    database = "PostgreSQL" if database_url else "SQLite"
    print(f"recovered {done} stored payloads on {database} in {wall:.2f} s "
          f"(CPU {cpu:.2f} s of this process; {1000 * wall / max(1, done):.1f} ms per payload)")
    return 0


def wait_until(check: Callable[[], bool], timeout: float) -> float:
    """Poll ``check()`` until true; returns the moment it became true."""
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("not done within the time limit")
        time.sleep(0.02)
    return time.perf_counter()


def _up(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


if __name__ == "__main__":
    sys.exit(main())
