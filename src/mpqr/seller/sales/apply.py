"""Apply what Mercado Pago showed to one sale, inside the caller's transaction.

Facts are merged per payment and per merchant order (stale views never win), the projection of
:mod:`.rules` decides the status, and every change is appended to ``sale_events`` with its source.
A delivery that teaches nothing new changes nothing: duplicates and reordering are no-ops.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from mpqr.seller.db.engine import Conn
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales import state as sale_state
from mpqr.seller.sales.rules import (
    Alert,
    EventSource,
    Evidence,
    OrderFact,
    PaymentFact,
    SaleStatus,
    can_transition,
    is_final,
    merge_order,
    merge_payment,
    project,
)

__all__ = ["Applied", "apply_evidence"]


@dataclass(slots=True)
class Applied:
    """The outcome for one sale: ``changed`` is False when nothing new was learned. ``state``
    is the sale as it now stands in the caller's transaction (a view needs only its lines)."""

    sale_id: str
    old_status: SaleStatus
    new_status: SaleStatus
    state: sale_state.SaleState
    changed: bool = False
    new_alerts: list[Alert] = field(default_factory=list)
    became_paid_after: list[datetime] = field(default_factory=list)  # approvals behind a "paid"


async def apply_evidence(
    conn: Conn, evidence: Evidence, source: EventSource, now: datetime
) -> Applied | None:
    """Apply ``evidence`` to the sale with its external reference; None if there is no such sale."""
    if evidence.external_reference is None:
        return None
    row = await repo.get_sale(conn, external_reference=evidence.external_reference, for_update=True)
    if row is None:
        return None
    log = _EventLog(conn, row.id, source, now)
    state = await sale_state.load(conn, row)
    for order in evidence.orders:
        await _merge_order(log, state.orders, order)
    for payment in evidence.payments:
        await _merge_payment(log, state.pays, payment)
    gone = SaleStatus.CANCELLED if state.cancelling else SaleStatus.EXPIRED
    done = state.refunds_done()
    counted = {
        pid: replace(p, refunded_amount=max(p.refunded, done.get(pid, p.refunded)))
        for pid, p in state.pays.items()
    }
    return await _project(log, state, counted, gone)


async def _merge_order(log: _EventLog, held: dict[str, OrderFact], new: OrderFact) -> None:
    merged = merge_order(held.get(new.id), new)
    if merged == held.get(new.id):
        return
    held[new.id] = merged
    await repo.save_order(log.conn, log.sale_id, merged)
    detail = {"id": merged.id, "status": merged.status, "total_amount": _s(merged.total_amount)}
    await log.add("merchant_order", detail=detail)


async def _merge_payment(log: _EventLog, held: dict[str, PaymentFact], new: PaymentFact) -> None:
    merged = merge_payment(held.get(new.id), new)
    if merged == held.get(new.id):
        return
    held[new.id] = merged
    await repo.save_payment(log.conn, log.sale_id, merged)
    detail = {
        "id": merged.id,
        "status": merged.status.value,
        "status_detail": merged.status_detail,
        "amount": str(merged.amount),
        "refunded_amount": str(merged.refunded_amount),
    }
    await log.add("payment", detail=detail)


async def _project(
    log: _EventLog, state: sale_state.SaleState, pays: dict[str, PaymentFact], gone: SaleStatus
) -> Applied:
    row = state.row
    old = SaleStatus(row.status)
    had = [Alert(a) for a in row.alerts]
    proj = project(old, row.total_amount, pays.values(), state.orders.values(), had, gone)
    result = Applied(row.id, old, proj.status, state, changed=log.count > 0)
    current = old
    for step in proj.path:
        if not can_transition(current, step):  # the rules never do this; refuse loudly if they do
            raise RuntimeError(f"illegal sale transition {current} -> {step}")
        await log.add("status", from_status=current, to_status=step)
        current = step
    result.new_alerts = [a for a in proj.alerts if a not in had]
    for alert in result.new_alerts:
        await log.add("alert", detail={"alert": alert.value})
    if SaleStatus.PAID in proj.path:
        result.became_paid_after = [p.approved_at for p in pays.values() if p.approved_at]
    amounts_changed = (proj.paid_amount, proj.refunded_amount) != (
        row.paid_amount,
        row.refunded_amount,
    )
    if proj.path or result.new_alerts or amounts_changed or log.count:
        values = {
            "status": proj.status.value,
            "paid_amount": proj.paid_amount,
            "refunded_amount": proj.refunded_amount,
            "alerts": [a.value for a in proj.alerts],
            "updated_at": log.now,
        }
        await repo.update_sale(log.conn, row.id, **values)
        state.row = SimpleNamespace(**{**row._asdict(), **values})
        result.changed = True
        if is_final(proj.status) and not is_final(old):
            # nothing the reconciler could find would change it now (see reconcile.next_check)
            await repo.unschedule(log.conn, row.id)
    return result


def _s(value: object) -> str | None:
    return None if value is None else str(value)


class _EventLog:
    """Appends events for one sale and counts them."""

    def __init__(self, conn: Conn, sale_id: str, source: EventSource, now: datetime):
        self.conn, self.sale_id, self.source, self.now = conn, sale_id, source, now
        self.count = 0

    async def add(
        self,
        kind: str,
        *,
        from_status: SaleStatus | None = None,
        to_status: SaleStatus | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.count += 1
        await repo.add_event(
            self.conn,
            self.sale_id,
            at=self.now,
            source=self.source.value,
            kind=kind,
            from_status=from_status.value if from_status else None,
            to_status=to_status.value if to_status else None,
            detail=detail,
        )
