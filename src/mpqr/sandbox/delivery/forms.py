"""Turn one :class:`~mpqr.sandbox.events.Notice` into the deliveries Mercado Pago would make (no
I/O).

Forms per topic:

- ``merchant_order``: IPN ``?topic=merchant_order&id=<mo>`` with ``{"resource":
  "<base>/merchant_orders/<mo>", "topic": "merchant_order"}``, then Webhooks
  ``?data.id=<mo>&type=topic_merchant_order_wh``.
- ``payment``: Webhooks ``?data.id=<pid>&type=payment`` first, then IPN ``?topic=payment&id=<pid>``
  with ``{"resource": "<pid>", "topic": "payment"}``. This order follows the interleaving seen in MP
  traffic (MO IPN, payment webhook, payment IPN, MO IPN).
- ``order`` (Orders API): Webhooks form only, whatever ``source_news`` says (there is no IPN for
  orders).

``source_news=webhooks`` keeps only the Webhooks form, ``source_news=ipn`` only the IPN form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mpqr.sandbox.delivery.model import Delivery, Form
from mpqr.sandbox.events import Notice

__all__ = ["build_deliveries", "normalise_url", "wanted_forms"]

_MO_WH_TYPE = "topic_merchant_order_wh"


def normalise_url(url: str) -> str:
    """Give a scheme-less URL (the seed's ``www.yourserver.com/...``) MP's implied ``http://``."""
    url = url.strip()
    return url if "://" in url else "http://" + url


def _source_news(url: str) -> str | None:
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key == "source_news":
            return value.lower()
    return None


def wanted_forms(notice: Notice) -> list[Form]:
    """The forms to send for ``notice``, in sending order; empty when there is no URL."""
    if not notice.notification_url or not notice.notification_url.strip():
        return []
    if notice.topic == "order":
        return [Form.WEBHOOK]
    source = _source_news(normalise_url(notice.notification_url))
    if source == "webhooks":
        return [Form.WEBHOOK]
    if source == "ipn":
        return [Form.IPN]
    if notice.topic == "payment":
        return [Form.WEBHOOK, Form.IPN]
    return [Form.IPN, Form.WEBHOOK]


def append_query(url: str, params: dict[str, str]) -> str:
    """``url`` with its own query kept and ``params`` appended; the fragment dropped."""
    parts = urlsplit(url)
    ours = urlencode(params)
    query = f"{parts.query}&{ours}" if parts.query else ours
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def _date(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


def _ipn(notice: Notice, resource_base: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    query = {"topic": notice.topic, "id": notice.resource_id}
    if notice.topic == "merchant_order":
        resource = f"{resource_base.rstrip('/')}/merchant_orders/{notice.resource_id}"
    else:
        resource = notice.resource_id
    return notice.topic, query, {"resource": resource, "topic": notice.topic}


def _mo_webhook(notice: Notice) -> dict[str, Any]:
    return {
        "action": notice.action,
        "application_id": notice.application_id,
        "data": {"currency_id": "", "marketplace": "NONE", "status": notice.status},
        "date_created": _date(notice.at),
        "id": notice.resource_id,
        "live_mode": notice.live_mode,
        "status": notice.status,
        "type": _MO_WH_TYPE,
        "user_id": notice.seller_id,
        "version": notice.version,
    }


def _payment_webhook(notice: Notice, notification_id: int) -> dict[str, Any]:
    return {
        "id": notification_id,
        "live_mode": notice.live_mode,
        "type": "payment",
        "date_created": _date(notice.at),
        "user_id": notice.seller_id,
        "api_version": "v1",
        "action": notice.action,
        "data": {"id": notice.resource_id},
    }


def _order_webhook(notice: Notice, notification_id: int) -> dict[str, Any]:
    return {
        "action": notice.action,
        "api_version": "v1",
        "application_id": notice.application_id,
        "data": {"id": notice.resource_id, "status": notice.status, "type": "qr"},
        "date_created": _date(notice.at),
        "id": notification_id,
        "live_mode": notice.live_mode,
        "type": "order",
        "user_id": notice.seller_id,
        "version": notice.version,
    }


def _webhook(notice: Notice, notification_id: int) -> tuple[str, dict[str, str], dict[str, Any]]:
    match notice.topic:
        case "merchant_order":
            wire_type, body = _MO_WH_TYPE, _mo_webhook(notice)
        case "payment":
            wire_type, body = "payment", _payment_webhook(notice, notification_id)
        case "order":
            wire_type, body = "order", _order_webhook(notice, notification_id)
    return wire_type, {"data.id": notice.resource_id, "type": wire_type}, body


QrSignature = Literal["none", "invalid", "valid"]


def _signature(
    notice: Notice, form: Form, *, sign_ipn: bool, qr_signature: QrSignature
) -> tuple[bool, bool]:
    """``(signed, forged)`` of one delivery.

    Orders API (``order``) webhooks verify with the secret. QR merchant order and payment
    webhooks do not (Mercado Pago: "QR Code notifications cannot be verified using the secret
    signature"): by default they carry no ``x-signature``; ``qr_signature="invalid"`` sends one that
    never verifies, ``"valid"`` one that does. IPN is unsigned unless ``sign_ipn``.
    """
    if form is Form.IPN:
        return sign_ipn, False
    if notice.topic == "order":
        return True, False
    match qr_signature:
        case "none":
            return False, False
        case "invalid":
            return True, True
        case "valid":
            return True, False


def build_deliveries(
    notice: Notice,
    *,
    base_url: str,
    now: datetime,
    next_id: Callable[[], int],
    notification_id: Callable[[int], int],
    sign_ipn: bool = False,
    qr_signature: QrSignature = "none",
) -> list[Delivery]:
    """The deliveries for ``notice``, pending and due ``now``; ids come from ``next_id``."""
    deliveries = []
    for form in wanted_forms(notice):
        assert notice.notification_url is not None
        delivery_id = next_id()
        if form is Form.IPN:
            wire_type, query, body = _ipn(notice, base_url)
        else:
            wire_type, query, body = _webhook(notice, notification_id(delivery_id))
        signed, forged = _signature(notice, form, sign_ipn=sign_ipn, qr_signature=qr_signature)
        target = normalise_url(notice.notification_url)
        deliveries.append(
            Delivery(
                id=delivery_id,
                seller_id=notice.seller_id,
                notification_url=notice.notification_url,
                url=append_query(target, query),
                form=form,
                topic=notice.topic,
                type=wire_type,
                resource_id=notice.resource_id,
                action=notice.action,
                query=query,
                body=body,
                signed=signed,
                forged=forged,
                created_at=now,
                next_attempt_at=now,
            )
        )
    return deliveries
