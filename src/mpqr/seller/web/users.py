"""The cashier UI's logins, kept in the core's ``users`` table (SQL in ``auth_repository``).

Passwords are hashed with the core's :func:`mpqr.seller.auth.hash_password` (salted scrypt).
:func:`set_password` is how ``mpqr demo`` (and tests) create a login; the server itself creates
the first ``admin`` login on an empty database (see :func:`mpqr.seller.auth.bootstrap`).
"""

from __future__ import annotations

from datetime import datetime

from mpqr.seller import auth_repository
from mpqr.seller.auth import save_login
from mpqr.seller.db import Database

__all__ = ["password_hash", "set_password"]


async def password_hash(db: Database, username: str) -> str | None:
    """The stored hash of ``username``'s password, or ``None`` if there is no such login."""
    async with db.transaction() as conn:
        return await auth_repository.password_hash(conn, username)


async def set_password(db: Database, username: str, password: str, now: datetime) -> None:
    """Create the login, or give an existing one a new password (ending its sessions)."""
    async with db.transaction() as conn:
        await save_login(conn, username, password, now)
