"""Many workers against a loopback feed farm: polling rate, punctuality, double fetches, duplicates.

    .venv/bin/python benchmarks/feed_farm.py [--feeds 10000] [--workers 1,2,4] [--burst 60]
        [--interval 300] [--duration 600] [--fresh 60] [--pace 900] [--backlog 0]
        [--database-url postgresql://postgres@127.0.0.1:5432/wd_farm]

A **feed farm** -- one stdlib HTTP server process on 127.0.0.1, threaded -- serves N distinct feeds
(`/f/<n>.xml`, RSS 2.0 or Atom) generated from text recombined from the real feeds in
`../shared/data/feeds/` (else the bundled ones). Each feed is a stream of items published as for
a desk polling every ``--pace`` seconds (900: 15 minutes): 40% of the feeds publish about once
per pace, the rest every 5-20 paces, whatever interval the benchmark polls at -- a short interval
polls the same news more often, so most polls find nothing new, as on a real desk. A feed starts
with ``--backlog`` items (0: empty, so that the warm-up of 10,000 feeds takes minutes, not an
hour of story writing) and carries its newest 6. A fifth of the items are syndicated stories that
several feeds carry in the same ten minutes (same headline, body and time, each feed with its own
guid), so cross-feed duplicates arise. Responses carry an ETag and Last-Modified and answer
conditional GETs with 304. About 2.5% of the feeds answer after 1-3 s, about 1% always fail (500),
about 1% answer 503 with Retry-After. The farm records, per feed, how many requests are in flight
at once (a second one while one is in flight is a double fetch) and the wait between the end of
an answer and the next request. Its capacity is measured first, with clients in two processes.

The desk runs on PostgreSQL in a database of its own (emptied, migrated; sources added through
`wiredesk source add` with ``WIREDESK_FETCH_ALLOW_NETWORKS=127.0.0.0/8``). A warm-up with the
largest worker count polls every feed once. Then for each worker count, that many `wiredesk
worker` processes (real subprocesses, enrichment and pictures off so the figures are polling and
ingest) run two windows:

* **every source due at once**, for up to --burst seconds (or until every feed was polled): the
  most polls per second that many workers do;
* **at the poll interval** (``WIREDESK_POLL_INTERVAL``), the sources' next checks first spread
  evenly over one interval, for --duration seconds: the polling rate against the offered load
  (N / interval), the lateness of each repeat poll against the interval (the wait from an answer
  to the next request, less the interval: p50, p95, max, and how many were later than a whole
  interval), and whether every healthy feed was first polled within one interval.

Then, for each worker count again, a **new stories** window of --fresh seconds: a slice of the
feeds of its own (feeds / number of counts) jumps ahead in time (``POST /_advance``), so each
carries a whole window of new items (syndicated ones included), and only those sources are due,
at once: new stories written per second, every poll finding news -- the write path's
throughput, where the windows above mostly measure 304s.

Printed per window: double fetches (must be 0), new stories, CPU seconds of the workers, the farm
and PostgreSQL (the backends serving the desk's database), how busy the machine was and its load
average; at the end duplicate stories over the whole run (must be 0: stories per (source,
external id), and syndicated stories visible more than once under the also-reported policy) and
the scaling of the polling rate and of new stories with workers.

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
from contextlib import suppress
from dataclasses import dataclass
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
    first: int  # the first item the feed ever carries (items before it were never published)

    @classmethod
    def of(cls, number: int, *, pace: float, start: float, backlog: int) -> FeedPlan:
        """Feed ``number``'s plan. ``pace`` is the poll interval the feeds' publishing is
        modelled on (900 s: a desk polling every 15 minutes): 40% of the feeds publish about
        once per ``pace``, the rest every 5-20 ``pace``. It does not follow the benchmark's own
        interval, so a short interval polls the same news more often instead of making more."""
        rng = random.Random(number)
        period = pace * (rng.uniform(0.7, 1.5) if rng.random() < 0.4 else rng.uniform(5, 20))
        fails = 500 if number % 97 == 5 else 503 if number % 89 == 7 else 0
        delay = rng.uniform(1.0, 3.0) if number % 41 == 3 else 0.0
        base = start - rng.uniform(ITEMS_PER_FEED, ITEMS_PER_FEED + 1) * period
        first = int((start - base) // period) + 1 - backlog
        return cls(number, number % 3 == 0, period, base, delay, fails, first)

    def latest(self, now: float) -> int:
        return int((now - self.base) // self.period)

    def carried(self, now: float) -> range:
        """The items the feed carries at ``now``, newest first."""
        latest = self.latest(now)
        return range(latest, max(self.first, latest - ITEMS_PER_FEED + 1) - 1, -1)


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


def item(texts: Texts, plan: FeedPlan, k: int, shift: float = 0.0) -> Item:
    """Item ``k`` of a feed; ``shift``: how far the farm's clock was advanced (see
    :func:`render`)."""
    at = plan.base + k * plan.period
    if random.Random(plan.number * 1_000_003 + k).random() < SHARED_SHARE:
        # A syndicated story: the same copy in every feed that picks it within the bucket.
        bucket = int(at // SHARED_BUCKET)
        j = (plan.number + k * 13) % SHARED_PER_BUCKET  # distinct for neighbouring items
        title, body = story(texts, bucket * 1000 + j + 7_000_000_000)
        return Item(f"farm:{plan.number}:w{bucket}-{j}", title, body,
                    bucket * SHARED_BUCKET - shift)
    title, body = story(texts, plan.number * 1_000_003 + k)
    return Item(f"farm:{plan.number}:{k}", title, body, at - shift)


def render(texts: Texts, plan: FeedPlan, now: float, port: int,
           shift: float = 0.0) -> tuple[bytes, float]:
    """The feed's body as it stands at ``now`` and its last modification time.

    ``shift``: the feed's clock advanced by that many seconds (``POST /_advance``): it carries
    the items it would at ``now + shift``, dated ``shift`` earlier, so that they are as recent
    to the desk as ever -- a new-stories window without waiting for the news."""
    items = [item(texts, plan, k, shift) for k in plan.carried(now + shift)]
    updated = max((i.published for i in items),
                  default=plan.base + (plan.first - 1) * plan.period - shift)
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
            # Per feed: when its last answer ended, and the waits between an answer and the next
            # request (the desk's lateness is that wait less the poll interval).
            self.ended: dict[int, float] = {}
            self.waits: list[float] = []
            self.first_request: dict[int, float] = {}

    def begin(self, number: int) -> None:
        with self.lock:
            at = time.time()
            if number in self.ended:
                self.waits.append(at - self.ended[number])
            self.first_request.setdefault(number, at - self.since)
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
            self.ended[number] = time.time()
            if number in self.in_flight:  # else begun before a reset of the counters
                self.in_flight[number] -= 1
                if not self.in_flight[number]:
                    del self.in_flight[number]
            self.status[str(status)] = self.status.get(str(status), 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"requests": list(self.requests), "status": dict(self.status),
                    "overlaps": self.overlaps, "overlapping": list(self.overlapping),
                    "max_in_flight": self.max_in_flight, "seconds": time.time() - self.since,
                    "cpu": _own_cpu() - self.cpu, "waits": list(self.waits),
                    "first_request": dict(self.first_request)}


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def serve_farm(feeds: int, pace: float, backlog: int, ready: Any) -> None:
    """The farm process: serve until killed."""
    texts = load_texts()
    start = time.time()
    plans = [FeedPlan.of(n, pace=pace, start=start, backlog=backlog) for n in range(feeds)]
    state = FarmState(feeds)
    shift = [0.0] * feeds  # seconds each feed's clock was advanced (see render)
    advance_re = re.compile(r"^/_advance\?seconds=([0-9.]+)&first=(\d+)&last=(\d+)$")
    path_re = re.compile(r"^/f/(\d+)\.xml$")

    class Handler(BaseHTTPRequestHandler):
        server_version = "FeedFarm/1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/_stats":
                self._send(200, json.dumps(state.snapshot()).encode(), {})
                return
            if self.path == "/_polled":
                with state.lock:
                    polled = len(state.first_request)
                self._send(200, json.dumps(polled).encode(), {})
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
            advance = advance_re.match(self.path)
            if advance:  # feeds first..last-1 jump ahead (see render)
                for number in range(int(advance.group(2)), min(feeds, int(advance.group(3)))):
                    shift[number] += float(advance.group(1))
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
            body, updated = render(texts, plan, time.time(), port,
                                   shift[plan.number])
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


def misbehaving(number: int) -> bool:
    """A slow or failing feed (the plan's delay and failures do not depend on time)."""
    plan = FeedPlan.of(number, pace=1.0, start=0.0, backlog=0)
    return bool(plan.delay or plan.fails)


def failing(number: int) -> bool:
    return bool(FeedPlan.of(number, pace=1.0, start=0.0, backlog=0).fails)


def farm_capacity(port: int, feeds: int, seconds: float = 4.0) -> float:
    """Responses per second the farm serves to clients in two processes."""
    fast = [n for n in range(feeds) if not misbehaving(n)]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        # Bounded: a run once printed nothing for 20 minutes before reaching the desk.
        counts = pool.starmap_async(_probe, [(port, fast, seconds, 8)] * 2).get(seconds + 120)
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
        self.name = url.rsplit("/", 1)[1].split("?", 1)[0]

    def one(self, query: str, *args: Any) -> Any:
        row = self.db.execute(query, args).fetchone()
        return row[0] if row else None

    def schedule(self, *, spread: float, offset: float = 0.0,
                 feeds: range | None = None) -> None:
        """Every source (or those of ``feeds``; the others not before a day) due once within
        ``spread`` seconds from ``offset`` seconds from now."""
        self.db.execute(
            "UPDATE newsroom_source SET next_check_at = now() + make_interval(secs => %s + "
            "random() * %s), lease_until = NULL, lease_holder = '', error_count = 0",
            (offset, spread))
        if feeds is not None:
            self.db.execute(
                "UPDATE newsroom_source SET next_check_at = now() + interval '1 day' "
                "WHERE NOT (substring(url from '/f/([0-9]+)[.]xml$')::int >= %s "
                "AND substring(url from '/f/([0-9]+)[.]xml$')::int < %s)",
                (feeds.start, feeds.stop))

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


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving ``database`` (its process title names it),
    by process id: the desk's share of the server, not other databases' sessions on it."""
    found: dict[int, float] = {}
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            found[int(cmdline.parent.name)] = process_cpu(int(cmdline.parent.name))
    return found


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two readings by the processes alive at the second (one that ended
    meanwhile is not counted: a slight undercount, never a negative figure)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def farm_get(port: int, path: str, method: str = "GET") -> Any:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path)
    body = conn.getresponse().read()
    conn.close()
    return json.loads(body) if body else None


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
    """Poll every feed once (its backlog new), with ``count`` workers."""
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
          f"{stories} stories")
    _stop_children()


@dataclass
class Window:
    """What the farm, the workers, PostgreSQL and the machine did in one measured window."""

    stats: dict[str, Any]
    worker_cpu: float
    pg_cpu: float
    busy: float  # share of the machine's CPU time busy
    load: tuple[float, float]
    new_stories: int

    @property
    def seconds(self) -> float:
        return float(self.stats["seconds"])

    @property
    def polls(self) -> int:
        return int(sum(self.stats["requests"]))

    @property
    def rate(self) -> float:
        return self.polls / self.seconds


def window(desk: Desk, port: int, procs: list[subprocess.Popen[bytes]],
           seconds: float, *, until: int = 0) -> Window:
    """Reset the farm's counters, wait ``seconds`` (or until ``until`` feeds were requested),
    and read every counter."""
    stories_before = desk.one("SELECT count(*) FROM newsroom_story")
    cpu_before = sum(process_cpu(p.pid) for p in procs)
    pg_before, (busy_before, total_before) = postgres_cpu(desk.name), machine_cpu()
    load_before = os.getloadavg()[0]
    farm_get(port, "/_reset", "POST")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(min(0.25, max(0.0, deadline - time.monotonic())))
        if until and farm_get(port, "/_polled") >= until:
            break
    stats = farm_get(port, "/_stats")
    busy, total = machine_cpu()
    return Window(stats, sum(process_cpu(p.pid) for p in procs) - cpu_before,
                  cpu_since(pg_before, postgres_cpu(desk.name)),
                  (busy - busy_before) / (total - total_before),
                  (load_before, os.getloadavg()[0]),
                  desk.one("SELECT count(*) FROM newsroom_story") - stories_before)


def measure(env: dict[str, str], desk: Desk, port: int, *, count: int, feeds: int,
            interval: float, burst: float, duration: float, logs: Path
            ) -> tuple[Window, Window | None]:
    """With ``count`` workers: how fast they poll when every source is due at once (for
    ``burst`` seconds), then how punctually at ``interval`` (for ``duration`` seconds)."""
    desk.schedule(spread=0.0, offset=86400.0)  # nothing due while the workers start
    procs = workers_up(env, count, logs)
    desk.schedule(spread=0.0)
    most = window(desk, port, procs, burst, until=feeds)
    punctual = None
    if duration:
        desk.schedule(spread=interval)
        punctual = window(desk, port, procs, duration)
    _stop_children()
    return most, punctual


def measure_new(env: dict[str, str], desk: Desk, port: int, *, count: int, feeds: range,
                seconds: float, pace: float, logs: Path) -> Window:
    """With ``count`` workers: how fast they write new stories when each of ``feeds`` carries
    a whole window of new items and is due at once, for ``seconds`` (the other sources are not
    due). Each worker count gets feeds of its own, so every poll it makes finds news."""
    desk.schedule(spread=0.0, offset=86400.0)
    procs = workers_up(env, count, logs)
    # Past the slowest feed's whole window of items (ITEMS_PER_FEED periods of 20 paces).
    farm_get(port, f"/_advance?seconds={(ITEMS_PER_FEED + 1) * 20 * pace:.0f}"
                   f"&first={feeds.start}&last={feeds.stop}", "POST")
    desk.schedule(spread=0.0, feeds=feeds)
    new = window(desk, port, procs, seconds, until=len(feeds))
    _stop_children()
    return new


def report_new(count: int, new: Window, base: float, feeds: range) -> None:
    rate = new.new_stories / new.seconds
    print(f"\n{count} worker(s), feeds {feeds.start}-{feeds.stop - 1} each with "
          f"{ITEMS_PER_FEED} new items, due at once: {rate:6.1f} new stories/s "
          f"({new.new_stories} over {new.seconds:.0f} s, {new.rate:.1f} polls/s), "
          f"x{rate / base if base else 0.0:.2f} of the first count   [{statuses(new)}]")
    print(f"    double fetches {new.stats['overlaps']}; CPU {cpu_line(new)}")


def cpu_line(run: Window) -> str:
    seconds = run.seconds
    return (f"workers {run.worker_cpu:.0f} s ({run.worker_cpu / seconds:.2f} cores), farm "
            f"{run.stats['cpu']:.0f} s ({run.stats['cpu'] / seconds:.2f}), PostgreSQL "
            f"{run.pg_cpu:.0f} s ({run.pg_cpu / seconds:.2f}); machine {run.busy:.0%} busy of "
            f"{os.cpu_count()} cores, load average {run.load[0]:.1f} -> {run.load[1]:.1f}")


def statuses(run: Window) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(run.stats["status"].items()))


def report(count: int, most: Window, punctual: Window | None, base: float, *,
           interval: float, feeds: int) -> None:
    print(f"\n{count} worker(s)")
    print(f"  every source due: {most.rate:7.1f} polls/s over {most.seconds:.0f} s "
          f"({len(most.stats['first_request'])} of {feeds} feeds polled), "
          f"x{most.rate / base:.2f} of the first count   [{statuses(most)}]")
    print(f"    double fetches {most.stats['overlaps']}; new stories {most.new_stories}; "
          f"CPU {cpu_line(most)}")
    if punctual is None:
        return
    # Lateness: from a feed's answer to its next request, less the interval (healthy feeds;
    # a failing one backs off on purpose).
    waits = punctual.stats["waits"]
    late = [wait - interval for wait in waits]
    healthy = [n for n in range(feeds) if not failing(n)]
    firsts = punctual.stats["first_request"]
    unpolled = sum(1 for n in healthy if str(n) not in firsts)
    first_late = max((firsts[str(n)] for n in healthy if str(n) in firsts), default=0.0)
    print(f"  at a {interval:.0f} s interval: {punctual.rate:7.1f} polls/s (offered "
          f"{feeds / interval:.1f}/s) over {punctual.seconds:.0f} s   [{statuses(punctual)}]")
    print(f"    lateness against the interval over {len(late)} repeat polls: "
          f"p50 {percentile(late, 0.5):.2f} s, p95 {percentile(late, 0.95):.2f} s, "
          f"max {max(late, default=0.0):.2f} s; later than one interval: "
          f"{sum(1 for v in late if v > interval)}")
    print(f"    first poll of every healthy feed within one interval of the start: "
          f"{'yes' if not unpolled and first_late <= interval else 'NO'} (latest "
          f"{first_late:.1f} s, never polled {unpolled})")
    print(f"    double fetches {punctual.stats['overlaps']}"
          + (f" (feeds {punctual.stats['overlapping']})" if punctual.stats["overlaps"] else "")
          + f"; new stories {punctual.new_stories} ({punctual.new_stories / punctual.seconds:.1f}"
          f"/s)")
    print(f"    CPU {cpu_line(punctual)}")


def main() -> int:
    global ITEMS_PER_FEED
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=10000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--burst", type=float, default=60.0,
                        help="seconds measured with every source due at once, per worker count")
    parser.add_argument("--fresh", type=float, default=60.0,
                        help="seconds measured with new items in every polled feed, per worker "
                             "count (0: none)")
    parser.add_argument("--duration", type=float, default=600.0,
                        help="seconds measured at the poll interval, per worker count (0: none)")
    parser.add_argument("--interval", type=float, default=300.0, help="poll interval, seconds")
    parser.add_argument("--pace", type=float, default=900.0,
                        help="the poll interval the feeds' publishing is modelled on (seconds)")
    parser.add_argument("--items", type=int, default=ITEMS_PER_FEED, help="items per feed")
    parser.add_argument("--backlog", type=int, default=0,
                        help="items each feed already carries when the farm starts (the "
                             "warm-up makes them stories; 0: feeds start empty)")
    parser.add_argument("--threads", type=int, default=0,
                        help="WIREDESK_WORKER_THREADS per worker (default: the desk's default)")
    parser.add_argument("--warmup-limit", type=float, default=1200.0)
    parser.add_argument("--database-url",
                        default="postgresql://postgres@127.0.0.1:5432/wd_farm")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    ITEMS_PER_FEED = args.items  # before the farm process forks
    interval = args.interval
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: sys.exit(130))
    atexit.register(_stop_children)

    logs = Path(tempfile.mkdtemp(prefix="wiredesk-farm-"))
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    farm = multiprocessing.get_context("fork").Process(
        target=serve_farm, args=(args.feeds, args.pace, args.backlog, send), daemon=True)
    farm.start()
    atexit.register(farm.kill)
    send.close()  # the farm's end only: if the farm dies before it answers, recv() fails at once
    if not receive.poll(120):
        sys.exit("the feed farm did not start within 120 s")
    try:
        port = receive.recv()
    except EOFError:
        sys.exit(f"the feed farm stopped before serving (exit code {farm.exitcode})")
    capacity = farm_capacity(port, args.feeds)
    print(f"feed farm: {args.feeds} feeds on 127.0.0.1:{port}, one process, publishing as "
          f"for a {args.pace:.0f} s desk, {args.backlog} items each at start; capacity "
          f"{capacity:.0f} responses/s (clients in 2 processes, same cores); load average "
          f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREDESK_", "DJANGO_"))}
    env.update(WIREDESK_DATA_DIR=str(logs / "data"), WIREDESK_DATABASE_URL=args.database_url,
               WIREDESK_FETCH_ALLOW_NETWORKS="127.0.0.0/8", WIREDESK_ENRICH="false",
               WIREDESK_IMAGES="false",
               WIREDESK_POLL_INTERVAL=str(int(interval)), WIREDESK_LOG_LEVEL="WARNING")
    if args.threads:
        env["WIREDESK_WORKER_THREADS"] = str(args.threads)
    empty_postgres(args.database_url)
    started = time.perf_counter()
    setup_desk(env, port, args.feeds)
    desk = Desk(args.database_url)
    print(f"desk: PostgreSQL {args.database_url.rsplit('/', 1)[1]} ({args.feeds} sources added "
          f"in {time.perf_counter() - started:.0f} s), poll interval {int(interval)} s, "
          f"{env.get('WIREDESK_WORKER_THREADS', 'default')} threads per worker, enrichment and "
          f"pictures off; logs in {logs}")
    warm_up(env, desk, max(counts), logs, args.warmup_limit)
    runs: list[tuple[int, Window, Window | None]] = []
    for count in counts:
        most, punctual = measure(env, desk, port, count=count, feeds=args.feeds,
                                 interval=interval, burst=args.burst, duration=args.duration,
                                 logs=logs)
        runs.append((count, most, punctual))
        report(count, most, punctual, runs[0][1].rate, interval=interval, feeds=args.feeds)
    news: list[tuple[int, Window]] = []
    share = args.feeds // max(1, len(counts))
    for n, count in enumerate(counts if args.fresh else []):
        feeds = range(n * share, (n + 1) * share)
        new = measure_new(env, desk, port, count=count, feeds=feeds, seconds=args.fresh,
                          pace=args.pace, logs=logs)
        news.append((count, new))
        report_new(count, new, news[0][1].new_stories / news[0][1].seconds, feeds)
    print("\nduplicates (whole run):")
    for name, value in desk.duplicates().items():
        print(f"  {name:28} {value}")
    print("\nscaling, every source due: " + ", ".join(
        f"{count}: {most.rate:.1f}/s ({most.busy:.0%} busy)" for count, most, _ in runs)
        + f"; farm capacity {capacity:.0f}/s")
    if args.fresh:
        print("scaling, new stories: " + ", ".join(
            f"{count}: {new.new_stories / new.seconds:.1f}/s ({new.busy:.0%} busy, workers "
            f"{new.worker_cpu / new.seconds:.2f} cores, PostgreSQL {new.pg_cpu / new.seconds:.2f})"
            for count, new in news))
    return 0


if __name__ == "__main__":
    sys.exit(main())
