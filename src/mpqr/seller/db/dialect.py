"""The dialect's INSERT, which has ``on_conflict_do_nothing`` / ``on_conflict_do_update``, and
upserts built once per dialect."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from mpqr.seller.db.engine import Conn

__all__ = ["PerDialect", "Upsert", "insert"]

_DIALECTS = {"sqlite": sqlite, "postgresql": postgresql}


def insert(conn: Conn | sa.Connection, table: sa.Table) -> Any:
    return _DIALECTS.get(conn.dialect.name, sqlite).insert(table)


class PerDialect:
    """A statement that differs per dialect, built once for each by ``build(insert_of_table)``:
    each run sends its values as parameters and reuses the compiled statement.

    ``await conn.execute(stmt.on(conn), values)``
    """

    def __init__(self, table: sa.Table, build: Any) -> None:
        self._by_dialect = {name: build(module.insert(table)) for name, module in _DIALECTS.items()}

    def on(self, conn: Conn | sa.Connection) -> Any:
        return self._by_dialect[conn.dialect.name]


class Upsert(PerDialect):
    """``INSERT ... ON CONFLICT (keys) DO UPDATE SET`` every other column to the new row's.

    ``await conn.execute(upsert.on(conn), {every column: value})``
    """

    def __init__(self, table: sa.Table, keys: list[str]) -> None:
        def build(stmt: Any) -> Any:
            others = {c.name: stmt.excluded[c.name] for c in table.c if c.name not in keys}
            return stmt.on_conflict_do_update(index_elements=keys, set_=others)

        super().__init__(table, build)
