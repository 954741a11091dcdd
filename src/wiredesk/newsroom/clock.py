"""The desk's clock: embargoes, expiry and lifecycle decisions read the time here.

One seam, so tests can move time (an embargo passing, a licence ending) without sleeping.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
