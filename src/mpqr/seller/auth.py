"""API keys (stored as SHA-256), logins (scrypt), cashier UI sessions, first-start bootstrap.

UI sessions live on the server (``ui_sessions``, keyed by the SHA-256 of the cookie's random
nonce): logging out deletes the session, and a new password deletes every session of the login,
so an old cookie stops working at once. The SQL is in :mod:`mpqr.seller.auth_repository`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mpqr.seller import auth_repository as repo
from mpqr.seller.context import Context
from mpqr.seller.db.engine import Conn
from mpqr.seller.errors import Unauthorized

__all__ = [
    "bootstrap",
    "end_session",
    "hash_key",
    "hash_password",
    "require_api_key",
    "save_login",
    "session_alive",
    "start_session",
    "verify_password",
]

KEY_CACHE_SECONDS = 30.0  # a known API key is believed this long without asking the database
_KEY_CACHE_MAX = 1024
bearer = HTTPBearer(auto_error=False, description="An API key of this server")


def hash_key(key: str) -> str:
    """API keys are long random strings, so one SHA-256 is enough (no brute force to slow down)."""
    return hashlib.sha256(key.encode()).hexdigest()


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, salt_hex, _ = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt_hex)), stored)


async def key_is_known(conn: Conn, key: str) -> bool:
    return await repo.key_is_known(conn, hash_key(key))


async def add_key(conn: Conn, key: str, name: str, ctx: Context) -> None:
    await repo.add_key(conn, hash_key(key), name, ctx.now())


async def require_api_key(request: Request) -> None:
    """FastAPI dependency: ``Authorization: Bearer <api key>`` or 401. A known key is
    remembered for :data:`KEY_CACHE_SECONDS` (a key removed from the database stops working
    within that time); unknown keys are never remembered."""
    creds: HTTPAuthorizationCredentials | None = await bearer(request)
    if creds is None or not creds.credentials:
        raise Unauthorized("missing Authorization: Bearer <api key>")
    ctx: Context = request.app.state.ctx
    digest = hash_key(creds.credentials)
    now = time.monotonic()
    if ctx.known_keys.get(digest, 0.0) > now:
        return
    async with ctx.db.read() as conn:
        if not await repo.key_is_known(conn, digest):
            raise Unauthorized("unknown API key")
    if len(ctx.known_keys) >= _KEY_CACHE_MAX:
        ctx.known_keys.clear()
    ctx.known_keys[digest] = now + KEY_CACHE_SECONDS


async def save_login(conn: Conn, username: str, password: str, now: datetime) -> None:
    """Create the login, or give an existing one a new password (ending its UI sessions)."""
    await repo.save_login(conn, username, hash_password(password), now)


def _session_key(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


async def start_session(ctx: Context, username: str, nonce: str, max_age_seconds: int) -> None:
    """Remember a signed-in browser (by its cookie's nonce) until logout or expiry."""
    now = ctx.now()
    async with ctx.db.transaction() as conn:
        expires = now + timedelta(seconds=max_age_seconds)
        await repo.add_session(conn, _session_key(nonce), username, now, expires)


async def session_alive(ctx: Context, username: str, nonce: str) -> bool:
    async with ctx.db.transaction() as conn:
        return await repo.session_alive(conn, _session_key(nonce), username, ctx.now())


async def end_session(ctx: Context, nonce: str) -> None:
    async with ctx.db.transaction() as conn:
        await repo.delete_session(conn, _session_key(nonce))


async def bootstrap(ctx: Context, announce: Callable[[str], None]) -> None:
    """Store ``--api-key``; on an empty database without one, create an admin login and a key."""
    async with ctx.db.transaction() as conn:
        if ctx.settings.admin_password:
            await save_login(conn, "admin", ctx.settings.admin_password, ctx.now())
        if ctx.settings.api_key:
            await add_key(conn, ctx.settings.api_key, "cli", ctx)
            return
        if await repo.any_key_or_user(conn):
            return
        key = "mpqr_" + secrets.token_urlsafe(32)
        password = secrets.token_urlsafe(12)
        await add_key(conn, key, "admin", ctx)
        await save_login(conn, "admin", password, ctx.now())
    announce(f"Created admin login: user 'admin', password {password}\nCreated API key: {key}")
