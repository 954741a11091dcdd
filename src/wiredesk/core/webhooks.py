"""Outbound webhooks: signing, verifying, and when to try a failed delivery again.

Signatures follow the Standard Webhooks specification (standardwebhooks.com), which receivers
already have libraries for: the signed content is ``{id}.{timestamp}.{body}``, the signature is
HMAC-SHA256 under the subscriber's secret, base64-encoded, sent as ``webhook-signature: v1,<sig>``
beside ``webhook-id`` and ``webhook-timestamp``. A secret is written ``whsec_<base64 of the key>``.
The id is the same on every attempt at one event, so a receiver that saw it already can drop a
repeat (the desk sends again only when no 2xx came back).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import secrets
from dataclasses import dataclass

SECRET_PREFIX = "whsec_"
# A receiver refuses a timestamp further than this from its clock (replayed requests).
TOLERANCE_SECONDS = 300


class BadSignature(Exception):
    """A webhook request whose signature or timestamp does not check out."""


def new_secret() -> str:
    """A new subscriber secret: 32 random bytes, ``whsec_`` + base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret[len(SECRET_PREFIX):])


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value for one request."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, message_id: str, timestamp: str, body: bytes, signatures: str, *,
           now: float) -> None:
    """What a receiver does: raise :class:`BadSignature` unless one of the space-separated
    signatures is right and the timestamp is within :data:`TOLERANCE_SECONDS` of ``now``."""
    try:
        sent = int(timestamp)
    except ValueError as exc:
        raise BadSignature("the timestamp is not a number") from exc
    if abs(now - sent) > TOLERANCE_SECONDS:
        raise BadSignature("the timestamp is too far from now")
    expected = sign(secret, message_id, sent, body)
    if not any(hmac.compare_digest(expected, given) for given in signatures.split()):
        raise BadSignature("no signature matches")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter: attempt n waits a random time up to
    ``base * 2**(n-1)`` seconds, capped at ``cap``; after ``attempts`` failures the event is
    dead-lettered. The defaults keep trying for about a day (an outage of hours is survived)."""

    base: float = 5.0
    cap: float = 3600.0
    attempts: int = 30

    def delay(self, failures: int, rng: random.Random) -> float:
        """Seconds before the next attempt after ``failures`` failed ones (``failures`` >= 1).
        Never less than a tenth of the step, so a burst of failures is spread, not repeated."""
        step = min(self.cap, self.base * 2 ** max(0, failures - 1))
        return step * (0.1 + 0.9 * rng.random())
