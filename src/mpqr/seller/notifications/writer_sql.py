"""The statements of the inbox writer's batch (:func:`.writer.store_many_sync`), per database.

:class:`CoreStatements` speaks SQLAlchemy Core and works on any database. On SQLite the batch runs
on a worker thread beside the event loop, and SQLAlchemy's execution machinery was two thirds of
its CPU (0.70 ms for a batch of two, against 0.22 ms sent straight to the driver), CPU that
contends with the event loop for the interpreter while acknowledgements wait. So
:class:`SqliteStatements` sends the four statements of every batch straight to ``sqlite3``, with
the values converted by the very processors SQLAlchemy would use (same stored bytes); the rare
ones are inherited from Core.
"""

from __future__ import annotations

import contextlib
import sqlite3
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from mpqr.seller.db.dialect import PerDialect
from mpqr.seller.db.tables import notifications
from mpqr.seller.notifications.inbox import InboxState, Stored

if TYPE_CHECKING:
    from mpqr.seller.notifications.writer import Pending

__all__ = ["CoreStatements", "SqliteStatements", "statements_for"]

_t = notifications
_COLUMNS = (
    "dedupe_key", "received_at", "query", "headers", "body", "topic", "resource_id", "state",
    "attempts", "deliveries", "next_attempt_at",
)  # fmt: skip


def statements_for(conn: sa.Connection) -> CoreStatements:
    """Straight to the driver on a plain ``sqlite3`` connection; SQLAlchemy Core otherwise."""
    if isinstance(conn.connection.driver_connection, sqlite3.Connection):
        return SqliteStatements(conn)
    return CoreStatements(conn)


def row_values(p: Pending) -> dict[str, Any]:
    """The new inbox row of one delivery."""
    return {
        "dedupe_key": p.key,
        "received_at": p.now,
        "query": p.n.raw_query,
        "headers": dict(p.headers),
        "body": p.n.raw_body,
        "topic": p.n.raw_topic[:40],
        "resource_id": p.resource,
        "state": InboxState.RECEIVED,
        "attempts": 0,
        "deliveries": 1,
        "next_attempt_at": p.now,
    }


class CoreStatements:
    """Each statement of a batch, built once (each run only binds its values)."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def known(
        self, keys: Sequence[str], resources: Sequence[str]
    ) -> tuple[dict[str, str], Counter[str]]:
        """(dedupe key → state for the keys already stored, resource id → its unresolved rows),
        in one round trip."""
        params = {"keys": list(keys), "resources": list(resources)}
        states: dict[str, str] = {}
        counts: Counter[str] = Counter()
        for kind, name, value in self.conn.execute(_KNOWN, params):
            if kind == 0:
                states[str(name)] = str(value)
            else:
                counts[str(name)] = int(value)
        return states, counts

    def insert(self, rows: Sequence[Pending]) -> set[str]:
        """Insert the new rows; the keys actually inserted (a conflict skips one)."""
        values = [row_values(p) for p in rows]
        return {str(k) for k in self.conn.execute(_INSERT.on(self.conn), values).scalars()}

    def add_deliveries(self, more: Mapping[str, int]) -> None:
        self.conn.execute(_ADD_DELIVERIES, [{"key": k, "more": n} for k, n in more.items()])

    def rearm(self, keys: set[str], now: datetime) -> int:
        """Due again at once, those of ``keys`` handled before; how many were."""
        rearmed = self.conn.execute(
            _t.update()
            .where(_t.c.dedupe_key.in_(keys), _t.c.state != InboxState.RECEIVED)
            .values(state=InboxState.RECEIVED, attempts=0, next_attempt_at=now, lease_until=None)
        )
        return int(rearmed.rowcount)

    def stored_elsewhere(self, p: Pending) -> Stored:
        """What :func:`.inbox.store` does when its insert meets a row of the same key."""
        self.add_deliveries({p.key: 1})
        return Stored.REARMED if self.rearm({p.key}, p.now) == 1 else Stored.DUPLICATE


class SqliteStatements(CoreStatements):
    """The hot statements sent straight to the ``sqlite3`` connection under SQLAlchemy's (same
    transaction)."""

    def __init__(self, conn: sa.Connection) -> None:
        super().__init__(conn)
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        self.raw: sqlite3.Connection = raw
        self.convert = _converters(conn.dialect)

    def known(
        self, keys: Sequence[str], resources: Sequence[str]
    ) -> tuple[dict[str, str], Counter[str]]:
        found = self._run(states_sql(len(keys)), keys)
        states = {str(k): str(s) for k, s in found}
        found = self._run(open_counts_sql(len(resources)), [*resources, InboxState.RECEIVED])
        return states, Counter({str(r): int(c) for r, c in found})

    def insert(self, rows: Sequence[Pending]) -> set[str]:
        params: list[Any] = []
        for p in rows:
            values = row_values(p)
            params.extend(self.convert[c](values[c]) for c in _COLUMNS)
        return {str(k) for (k,) in self._run(insert_sql(len(rows)), params)}

    def add_deliveries(self, more: Mapping[str, int]) -> None:
        sql = "UPDATE notifications SET deliveries = deliveries + ? WHERE dedupe_key = ?"
        params = [(n, k) for k, n in more.items()]
        with self._as_sqlalchemy_errors(sql, params):
            self.raw.executemany(sql, params)

    def _run(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self._as_sqlalchemy_errors(sql, params):
            return list(self.raw.execute(sql, params).fetchall())

    @contextlib.contextmanager
    def _as_sqlalchemy_errors(self, sql: str, params: Sequence[Any]) -> Iterator[None]:
        """A driver error raised as SQLAlchemy's, as every other statement's."""
        try:
            yield
        except sqlite3.Error as exc:
            raise sa.exc.DBAPIError.instance(
                sql, params, exc, sqlite3.Error, dialect=self.conn.dialect
            ) from exc


# The SQLite texts for ``count`` values; only "?" placeholders are formatted in.


def states_sql(count: int) -> str:
    return f"SELECT dedupe_key, state FROM notifications WHERE dedupe_key IN ({_marks(count)})"  # noqa: S608


def open_counts_sql(count: int) -> str:
    return (
        "SELECT resource_id, count(*) FROM notifications"  # noqa: S608
        f" WHERE resource_id IN ({_marks(count)}) AND state = ? GROUP BY resource_id"
    )


def insert_sql(count: int) -> str:
    one = f"({_marks(len(_COLUMNS))})"
    return (
        f"INSERT INTO notifications ({', '.join(_COLUMNS)})"  # noqa: S608
        f" VALUES {', '.join([one] * count)}"
        " ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key"
    )


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _converters(dialect: sa.Dialect) -> dict[str, Callable[[Any], Any]]:
    """Each column's bind processor for ``dialect``: the values SQLAlchemy itself would send."""
    out = _CONVERTERS.get(dialect)
    if out is None:
        out = _CONVERTERS[dialect] = {}
        for name in _COLUMNS:
            processor = _t.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            out[name] = processor if processor is not None else _same
    return out


_CONVERTERS: weakref.WeakKeyDictionary[sa.Dialect, dict[str, Callable[[Any], Any]]] = (
    weakref.WeakKeyDictionary()
)


def _same(value: Any) -> Any:
    return value


_KNOWN = sa.union_all(
    sa.select(sa.literal_column("0"), _t.c.dedupe_key, _t.c.state).where(
        _t.c.dedupe_key.in_(sa.bindparam("keys", expanding=True))
    ),
    sa.select(sa.literal_column("1"), _t.c.resource_id, sa.cast(sa.func.count(), sa.String))
    .where(
        _t.c.resource_id.in_(sa.bindparam("resources", expanding=True)),
        _t.c.state == InboxState.RECEIVED,
    )
    .group_by(_t.c.resource_id),
)
_INSERT = PerDialect(
    _t,
    lambda stmt: stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(
        _t.c.dedupe_key
    ),
)  # one statement for any batch size: compiled once, sent as "insertmanyvalues"
_ADD_DELIVERIES = (
    _t.update()
    .where(_t.c.dedupe_key == sa.bindparam("key"))
    .values(deliveries=_t.c.deliveries + sa.bindparam("more"))
)
