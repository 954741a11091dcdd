"""Lighthouse scores of the demo's pages (issue 15): home, an article with a picture, a full
coverage page and an entity page, in all four categories.

Loads the bundled demo into a throwaway data folder (with its pictures, and enriched so that entity
pages exist), serves it with ``wiredesk serve`` on a free port, and runs the npm ``lighthouse``
package (12.2.3) with Debian's Chromium on each page, mobile (Lighthouse's default, throttled) and
desktop. Prints one line per page and form factor; ``--min`` makes the exit status say whether
every score reached it. Skips cleanly (exit 0, a note) when Chromium or Lighthouse is missing.

    .venv/bin/python benchmarks/lighthouse.py [--lighthouse PATH] [--min 95] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def django(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run([sys.executable, "-m", "django", *args,
                             "--settings=wiredesk.settings"], env=env, cwd=ROOT, check=True,
                            capture_output=capture, text=True)
    return result.stdout if capture else ""


def pages(env: dict[str, str]) -> dict[str, str]:
    """The URLs to score, chosen from the loaded demo."""
    code = """
from wiredesk.newsroom.models import Cluster, Entity, Story
import json
article = Story.objects.filter(pictures__status="ready", merged_into__isnull=True,
                               cluster__story_count__gte=2).first() or \\
    Story.objects.filter(pictures__status="ready", merged_into__isnull=True).first()
cluster = Cluster.objects.filter(story_count__gte=2).first() or Cluster.objects.first()
entity = Entity.objects.filter(linked=True, kind="person").first() or \\
    Entity.objects.filter(linked=True).first()
print(json.dumps({"home": "/", "article with picture": article.get_absolute_url(),
                  "full coverage": cluster.get_absolute_url(),
                  "entity": entity.get_absolute_url() if entity else "/people/"}))
"""
    out = django(env, "shell", "-c", code, capture=True)
    return dict(json.loads(out.strip().splitlines()[-1]))


def lighthouse(command: list[str], url: str, desktop: bool) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="wd-lh-") as profile:
        args = [*command, url, "--output=json", "--output-path=stdout", "--quiet",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--chrome-flags=--headless=new --no-sandbox --disable-gpu "
                f"--user-data-dir={profile}"]
        if desktop:
            args.append("--preset=desktop")
        result = subprocess.run(args, capture_output=True, text=True,
                                env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    report = json.loads(result.stdout)
    failed = [f"{audit['id']}" for audit in report["audits"].values()
              if audit.get("score") is not None and audit["score"] < 0.9
              and audit.get("scoreDisplayMode") in ("binary", "numeric")]
    scores = {name: round(100 * (report["categories"][name]["score"] or 0))
              for name in CATEGORIES}
    scores["_failed"] = failed  # type: ignore[assignment]
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lighthouse", default="",
                        help="the lighthouse executable (default: npx --yes lighthouse@12.2.3)")
    parser.add_argument("--min", type=int, default=0, help="fail unless every score reaches it")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--desktop-only", action="store_true")
    options = parser.parse_args()
    command = [options.lighthouse] if options.lighthouse else ["npx", "--yes",
                                                               "lighthouse@12.2.3"]
    if not shutil.which(CHROMIUM) or not shutil.which(command[0]):
        print(f"skipped: needs {CHROMIUM} and {command[0]}")
        return 0
    data = tempfile.mkdtemp(prefix="wd-lighthouse-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "WIREDESK_DATA_DIR": data, "WIREDESK_BASE_URL": base,
           "WIREDESK_IMAGES": "false", "WIREDESK_ENRICH": "false", "WIREDESK_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    django(env, "migrate", "-v0")
    django(env, "demo")
    django(env, "enrich", "--all")
    print(f"demo loaded and enriched in {time.perf_counter() - started:.0f} s")
    server = subprocess.Popen([sys.executable, "-m", "django", "serve", "--host", "127.0.0.1",
                               "--port", str(port), "--settings=wiredesk.settings"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    worst = 100
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for name, path in pages(env).items():
            for desktop in ((True,) if options.desktop_only else (False, True)):
                scores = lighthouse(command, base + path, desktop)
                failed = scores.pop("_failed")
                worst = min(worst, *scores.values())  # type: ignore[type-var]
                form = "desktop" if desktop else "mobile "
                print(f"{name:22} {form} " + "  ".join(f"{k} {v:3d}" for k, v in scores.items())
                      + (f"  (below 0.9: {', '.join(failed)})" if failed else ""))
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not options.keep:
            shutil.rmtree(data, ignore_errors=True)
    print(f"lowest score: {worst}")
    return 1 if options.min and worst < options.min else 0


if __name__ == "__main__":
    sys.exit(main())
