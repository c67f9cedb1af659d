"""The statements of the inbox writer's batch (:func:`.writer.store_batch`): what every database
shares, and SQLAlchemy Core's version of each.

:class:`CoreStatements` works on any database, inside any unit of work (:func:`.inbox.store`). The
writer's own batches go straight to the driver (:mod:`.writer_driver`): SQLAlchemy's execution
machinery was most of their CPU, CPU that contends with the event loop while acknowledgements
wait. Both store the same values: the driver paths convert them with the very bind processors
SQLAlchemy would use (:func:`converters`).
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from mpqr.seller.db.dialect import PerDialect
from mpqr.seller.db.tables import notifications
from mpqr.seller.notifications.inbox import InboxState, Stored

if TYPE_CHECKING:
    from mpqr.seller.notifications.writer import Pending

__all__ = ["COLUMNS", "CoreStatements", "Statements", "converters", "row_values"]

_t = notifications
COLUMNS = (
    "dedupe_key", "received_at", "query", "headers", "body", "topic", "resource_id", "state",
    "attempts", "deliveries", "next_attempt_at",
)  # fmt: skip  # what a new row sets, in this order


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


class Statements:
    """The four statements of a batch; each database's version implements them."""

    def known(
        self, keys: Sequence[str], resources: Sequence[str]
    ) -> tuple[dict[str, str], Counter[str]]:
        """(dedupe key → state for the keys already stored, resource id → its unresolved
        rows)."""
        raise NotImplementedError

    def insert(self, rows: Sequence[Pending]) -> set[str]:
        """Insert the new rows; the keys actually inserted (a conflict skips one)."""
        raise NotImplementedError

    def add_deliveries(self, more: Mapping[str, int]) -> None:
        """Count ``more[key]`` more deliveries of each key."""
        raise NotImplementedError

    def rearm(self, keys: set[str], now: datetime) -> int:
        """Due again at once, those of ``keys`` handled before; how many were."""
        raise NotImplementedError

    def stored_elsewhere(self, p: Pending) -> Stored:
        """What :func:`.inbox.store` does when its insert meets a row of the same key."""
        self.add_deliveries({p.key: 1})
        return Stored.REARMED if self.rearm({p.key}, p.now) == 1 else Stored.DUPLICATE


class CoreStatements(Statements):
    """Each statement built once with SQLAlchemy Core (each run only binds its values)."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def known(
        self, keys: Sequence[str], resources: Sequence[str]
    ) -> tuple[dict[str, str], Counter[str]]:
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
        values = [row_values(p) for p in rows]
        return {str(k) for k in self.conn.execute(_INSERT.on(self.conn), values).scalars()}

    def add_deliveries(self, more: Mapping[str, int]) -> None:
        self.conn.execute(_ADD_DELIVERIES, [{"key": k, "more": n} for k, n in more.items()])

    def rearm(self, keys: set[str], now: datetime) -> int:
        rearmed = self.conn.execute(
            _t.update()
            .where(_t.c.dedupe_key.in_(keys), _t.c.state != InboxState.RECEIVED)
            .values(state=InboxState.RECEIVED, attempts=0, next_attempt_at=now, lease_until=None)
        )
        return int(rearmed.rowcount)


def converters(dialect: sa.Dialect) -> dict[str, Callable[[Any], Any]]:
    """Each column's bind processor for ``dialect``: the values SQLAlchemy itself would send."""
    out = _CONVERTERS.get(dialect)
    if out is None:
        out = _CONVERTERS[dialect] = {}
        for name in COLUMNS:
            processor = _t.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            out[name] = processor if processor is not None else _same
    return out


_CONVERTERS: weakref.WeakKeyDictionary[sa.Dialect, dict[str, Callable[[Any], Any]]] = (
    weakref.WeakKeyDictionary()
)


def _same(value: Any) -> Any:
    return value


# The unresolved rows are counted with FILTER, not a ``state`` condition: with the condition,
# PostgreSQL without fresh statistics (a young table) reads the ``state`` index, every unresolved
# row of every resource, instead of the few rows of the announced resources.
_KNOWN = sa.union_all(
    sa.select(sa.literal_column("0"), _t.c.dedupe_key, _t.c.state).where(
        _t.c.dedupe_key.in_(sa.bindparam("keys", expanding=True))
    ),
    sa.select(
        sa.literal_column("1"),
        _t.c.resource_id,
        sa.cast(sa.func.count().filter(_t.c.state == InboxState.RECEIVED), sa.String),
    )
    .where(_t.c.resource_id.in_(sa.bindparam("resources", expanding=True)))
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
