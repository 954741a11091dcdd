"""A real nginx on loopback, running the front-cache configuration the deployment docs give
(scripts/nginx/wiredesk.conf), for the tests and benchmarks/serving.py.

The documented file is used as it is, with only its addresses and cache folder replaced, and
wrapped in a minimal main configuration of our own (no daemon, files under a temporary prefix).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "scripts" / "nginx" / "wiredesk.conf"


def nginx_binary() -> str | None:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    return found


def site_config(*, listen: int, refresh: int, upstream: int, cache_dir: Path) -> str:
    """The documented configuration, pointed at these ports and this cache folder."""
    text = CONFIG.read_text()
    for documented, ours in (("listen 80;", f"listen 127.0.0.1:{listen};"),
                             ("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{refresh};"),
                             ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
                             ("/var/cache/nginx/wiredesk", str(cache_dir))):
        assert documented in text, documented
        text = text.replace(documented, ours)
    return text


class Nginx:
    """nginx with the given ``http {}`` contents, in the foreground under ``prefix``."""

    def __init__(self, prefix: Path, http_block: str, *, workers: str = "1") -> None:
        self.prefix = prefix
        prefix.mkdir(parents=True, exist_ok=True)
        for name in ("logs", "temp"):
            (prefix / name).mkdir(exist_ok=True)
        # As root, nginx's workers would switch to an unprivileged user that cannot write the
        # cache under a private temporary folder: keep them as ourselves.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(f"""
{user}
daemon off;
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path {prefix}/temp/body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
{http_block}
}}
""")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *ports: int) -> None:
        binary = nginx_binary()
        assert binary, "nginx is not installed (scripts/ensure-nginx.sh)"
        self.process = subprocess.Popen([binary, "-p", str(self.prefix), "-c", str(self.conf)],
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        for port in ports:
            while not _listening(port):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start: " + self.error_log())
                time.sleep(0.05)

    def error_log(self) -> str:
        log = self.prefix / "logs" / "error.log"
        return log.read_text() if log.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0
