"""Time from a kill arriving by push to the article answering 410 and leaving the feeds.

    .venv/bin/python benchmarks/kill_latency.py [--kills 100] [--front varnish]

Runs the embedded default as a user would (`wiredesk run`: SQLite in a fresh data directory, one
process serving the site and running the worker) on a free loopback port, creates a push source,
pushes N ninjs stories and waits until each is published, then for each story pushes a kill
(pubstatus canceled) and polls the story's permanent address until it answers 410 Gone, then
checks the latest RSS feed no longer lists it. Prints the median, 90th percentile and worst time
from sending the kill to the 410, and from sending it to the feed without the story.
All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.varnish import Varnish, site_vcl, varnish_binary

TIMEOUT = 10.0  # seconds any single story may take, before the harness gives up


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ninjs(number: int, version: int, pubstatus: str, headline: str = "") -> bytes:
    return json.dumps({
        "uri": f"urn:bench:kill-latency:{number}", "type": "text",
        "version": str(version), "pubstatus": pubstatus,
        "versioncreated": datetime.now(UTC).isoformat(),
        "headline": headline or f"Benchmark story number {number}",
        # Long enough to stand as an article (the publication gate holds thin items), and unlike
        # every other story (the duplicate desk would merge look-alikes into one).
        "body_html": "".join(f"<p>{sentence}</p>" for sentence in _sentences(number)),
    }).encode()


_VOCABULARY = """the harbour ferry council budget storm school bridge festival river market station
hospital museum library airport stadium factory vineyard orchard tunnel railway lighthouse quarry
glacier reservoir cathedral observatory marina brewery bakery officials said residents asked
would reopen after inspection found damage district close again works begin beside teachers
nurses drivers farmers miners sailors pilots judges voters tourists engineers students parents
north south east west morning evening weekend winter summer spring autumn record rain snow wind
heat flood fire road plan report contract strike vote rally parade concert match race trial
new old large small early late quiet busy"""
_WORDS = _VOCABULARY.split()


def _sentences(number: int) -> list[str]:
    """Three sentences of words drawn at random (seeded by the story's number): an article's
    length, and nothing like any other story's."""
    rng = random.Random(number)
    return [" ".join(rng.choice(_WORDS) for _ in range(14)).capitalize() + "."
            for _ in range(3)]


def setup(env: dict[str, str]) -> tuple[str, str]:
    """Migrate and create the push source in the data directory; returns (push path, token)."""
    wiredesk = [sys.executable, "-m", "wiredesk.cli"]
    subprocess.run([*wiredesk, "migrate", "--verbosity", "0"], env=env, check=True)
    out = subprocess.run([*wiredesk, "source", "add-push", "Bench Wire", "--format", "ninjs"],
                         env=env, check=True, capture_output=True, text=True).stdout
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    path = "/" + lines["Push URL"].split("/", 3)[3]
    token = next(value for key, value in lines.items() if "token" in key.lower()).strip()
    return path, token


def wait_until(check: object, timeout: float = TIMEOUT, what: str = "") -> float:
    """Poll ``check()`` until true; returns the moment it became true."""
    deadline = time.perf_counter() + timeout
    while not check():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no change within the time limit: {what}")
        time.sleep(0.002)
    return time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--front", choices=["none", "varnish"], default="none")
    parser.add_argument("--database-url", default="",
                        help="an empty database to run on (e.g. postgresql://postgres@127.0.0.1"
                             ":5432/wd_kill); default: SQLite in a fresh data folder")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp(prefix="wiredesk-kill-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREDESK_", "DJANGO_"))}
    env.update(WIREDESK_DATA_DIR=data, WIREDESK_BASE_URL=base, WIREDESK_LOG_LEVEL="WARNING")
    if args.database_url:
        env["WIREDESK_DATABASE_URL"] = args.database_url
    varnish, front = None, base
    if args.front == "varnish":
        if varnish_binary() is None:
            print("varnish is not installed (scripts/ensure-nginx.sh installs it)")
            return 1
        varnish_port = free_port()
        front = f"http://127.0.0.1:{varnish_port}"
        env["WIREDESK_PURGE_URLS"] = f"purge+{front}"
        varnish = Varnish(Path(data) / "varnish", site_vcl(upstream=port))
        varnish.start(varnish_port)
    push_path, token = setup(env)
    server = subprocess.Popen([sys.executable, "-m", "wiredesk.cli", "run", "--port", str(port)],
                              env=env)
    results: dict[str, list[float]] = {}
    try:
        with httpx.Client(base_url=base, timeout=30.0) as client, \
                httpx.Client(base_url=front, timeout=30.0, follow_redirects=True) as reader:
            wait_until(lambda: _up(client), timeout=180, what="wiredesk run started")
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for number in range(args.kills):
                send(client, push_path, ninjs(number, 1, "usable"), headers)
            uris = _published_uris(client, args.kills)
            for number, uri in enumerate(uris):
                path = uri.removeprefix(base)
                if varnish is not None:
                    wait_until(lambda p=path: reader.get(p).headers.get("X-Cache") == "HIT",
                               what=f"{path} cached by Varnish")
                    headline = f"Benchmark story number {number}, updated"
                    sent = time.perf_counter()
                    client.post(push_path, content=ninjs(number, 2, "usable", headline),
                                headers=headers)
                    shown = wait_until(lambda p=path, h=headline: h in reader.get(p).text)
                    results.setdefault("new version -> shown", []).append(shown - sent)
                    wait_until(lambda p=path: reader.get(p).headers.get("X-Cache") == "HIT")
                sent = time.perf_counter()
                answer = client.post(push_path, content=ninjs(number, 3, "canceled"),
                                     headers=headers)
                assert answer.status_code == 202, answer.text
                gone = wait_until(lambda p=path: reader.get(p).status_code == 410)
                feed = wait_until(lambda u=uri: u not in reader.get("/feeds/latest.rss").text)
                results.setdefault("kill -> 410", []).append(gone - sent)
                results.setdefault("kill -> gone from feed", []).append(feed - sent)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if varnish is not None:
            varnish.stop()
    print(f"readers through: {'Varnish (purged by Wiredesk)' if varnish else 'wiredesk run'}; "
          f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; "
          f"load average {os.getloadavg()[0]:.1f}")
    for label, times in results.items():
        ordered = sorted(times)
        print(f"{label:24s} median {statistics.median(times) * 1000:7.1f} ms   "
              f"p90 {ordered[int(len(ordered) * 0.9) - 1] * 1000:7.1f} ms   "
              f"p99 {ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000:7.1f} ms   "
              f"max {ordered[-1] * 1000:7.1f} ms   (n={len(times)})")
    return 0


def send(client: httpx.Client, path: str, body: bytes, headers: dict[str, str]) -> None:
    """Push as a sender would: a 503 (the desk busy) is sent again after its Retry-After."""
    while True:
        answer = client.post(path, content=body, headers=headers)
        if answer.status_code != 503:
            assert answer.status_code == 202, answer.text
            return
        time.sleep(float(answer.headers.get("Retry-After", "1")))


def _up(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


def _published_uris(client: httpx.Client, count: int) -> list[str]:
    """The permanent URLs of the pushed stories, in order, once all of them are public."""
    wait_until(lambda: client.get("/api/v1/stories").json()["total"] == count, timeout=300,
               what=f"{count} pushed stories published")
    by_headline: dict[str, str] = {}
    page = 1
    while len(by_headline) < count:
        answer = client.get("/api/v1/stories", params={"page": page, "page_size": 100}).json()
        by_headline.update((item["headline"], item["uri"]) for item in answer["items"])
        page += 1
    return [by_headline[f"Benchmark story number {n}"] for n in range(count)]


if __name__ == "__main__":
    sys.exit(main())
