"""Feed date strings into aware UTC datetimes, or None -- never a silent guess."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wiredesk.core.dates import parse_date


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # RFC 822 / RFC 5322 with numeric offsets and the RFC 822 zone names
        ("Mon, 03 Apr 2023 01:02:03 GMT", utc(2023, 4, 3, 1, 2, 3)),
        ("Mon, 03 Apr 2023 01:02:03 +0000", utc(2023, 4, 3, 1, 2, 3)),
        ("Mon, 03 Apr 2023 01:02:03 -0000", utc(2023, 4, 3, 1, 2, 3)),
        ("Mon, 03 Apr 2023 01:02:03 +0530", utc(2023, 4, 2, 19, 32, 3)),
        ("Tue, 10 Jun 2003 04:00:00 EST", utc(2003, 6, 10, 9, 0, 0)),
        ("Tue, 10 Jun 2003 04:00:00 EDT", utc(2003, 6, 10, 8, 0, 0)),
        ("Tue, 10 Jun 2003 04:00:00 PDT", utc(2003, 6, 10, 11, 0, 0)),
        ("Tue, 10 Jun 2003 04:00:00 PST", utc(2003, 6, 10, 12, 0, 0)),
        ("Tue, 10 Jun 2003 04:00:00 CST", utc(2003, 6, 10, 10, 0, 0)),
        ("Tue, 10 Jun 2003 04:00:00 MDT", utc(2003, 6, 10, 10, 0, 0)),
        ("Tue, 10 Jun 2003 04:00:00 UT", utc(2003, 6, 10, 4, 0, 0)),
        ("Tue, 10 Jun 2003 04:00:00 Z", utc(2003, 6, 10, 4, 0, 0)),
        # RFC 5322 section 4.3: one-letter military zones other than Z count as -0000 (UTC)
        ("Tue, 10 Jun 2003 04:00:00 A", utc(2003, 6, 10, 4, 0, 0)),
        ("Tue, 10 Jun 2003 04:00:00 Y", utc(2003, 6, 10, 4, 0, 0)),
        # Common unambiguous abbreviations
        ("Wed, 05 Jun 2024 12:00:00 CEST", utc(2024, 6, 5, 10, 0, 0)),
        ("Wed, 05 Jun 2024 12:00:00 BST", utc(2024, 6, 5, 11, 0, 0)),
        ("Wed, 05 Jun 2024 12:00:00 AEST", utc(2024, 6, 5, 2, 0, 0)),
        # Broken but readable variants
        ("03 Apr 2023 01:02:03 GMT", utc(2023, 4, 3, 1, 2, 3)),  # no weekday
        ("Mon, 3 Apr 2023 1:02 +01:00", utc(2023, 4, 3, 0, 2, 0)),  # no seconds, colon offset
        ("Monday, 03-Apr-23 01:02:03 GMT", utc(2023, 4, 3, 1, 2, 3)),  # RFC 850
        ("Sun Nov  6 08:49:37 1994", utc(1994, 11, 6, 8, 49, 37)),  # asctime
        ("Thu, 01 Jan 2004 19:48:21 GMT+1", utc(2004, 1, 1, 18, 48, 21)),
        ("Thu, 01 Jan 2004 19:48:21 GMT +0100", utc(2004, 1, 1, 18, 48, 21)),
        ("Thu, 01 Jan 2004 19:48:21 Etc/GMT", utc(2004, 1, 1, 19, 48, 21)),
        ("Mon, 03 Apr 2023 01:02:03 +0100 (CET)", utc(2023, 4, 3, 0, 2, 3)),
        ("April 3, 2023 10:00 PM EDT", utc(2023, 4, 4, 2, 0, 0)),
        ("Mon, 03 April 2023 01:02:03 GMT", utc(2023, 4, 3, 1, 2, 3)),
        ("Sat, 01 Jan 49 00:00:00 GMT", utc(2049, 1, 1, 0, 0, 0)),  # RFC 5322 two-digit years
        ("Sat, 01 Jan 50 00:00:00 GMT", utc(1950, 1, 1, 0, 0, 0)),
        ("3 Apr 2023", utc(2023, 4, 3)),  # date only: midnight UTC
        ("Mon, 03 Apr 2023 01:02:03", utc(2023, 4, 3, 1, 2, 3)),  # no zone: read as UTC
        # Localised RFC 822 (against the spec, but UOL, Spiegel & co. write it)
        ("Seg, 24 Set 2018 19:42:40 -0300", utc(2018, 9, 24, 22, 42, 40)),
        ("Mar, 24 Mar 2018 10:00:00 +0100", utc(2018, 3, 24, 9, 0, 0)),
        ("Di, 03 Dez 2019 10:00:00 +0100", utc(2019, 12, 3, 9, 0, 0)),
        ("24 de setembro de 2018", utc(2018, 9, 24)),
        # ISO 8601 / RFC 3339 / W3CDTF
        ("2003-12-31T10:14:55Z", utc(2003, 12, 31, 10, 14, 55)),
        ("2003-12-31T10:14:55.250-08:00", utc(2003, 12, 31, 18, 14, 55, 250000)),
        ("2003-12-31T10:14:55,5+0100", utc(2003, 12, 31, 9, 14, 55, 500000)),
        ("2003-12-31t10:14:55z", utc(2003, 12, 31, 10, 14, 55)),
        ("2003-12-31 10:14:55 +00:00", utc(2003, 12, 31, 10, 14, 55)),
        ("2003-12-31T10:14-05", utc(2003, 12, 31, 15, 14, 0)),
        ("20031231T101455Z", utc(2003, 12, 31, 10, 14, 55)),
        ("2003-12-31T10:14:55", utc(2003, 12, 31, 10, 14, 55)),  # no zone: read as UTC
        ("2003-12-31", utc(2003, 12, 31)),
        ("2004-02", utc(2004, 2, 1)),
        ("2004", utc(2004, 1, 1)),
        ("2003-12-31T24:00:00Z", utc(2004, 1, 1)),  # ISO 8601 end of day
        ("2016-12-31T23:59:60Z", utc(2016, 12, 31, 23, 59, 59)),  # leap second
        ("  2003-12-31T10:14:55Z\n", utc(2003, 12, 31, 10, 14, 55)),
    ],
)
def test_readable_dates(value: str, expected: datetime) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() is not None
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "next Tuesday",
        "sometime on Wednesday",
        "Fri, 20 Feb 2015 09:51:15 IST",  # India, Ireland or Israel: ambiguous, so not guessed
        "Fri, 20 Feb 2015 09:51:15 XYZT",  # unknown zone name
        "Fri, 20 Feb 2015 09:51:15 +123",  # not an offset
        "Fri, 20 Feb 2015 09:51:15 +2500",  # offset beyond a day
        "2023-02-30",  # no such day
        "2023-13-01T00:00:00Z",
        "Mon, 32 Apr 2023 01:02:03 GMT",
        "03/04/2023",  # day-month order unknowable
        "Mon, 03 Apr 2023 13:00 PM GMT",  # 13 PM
        "Mon, 03 Apr 2023 2023 01:02:03 GMT",  # two years
    ],
)
def test_unreadable_dates_give_none(value: str | None) -> None:
    assert parse_date(value) is None
