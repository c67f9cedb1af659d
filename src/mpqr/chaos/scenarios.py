"""The sales mix of a chaos run: what the cashier and the customer do, and what each sale must
end as. Every scenario records what it expects; the judge compares with Mercado Pago's truth.

A create that a crash interrupted comes back ``cancelled`` (recovery took its order off): that
sale is expected cancelled, and the scenario starts again with a new sale, as a cashier would.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from mpqr.chaos.driver import CustomerSide, SellerAPI

__all__ = ["MIX", "Ctx", "Tracked", "pick_mix", "run_scenario"]

_ENDED = frozenset({"cancelled", "failed"})


@dataclass
class Tracked:
    """One sale the run created, and what it must end as."""

    scenario: str
    sale_id: str
    reference: str
    total: Decimal
    expect: str  # the status the sale must end in
    paid: Decimal = Decimal(0)  # approved money the customer gave for it
    refund_asked: Decimal = Decimal(0)
    alerts: set[str] = field(default_factory=set)  # alerts it must carry


@dataclass
class Ctx:
    seller: SellerAPI
    customer: CustomerSide
    rng: random.Random
    sales: list[Tracked] = field(default_factory=list)
    rogue: list[str] = field(default_factory=list)  # references of orders put by others
    races: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.notes.append(text)


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(100, 90000)) / 100


async def _create(ctx: Ctx, scenario: str, cashbox: str, **extra: Any) -> Tracked:
    """A sale on ``cashbox`` that reached ``pending``; interrupted ones are recorded and retried."""
    for attempt in range(5):
        total = _amount(ctx.rng)
        key = f"chaos-{scenario}-{ctx.rng.getrandbits(48):x}"
        body = {
            "cashbox": cashbox,
            "items": [{"title": scenario, "unit_price": str(total), "quantity": 1}],
            **extra,
        }
        r = await ctx.seller.call("POST", "/api/sales", body, key=key)
        if r.status_code == 409:  # the cashbox's previous sale is still ending
            await asyncio.sleep(0.5)
            continue
        if r.status_code not in {201, 202}:
            raise RuntimeError(f"create answered {r.status_code}: {r.text[:300]}")
        sale = await ctx.seller.wait(r.json()["id"], lambda s: s["status"] != "opening")
        tracked = Tracked(scenario, sale["id"], sale["external_reference"], total, "pending")
        if sale["status"] in _ENDED:  # interrupted and recovered: a new sale is needed
            tracked.expect = sale["status"]
            ctx.sales.append(tracked)
            ctx.note(f"create {attempt + 1} of {scenario} ended {sale['status']}; trying again")
            continue
        ctx.sales.append(tracked)
        return tracked
    raise RuntimeError(f"could not create a sale on {cashbox}")


async def _pay(ctx: Ctx, t: Tracked, cashbox: str, status: str = "approved", **extra: Any) -> Any:
    paid = await ctx.customer.pay(cashbox, status, **extra)
    payment = paid.get("payment") or {}
    if payment.get("status") == "approved":
        t.paid += Decimal(str(payment.get("transaction_amount", t.total)))
    return payment


async def _paid(ctx: Ctx, t: Tracked, cashbox: str) -> None:
    await _pay(ctx, t, cashbox)
    t.expect = "paid"
    await ctx.seller.wait(t.sale_id, lambda s: s["status"] == "paid")


async def approved(ctx: Ctx, boxes: list[str]) -> None:
    t = await _create(ctx, "approved", boxes[0])
    await _paid(ctx, t, boxes[0])


async def rejected_then_approved(ctx: Ctx, boxes: list[str]) -> None:
    t = await _create(ctx, "rejected_then_approved", boxes[0])
    await _pay(ctx, t, boxes[0], "rejected")
    await _paid(ctx, t, boxes[0])


async def pending_then_settled(ctx: Ctx, boxes: list[str]) -> None:
    t = await _create(ctx, "pending_then_settled", boxes[0])
    payment = await _pay(ctx, t, boxes[0], "in_process")
    if payment.get("id") is None:
        raise RuntimeError("the customer could not pay")
    await asyncio.sleep(ctx.rng.uniform(0.2, 1.5))
    await ctx.customer.settle(int(payment["id"]), "approved")
    t.paid += Decimal(str(payment.get("transaction_amount", t.total)))
    t.expect = "paid"
    await ctx.seller.wait(t.sale_id, lambda s: s["status"] == "paid")


async def expired(ctx: Ctx, boxes: list[str]) -> None:
    t = await _create(ctx, "expired", boxes[0], expires_in=30)
    t.expect = "expired"
    await ctx.seller.wait(t.sale_id, lambda s: s["status"] == "expired", within=150)


async def cancelled(ctx: Ctx, boxes: list[str]) -> None:
    t = await _create(ctx, "cancelled", boxes[0])
    await ctx.seller.call("POST", f"/api/sales/{t.sale_id}/cancel")
    t.expect = "cancelled"
    await ctx.seller.wait(t.sale_id, lambda s: s["status"] == "cancelled")


async def paid_after_cancel(ctx: Ctx, boxes: list[str]) -> None:
    """The customer was on the pay screen when the cashier cancelled; the late payment is
    detected, alerted, and given back."""
    t = await _create(ctx, "paid_after_cancel", boxes[0])
    scanned = await ctx.customer.scan(boxes[0]) or {}
    mo_id = scanned.get("merchant_order_id")
    await ctx.seller.call("POST", f"/api/sales/{t.sale_id}/cancel")
    t.expect = "cancelled"
    await ctx.seller.wait(t.sale_id, lambda s: s["status"] == "cancelled")
    if mo_id is None:
        return
    payment = await _pay(ctx, t, boxes[0], merchant_order_id=mo_id, late=True)
    if payment.get("status") != "approved":
        return
    t.alerts.add("paid_after_cancel")
    await ctx.seller.wait(t.sale_id, lambda s: "paid_after_cancel" in s["alerts"])
    await _refund(ctx, t, None)


async def _refund(ctx: Ctx, t: Tracked, amount: Decimal | None) -> None:
    body = {} if amount is None else {"amount": str(amount)}
    key = f"chaos-refund-{ctx.rng.getrandbits(48):x}"
    r = await ctx.seller.call("POST", f"/api/sales/{t.sale_id}/refund", body, key=key)
    if r.status_code not in {200, 202}:
        raise RuntimeError(f"refund answered {r.status_code}: {r.text[:300]}")
    t.refund_asked += t.paid if amount is None else amount
    asked = t.refund_asked
    await ctx.seller.wait(t.sale_id, lambda s: Decimal(s["refunded_amount"]) >= asked)


async def refunded_in_part(ctx: Ctx, boxes: list[str]) -> None:
    t = await _create(ctx, "refunded_in_part", boxes[0])
    await _paid(ctx, t, boxes[0])
    await _refund(ctx, t, (t.total / 2).quantize(Decimal("0.01")))
    t.expect = "partially_refunded"


async def refunded_in_full(ctx: Ctx, boxes: list[str]) -> None:
    t = await _create(ctx, "refunded_in_full", boxes[0])
    await _paid(ctx, t, boxes[0])
    await _refund(ctx, t, None)
    t.expect = "refunded"


async def race(ctx: Ctx, boxes: list[str]) -> None:
    """Two cashboxes ask for one reference at once: one sale, one order, one payment."""
    for _ in range(5):
        reference = f"RACE-{ctx.rng.getrandbits(40):x}"
        body = [
            {"cashbox": box, "external_reference": reference,
             "items": [{"title": "race", "unit_price": "10.00", "quantity": 1}]}
            for box in boxes[:2]
        ]  # fmt: skip
        answers = await asyncio.gather(*(ctx.seller.call("POST", "/api/sales", b) for b in body))
        won = [r for r in answers if r.status_code in {201, 202}]
        if len(won) > 1:
            raise RuntimeError(f"race for {reference}: two sales {[r.text for r in won]}")
        if won:
            break
        # both refused: a cashbox still ends its previous sale (a cancel under way); again
        await asyncio.sleep(1.0)
    else:
        raise RuntimeError(f"race for {reference}: {[r.text[:120] for r in answers]}")
    ctx.races += 1
    sale = await ctx.seller.wait(won[0].json()["id"], lambda s: s["status"] != "opening")
    t = Tracked("race", sale["id"], reference, Decimal("10.00"), sale["status"])
    ctx.sales.append(t)
    if sale["status"] == "pending":
        await _paid(ctx, t, sale["cashbox"])


async def rogue(ctx: Ctx, boxes: list[str]) -> None:
    """Money through an order this server never made: the sweep must find it; it is refunded."""
    reference = f"ROGUE-{ctx.rng.getrandbits(40):x}"
    await ctx.customer.rogue_order(boxes[0], reference, ctx.rng.randrange(10, 500))
    paid = await ctx.customer.pay(boxes[0])
    if (paid.get("payment") or {}).get("status") == "approved":
        ctx.rogue.append(reference)


Scenario = Callable[[Ctx, list[str]], Awaitable[None]]

# name -> (weight, cashboxes needed, scenario)
MIX: Final[dict[str, tuple[int, int, Scenario]]] = {
    "approved": (24, 1, approved),
    "rejected_then_approved": (10, 1, rejected_then_approved),
    "pending_then_settled": (10, 1, pending_then_settled),
    "expired": (5, 1, expired),
    "cancelled": (10, 1, cancelled),
    "paid_after_cancel": (6, 1, paid_after_cancel),
    "refunded_in_part": (10, 1, refunded_in_part),
    "refunded_in_full": (10, 1, refunded_in_full),
    "race": (10, 2, race),
    "rogue": (5, 1, rogue),
}


def pick_mix(count: int, rng: random.Random) -> list[str]:
    """``count`` scenario names: every scenario at least once, the rest by weight."""
    names = list(MIX)
    chosen = names[: min(count, len(names))]
    weights = [MIX[n][0] for n in names]
    chosen += rng.choices(names, weights, k=max(count - len(chosen), 0))
    rng.shuffle(chosen)
    return chosen


async def run_scenario(ctx: Ctx, name: str, boxes: list[str]) -> None:
    await MIX[name][2](ctx, boxes)
