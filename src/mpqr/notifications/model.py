"""The typed notification and the resource it points at.

:class:`Notification` is what :func:`mpqr.notifications.parse_notification` returns for any of
Mercado Pago's forms; :func:`resource_to_fetch` says which API resource to GET for it. Both are
pure data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal
from urllib.parse import quote

from mpqr.errors import NotificationError, UnknownTopicError

__all__ = [
    "KNOWN_OTHER_TOPICS",
    "Form",
    "Notification",
    "ResourceRef",
    "Topic",
    "resource_to_fetch",
    "topic_from_wire",
]


class Form(StrEnum):
    """Which of Mercado Pago's two delivery formats a request uses."""

    IPN = "ipn"  # ?topic=...&id=..., body {resource, topic} or empty; legacy, never verifiable
    WEBHOOK = "webhook"  # ?data.id=...&type=..., JSON body with action, data, ...


class Topic(StrEnum):
    """What changed. Topics with nothing to fetch for QR (chargebacks, ...) are ``OTHER``."""

    MERCHANT_ORDER = "merchant_order"
    PAYMENT = "payment"
    ORDER = "order"
    OTHER = "other"


# Wire topic/type -> Topic. Both forms of the merchant-order topic map onto MERCHANT_ORDER.
_TOPICS: Final[dict[str, Topic]] = {
    "merchant_order": Topic.MERCHANT_ORDER,
    "topic_merchant_order_wh": Topic.MERCHANT_ORDER,
    "payment": Topic.PAYMENT,
    "order": Topic.ORDER,
}

# Other topics Mercado Pago documents (IPN and Webhooks pages): accepted, kept as OTHER, not
# fetched.
KNOWN_OTHER_TOPICS: Final = frozenset(
    {
        "chargebacks",
        "topic_chargebacks_wh",
        "point_integration_ipn",
        "point_integration_wh",
        "delivery",
        "delivery_cancellation",
        "stop_delivery_op_wh",
        "mp-connect",
        "subscription_preapproval",
        "subscription_preapproval_plan",
        "subscription_authorized_payment",
        "topic_claims_integration_wh",
        "topic_card_id_wh",
        "topic_instore_integration_wh",
    }
)


def topic_from_wire(raw: str) -> Topic:
    """Map a wire ``topic``/``type`` onto :class:`Topic`; unknown values raise UnknownTopicError."""
    key = raw.strip().lower()
    if key in _TOPICS:
        return _TOPICS[key]
    if key in KNOWN_OTHER_TOPICS:
        return Topic.OTHER
    raise UnknownTopicError(f"unknown notification topic {raw[:60]!r}")


@dataclass(frozen=True, slots=True)
class Notification:
    """One parsed notification request, in either form, with the raw request kept for storage.

    ``resource_id`` is the id of the changed resource (payment id, merchant order id, ``ORD...``
    order id). ``dedupe_key`` is the natural key to store the raw request under: two deliveries of
    the same notification give the same key; the IPN and Webhooks deliveries of one change give
    different keys. ``query_data_id`` / ``body_data_id`` are kept apart because the signature covers
    the *query* ``data.id``. Nothing here is trusted: fetch the resource (:func:`resource_to_fetch`)
    with your token.
    """

    form: Form
    topic: Topic
    raw_topic: str
    resource_id: str
    action: str | None
    live_mode: bool | None
    user_id: str | None
    request_id: str | None
    signature_header: str | None
    raw_query: str
    raw_body: bytes
    notification_id: str | None = None
    version: int | None = None
    status: str | None = None
    api_version: str | None = None
    date_created: str | None = None
    query_data_id: str | None = None
    body_data_id: str | None = None

    @property
    def dedupe_key(self) -> str:
        """``form:topic:resource-id[:action][:vN][:nNOTIFICATION-ID]`` (docs/notifications.md)."""
        parts = [self.form.value, self.raw_topic, self.resource_id]
        if self.action:
            parts.append(self.action)
        if self.version is not None:
            parts.append(f"v{self.version}")
        if self.notification_id and self.notification_id != self.resource_id:
            parts.append(f"n{self.notification_id}")
        return ":".join(parts)

    @property
    def signed_data_id(self) -> str | None:
        """The ``data.id`` that goes into the signature manifest: the query's, else the body's."""
        return self.query_data_id or self.body_data_id


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """The API resource a notification is about: GET ``path`` with your access token."""

    kind: Literal["merchant_order", "payment", "order"]
    id: str
    path: str


def resource_to_fetch(n: Notification) -> ResourceRef:
    """Which resource to GET for ``n``; NotificationError for topics with nothing to fetch."""
    rid = quote(n.resource_id, safe="")
    match n.topic:
        case Topic.MERCHANT_ORDER:
            return ResourceRef("merchant_order", n.resource_id, f"/merchant_orders/{rid}")
        case Topic.PAYMENT:
            return ResourceRef("payment", n.resource_id, f"/v1/payments/{rid}")
        case Topic.ORDER:
            return ResourceRef("order", n.resource_id, f"/v1/orders/{rid}")
        case Topic.OTHER:
            raise NotificationError(
                f"nothing to fetch for notification topic {n.raw_topic!r} (not a QR resource)"
            )
