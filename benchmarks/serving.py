"""Serving a cached page: Wiredesk against nginx serving the same bytes, side by side in one run.

    .venv/bin/python benchmarks/serving.py [--seconds 5] [--rounds 2] [--connections 16]

Sets up the bundled demo in a fresh data directory (SQLite), then starts on loopback:

- ``wiredesk run`` alone: the embedded single-process default (Granian, in-process response
  cache; enrichment off so that nothing is published during the measurement);
- ``wiredesk serve`` on the same database behind nginx with the documented front-cache
  configuration (scripts/nginx/wiredesk.conf, the deployment docs recommend it);
- the same nginx serving, as static files, the very bytes Wiredesk answers.

For a cached article, the home page and the latest RSS feed, wrk (one thread, keep-alive) measures
requests per second against each, interleaved, ``--rounds`` times; the median per cell is printed
with its ratio to static nginx. Targets (issue 11): front cache >= 0.5x, embedded >= 0.1x.
Needs nginx and wrk (scripts/ensure-nginx.sh). All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.nginx import Nginx, nginx_binary, site_config

WIREDESK = [sys.executable, "-m", "wiredesk.cli"]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def wait_up(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            get(url)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up") from None
            time.sleep(0.3)


def wrk(url: str, seconds: float, connections: int) -> float:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{url} answered errors:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if nginx_binary() is None or shutil.which("wrk") is None:
        print("needs nginx and wrk: run scripts/ensure-nginx.sh", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="wiredesk-serving-"))
    embedded, served, front, refresh, static = (free_port() for _ in range(5))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREDESK_", "DJANGO_"))}
    env.update(WIREDESK_DATA_DIR=str(work / "data"), WIREDESK_ENRICH="false",
               WIREDESK_BASE_URL=f"http://127.0.0.1:{embedded}", WIREDESK_LOG_LEVEL="WARNING",
               WIREDESK_PURGE_URLS=f"http://127.0.0.1:{refresh}")
    subprocess.run([*WIREDESK, "migrate", "--verbosity", "0"], env=env, check=True)
    subprocess.run([*WIREDESK, "demo"], env=env, check=True, capture_output=True)
    processes = [
        subprocess.Popen([*WIREDESK, "run", "--port", str(embedded)], env=env,
                         stdout=subprocess.DEVNULL),
        subprocess.Popen([*WIREDESK, "serve", "--port", str(served)], env=env),
    ]
    files = work / "static"
    files.mkdir()
    nginx = Nginx(work / "nginx", site_config(listen=front, refresh=refresh, upstream=served,
                                              cache_dir=work / "nginx" / "cache")
                  + f"\nserver {{ listen 127.0.0.1:{static}; root {files};\n"
                    "  types { text/html html; application/rss+xml rss; } }\n",
                  workers="auto")
    try:
        wait_up(f"http://127.0.0.1:{embedded}/healthz", processes[0])
        wait_up(f"http://127.0.0.1:{served}/healthz", processes[1])
        nginx.start(front, refresh, static)
        home = get(f"http://127.0.0.1:{embedded}/").decode()
        article = re.search(r'href="(/story/\d+/[^"]+/)"', home)
        assert article, "no article on the home page"
        pages = {"article": (article.group(1), "article.html"), "home": ("/", "home.html"),
                 "feed": ("/feeds/latest.rss", "latest.rss")}
        for path, name in pages.values():
            body = get(f"http://127.0.0.1:{embedded}{path}")
            (files / name).write_bytes(body)
            # The front cache and the embedded cache answer the same bytes.
            for port in (front, front, embedded):
                assert get(f"http://127.0.0.1:{port}{path}") == body, (port, path)
        targets = {"nginx static": lambda p, n: f"http://127.0.0.1:{static}/{n}",
                   "nginx + cache": lambda p, n: f"http://127.0.0.1:{front}{p}",
                   "wiredesk run": lambda p, n: f"http://127.0.0.1:{embedded}{p}"}
        results: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for page, (path, name) in pages.items():
                for target, url in targets.items():
                    results.setdefault((page, target), []).append(
                        wrk(url(path, name), args.seconds, args.connections))
        print(f"wrk -t1 -c{args.connections} -d{args.seconds:g}s, median of {args.rounds} "
              f"rounds, {os.cpu_count()} cores, loopback")
        print(f"{'page':8s} {'nginx static':>14s} {'nginx + cache':>22s} {'wiredesk run':>22s}")
        for page in pages:
            base = statistics.median(results[(page, "nginx static")])
            cells = [f"{base:10.0f} r/s"]
            for target in ("nginx + cache", "wiredesk run"):
                rate = statistics.median(results[(page, target)])
                cells.append(f"{rate:10.0f} r/s {rate / base:5.2f}x")
            print(f"{page:8s} " + "  ".join(f"{cell:>20s}" for cell in cells))
    finally:
        nginx.stop()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
