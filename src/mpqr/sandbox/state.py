"""The sandbox's state: every seller's records, ids, time and the notice sink, behind one lock.

:class:`SandboxState` is what ``app.state.sandbox`` holds. It owns the data
(:class:`~.models.StateData`), hands out deterministic ids from a seeded
:class:`~mpqr.ids.IdFactory`, reads time from an injected virtual clock, and publishes a
:class:`~.events.Notice` for every state change. The operations that change state live in
``orders.py``, ``customer.py``, ``refunds.py`` and ``orders_api.py``; each runs under
:attr:`SandboxState.lock` so the HTTP server and in-process test helpers can share one state.

>>> from mpqr.clock import FrozenClock
>>> state = SandboxState(clock=FrozenClock(), seed=1)
>>> seller = state.create_seller("MLA")
>>> state.seller_for_token(seller.access_token) is seller
True
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol, TypeVar

from mpqr.ids import IdFactory
from mpqr.sandbox.catalog import Fee
from mpqr.sandbox.errors import ApiError
from mpqr.sandbox.events import Notice, NoticeSink, Topic
from mpqr.sandbox.lifecycle import MOView, OrderKind, PaymentView, derive_merchant_order
from mpqr.sandbox.lookup import ReferenceIndex
from mpqr.sandbox.models import ApiOrder, MerchantOrder, Payment, Pos, Seller, StateData
from mpqr.sandbox.zones import ulid, zone_for
from mpqr.sites import site

__all__ = ["AdvancingClock", "MemorySink", "SandboxOptions", "SandboxState"]

T = TypeVar("T")


class AdvancingClock(Protocol):
    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...

    def advance(self, seconds: float) -> datetime: ...


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    """Switches for the places where Mercado Pago's behaviour is ambiguous (docs/sandbox.md lists
    them).

    - ``legacy_auth_400``: a bad token on the legacy ``/mpmobile`` paths answers 400
      ``invalid_access_token`` "access denied" (as documented) instead of the general 401.
    - ``v2_delete_204``: DELETE of a POS with no order answers 204 instead of the documented 500
      ``in_store_order_creation_error`` "Failed to delete order.".
    - ``legacy_ttl_seconds``: the default life of a legacy order (MP: 10 minutes).
    - ``orders_ttl_seconds``: the life of an Orders API order sent without ``expiration_time``
      (MP: 15 minutes, every mode).
    - ``time_zone``: write every date in this IANA zone (or ``UTC``) instead of the site's own.
    """

    legacy_auth_400: bool = False
    v2_delete_204: bool = False
    legacy_ttl_seconds: int = 600
    orders_ttl_seconds: int = 900
    time_zone: str | None = None


class MemorySink:
    """A :class:`~.events.NoticeSink` that keeps notices in a list: for tests and when delivery
    is off. Only the latest ``keep`` to ``2 * keep`` are kept, so a long run does not grow it
    without bound.
    """

    def __init__(self, keep: int = 10_000) -> None:
        self.notices: list[Notice] = []
        self.keep = keep

    def publish(self, notice: Notice) -> None:
        self.notices.append(notice)
        if len(self.notices) > 2 * self.keep:
            del self.notices[: -self.keep]

    def reset(self) -> None:
        self.notices.clear()


class SandboxState:
    """All sandbox records plus the services they need (clock, ids, sink, options)."""

    def __init__(
        self,
        *,
        clock: AdvancingClock,
        seed: int | None = None,
        sink: NoticeSink | None = None,
        options: SandboxOptions | None = None,
        base_url: Callable[[], str] = lambda: "http://127.0.0.1:8080",
    ) -> None:
        self.clock = clock
        self.seed = seed
        self.sink: NoticeSink = sink if sink is not None else MemorySink()
        self.options = options or SandboxOptions()
        self.base_url = base_url
        self.lock = threading.RLock()
        self.data = StateData()
        self.ids = IdFactory(seed)
        self._tokens: dict[str, int] = {}
        # fee overrides per "SITE:payment_type_id" (CLI --fee, PUT /_sandbox/fees)
        self.fee_overrides: dict[str, Fee] = {}
        # the earliest expiry among live orders (None = unknown: scan on the next check)
        self.next_expiry: datetime | None = None
        # searches by external_reference (derived from the tables, never saved)
        self.mo_refs: ReferenceIndex[int, MerchantOrder] = ReferenceIndex(
            lambda mo: mo.external_reference
        )
        self.payment_refs: ReferenceIndex[int, Payment] = ReferenceIndex(
            lambda p: p.external_reference
        )
        self.order_refs: ReferenceIndex[str, ApiOrder] = ReferenceIndex(_order_reference)

    # ---- time and ids ---------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def zone(self, site_id: str) -> tzinfo:
        """The zone this sandbox writes ``site_id``'s dates in."""
        return zone_for(site_id, self.options.time_zone)

    def new_ulid(self, prefix: str) -> str:
        """An Orders API style id: ``prefix`` + a ULID on the virtual clock (``ORD01K…``)."""
        return prefix + ulid(self.now(), self.ids.ulid())

    def new_number(self, taken: Mapping[int, Any], digits: int) -> int:
        """A fresh numeric id of ``digits`` digits not already in ``taken``."""
        while True:
            value = self.ids.number(digits)
            if value not in taken:
                return value

    def new_key(self, taken: Mapping[str, Any], make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in taken:
                return value

    def note_expiry(self, when: datetime | None) -> None:
        """A new order that expires at ``when``: keep :attr:`next_expiry` a lower bound."""
        if when is not None and self.next_expiry is not None:
            self.next_expiry = min(self.next_expiry, when)

    # ---- sellers and auth -----------------------------------------------------------------------

    def create_seller(
        self, site_id: str, *, nickname: str | None = None, test_user: bool = True
    ) -> Seller:
        """A new seller account on ``site_id`` with an MP-shaped access token and a webhook
        secret.
        """
        with self.lock:
            the_site = site(site_id)
            user_id = self.new_number(self.data.sellers, 9)
            app_id = str(self.ids.number(16))
            stamp = self.now().strftime("%m%d%y")
            token = f"APP_USR-{app_id}-{stamp}-{self.ids.hex(32)}-{user_id}"
            seller = Seller(
                id=user_id,
                site_id=the_site.id.value,
                nickname=nickname or f"TESTUSER{user_id}",
                email=f"test_user_{user_id}@testuser.com",
                access_token=token,
                webhook_secret=self.ids.hex(64),
                application_id=app_id,
                password=f"qatest{self.ids.number(4)}",
                date_created=self.now(),
                test_user=test_user,
            )
            self.data.sellers[user_id] = seller
            self._tokens[token] = user_id
            return seller

    def seller_for_token(self, token: str | None) -> Seller | None:
        """The seller an access token belongs to (``APP_USR-…`` or ``TEST-…`` form), else
        ``None``.
        """
        if not token:
            return None
        if not self._tokens and self.data.sellers:
            self._tokens = {s.access_token: s.id for s in self.data.sellers.values()}
        user_id = self._tokens.get(token)
        if user_id is None and token.startswith("TEST-"):
            user_id = self._tokens.get("APP_USR-" + token.removeprefix("TEST-"))
        return self.data.sellers.get(user_id) if user_id is not None else None

    def secret_for(self, seller_id: int) -> str | None:
        seller = self.data.sellers.get(seller_id)
        return seller.webhook_secret if seller else None

    # ---- scoped lookups -------------------------------------------------------------------------

    @staticmethod
    def owned(table: Mapping[Any, T], key: Any, seller: Seller, what: str) -> T:
        """``table[key]`` if it belongs to ``seller``; anything else (missing, another seller's)
        is 404.
        """
        record = table.get(key)
        if record is None or getattr(record, "seller_id", None) != seller.id:
            raise ApiError(404, "not_found", f"{what} not found")
        return record

    def pos_by_external(self, seller_id: int, external_id: str) -> Pos | None:
        wanted = external_id.lower()
        for pos in self.data.pos.values():
            if pos.seller_id == seller_id and (pos.external_id or "").lower() == wanted:
                return pos
        return None

    def payments_of(self, mo: MerchantOrder) -> list[Payment]:
        return [self.data.payments[pid] for pid in mo.payment_ids if pid in self.data.payments]

    def mo_view(self, mo: MerchantOrder) -> MOView:
        views = (
            PaymentView(p.status, p.transaction_amount, p.amount_refunded)
            for p in self.payments_of(mo)
        )
        return derive_merchant_order(mo.total_amount, views, cancelled=mo.cancelled)

    # ---- notices --------------------------------------------------------------------------------

    def publish(
        self,
        *,
        seller_id: int,
        url: str | None,
        topic: Topic,
        resource_id: object,
        action: str,
        status: str | None = None,
        version: int = 0,
    ) -> None:
        seller = self.data.sellers.get(seller_id)
        self.sink.publish(
            Notice(
                seller_id=seller_id,
                notification_url=url,
                topic=topic,
                resource_id=str(resource_id),
                action=action,
                at=self.now().astimezone(self.zone(seller.site_id)) if seller else self.now(),
                status=status,
                version=version,
                application_id=seller.application_id if seller else None,
            )
        )

    def mo_changed(self, mo: MerchantOrder, *, created: bool = False) -> None:
        """Record a merchant order change and notify it (``create`` v0, then ``update`` v1, v2,
        ...).
        """
        mo.last_updated = self.now()
        if not created:
            mo.version += 1
        view = self.mo_view(mo)
        mo.notified_status = view.status.value
        if mo.source_kind is OrderKind.ORDERS:
            return  # Orders API orders notify on topic "order" only
        self.publish(
            seller_id=mo.seller_id,
            url=mo.notification_url,
            topic="merchant_order",
            resource_id=mo.id,
            action="create" if created else "update",
            status=view.status.value,
            version=mo.version,
        )

    def payment_changed(self, payment: Payment, *, created: bool) -> None:
        payment.date_last_updated = self.now()
        if payment.api_order_id is not None:
            return
        self.publish(
            seller_id=payment.seller_id,
            url=payment.notification_url,
            topic="payment",
            resource_id=payment.id,
            action="payment.created" if created else "payment.updated",
            status=payment.status.value,
        )

    # ---- whole-state operations ---------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything (sellers included) and restart ids from the seed."""
        with self.lock:
            self.data = StateData()
            self.ids = IdFactory(self.seed)
            self._tokens.clear()
            self.next_expiry = None
            self.sink.reset()

    def to_dict(self) -> dict[str, Any]:
        with self.lock:
            return self.data.model_dump(mode="json")

    def load_dict(self, raw: Mapping[str, Any]) -> None:
        """Replace the state with a dump from :meth:`to_dict`; ids continue without collisions."""
        with self.lock:
            data = StateData.model_validate(raw)
            if data.schema_version > StateData().schema_version:
                raise ValueError(
                    "the state file comes from a newer mpqr sandbox; refusing to load it"
                )
            self.data = data
            self._tokens = {s.access_token: s.id for s in data.sellers.values()}
            self.next_expiry = None
            # a different stream than a fresh start, so ids continue instead of repeating
            self.ids = IdFactory(None if self.seed is None else self.seed + _count(data))


def _order_reference(order: ApiOrder) -> str | None:
    reference = order.body.get("external_reference")
    return reference if isinstance(reference, str) else None


def _count(data: StateData) -> int:
    tables: Iterable[Mapping[Any, Any]] = (
        data.sellers,
        data.stores,
        data.pos,
        data.merchant_orders,
        data.payments,
        data.refunds,
        data.api_orders,
    )
    return sum(len(t) for t in tables) + 1
