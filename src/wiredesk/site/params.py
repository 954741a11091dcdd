"""Every number and string a URL or query string carries, parsed strictly: one set of helpers for
pages, feeds, sitemaps and the API, so that no input can reach the database in a form it refuses.

- Digits are ASCII digits: ``"²".isdigit()`` is True but ``int("²")`` fails, and ``"١٢".isdigit()``
  parses to 12 although no link of ours carries it.
- Numbers are range-checked: an id or page past a 64-bit integer overflows SQLite's driver and
  PostgreSQL's ``bigint``.
- Text loses control characters (PostgreSQL refuses NUL in a string) and is cut to a length.

The helpers raise :class:`BadParameter`; pages answer it with 404 (a page that cannot exist), the
API with 400 in its error shape.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

from django.http import Http404, QueryDict

# The largest id any table can hold (a signed 64-bit integer on SQLite and PostgreSQL).
MAX_ID: Final = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")
# C0 and C1 controls, DEL; tabs and newlines are spaces in a one-line parameter.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Lone surrogates cannot be encoded for the database or a response.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class BadParameter(ValueError):
    """A parameter that is not what its name says; ``message`` says what it must be."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def whole_number(raw: str, name: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """``raw`` as a whole number from ``minimum`` to ``maximum``, written in ASCII digits."""
    if not _DIGITS.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        bound = f"from {minimum} to {maximum}" if maximum < MAX_ID else f"from {minimum}"
        raise BadParameter(name, f"{name} must be a whole number {bound}.")
    return int(raw)


def optional_number(query: QueryDict, name: str, *, default: int, minimum: int = 1,
                    maximum: int = MAX_ID) -> int:
    """A number parameter of the query string, ``default`` when absent."""
    raw = query.get(name)
    if raw is None:
        return default
    return whole_number(raw, name, minimum=minimum, maximum=maximum)


def object_id(raw: str | int) -> int:
    """An id from a URL path (``/story/<id>/``, ``/cluster/<id>/``): a page that cannot exist
    (404) unless it is a positive id a table can hold."""
    try:
        return whole_number(str(raw), "id")
    except BadParameter as exc:
        raise Http404("No such page.") from exc


def valid_id(raw: str | int) -> int | None:
    """An id from a URL, or None when no row could have it."""
    try:
        return whole_number(str(raw), "id")
    except BadParameter:
        return None


def text(query: QueryDict, name: str, *, max_length: int = 200) -> str:
    """A free-text parameter: stripped, without control characters, at most ``max_length``."""
    return clean_text(query.get(name, ""), max_length=max_length)


def clean_text(raw: str, *, max_length: int = 200) -> str:
    cleaned = _SURROGATES.sub("", _CONTROLS.sub(" ", raw)).strip()
    return cleaned[:max_length].strip()


def timestamp_micros(value: datetime) -> int:
    """A moment as whole microseconds since 1970 (UTC): the time part of a page cursor."""
    delta = value.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


# Cursors are the (first_published_at, id) of the last story shown: "<micros>.<id>". Years 1 to
# 9999 span about ±2.5e17 microseconds around 1970.
_CURSOR = re.compile(r"(-?[0-9]{1,18})\.([0-9]{1,19})")
_MIN_MICROS = -62_135_596_800_000_000  # 0001-01-01
_MAX_MICROS = 253_402_300_799_999_999  # 9999-12-31 23:59:59.999999


def cursor(raw: str, name: str) -> tuple[datetime, int]:
    """A keyset cursor ``<micros>.<id>``: the listing continues after this (time, id)."""
    match = _CURSOR.fullmatch(raw)
    if match is None:
        raise BadParameter(name, f"{name} must be a cursor from a next or previous link.")
    micros, pk = int(match[1]), int(match[2])
    if not _MIN_MICROS <= micros <= _MAX_MICROS or not 1 <= pk <= MAX_ID:
        raise BadParameter(name, f"{name} must be a cursor from a next or previous link.")
    return _EPOCH + timedelta(microseconds=micros), pk


def make_cursor(moment: datetime, pk: int) -> str:
    return f"{timestamp_micros(moment)}.{pk}"
