"""The contract between the sandbox's state machine and its notification delivery.

The lifecycle (``state.py`` / ``lifecycle.py``) calls ``sink.publish(Notice(...))`` once per state
change; the delivery outbox (``delivery/``) turns each notice into the HTTP deliveries Mercado Pago
would make (IPN and/or Webhooks form, per ``source_news``) and sends them, with retries, on the
virtual clock. ``publish`` must return at once: delivery never blocks API handling.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

__all__ = ["Notice", "NoticeSink", "Topic"]

Topic = Literal["merchant_order", "payment", "order"]


@dataclass(frozen=True, slots=True)
class Notice:
    """One state change to notify.

    - ``topic="merchant_order"``: ``resource_id`` is the merchant order id; ``action`` is
      ``"create"`` or ``"update"``; ``status`` is the MO status (opened/closed/expired); ``version``
      counts MO changes (0 at creation) as in the ``topic_merchant_order_wh`` body.
    - ``topic="payment"``: ``resource_id`` is the payment id; ``action`` is ``"payment.created"`` or
      ``"payment.updated"``.
    - ``topic="order"`` (Orders API): ``resource_id`` is the ``ORD…`` id; ``action`` like
      ``"order.processed"``, ``"order.canceled"``, ``"order.expired"``, ``"order.refunded"``.
    """

    seller_id: int
    notification_url: str | None
    topic: Topic
    resource_id: str
    action: str
    at: datetime
    status: str | None = None
    version: int = 0
    application_id: str | None = None
    live_mode: bool = True

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = self.at.isoformat()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Notice:
        return cls(**{**d, "at": datetime.fromisoformat(d["at"])})


class NoticeSink(Protocol):
    """Where the state publishes its notices: the delivery outbox, or a list in memory."""

    def publish(self, notice: Notice) -> None: ...

    def reset(self) -> None:
        """Forget every notice (``POST /_sandbox/reset``)."""
        ...
