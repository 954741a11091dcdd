"""Log lines as JSON objects (``WIREDESK_LOG_FORMAT=json``), with the ids of what was being done.

A desk that runs unattended is read by log collectors (journald, Loki, Elasticsearch), which want
one JSON object per line, not prose to parse. Each line carries the time, level, logger and
message, the exception when there is one, and -- where known -- the source, payload and story
being worked on. Those ids come from :func:`context` (a context variable, so each thread and
each task has its own) or from a call's ``extra={"story": 42}``.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

# The ids a log line may carry, in the order they are written.
FIELDS = ("source", "payload", "story")

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "wiredesk_log_context", default=None)


@contextmanager
def context(**ids: Any) -> Iterator[None]:
    """Name what the enclosed code works on (``source="reuters", payload=12``) for every log
    line it writes; nested contexts add to the outer one."""
    outer = _context.get() or {}
    token = _context.set({**outer, **{k: v for k, v in ids.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def current() -> dict[str, Any]:
    """The ids of the enclosing :func:`context` (empty outside one)."""
    return dict(_context.get() or {})


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
    then ``source``/``payload``/``story`` where known, then ``exception`` (the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ids = _context.get() or {}
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is None:
                value = ids.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)
