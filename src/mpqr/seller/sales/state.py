"""What is stored about one sale beyond its row, read once for whoever needs it.

Applying Mercado Pago's facts and rendering a sale both need the sale's payments, its merchant
orders and its operations (cancels, refunds). :func:`load` reads them in three statements and
:class:`SaleState` answers every question asked of them, so neither path reads a table twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mpqr.seller.db.engine import Conn
from mpqr.seller.sales import operations_repository as ops
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales.rules import OrderFact, PaymentFact

__all__ = ["SaleState", "load"]


@dataclass(slots=True)
class SaleState:
    """A sale's row and everything held for it: payments and merchant orders keyed by id, and
    every operation (open or closed), oldest first."""

    row: Any
    pays: dict[str, PaymentFact]
    orders: dict[str, OrderFact]
    operations: list[ops.Operation]

    @property
    def running(self) -> list[ops.Operation]:
        """The operations under way (what the sale's ``in_progress`` shows)."""
        return [op for op in self.operations if op.state is ops.OpState.OPEN]

    @property
    def cancelling(self) -> bool:
        """True while a cancel of ours is under way."""
        return any(op.kind is ops.OpKind.CANCEL for op in self.running)

    def refunds_done(self) -> dict[str, Decimal]:
        """Per payment: what our finished refunds gave back."""
        return ops.refund_sums(self.operations)[0]


async def load(conn: Conn, row: Any) -> SaleState:
    """``row``'s state, in three statements."""
    pays, orders = await repo.facts(conn, row.id)
    return SaleState(row, pays, orders, await ops.for_sale(conn, row.id))
