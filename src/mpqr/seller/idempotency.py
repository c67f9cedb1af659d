"""``Idempotency-Key`` (IETF draft): a key names one request and points at what it stored.

The key is claimed in the same transaction that stores the request's intent (the sale, the refund
operations), so from its first moment it points at a stored result: a retry after a crash finds
the sale or the operations and resumes them, and a key is never "in progress" forever. The same
key with another request body is refused (422).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from mpqr.seller.db.dialect import insert
from mpqr.seller.db.engine import Conn
from mpqr.seller.db.tables import idempotency_keys
from mpqr.seller.errors import InvalidInput, Reason

__all__ = ["claim", "fingerprint", "set_result"]


def fingerprint(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()


async def claim(
    conn: Conn,
    scope: str,
    key: str,
    print_: str,
    result: dict[str, Any],
    now: datetime,
) -> dict[str, Any] | None:
    """Store ``key`` → ``result``; or, if the key was used before, return that earlier result
    (after checking it was used for the same request)."""
    stmt = insert(conn, idempotency_keys).values(
        scope=scope, key=key, fingerprint=print_, result=result, created_at=now
    )
    inserted = await conn.execute(stmt.on_conflict_do_nothing())
    if inserted.rowcount == 1:
        return None
    query = sa.select(idempotency_keys).where(
        idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
    )
    row = (await conn.execute(query)).one()
    if row.fingerprint != print_:
        raise InvalidInput(
            "Idempotency-Key",
            "this key was used with a different request",
            reason=Reason.IDEMPOTENCY_KEY_REUSED,
        )
    return dict(row.result or {})


async def set_result(conn: Conn, scope: str, key: str, result: dict[str, Any]) -> None:
    t = idempotency_keys
    await conn.execute(t.update().where(t.c.scope == scope, t.c.key == key).values(result=result))
