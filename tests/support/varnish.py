"""A real Varnish on loopback, running the configuration the deployment docs give
(scripts/varnish/wiredesk.vcl), for the tests and benchmarks/purge_latency.py. The documented
file is used as it is, with only the backend's port replaced."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VCL = ROOT / "scripts" / "varnish" / "wiredesk.vcl"


def varnish_binary() -> str | None:
    return shutil.which("varnishd") or ("/usr/sbin/varnishd"
                                        if Path("/usr/sbin/varnishd").exists() else None)


def site_vcl(*, upstream: int) -> str:
    text = VCL.read_text()
    documented = '.port = "8000";'
    assert documented in text
    return text.replace(documented, f'.port = "{upstream}";')


class Varnish:
    """varnishd in the foreground, its working files under ``workdir``."""

    def __init__(self, workdir: Path, vcl: str) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.vcl = workdir / "wiredesk.vcl"
        self.vcl.write_text(vcl)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "varnishd.log"

    def start(self, port: int) -> None:
        binary = varnish_binary()
        assert binary, "varnish is not installed (scripts/ensure-nginx.sh installs it)"
        # -j none: no privilege separation (the test's files are private to this user);
        # -T none: no management port.
        with self.log.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [binary, "-F", "-j", "none", "-T", "none", "-n", str(self.workdir / "n"),
                 "-a", f"127.0.0.1:{port}", "-f", str(self.vcl), "-s", "malloc,64m"],
                stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                assert self.process.poll() is None, self.log.read_text()
                assert time.monotonic() < deadline, "varnishd did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
