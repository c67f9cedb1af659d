"""API keys (stored as SHA-256) and the admin login (scrypt), plus first-start bootstrap."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncConnection

from mpqr.seller.context import Context
from mpqr.seller.db.tables import api_keys, users
from mpqr.seller.errors import Unauthorized

__all__ = [
    "bootstrap",
    "hash_key",
    "hash_password",
    "require_api_key",
    "save_login",
    "verify_password",
]

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


async def key_is_known(conn: AsyncConnection, key: str) -> bool:
    query = sa.select(api_keys.c.id).where(api_keys.c.key_hash == hash_key(key))
    return (await conn.execute(query)).first() is not None


async def add_key(conn: AsyncConnection, key: str, name: str, ctx: Context) -> None:
    if not await key_is_known(conn, key):
        await conn.execute(
            api_keys.insert().values(key_hash=hash_key(key), name=name, created_at=ctx.now())
        )


async def require_api_key(request: Request) -> None:
    """FastAPI dependency: ``Authorization: Bearer <api key>`` or 401."""
    creds: HTTPAuthorizationCredentials | None = await bearer(request)
    if creds is None or not creds.credentials:
        raise Unauthorized("missing Authorization: Bearer <api key>")
    ctx: Context = request.app.state.ctx
    async with ctx.db.transaction() as conn:
        if not await key_is_known(conn, creds.credentials):
            raise Unauthorized("unknown API key")


async def save_login(conn: AsyncConnection, username: str, password: str, now: datetime) -> None:
    """Create the login, or give an existing one a new password (ending its UI sessions)."""
    hashed = hash_password(password)
    found = (await conn.execute(sa.select(users.c.id).where(users.c.username == username))).first()
    if found is None:
        await conn.execute(
            users.insert().values(username=username, password_hash=hashed, created_at=now)
        )
    else:
        await conn.execute(
            users.update().where(users.c.username == username).values(password_hash=hashed)
        )


async def bootstrap(ctx: Context, announce: Callable[[str], None]) -> None:
    """Store ``--api-key``; on an empty database without one, create an admin login and a key."""
    async with ctx.db.transaction() as conn:
        if ctx.settings.admin_password:
            await save_login(conn, "admin", ctx.settings.admin_password, ctx.now())
        if ctx.settings.api_key:
            await add_key(conn, ctx.settings.api_key, "cli", ctx)
            return
        has_keys = (await conn.execute(sa.select(api_keys.c.id).limit(1))).first()
        has_users = (await conn.execute(sa.select(users.c.id).limit(1))).first()
        if has_keys or has_users:
            return
        key = "mpqr_" + secrets.token_urlsafe(32)
        password = secrets.token_urlsafe(12)
        await add_key(conn, key, "admin", ctx)
        await save_login(conn, "admin", password, ctx.now())
    announce(f"Created admin login: user 'admin', password {password}\nCreated API key: {key}")
