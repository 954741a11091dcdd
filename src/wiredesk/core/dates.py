"""Reading the date strings feeds carry, into timezone-aware UTC datetimes.

Feeds write dates in two families, both of them often bent:

* RFC 822 / RFC 5322 section 3.3 ("Mon, 03 Apr 2023 01:02:03 GMT") -- RSS 2.0's ``pubDate``. Real
  feeds add or drop the weekday, write two-digit years, spell months out, put a colon in the offset,
  swap day and month, or append "(CET)".
* ISO 8601 in the profiles of RFC 3339 and W3CDTF ("2023-04-03T01:02:03.5+02:00", "2004-02") --
  Atom, Dublin Core ``dc:date`` and JSON Feed.

:func:`parse_date` reads both and returns ``None`` for anything it cannot read *with certainty*: an
unknown or ambiguous zone name (IST is India, Ireland or Israel) is not read as UTC, because a wrong
publication time is worse than a flagged missing one. Two documented conventions remain, and
neither contradicts anything the source said: a timestamp with no zone at all is read as UTC (RFC
3339 section 4.3's "unknown local offset"), and a date without a time of day is midnight UTC
(W3CDTF's reduced precision).

This module is pure standard library on purpose: the core must stay importable without feedparser.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = ["parse_date"]

# RFC 3339 / W3CDTF / ISO 8601 (extended and basic formats). Partial dates ("2004", "2004-02") are
# W3CDTF's reduced precision; the separator may be "T" or a space (RFC 3339 section 5.6 NOTE).
_ISO_RE = re.compile(
    r"""
    (?P<year>\d{4})
    (?:-?(?P<month>\d{2})(?:-?(?P<day>\d{2}))?)?
    (?:[T\s]\s*
        (?P<hour>\d{2}):?(?P<minute>\d{2})
        (?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?
    )?
    \s*(?P<zone>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?
    """,
    re.VERBOSE | re.IGNORECASE,
)

# Month abbreviations in English and in the languages of feeds that localise RFC 822 dates against
# the spec (Portuguese, Spanish, French, German, Italian, Dutch). No abbreviation means different
# months in different languages, so accepting them all cannot misread a date. Longer names are
# matched by their first four, then three, letters ("setembro" -> "set", "juillet" -> "juil").
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "ene", "gen", "janv", "jän"),
            ("feb", "fev", "fév", "févr", "fevr"),
            ("mar", "mär", "mrz", "mrt", "mars"),
            ("apr", "abr", "avr"),
            ("may", "mai", "mag", "mei"),
            ("jun", "giu", "juin"),
            ("jul", "lug", "juil"),
            ("aug", "ago", "aoû", "août", "aout"),
            ("sep", "set", "sept"),
            ("oct", "out", "okt", "ott"),
            ("nov",),
            ("dec", "dez", "dic", "déc"),
        ),
        start=1,
    )
    for name in names
}

# Weekday names carry no information (the date fixes the weekday), so any language's are skipped.
_WEEKDAYS = frozenset(
    ("mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs",
     "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
     "seg", "ter", "qua", "qui", "sex", "sáb", "sab", "dom",  # Portuguese
     "lun", "mar", "mié", "mie", "jue", "vie",  # Spanish (and Italian/French "lun", "mar")
     "mer", "jeu", "ven", "sam", "dim",  # French
     "mo", "di", "mi", "do", "fr", "sa", "so",  # German
     "gio",  # Italian
     "ma", "wo", "vr", "za", "zo")  # Dutch
)  # fmt: skip

# Words between the parts of a spelled-out date: "24 de setembro de 2018", "Apr 3, 2023 at 10:00".
_FILLERS = frozenset(("de", "del", "at", "um"))

# Zone names and their offsets in minutes east of UTC. RFC 822 section 5 defines UT, GMT, Z and the
# North American zones; the others are the unambiguous abbreviations news feeds use. Ambiguous ones
# (IST, AST, ET, CT...) are left out deliberately so that they make the date unreadable, not wrong.
_ZONES = {
    "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0,
    "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420,
    "akst": -540, "akdt": -480, "hst": -600, "nst": -210, "ndt": -150,
    # British Summer Time; Bangladesh also says BST but does not write RFC 822 feed dates with it.
    "bst": 60, "west": 60, "cet": 60, "met": 60, "wat": 60,
    "cest": 120, "mest": 120, "eet": 120, "cat": 120, "sast": 120,
    "eest": 180, "msk": 180, "eat": 180,
    "pkt": 300, "wib": 420, "ict": 420,
    "hkt": 480, "sgt": 480, "pht": 480, "awst": 480,
    "jst": 540, "kst": 540, "acst": 570, "aest": 600, "acdt": 630, "aedt": 660,
    "nzst": 720, "nzdt": 780,
}  # fmt: skip

# RFC 5322 section 4.3: RFC 822 got the signs of the one-letter military zones wrong, so they
# "SHOULD all be considered equivalent to '-0000'" -- UTC with an unknown local offset. Z is UTC.
_ZONES.update({letter: 0 for letter in "abcdefghiklmnopqrstuvwxy"})

# "+0100", "+01:00", "-05", "GMT+2", "UTC-05:00"
_OFFSET_RE = re.compile(r"(?:gmt|utc|ut)?([+-])(?:(\d{2}):?(\d{2})|(\d{1,2}))$")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$")
_COMMENT_RE = re.compile(r"\([^)]*\)")
# Separators between RFC 822-ish tokens: whitespace, commas and the dashes/slashes of "03-Apr-2023".
# A dash directly before digits after a time or at the start of an offset is kept (see _tokens).
_SPLIT_RE = re.compile(r"[\s,]+")
_DASHED_DATE_RE = re.compile(r"^(\d{1,2})[-/.]([a-z]+)\.?[-/.](\d{2,4})$")


def parse_date(value: str | None) -> datetime | None:
    """Return the moment ``value`` names as an aware UTC datetime, or ``None`` if it is unreadable.

    >>> parse_date("Tue, 10 Jun 2003 04:00:00 EST").isoformat()
    '2003-06-10T09:00:00+00:00'
    >>> parse_date("2003-12-31T10:14:55.250-08:00").isoformat()
    '2003-12-31T18:14:55.250000+00:00'
    >>> parse_date("next Tuesday") is None
    True
    """
    if not value:
        return None
    text = value.strip()
    if not text:
        return None
    if text[0].isdigit() and (found := _parse_iso(text)) is not None:
        return found
    return _parse_rfc822(text)


def _parse_iso(text: str) -> datetime | None:
    match = _ISO_RE.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    fraction = parts["fraction"] or ""
    offset = _iso_offset(parts["zone"])
    return _build(
        year=int(parts["year"]),
        month=int(parts["month"] or 1),
        day=int(parts["day"] or 1),
        clock=(int(parts["hour"] or 0), int(parts["minute"] or 0), int(parts["second"] or 0)),
        microsecond=int((fraction + "000000")[:6]),
        offset_minutes=offset,
    )


def _iso_offset(zone: str | None) -> int:
    if zone is None or zone.upper() in ("Z", "UTC", "GMT"):
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:4] or 0))


def _parse_rfc822(text: str) -> datetime | None:
    """Read the RFC 822 family by classifying tokens, so that order and punctuation may vary."""
    fields = _classify(_tokens(text))
    if fields is None:
        return None
    day, month, year, clock, microsecond, offset = fields
    return _build(year, month, day, clock, microsecond, offset)


def _tokens(text: str) -> list[str]:
    text = _COMMENT_RE.sub(" ", text.lower())
    tokens: list[str] = []
    for token in _SPLIT_RE.split(text):
        dashed = _DASHED_DATE_RE.match(token)
        if dashed:  # RFC 850 / asctime variants: "03-Apr-23", "3/apr/2023"
            tokens.extend(dashed.groups())
        elif token:
            tokens.append(token.rstrip("."))
    return tokens


_Fields = tuple[int, int, int, tuple[int, int, int], int, int]


def _month(token: str) -> int | None:
    if token in _MONTHS:
        return _MONTHS[token]
    if len(token) > 3 and token.isalpha():
        return _MONTHS.get(token[:4]) or _MONTHS.get(token[:3])
    return None


def _classify(tokens: list[str]) -> _Fields | None:
    """Assign every token a role; any token without one makes the whole string unreadable."""
    if tokens and tokens[0] in _WEEKDAYS:
        tokens = tokens[1:]  # "Mar, 24 Mar 2018": the Spanish Tuesday is also a month name
    day = month = year = offset = None
    clock: tuple[int, int, int] | None = None
    microsecond = 0
    pm: bool | None = None
    offset_is_utc_name = False
    for token in tokens:
        if month is None and (number := _month(token)) is not None:
            month = number
        elif token in _WEEKDAYS or token in _FILLERS:
            continue
        elif token.isdigit() and len(token) <= 2 and day is None and int(token) >= 1:
            day = int(token)
        elif token.isdigit() and len(token) in (2, 4) and year is None:
            year = _full_year(token)
        elif (time_match := _TIME_RE.match(token)) and clock is None:
            hour, minute, second, fraction = time_match.groups()
            clock = (int(hour), int(minute), int(second or 0))
            microsecond = int(((fraction or "") + "000000")[:6])
        elif token in ("am", "pm", "a.m", "p.m") and clock is not None and pm is None:
            pm = token.startswith("p")
        elif (offset is None or offset_is_utc_name) and (zone := _zone_offset(token)) is not None:
            # "GMT+0100" is sometimes written "GMT +0100": the explicit offset is the one meant.
            offset_is_utc_name = offset is None and token in ("gmt", "utc", "ut")
            offset = zone
        else:
            return None
    if day is None or month is None or year is None:
        return None
    clock = _apply_meridiem(clock or (0, 0, 0), pm)
    if clock is None:
        return None
    return day, month, year, clock, microsecond, offset or 0


def _full_year(token: str) -> int:
    year = int(token)
    if len(token) == 2:  # RFC 5322 section 4.3: 00-49 are 2000-2049, 50-99 are 1950-1999.
        year += 2000 if year < 50 else 1900
    return year


def _zone_offset(token: str) -> int | None:
    if token.startswith("etc/"):
        token = token[4:]
    if token in _ZONES:
        return _ZONES[token]
    match = _OFFSET_RE.match(token)
    if match is None:
        return None
    sign, hours, minutes, short_hours = match.groups()
    total = int(hours or short_hours) * 60 + int(minutes or 0)
    return -total if sign == "-" else total


def _apply_meridiem(clock: tuple[int, int, int], pm: bool | None) -> tuple[int, int, int] | None:
    hour, minute, second = clock
    if pm is None:
        return clock
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if pm else 0)
    return hour, minute, second


def _build(
    year: int,
    month: int,
    day: int,
    clock: tuple[int, int, int],
    microsecond: int,
    offset_minutes: int,
) -> datetime | None:
    hour, minute, second = clock
    extra = timedelta()
    if hour == 24 and minute == 0 and second == 0:  # ISO 8601 "24:00" is the end of the day.
        hour, extra = 0, timedelta(days=1)
    second = min(second, 59)  # A leap second (":60") is read as the last second of its minute.
    if abs(offset_minutes) >= 24 * 60:
        return None
    try:
        local = datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)
        return local + extra - timedelta(minutes=offset_minutes)
    except (ValueError, OverflowError):
        return None
