"""The dialect's INSERT, which has ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from mpqr.seller.db.engine import Conn

__all__ = ["insert"]


def insert(conn: Conn | sa.Connection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
