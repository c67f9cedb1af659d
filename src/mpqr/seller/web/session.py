"""Signed session cookies and CSRF tokens for the cashier UI (pure functions, no I/O).

A session cookie is ``<payload>.<signature>`` where the payload is URL-safe base64 of
``{"u": username, "t": issued_at, "n": nonce}`` and the signature an HMAC-SHA256 of it. The key is
derived from the user's stored password hash, which is random (salted scrypt), secret, kept in the
database shared by every instance, and changes with the password: changing a password ends every
session of that user without a sessions table. The CSRF token of a session is an HMAC of its nonce,
so it is per session and needs no storage either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

__all__ = [
    "MAX_AGE_SECONDS",
    "Session",
    "csrf_token",
    "issue",
    "read_payload",
    "same_token",
    "verify",
]

MAX_AGE_SECONDS = 12 * 3600  # one working day


@dataclass(frozen=True, slots=True)
class Session:
    """A verified session: who, since when (epoch seconds) and its random nonce."""

    username: str
    issued_at: int
    nonce: str


def _key(password_hash: str) -> bytes:
    return hmac.new(password_hash.encode(), b"mpqr-ui-session-v1", hashlib.sha256).digest()


def _sign(key: bytes, data: bytes) -> str:
    mac = hmac.new(key, data, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(username: str, password_hash: str, now: int, nonce: str | None = None) -> str:
    """A new signed cookie value for ``username``."""
    body = {"u": username, "t": now, "n": nonce or secrets.token_urlsafe(16)}
    payload = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode())
    data = payload.decode().rstrip("=")
    return f"{data}.{_sign(_key(password_hash), data.encode())}"


def read_payload(cookie: str) -> Session | None:
    """The claimed session, NOT yet verified (to know whose key to check it with)."""
    data, _, _ = cookie.partition(".")
    try:
        raw = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    user, issued, nonce = raw.get("u"), raw.get("t"), raw.get("n")
    if not (isinstance(user, str) and isinstance(issued, int) and isinstance(nonce, str)):
        return None
    return Session(user, issued, nonce)


def verify(cookie: str, password_hash: str, now: int) -> Session | None:
    """The session if the signature matches and it is younger than :data:`MAX_AGE_SECONDS`."""
    data, sep, signature = cookie.partition(".")
    if not sep or not same_token(signature, _sign(_key(password_hash), data.encode())):
        return None
    session = read_payload(cookie)
    if session is None or not 0 <= now - session.issued_at <= MAX_AGE_SECONDS:
        return None
    return session


def csrf_token(session: Session, password_hash: str) -> str:
    """The CSRF token of one session: forms carry it, POSTs are refused without it."""
    return _sign(_key(password_hash), f"csrf:{session.nonce}".encode())


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison that treats a missing value as a mismatch."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
