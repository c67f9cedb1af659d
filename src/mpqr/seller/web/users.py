"""Every SQL statement of the cashier UI: the logins in the core's ``users`` table.

Passwords are hashed with the core's :func:`mpqr.seller.auth.hash_password` (salted scrypt).
:func:`set_password` is how ``mpqr demo`` (and tests) create a login; the server itself creates
the first ``admin`` login on an empty database (see :func:`mpqr.seller.auth.bootstrap`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from mpqr.seller.auth import save_login
from mpqr.seller.db import Database
from mpqr.seller.db.tables import users

__all__ = ["password_hash", "set_password"]


async def password_hash(db: Database, username: str) -> str | None:
    """The stored hash of ``username``'s password, or ``None`` if there is no such login."""
    query = sa.select(users.c.password_hash).where(users.c.username == username)
    async with db.transaction() as conn:
        row = (await conn.execute(query)).first()
    return None if row is None else str(row.password_hash)


async def set_password(db: Database, username: str, password: str, now: datetime) -> None:
    """Create the login, or give an existing one a new password (ending its sessions)."""
    async with db.transaction() as conn:
        await save_login(conn, username, password, now)
