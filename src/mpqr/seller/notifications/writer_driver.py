"""The inbox writer's batch sent straight to the database driver (:meth:`.Database.driver_unit`).

SQLAlchemy's execution machinery was most of a batch's CPU: on SQLite 0.70 ms for a batch of two
against 0.22 ms through ``sqlite3``; on PostgreSQL 1.8-3.0 ms against 0.4-0.6 ms through
``asyncpg``, there on the event loop itself, where every acknowledgement waits for it. So the four
statements of a batch are written here for each driver, with the values converted by the bind
processors SQLAlchemy would use (same stored values as :class:`.CoreStatements`; tested).

PostgreSQL's statements take arrays (``= ANY($1)``, ``unnest``): one text for any batch size,
prepared once per connection. They run in a greenlet (see ``driver_unit``), so they wait for
asyncpg with :func:`sqlalchemy.util.await_only`, as SQLAlchemy's own adapter does.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.util import await_only

from mpqr.seller.notifications.inbox import InboxState
from mpqr.seller.notifications.writer_sql import COLUMNS, Statements, converters, row_values

if TYPE_CHECKING:
    from mpqr.seller.notifications.writer import Pending

__all__ = ["PgStatements", "SqliteStatements", "for_driver"]


def for_driver(driver: Any, dialect: sa.Dialect) -> Statements:
    """The statements for ``driver``: a ``sqlite3`` or an ``asyncpg`` connection."""
    if isinstance(driver, sqlite3.Connection):
        return SqliteStatements(driver, dialect)
    return PgStatements(driver, dialect)


class _DriverStatements(Statements):
    def __init__(self, dialect: sa.Dialect, driver_error: type[Exception]) -> None:
        self.dialect = dialect
        self.convert = converters(dialect)
        self._driver_error = driver_error

    def _values(self, p: Pending) -> list[Any]:
        values = row_values(p)
        return [self.convert[c](values[c]) for c in COLUMNS]

    @contextlib.contextmanager
    def _as_sqlalchemy_errors(self, sql: str, params: Sequence[Any]) -> Iterator[None]:
        """A driver error raised as SQLAlchemy's, as every other statement's."""
        try:
            yield
        except self._driver_error as exc:
            raise sa.exc.DBAPIError.instance(
                sql, params, exc, self._driver_error, dialect=self.dialect
            ) from exc


class SqliteStatements(_DriverStatements):
    """Through a plain ``sqlite3`` connection (on the unit's worker thread)."""

    def __init__(self, raw: sqlite3.Connection, dialect: sa.Dialect) -> None:
        super().__init__(dialect, sqlite3.Error)
        self.raw = raw

    def known(
        self, keys: Sequence[str], resources: Sequence[str]
    ) -> tuple[dict[str, str], Counter[str]]:
        found = self._run(states_sql(len(keys)), keys)
        states = {str(k): str(s) for k, s in found}
        found = self._run(open_counts_sql(len(resources)), [*resources, InboxState.RECEIVED])
        return states, Counter({str(r): int(c) for r, c in found})

    def insert(self, rows: Sequence[Pending]) -> set[str]:
        params = [v for p in rows for v in self._values(p)]
        return {str(k) for (k,) in self._run(insert_sql(len(rows)), params)}

    def add_deliveries(self, more: Mapping[str, int]) -> None:
        sql = "UPDATE notifications SET deliveries = deliveries + ? WHERE dedupe_key = ?"
        params = [(n, k) for k, n in more.items()]
        with self._as_sqlalchemy_errors(sql, params):
            self.raw.executemany(sql, params)

    def rearm(self, keys: set[str], now: datetime) -> int:
        sql = rearm_sql(len(keys))
        at = self.convert["next_attempt_at"](now)
        params = [InboxState.RECEIVED, at, *keys, InboxState.RECEIVED]
        with self._as_sqlalchemy_errors(sql, params):
            return int(self.raw.execute(sql, params).rowcount)

    def _run(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self._as_sqlalchemy_errors(sql, params):
            return list(self.raw.execute(sql, params).fetchall())


# The SQLite texts for ``count`` values; only "?" placeholders are formatted in.


def states_sql(count: int) -> str:
    return f"SELECT dedupe_key, state FROM notifications WHERE dedupe_key IN ({_marks(count)})"  # noqa: S608


def open_counts_sql(count: int) -> str:
    return (
        "SELECT resource_id, count(*) FROM notifications"  # noqa: S608
        f" WHERE resource_id IN ({_marks(count)}) AND state = ? GROUP BY resource_id"
    )


def insert_sql(count: int) -> str:
    one = f"({_marks(len(COLUMNS))})"
    return (
        f"INSERT INTO notifications ({', '.join(COLUMNS)})"  # noqa: S608
        f" VALUES {', '.join([one] * count)}"
        " ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key"
    )


def rearm_sql(count: int) -> str:
    return (
        "UPDATE notifications SET state = ?, attempts = 0, next_attempt_at = ?,"  # noqa: S608
        f" lease_until = NULL WHERE dedupe_key IN ({_marks(count)}) AND state != ?"
    )


def _marks(count: int) -> str:
    return ", ".join("?" * count)


class PgStatements(_DriverStatements):
    """Through the unit's ``asyncpg`` connection (in a greenlet on the event loop)."""

    def __init__(self, raw: Any, dialect: sa.Dialect) -> None:
        import asyncpg

        super().__init__(dialect, asyncpg.PostgresError)
        self.raw = raw

    def known(
        self, keys: Sequence[str], resources: Sequence[str]
    ) -> tuple[dict[str, str], Counter[str]]:
        states: dict[str, str] = {}
        counts: Counter[str] = Counter()
        params = [list(keys), list(resources), InboxState.RECEIVED]
        with self._as_sqlalchemy_errors(PG_KNOWN, params):
            found = await_only(self.raw.fetch(PG_KNOWN, *params))
        for kind, name, value in found:
            if kind == 0:
                states[name] = value
            else:
                counts[name] = int(value)
        return states, counts

    def insert(self, rows: Sequence[Pending]) -> set[str]:
        columns = list(zip(*(self._values(p) for p in rows), strict=True))
        params = [list(c) for c in columns]
        with self._as_sqlalchemy_errors(PG_INSERT, params):
            return {k for (k,) in await_only(self.raw.fetch(PG_INSERT, *params))}

    def add_deliveries(self, more: Mapping[str, int]) -> None:
        params = [list(more), list(more.values())]
        with self._as_sqlalchemy_errors(PG_ADD_DELIVERIES, params):
            await_only(self.raw.execute(PG_ADD_DELIVERIES, *params))

    def rearm(self, keys: set[str], now: datetime) -> int:
        params = [list(keys), InboxState.RECEIVED, self.convert["next_attempt_at"](now)]
        with self._as_sqlalchemy_errors(PG_REARM, params):
            status = await_only(self.raw.execute(PG_REARM, *params))
        return int(status.rsplit(" ", 1)[1])  # "UPDATE 2"


# One PostgreSQL text each, for any batch size. Each resource is counted by its own lookup of
# both columns (ix_notifications_resource_state): with ``resource_id = ANY(...)`` PostgreSQL,
# until its statistics of a young table are fresh, reads the whole table or the ``state`` index.
PG_KNOWN = (
    "SELECT 0, dedupe_key, state FROM notifications WHERE dedupe_key = ANY($1::varchar[])"
    " UNION ALL SELECT 1, r, (SELECT count(*) FROM notifications"
    " WHERE resource_id = r AND state = $3)::varchar FROM unnest($2::varchar[]) AS r"
)
PG_INSERT = (
    f"INSERT INTO notifications ({', '.join(COLUMNS)})"  # noqa: S608 - column names only
    " SELECT k, r, q, h::json, b, t, res, s, a, d, n FROM unnest("
    "$1::varchar[], $2::timestamp[], $3::text[], $4::text[], $5::bytea[], $6::varchar[],"
    " $7::varchar[], $8::varchar[], $9::int[], $10::int[], $11::timestamp[]"
    ") AS u(k, r, q, h, b, t, res, s, a, d, n)"
    " ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key"
)
PG_ADD_DELIVERIES = (
    "UPDATE notifications AS n SET deliveries = n.deliveries + u.more"
    " FROM unnest($1::varchar[], $2::int[]) AS u(key, more) WHERE n.dedupe_key = u.key"
)
PG_REARM = (
    "UPDATE notifications SET state = $2, attempts = 0, next_attempt_at = $3, lease_until = NULL"
    " WHERE dedupe_key = ANY($1::varchar[]) AND state <> $2"
)
