"""Names of processes for lease tests: a process of this machine that has really ended."""

from __future__ import annotations

import functools
import subprocess
import sys

from wiredesk.newsroom.workers import leases


@functools.cache
def dead_pid() -> int:
    """The PID of a process that ran and ended (reaped, so the PID is free)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def dead_holder() -> str:
    """The lease-holder name a process of this machine had, now that it is dead."""
    machine = leases.holder().rsplit("|", 2)[0]
    return f"{machine}|{dead_pid()}|deadbeef"


def zombie_holder(child: subprocess.Popen[bytes]) -> str:
    """The lease-holder name of ``child``, a process of this machine (ended or not)."""
    machine = leases.holder().rsplit("|", 2)[0]
    return f"{machine}|{child.pid}|0ddba11"
