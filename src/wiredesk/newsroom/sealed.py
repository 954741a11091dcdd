"""Secrets that must be kept readable, sealed at rest under a key derived from the secret key.

A push source's HMAC key cannot be kept as a hash the way its bearer token is: checking a
signature means computing HMAC-SHA256 of the body *with the key*, so the key itself must be at
hand. It is stored encrypted instead -- Fernet (AES-128-CBC with HMAC-SHA256, from the
`cryptography` package), which also detects tampering. Django's signing would only prove the
value unaltered, not hide it, so it does not fit.

The encryption key is derived with HKDF-SHA256 from ``SECRET_KEY``; keys listed in
``SECRET_KEY_FALLBACKS`` still open what was sealed under them, so a rotated secret key does not
break signed pushes at once. A value sealed under a key that is no longer configured cannot be
opened: that source's HMAC key must be re-issued (``wiredesk source push-token ID --hmac``).
A database dump alone therefore no longer gives anyone a working signing key.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "fernet:"
_INFO = b"wiredesk sealed secrets v1"


class Unreadable(Exception):
    """A sealed value that no configured secret key opens (the secret key was rotated)."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys(secret_keys: Sequence[str] | None) -> MultiFernet:
    keys = secret_keys or [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([_fernet(key) for key in keys])


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def seal(plain: str, *, secret_keys: Sequence[str] | None = None) -> str:
    """``plain`` encrypted under the current secret key ("" stays "")."""
    if not plain:
        return ""
    return PREFIX + _keys(secret_keys).encrypt(plain.encode()).decode()


def unseal(stored: str, *, secret_keys: Sequence[str] | None = None) -> str:
    """The plain value of a sealed one; a value stored before sealing existed is returned as it
    is. Raises :class:`Unreadable` when no configured secret key opens it."""
    if not is_sealed(stored):
        return stored
    try:
        return _keys(secret_keys).decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise Unreadable("sealed under a secret key that is no longer configured") from None
