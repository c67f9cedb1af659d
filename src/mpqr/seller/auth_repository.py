"""Every SQL statement about who may use the server: API keys, logins and cashier UI sessions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from mpqr.seller.db.engine import Conn
from mpqr.seller.db.tables import api_keys, ui_sessions, users

__all__ = [
    "add_key",
    "add_session",
    "any_key_or_user",
    "delete_session",
    "key_is_known",
    "password_hash",
    "save_login",
    "session_alive",
]


async def key_is_known(conn: Conn, key_hash: str) -> bool:
    query = sa.select(api_keys.c.id).where(api_keys.c.key_hash == key_hash)
    return (await conn.execute(query)).first() is not None


async def add_key(conn: Conn, key_hash: str, name: str, now: datetime) -> None:
    if not await key_is_known(conn, key_hash):
        await conn.execute(api_keys.insert().values(key_hash=key_hash, name=name, created_at=now))


async def any_key_or_user(conn: Conn) -> bool:
    has_keys = (await conn.execute(sa.select(api_keys.c.id).limit(1))).first()
    has_users = (await conn.execute(sa.select(users.c.id).limit(1))).first()
    return bool(has_keys or has_users)


async def password_hash(conn: Conn, username: str) -> str | None:
    query = sa.select(users.c.password_hash).where(users.c.username == username)
    row = (await conn.execute(query)).first()
    return None if row is None else str(row.password_hash)


async def save_login(conn: Conn, username: str, hashed: str, now: datetime) -> None:
    """Create the login, or give it a new password hash and end every session it had."""
    found = (await conn.execute(sa.select(users.c.id).where(users.c.username == username))).first()
    if found is None:
        await conn.execute(
            users.insert().values(username=username, password_hash=hashed, created_at=now)
        )
        return
    await conn.execute(
        users.update().where(users.c.username == username).values(password_hash=hashed)
    )
    await conn.execute(ui_sessions.delete().where(ui_sessions.c.username == username))


async def add_session(
    conn: Conn, token_hash: str, username: str, now: datetime, expires_at: datetime
) -> None:
    await conn.execute(ui_sessions.delete().where(ui_sessions.c.expires_at <= now))
    await conn.execute(
        ui_sessions.insert().values(
            token_hash=token_hash, username=username, created_at=now, expires_at=expires_at
        )
    )


async def session_alive(conn: Conn, token_hash: str, username: str, now: datetime) -> bool:
    t = ui_sessions
    query = sa.select(t.c.token_hash).where(
        t.c.token_hash == token_hash, t.c.username == username, t.c.expires_at > now
    )
    return (await conn.execute(query)).first() is not None


async def delete_session(conn: Conn, token_hash: str) -> None:
    await conn.execute(ui_sessions.delete().where(ui_sessions.c.token_hash == token_hash))
