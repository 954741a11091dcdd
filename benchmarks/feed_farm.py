"""Many workers against a loopback feed farm: polling rate, punctuality, double fetches, duplicates.

    .venv/bin/python benchmarks/feed_farm.py [--feeds 10000] [--workers 1,2,3,4] [--duration 180]
        [--interval SECONDS] [--database-url postgresql://postgres@127.0.0.1:5432/wd_farm]

A **feed farm** -- one stdlib HTTP server process on 127.0.0.1, threaded -- serves N distinct feeds
(`/f/<n>.xml`, RSS 2.0 or Atom) generated from text recombined from the real feeds in
`../shared/data/feeds/` (else the bundled ones). Each feed is a stream whose newest items move on
with time: about 40% change about once per poll interval, the rest rarely; a fifth of the items
are syndicated stories that several feeds carry in the same ten minutes (same headline, body and
time, each feed with its own guid), so cross-feed duplicates arise. Responses carry an ETag and
Last-Modified and answer conditional GETs with 304. About 2.5% of the feeds answer after 1-3 s,
about 1% always fail (500), about 1% answer 503 with Retry-After. The farm records, per feed path,
how many requests are in flight at once: a second request while one is in flight is a double
fetch. Its capacity is measured first, with clients in two processes.

The desk runs on PostgreSQL in a database of its own (emptied, migrated; sources added through
`wiredesk source add` with ``WIREDESK_FETCH_ALLOW_NETWORKS=127.0.0.0/8``). A warm-up with the
largest worker count polls every feed once (every item new). Then for each worker count, that
many `wiredesk worker` processes (real subprocesses, enrichment off so the figures are polling and
ingest) run for --duration seconds, with the sources' next checks first spread evenly over one
poll interval (``WIREDESK_POLL_INTERVAL``, default a quarter of the duration, so every source is
due about four times). Printed per worker count: sources polled per second (against the offered
load N / interval), how late due sources were claimed (sampled from the database every 0.5 s:
max and p95 over due events, and how many were later than one interval), double fetches (must be
0), duplicate stories (must be 0: stories per (source, external id), and syndicated stories
visible more than once under the also-reported policy), CPU seconds of the workers, the farm and
the machine, and the scaling of the polling rate from the smallest worker count.

Bounded in time; every process it starts is in its own process group, killed on exit.
All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import atexit
import email.utils
import html
import json
import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from feed_corpus import corpus_files

WIREDESK = [sys.executable, "-m", "wiredesk.cli"]
ITEMS_PER_FEED = 6
SHARED_SHARE = 0.2  # items that are syndicated stories carried by several feeds
SHARED_BUCKET = 600  # seconds: feeds carrying a syndicated story do so within the same bucket
SHARED_PER_BUCKET = 30
SAMPLE_EVERY = 0.5
_CHILDREN: list[subprocess.Popen[bytes]] = []


# ---------------------------------------------------------------- the farm's text and feeds


@dataclass(frozen=True, slots=True)
class Texts:
    titles: list[str]
    sentences: list[str]


def load_texts(max_files: int = 80) -> Texts:
    """Headlines and sentences from real feeds, to recombine into stories."""
    import feedparser

    titles: set[str] = set()
    sentences: set[str] = set()
    for path in corpus_files(None)[:max_files]:
        parsed = feedparser.parse(path.read_bytes())
        for entry in parsed.entries:
            title = " ".join(str(entry.get("title", "")).split())
            if 20 <= len(title) <= 140:
                titles.add(title)
            text = re.sub(r"<[^>]+>", " ", str(entry.get("summary", "")))
            for sentence in re.split(r"(?<=[.!?])\s+", html.unescape(" ".join(text.split()))):
                if 40 <= len(sentence) <= 300:
                    sentences.add(sentence)
    if len(titles) < 50 or len(sentences) < 200:
        raise SystemExit(f"too little text in the feed corpus ({len(titles)} titles, "
                         f"{len(sentences)} sentences)")
    return Texts(sorted(titles), sorted(sentences))


@dataclass(frozen=True, slots=True)
class FeedPlan:
    """What feed ``n`` is: its format, how often it changes, and how it misbehaves."""

    number: int
    atom: bool
    period: float  # seconds between two new items
    base: float  # the time of item 0
    delay: float  # seconds before answering (slow feeds)
    fails: int  # 0, 500 or 503

    @classmethod
    def of(cls, number: int, *, interval: float, start: float) -> FeedPlan:
        rng = random.Random(number)
        period = interval * (rng.uniform(0.7, 1.5) if rng.random() < 0.4 else rng.uniform(5, 20))
        fails = 500 if number % 97 == 5 else 503 if number % 89 == 7 else 0
        delay = rng.uniform(1.0, 3.0) if number % 41 == 3 else 0.0
        base = start - rng.uniform(ITEMS_PER_FEED, ITEMS_PER_FEED + 1) * period
        return cls(number, number % 3 == 0, period, base, delay, fails)

    def latest(self, now: float) -> int:
        return int((now - self.base) // self.period)


@dataclass(frozen=True, slots=True)
class Item:
    guid: str
    title: str
    paragraphs: list[str]
    published: float


def story(texts: Texts, seed: int) -> tuple[str, list[str]]:
    rng = random.Random(seed)
    title = rng.choice(texts.titles)
    body = [" ".join(rng.sample(texts.sentences, rng.randint(2, 3)))
            for _ in range(rng.randint(3, 5))]
    return title, body


def item(texts: Texts, plan: FeedPlan, k: int) -> Item:
    at = plan.base + k * plan.period
    if random.Random(plan.number * 1_000_003 + k).random() < SHARED_SHARE:
        # A syndicated story: the same copy in every feed that picks it within the bucket.
        bucket = int(at // SHARED_BUCKET)
        j = (plan.number + k * 13) % SHARED_PER_BUCKET  # distinct for neighbouring items
        title, body = story(texts, bucket * 1000 + j + 7_000_000_000)
        return Item(f"farm:{plan.number}:w{bucket}-{j}", title, body, bucket * SHARED_BUCKET)
    title, body = story(texts, plan.number * 1_000_003 + k)
    return Item(f"farm:{plan.number}:{k}", title, body, at)


def render(texts: Texts, plan: FeedPlan, now: float, port: int) -> tuple[bytes, float]:
    """The feed's body as it stands at ``now`` and its last modification time."""
    latest = plan.latest(now)
    items = [item(texts, plan, k) for k in range(latest, latest - ITEMS_PER_FEED, -1)]
    updated = max(i.published for i in items)
    link = f"http://127.0.0.1:{port}/f/{plan.number}"
    out: list[str] = []
    if plan.atom:
        out.append(f'<?xml version="1.0" encoding="utf-8"?>\n'
                   f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Farm feed {plan.number}'
                   f'</title><id>{link}</id><link href="{link}"/>'
                   f"<updated>{_iso(updated)}</updated>")
        for i in items:
            body = html.escape("".join(f"<p>{html.escape(p)}</p>" for p in i.paragraphs))
            out.append(f"<entry><id>{i.guid}</id><title>{html.escape(i.title)}</title>"
                       f'<link href="{link}/{html.escape(i.guid)}"/>'
                       f"<published>{_iso(i.published)}</published>"
                       f"<updated>{_iso(i.published)}</updated>"
                       f'<author><name>Farm desk</name></author><content type="html">{body}'
                       f"</content></entry>")
        out.append("</feed>")
    else:
        out.append(f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                   f"<title>Farm feed {plan.number}</title><link>{link}</link>"
                   f"<description>Generated feed</description>"
                   f"<lastBuildDate>{email.utils.formatdate(updated, usegmt=True)}"
                   f"</lastBuildDate>")
        for i in items:
            body = html.escape("".join(f"<p>{html.escape(p)}</p>" for p in i.paragraphs))
            out.append(f'<item><guid isPermaLink="false">{i.guid}</guid>'
                       f"<title>{html.escape(i.title)}</title>"
                       f"<link>{link}/{html.escape(i.guid)}</link>"
                       f"<pubDate>{email.utils.formatdate(i.published, usegmt=True)}</pubDate>"
                       f"<description>{body}</description></item>")
        out.append("</channel></rss>")
    return "".join(out).encode(), updated


def _iso(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


# ---------------------------------------------------------------- the farm's server


class FarmState:
    """Counters shared by the farm's threads (one lock: a counter update is microseconds)."""

    def __init__(self, feeds: int) -> None:
        self.lock = threading.Lock()
        self.feeds = feeds
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.in_flight: dict[int, int] = {}
            self.requests = [0] * self.feeds
            self.status: dict[str, int] = {}
            self.overlaps = 0
            self.overlapping: list[int] = []
            self.max_in_flight = 0
            self.since = time.time()
            self.cpu = _own_cpu()

    def begin(self, number: int) -> None:
        with self.lock:
            now = self.in_flight.get(number, 0) + 1
            self.in_flight[number] = now
            self.requests[number] += 1
            if now > 1:
                self.overlaps += 1
                if len(self.overlapping) < 20:
                    self.overlapping.append(number)
            self.max_in_flight = max(self.max_in_flight, sum(self.in_flight.values()))

    def end(self, number: int, status: int) -> None:
        with self.lock:
            self.in_flight[number] -= 1
            if not self.in_flight[number]:
                del self.in_flight[number]
            self.status[str(status)] = self.status.get(str(status), 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"requests": list(self.requests), "status": dict(self.status),
                    "overlaps": self.overlaps, "overlapping": list(self.overlapping),
                    "max_in_flight": self.max_in_flight, "seconds": time.time() - self.since,
                    "cpu": _own_cpu() - self.cpu}


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def serve_farm(feeds: int, interval: float, ready: Any) -> None:
    """The farm process: serve until killed."""
    texts = load_texts()
    start = time.time()
    plans = [FeedPlan.of(n, interval=interval, start=start) for n in range(feeds)]
    state = FarmState(feeds)
    path_re = re.compile(r"^/f/(\d+)\.xml$")

    class Handler(BaseHTTPRequestHandler):
        server_version = "FeedFarm/1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/_stats":
                self._send(200, json.dumps(state.snapshot()).encode(), {})
                return
            match = path_re.match(self.path)
            if not match or int(match.group(1)) >= feeds:
                self._send(404, b"no such feed", {})
                return
            number = int(match.group(1))
            state.begin(number)
            status = 500
            try:
                status = self._feed(plans[number])
            finally:
                state.end(number, status)

        def do_POST(self) -> None:
            if self.path == "/_reset":
                state.reset()
                self._send(204, b"", {})
                return
            self._send(404, b"", {})

        def _feed(self, plan: FeedPlan) -> int:
            if plan.delay:
                time.sleep(plan.delay)
            if plan.fails == 500:
                return self._send(500, b"internal error", {})
            if plan.fails == 503:
                return self._send(503, b"busy", {"Retry-After": "20"})
            body, updated = render(texts, plan, time.time(), port)
            etag = f'"{zlib.crc32(body):08x}"'
            headers = {"ETag": etag, "Last-Modified": email.utils.formatdate(updated, usegmt=True),
                       "Content-Type": ("application/atom+xml" if plan.atom
                                        else "application/rss+xml")}
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", headers)
            return self._send(200, body, headers)

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> int:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and status != 304:
                self.wfile.write(body)
            return status

    ThreadingHTTPServer.request_queue_size = 1024
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    ready.send(port)
    server.serve_forever(poll_interval=0.5)


def _probe(port: int, numbers: list[int], seconds: float, threads: int) -> int:
    """Clients in one process: GET feeds (no validators) for ``seconds``; returns requests done."""
    import http.client

    done = [0] * threads
    deadline = time.perf_counter() + seconds

    def client(slot: int) -> None:
        rng = random.Random(slot)
        while time.perf_counter() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", f"/f/{rng.choice(numbers)}.xml")
            conn.getresponse().read()
            conn.close()
            done[slot] += 1

    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(done)


def farm_capacity(port: int, feeds: int, interval: float, seconds: float = 4.0) -> float:
    """Full (200) responses per second the farm serves to clients in two processes."""
    fast = [n for n in range(feeds)
            if not FeedPlan.of(n, interval=interval, start=0).delay
            and not FeedPlan.of(n, interval=interval, start=0).fails]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        counts = pool.starmap(_probe, [(port, fast, seconds, 8)] * 2)
    return sum(counts) / seconds


# ---------------------------------------------------------------- the desk


def _stop_children() -> None:
    for child in _CHILDREN:
        if child.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    for child in _CHILDREN:
        with suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        with suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # the group: anything the child left behind
    _CHILDREN.clear()


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=out,
                                 start_new_session=True)
    _CHILDREN.append(child)
    return child


def empty_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


ADD_SOURCES = """
import sys
import django
django.setup()
from django.db import transaction
from wiredesk.newsroom.sources import add_source
port, first, last = map(int, sys.argv[1:4])
with transaction.atomic():
    for n in range(first, last):
        add_source(f"http://127.0.0.1:{port}/f/{n}.xml", name=f"Farm feed {n}")
"""


def setup_desk(env: dict[str, str], port: int, feeds: int) -> None:
    subprocess.run([*WIREDESK, "migrate", "--verbosity", "0"], env=env, check=True)
    # The first through the command, as a user would (it checks the address policy) ...
    subprocess.run([*WIREDESK, "source", "add", f"http://127.0.0.1:{port}/f/0.xml",
                    "--name", "Farm feed 0"], env=env, check=True, capture_output=True)
    # ... the rest through the same function, in one process.
    subprocess.run([sys.executable, "-c", ADD_SOURCES, str(port), "1", str(feeds)],
                   env={**env, "DJANGO_SETTINGS_MODULE": "wiredesk.settings"}, check=True)


class Desk:
    """SQL the harness runs against the desk's database."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.db = psycopg.connect(url, autocommit=True)

    def one(self, query: str, *args: Any) -> Any:
        row = self.db.execute(query, args).fetchone()
        return row[0] if row else None

    def schedule(self, *, spread: float, offset: float = 0.0) -> None:
        """Every source due once within ``spread`` seconds from ``offset`` seconds from now."""
        self.db.execute(
            "UPDATE newsroom_source SET next_check_at = now() + make_interval(secs => %s + "
            "random() * %s), lease_until = NULL, lease_holder = '', error_count = 0",
            (offset, spread))

    def overdue(self) -> list[tuple[int, Any, float]]:
        """Due sources no worker has claimed: (id, due time, seconds overdue)."""
        return self.db.execute(
            "SELECT id, next_check_at, EXTRACT(EPOCH FROM now() - next_check_at)::float "
            "FROM newsroom_source WHERE is_active AND transport = 'poll' "
            "AND next_check_at <= now() AND (lease_until IS NULL OR lease_until < now())"
        ).fetchall()

    def duplicates(self) -> dict[str, int]:
        same_id = self.one("SELECT count(*) FROM (SELECT 1 FROM newsroom_story GROUP BY "
                           "source_id, external_id HAVING count(*) > 1) AS d")
        shared = self.db.execute(
            "SELECT split_part(external_id, ':', 3) AS sid, count(*), "
            "count(*) FILTER (WHERE merged_into_id IS NULL) FROM newsroom_story "
            "WHERE external_id LIKE 'farm:%%:w%%' GROUP BY sid").fetchall()
        own_merged = self.one("SELECT count(*) FROM newsroom_story WHERE merged_into_id IS NOT "
                              "NULL AND external_id NOT LIKE 'farm:%%:w%%'")
        return {"stories": self.one("SELECT count(*) FROM newsroom_story"),
                "same (source, external id)": same_id,
                "syndicated stories": len(shared),
                "carried by 2+ feeds": sum(1 for _, n, _ in shared if n > 1),
                "visible more than once": sum(1 for _, _, v in shared if v > 1),
                "visible never": sum(1 for _, _, v in shared if v == 0),
                "own stories merged away": own_merged}


# ---------------------------------------------------------------- measuring


def process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / tick, sum(values) / tick


def postgres_cpu() -> float:
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            total += process_cpu(int(stat.parent.name))
    return total


def farm_get(port: int, path: str, method: str = "GET") -> Any:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path)
    body = conn.getresponse().read()
    conn.close()
    return json.loads(body) if body else None


@dataclass
class Lateness:
    """The worst lateness seen for each due event (source, due time)."""

    seen: dict[tuple[int, Any], float] = field(default_factory=dict)

    def sample(self, rows: list[tuple[int, Any, float]]) -> None:
        for source, due, late in rows:
            key = (source, due)
            if late > self.seen.get(key, -1.0):
                self.seen[key] = late


@contextmanager
def sampling(desk: Desk, lateness: Lateness) -> Iterator[None]:
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(SAMPLE_EVERY):
            lateness.sample(desk.overdue())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def workers_up(env: dict[str, str], count: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    procs = [start([*WIREDESK, "worker"], env, logs / f"worker-{count}-{n}.log")
             for n in range(count)]
    time.sleep(4.0)  # Django set up in every process before the window opens
    dead = [p for p in procs if p.poll() is not None]
    if dead:
        raise SystemExit(f"a worker exited at start; see {logs}")
    return procs


def warm_up(env: dict[str, str], desk: Desk, count: int, logs: Path, limit: float) -> None:
    """Poll every feed once (all items new), with ``count`` workers."""
    desk.schedule(spread=0.0)
    started = time.perf_counter()
    workers_up(env, count, logs)
    while desk.one("SELECT count(*) FROM newsroom_source WHERE last_fetch_at IS NULL"):
        if time.perf_counter() - started > limit:
            print(f"warm-up: not every feed polled within {limit:.0f} s; measuring anyway")
            break
        time.sleep(1.0)
    took = time.perf_counter() - started
    stories = desk.one("SELECT count(*) FROM newsroom_story")
    print(f"warm-up ({count} workers): every feed polled once in {took:.0f} s, "
          f"{stories} stories ({stories / took:.1f} stories/s)")
    _stop_children()


def measure(env: dict[str, str], desk: Desk, port: int, *, count: int, feeds: int,
            interval: float, duration: float, logs: Path) -> dict[str, Any]:
    desk.schedule(spread=0.0, offset=86400.0)  # nothing due while the workers start
    procs = workers_up(env, count, logs)
    stories_before = desk.one("SELECT count(*) FROM newsroom_story")
    desk.schedule(spread=interval)
    farm_get(port, "/_reset", "POST")
    lateness = Lateness()
    cpu_before = [process_cpu(p.pid) for p in procs]
    pg_before, (busy_before, total_before) = postgres_cpu(), machine_cpu()
    load_before = os.getloadavg()[0]
    with sampling(desk, lateness):
        time.sleep(duration)
    stats = farm_get(port, "/_stats")
    worker_cpu = sum(process_cpu(p.pid) for p in procs) - sum(cpu_before)
    pg_cpu = postgres_cpu() - pg_before
    busy, total = machine_cpu()
    load_after = os.getloadavg()[0]
    _stop_children()
    late = list(lateness.seen.values())
    requests = stats["requests"]
    failing = {n for n in range(feeds) if FeedPlan.of(n, interval=interval, start=0).fails}
    healthy = [requests[n] for n in range(feeds) if n not in failing]
    expected = int(duration // interval) - 1
    return {
        "workers": count, "seconds": stats["seconds"], "polls": sum(requests),
        "status": stats["status"], "overlaps": stats["overlaps"],
        "overlapping": stats["overlapping"],
        "late_max": max(late, default=0.0), "late_p95": percentile(late, 0.95),
        "late_events": len(late), "late_over_interval": sum(1 for v in late if v > interval),
        "under_polled": sum(1 for n in healthy if n < expected), "expected_polls": expected,
        "min_polls": min(healthy, default=0),
        "new_stories": desk.one("SELECT count(*) FROM newsroom_story") - stories_before,
        "worker_cpu": worker_cpu, "farm_cpu": stats["cpu"], "pg_cpu": pg_cpu,
        "machine_busy": (busy - busy_before) / (total - total_before),
        "load": (load_before, load_after),
    }


def report(run: dict[str, Any], first: dict[str, Any], interval: float, feeds: int) -> None:
    rate = run["polls"] / run["seconds"]
    base = first["polls"] / first["seconds"]
    status = ", ".join(f"{k}: {v}" for k, v in sorted(run["status"].items()))
    seconds = run["seconds"]
    print(f"\n{run['workers']} worker(s), {seconds:.0f} s:")
    print(f"  polled            {rate:8.1f} sources/s (offered {feeds / interval:.1f}/s), "
          f"x{rate / base:.2f} of {first['workers']} worker(s)   [{status}]")
    print(f"  lateness          max {run['late_max']:.1f} s, p95 {run['late_p95']:.1f} s over "
          f"{run['late_events']} due events; later than one interval ({interval:.0f} s): "
          f"{run['late_over_interval']}")
    print(f"  every healthy feed polled >= {run['expected_polls']} times: "
          f"{'yes' if not run['under_polled'] else 'NO'} (fewest: {run['min_polls']}, "
          f"{run['under_polled']} feeds under)")
    print(f"  double fetches    {run['overlaps']}" + (f" (feeds {run['overlapping']})"
                                                    if run["overlaps"] else ""))
    print(f"  new stories       {run['new_stories']}")
    print(f"  CPU               workers {run['worker_cpu']:.0f} s "
          f"({run['worker_cpu'] / seconds:.2f} cores), farm {run['farm_cpu']:.0f} s "
          f"({run['farm_cpu'] / seconds:.2f}), PostgreSQL (all) {run['pg_cpu']:.0f} s "
          f"({run['pg_cpu'] / seconds:.2f}); machine {run['machine_busy']:.0%} busy of "
          f"{os.cpu_count()} cores, load {run['load'][0]:.1f} -> {run['load'][1]:.1f}")


def main() -> int:
    global ITEMS_PER_FEED
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=10000)
    parser.add_argument("--workers", default="1,2,3,4")
    parser.add_argument("--duration", type=float, default=180.0,
                        help="seconds measured per worker count")
    parser.add_argument("--interval", type=float, default=0.0,
                        help="poll interval in seconds (default: a quarter of --duration)")
    parser.add_argument("--items", type=int, default=ITEMS_PER_FEED, help="items per feed")
    parser.add_argument("--threads", type=int, default=0,
                        help="WIREDESK_WORKER_THREADS per worker (default: the desk's default)")
    parser.add_argument("--warmup-limit", type=float, default=1200.0)
    parser.add_argument("--database-url",
                        default="postgresql://postgres@127.0.0.1:5432/wd_farm")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    ITEMS_PER_FEED = args.items  # before the farm process forks
    interval = args.interval or args.duration / 4
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: sys.exit(130))
    atexit.register(_stop_children)

    logs = Path(tempfile.mkdtemp(prefix="wiredesk-farm-"))
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    farm = multiprocessing.get_context("fork").Process(
        target=serve_farm, args=(args.feeds, interval, send), daemon=True)
    farm.start()
    atexit.register(farm.kill)
    port = receive.recv()
    capacity = farm_capacity(port, args.feeds, interval)
    print(f"feed farm: {args.feeds} feeds on 127.0.0.1:{port}, one process; capacity "
          f"{capacity:.0f} full responses/s (clients in 2 processes, same 2 cores)")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREDESK_", "DJANGO_"))}
    env.update(WIREDESK_DATA_DIR=str(logs / "data"), WIREDESK_DATABASE_URL=args.database_url,
               WIREDESK_FETCH_ALLOW_NETWORKS="127.0.0.0/8", WIREDESK_ENRICH="false",
               WIREDESK_POLL_INTERVAL=str(int(interval)), WIREDESK_LOG_LEVEL="WARNING")
    if args.threads:
        env["WIREDESK_WORKER_THREADS"] = str(args.threads)
    empty_postgres(args.database_url)
    setup_desk(env, port, args.feeds)
    desk = Desk(args.database_url)
    print(f"desk: PostgreSQL {args.database_url.rsplit('/', 1)[1]}, poll interval "
          f"{int(interval)} s, {env.get('WIREDESK_WORKER_THREADS', 'default')} threads per "
          f"worker, enrichment off; logs in {logs}; load {os.getloadavg()[0]:.1f}")
    warm_up(env, desk, max(counts), logs, args.warmup_limit)
    runs = []
    for count in counts:
        run = measure(env, desk, port, count=count, feeds=args.feeds, interval=int(interval),
                      duration=args.duration, logs=logs)
        runs.append(run)
        report(run, runs[0], int(interval), args.feeds)
    print("\nduplicates (whole run):")
    for name, value in desk.duplicates().items():
        print(f"  {name:28} {value}")
    peak = max(r["polls"] / r["seconds"] for r in runs)
    print("\nscaling: " + ", ".join(f"{r['workers']}: {r['polls'] / r['seconds']:.1f}/s"
                                    for r in runs)
          + f"; farm capacity {capacity:.0f}/s = {capacity / peak:.0f}x the peak polling rate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
