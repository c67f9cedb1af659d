"""Derived indexes over the state's tables, so a search by ``external_reference`` does not read
every record the sandbox ever held.

An index is never saved: it follows its table. Records are only ever added to a table (a reset
or a loaded state file replaces the whole table), so an index that finds its table replaced, or
of another size than it has seen, rebuilds itself once; code that adds a record calls
:meth:`ReferenceIndex.add` to keep it current without a rebuild::

    index = ReferenceIndex(lambda mo: mo.external_reference)
    state.data.merchant_orders[mo.id] = mo
    index.add(state.data.merchant_orders, mo.id, mo)
    index.find(state.data.merchant_orders, seller_id, "Factura-0001")   # [mo]
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Generic, Protocol, TypeVar

__all__ = ["ReferenceIndex"]


class _Owned(Protocol):
    @property
    def seller_id(self) -> int: ...


K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=_Owned)


class ReferenceIndex(Generic[K, R]):
    """The keys of one table's records by (seller id, reference), in insertion order."""

    def __init__(self, reference: Callable[[R], str | None]) -> None:
        self._reference = reference
        # seller id -> reference -> its key, or its keys (a list) once a second one comes: most
        # references name one record, and an index entry per record ever stored must stay small
        self._keys: dict[int, dict[str, K | list[K]]] = {}
        self._table: Mapping[K, R] | None = None
        self._size = 0

    def add(self, table: Mapping[K, R], key: K, record: R) -> None:
        """``record`` was just stored in ``table`` under ``key``."""
        if table is not self._table or len(table) != self._size + 1:
            self._table = None  # out of step: rebuild on the next find
            return
        self._size += 1
        self._note(key, record)

    def find(self, table: Mapping[K, R], seller_id: int, reference: str) -> list[R]:
        """The records of ``seller_id`` whose reference is exactly ``reference``."""
        if table is not self._table or len(table) != self._size:
            self._rebuild(table)
        found = self._keys.get(seller_id, {}).get(reference)
        if found is None:
            return []
        keys = found if isinstance(found, list) else [found]
        return [table[key] for key in keys]

    def _rebuild(self, table: Mapping[K, R]) -> None:
        self._keys = {}
        for key, record in table.items():
            self._note(key, record)
        self._table, self._size = table, len(table)

    def _note(self, key: K, record: R) -> None:
        reference = self._reference(record)
        if reference is None:
            return
        references = self._keys.setdefault(record.seller_id, {})
        found = references.get(reference)
        if found is None:
            references[reference] = key
        elif isinstance(found, list):
            found.append(key)
        else:
            references[reference] = [found, key]
