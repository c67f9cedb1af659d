"""Crash points: the server dies between a Mercado Pago call and its local commit, comes back on
the same database, and finishes the work without moving money wrongly (against the sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from seller_crash import ITEMS, World, assert_invariants, body, refund, sales_by_reference

from mpqr.chaos.truth import live_orders, truth_of
from mpqr.sandbox.testing import Sandbox
from mpqr.seller.crash import SimulatedCrash
from mpqr.seller.notifications import inbox
from mpqr.seller.settings import Integration

INTEGRATIONS = [Integration.INSTORE_V1, Integration.INSTORE_V2, Integration.ORDERS]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=11) as sb:
        yield sb


def world_for(sandbox: Sandbox, tmp_path: object, integration: Integration) -> World:
    return World(sandbox, f"sqlite:///{tmp_path}/seller.db", integration)


@pytest.mark.parametrize("integration", INTEGRATIONS)
async def test_crash_after_putting_the_order(
    sandbox: Sandbox, tmp_path: object, integration: Integration
) -> None:
    world = world_for(sandbox, tmp_path, integration)
    async with world.instance("create.after_call") as doomed:
        await world.setup(doomed)
        with pytest.raises(SimulatedCrash):
            await doomed.state.sales.create(body(), "key-1")
    async with world.instance() as seller:
        (sale,) = (await sales_by_reference(seller)).values()
        assert sale["status"] == "opening"
        assert live_orders(await world.state()) == {"CAJA1": sale["external_reference"]}
        await assert_invariants(world, seller)
        # a retry with the key finds the stored sale, never "in progress" forever
        again = await seller.http.post(
            "/api/sales",
            json={"cashbox": "CAJA1", "items": ITEMS},
            headers={"Idempotency-Key": "key-1"},
        )
        assert (again.status_code, again.json()["id"]) == (202, sale["id"])
        await world.past_lease()
        assert await seller.state.recovery.run_once() == 1
        got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
        assert got["status"] == "cancelled"
        assert live_orders(await world.state()) == {}
        await assert_invariants(world, seller)
        resolved = await seller.http.post(
            "/api/sales",
            json={"cashbox": "CAJA1", "items": ITEMS},
            headers={"Idempotency-Key": "key-1"},
        )
        assert (resolved.status_code, resolved.json()["status"]) == (201, "cancelled")


async def test_recovery_keeps_a_payment_that_got_through(
    sandbox: Sandbox, tmp_path: object
) -> None:
    """The order reached the cashbox and the customer paid before the server came back: the sale
    is adopted and paid, not cancelled."""
    world = world_for(sandbox, tmp_path, Integration.INSTORE_V1)
    async with world.instance("create.after_call") as doomed:
        await world.setup(doomed)
        with pytest.raises(SimulatedCrash):
            await doomed.state.sales.create(body(), None)
    await world.pay()
    async with world.instance() as seller:
        await world.past_lease()
        assert await seller.state.recovery.run_once() == 1
        (sale,) = (await sales_by_reference(seller)).values()
        assert sale["status"] == "paid"
        await assert_invariants(world, seller)


async def test_crash_inside_recovery(sandbox: Sandbox, tmp_path: object) -> None:
    world = world_for(sandbox, tmp_path, Integration.INSTORE_V2)
    async with world.instance("create.after_call") as doomed:
        await world.setup(doomed)
        with pytest.raises(SimulatedCrash):
            await doomed.state.sales.create(body(), None)
    await world.past_lease()
    async with world.instance("recover.after_call") as doomed:
        with pytest.raises(SimulatedCrash):
            await doomed.state.recovery.run_once()
    async with world.instance() as seller:
        assert await seller.state.recovery.run_once() == 0  # the crashed recovery's lease
        await world.past_lease()
        assert await seller.state.recovery.run_once() == 1
        (sale,) = (await sales_by_reference(seller)).values()
        assert sale["status"] == "cancelled"
        await assert_invariants(world, seller)


@pytest.mark.parametrize("integration", INTEGRATIONS)
async def test_crash_after_taking_the_order_off(
    sandbox: Sandbox, tmp_path: object, integration: Integration
) -> None:
    world = world_for(sandbox, tmp_path, integration)
    async with world.instance() as seller:
        await world.setup(seller)
        sale = await seller.state.sales.create(body(), None)
    async with world.instance("cancel.after_call") as doomed:
        with pytest.raises(SimulatedCrash):
            await doomed.state.sales.cancel(sale.id)
    assert live_orders(await world.state()) == {}
    async with world.instance() as seller:
        got = (await seller.http.get(f"/api/sales/{sale.id}")).json()
        assert got["status"] == "pending"
        assert [op["kind"] for op in got["in_progress"]] == ["cancel"]
        await world.past_lease()
        assert await seller.state.recovery.run_once() == 1
        got = (await seller.http.get(f"/api/sales/{sale.id}")).json()
        assert (got["status"], got["in_progress"]) == ("cancelled", [])
        await assert_invariants(world, seller)


@pytest.mark.parametrize("integration", INTEGRATIONS)
async def test_crash_after_the_refund(
    sandbox: Sandbox, tmp_path: object, integration: Integration
) -> None:
    """Mercado Pago made the refund, the server died before recording it: recovery sends it
    again with the same idempotency key, and Mercado Pago answers with the first refund."""
    world = world_for(sandbox, tmp_path, integration)
    async with world.instance() as seller:
        await world.setup(seller)
        sale = await seller.state.sales.create(body(), None)
        await world.pay()
        await seller.state.sales.refresh(sale.id, _api())
        assert (await seller.state.sales.get(sale.id)).status == "paid"
    async with world.instance("refund.after_call") as doomed:
        with pytest.raises(SimulatedCrash):
            await doomed.state.sales.refund(sale.id, refund("100.00"), "refund-key")
    async with world.instance() as seller:
        # the cashier's retry with the same key resumes it, it does not start another
        again = await seller.state.sales.refund(sale.id, refund("100.00"), "refund-key")
        assert again.status == "partially_refunded"
        assert again.refunded_amount in {"100.00", "100"}
        await world.past_lease()
        await seller.state.recovery.run_once()
        truth = truth_of(await world.state())
        assert truth.refunded_for(sale.external_reference) == Decimal("100")
        assert sum(truth.refunds.values()) == 1
        got = await seller.state.sales.get(sale.id)
        assert (got.status, Decimal(got.refunded_amount)) == ("partially_refunded", Decimal(100))
        await assert_invariants(world, seller)


@pytest.mark.parametrize("integration", INTEGRATIONS)
async def test_crash_after_a_full_refund(
    sandbox: Sandbox, tmp_path: object, integration: Integration
) -> None:
    """Everything went back and the server died before recording it. On the Orders API the
    order is then ``refunded``, and a refund request without the first one's key would be refused
    with 409: the retry carries the same key, so Mercado Pago answers with the first refund, and
    the sale shows the money back exactly once."""
    world = world_for(sandbox, tmp_path, integration)
    async with world.instance() as seller:
        await world.setup(seller)
        sale = await seller.state.sales.create(body(), None)
        await world.pay()
        await seller.state.sales.refresh(sale.id, _api())
    async with world.instance("refund.after_call") as doomed:
        with pytest.raises(SimulatedCrash):
            await doomed.state.sales.refund(sale.id, refund(None), "refund-all")
    async with world.instance() as seller:
        await world.past_lease()
        await seller.state.recovery.run_once()
        truth = truth_of(await world.state())
        assert sum(truth.refunds.values()) == 1
        got = await seller.state.sales.get(sale.id)
        assert got.status == "refunded"
        assert Decimal(got.refunded_amount) == truth.refunded_for(sale.external_reference) > 0
        assert got.in_progress == []
        await assert_invariants(world, seller)


async def test_crash_after_fetching_a_notification(sandbox: Sandbox, tmp_path: object) -> None:
    world = world_for(sandbox, tmp_path, Integration.INSTORE_V1)
    async with world.instance("apply.after_call") as doomed:
        await world.setup(doomed)
        sale = await doomed.state.sales.create(body(), None)
        await world.pay()
        await world.delivered()
        with pytest.raises(SimulatedCrash):
            await doomed.process()
    async with world.instance() as seller:
        assert await seller.process() == 0  # leased by the dead instance
        await world.past_lease()
        assert await seller.process() >= 1
        assert (await seller.state.sales.get(sale.id)).status == "paid"
        await assert_invariants(world, seller)


async def test_a_sale_change_and_its_inbox_rows_commit_together(
    sandbox: Sandbox, tmp_path: object
) -> None:
    """A crash after a notification's change was applied and its row marked, before the commit:
    neither is kept, so the row is processed again and nothing is lost."""
    world = world_for(sandbox, tmp_path, Integration.INSTORE_V1)
    async with world.instance("apply.before_commit") as doomed:
        await world.setup(doomed)
        sale = await doomed.state.sales.create(body(), None)
        await world.pay()
        await world.delivered()
        with pytest.raises(SimulatedCrash):
            await doomed.state.processor.run_once(limit=1)  # one row: one change, rolled back
        history = await doomed.state.sales.history(sale.id)
        assert [e.source for e in history] == ["api", "api"]  # created, pending: nothing more
        counts = await doomed.state.ctx.db.read_unit(inbox.counts)
        assert counts.get("processed", 0) == 0
        assert counts["received"] >= 1
    async with world.instance() as seller:
        await world.past_lease()
        assert await seller.process() >= 1
        assert (await seller.state.sales.get(sale.id)).status == "paid"
        counts = await seller.state.ctx.db.read_unit(inbox.counts)
        assert counts.get("received", 0) == 0
        await assert_invariants(world, seller)


async def test_unmatched_payment_found_by_the_sweep_and_refunded_once(
    sandbox: Sandbox, tmp_path: object
) -> None:
    """An order put on a cashbox by something else: no notification reaches us, the sweep finds
    its payment; the refund survives a crash without being made twice."""
    from mpqr import Client

    world = world_for(sandbox, tmp_path, Integration.INSTORE_V1)
    async with world.instance() as seller:
        await world.setup(seller)
    assert sandbox.seller is not None
    with Client(sandbox.seller.access_token, base_url=sandbox.base_url) as mp:
        mp.qr_orders.create_v1(
            sandbox.seller.id,
            "CAJA2",
            {
                "external_reference": "ROGUE-1",
                "items": [{"title": "x", "currency_id": "ARS", "unit_price": "99", "quantity": 1}],
            },
        )
    paid = await world.pay("CAJA2")
    payment_id = str(paid["payment"]["id"])
    async with world.instance("unmatched_refund.after_call") as doomed:
        assert await doomed.state.unmatched.sweep() == 1
        listed = (await doomed.http.get("/api/unmatched-payments")).json()["payments"]
        assert [(p["payment_id"], p["cashbox"], p["amount"]) for p in listed] == [
            (payment_id, "CAJA2", "99")
        ]
        with pytest.raises(SimulatedCrash):
            await doomed.state.unmatched.refund(payment_id)
    async with world.instance() as seller:
        await world.past_lease()
        assert await seller.state.recovery.run_once() == 1
        r = await seller.http.post(f"/api/unmatched-payments/{payment_id}/refund")
        assert (r.status_code, r.json()["status"]) == (200, "refunded")
        truth = truth_of(await world.state())
        assert truth.refunds[payment_id] == 1
        assert truth.refunded_for("ROGUE-1") == Decimal("99")


def _api() -> object:
    from mpqr.seller.sales.rules import EventSource

    return EventSource.API
