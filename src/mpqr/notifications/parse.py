"""Turn one incoming HTTP request into a :class:`~mpqr.notifications.model.Notification`.

The forms Mercado Pago delivers, all recognised:

- IPN: ``POST ?topic=merchant_order&id=123`` (or ``topic=payment``), body ``{"resource", "topic"}``
  or empty. The query wins; else the body's ``topic`` and ``resource`` (a full URL such as
  ``https://api.mercadolibre.com/merchant_orders/123`` or a bare id).
- Webhooks: ``POST ?data.id=456&type=payment`` with a JSON body (``id``, ``live_mode``, ``type``,
  ``date_created``, ``user_id``, ``api_version``, ``action``, ``data.id``); the Orders API
  ``type=order`` (``data.id`` like ``ORD01...``); and ``topic_merchant_order_wh``, whose merchant
  order id is the *top-level* ``id`` (its ``data`` has no id).

Anything else raises :class:`~mpqr.errors.NotificationError`. Parsing checks shape only: the content
is not trusted until the resource is fetched from the API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from mpqr.errors import NotificationError
from mpqr.notifications.model import Form, Notification, Topic, topic_from_wire

__all__ = ["parse_notification"]

_MAX_ID = 64
_OTHER_ID = re.compile(r"[A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class _Request:
    query: dict[str, str]
    raw_query: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    raw_body: bytes


def parse_notification(
    method: str, query: str | Mapping[str, str], headers: Mapping[str, str], body: bytes
) -> Notification:
    """Parse a notification request (method, query string or mapping, headers, raw body).

    Header names are case-insensitive. Raises NotificationError for a non-POST, a missing or
    malformed id, an unknown topic or a body that is not a JSON object.
    """
    if method.strip().upper() != "POST":
        raise NotificationError(f"notifications are POSTed: got method {method[:10]!r}")
    req = _Request(*_query(query), _headers(headers), _json_body(body), bytes(body))
    match _form(req):
        case Form.IPN:
            return _parse_ipn(req)
        case Form.WEBHOOK:
            return _parse_webhook(req)
    raise NotificationError(
        "not a Mercado Pago notification: expected ?topic=&id= (IPN) or ?data.id=&type= / a JSON"
        " body with 'type' (Webhooks)"
    )


# --- raw input


def _query(query: str | Mapping[str, str]) -> tuple[dict[str, str], str]:
    if isinstance(query, str):
        raw = query.removeprefix("?")
        # A repeated key keeps its last value: Mercado Pago appends its parameters to the
        # notification_url, so when the seller's URL has its own ``id=`` MP's comes last.
        return dict(parse_qsl(raw, keep_blank_values=True)), raw
    return {str(k): str(v) for k, v in query.items()}, urlencode(list(query.items()))


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _json_body(body: bytes) -> dict[str, Any] | None:
    if not body.strip():
        return None
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotificationError(f"notification body is not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise NotificationError(
            f"notification body must be a JSON object: got {type(parsed).__name__}"
        )
    return parsed


def _text(value: object) -> str | None:
    """A scalar JSON/query value as stripped text (None for absent, empty or non-scalar)."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text or None


def _form(req: _Request) -> Form | None:
    """Which form a request uses: the query string decides, else the body's shape."""
    q, body = req.query, req.body or {}
    if "type" in q or "data.id" in q:
        return Form.WEBHOOK
    if "topic" in q or "id" in q or "resource" in body:
        return Form.IPN
    if "type" in body or "action" in body:
        return Form.WEBHOOK
    return Form.IPN if "topic" in body else None


# --- ids


def _check_id(topic: Topic, raw_topic: str, rid: str | None) -> str:
    if rid is None:
        raise NotificationError(f"{raw_topic} notification has no resource id")
    if len(rid) > _MAX_ID:
        raise NotificationError(f"{raw_topic} notification id is longer than {_MAX_ID} characters")
    match topic:
        case Topic.MERCHANT_ORDER | Topic.PAYMENT:
            ok, rule = rid.isdigit() and rid.isascii(), "numeric"
        case Topic.ORDER:
            ok, rule = rid.isalnum() and rid.isascii(), "alphanumeric"
        case Topic.OTHER:
            ok, rule = _OTHER_ID.fullmatch(rid) is not None, "letters, digits, '-', '_' or '.'"
    if not ok:
        raise NotificationError(
            f"{raw_topic} notification id must be {rule}: got {rid[:_MAX_ID]!r}"
        )
    return rid


def _id_from_resource(resource: str | None) -> str | None:
    """``https://api.mercadolibre.com/merchant_orders/123`` → ``123``; a bare id stays as is."""
    if resource is None:
        return None
    path = urlsplit(resource).path if "://" in resource else resource
    return _text(path.rstrip("/").rsplit("/", 1)[-1])


# --- IPN


def _parse_ipn(req: _Request) -> Notification:
    body = req.body or {}
    raw_topic = _text(req.query.get("topic")) or _text(body.get("topic"))
    if raw_topic is None:
        raise NotificationError("IPN notification has no topic (query ?topic= or body 'topic')")
    raw_topic = raw_topic.lower()
    topic = topic_from_wire(raw_topic)
    rid = _text(req.query.get("id")) or _id_from_resource(_text(body.get("resource")))
    return Notification(
        form=Form.IPN,
        topic=topic,
        raw_topic=raw_topic,
        resource_id=_check_id(topic, raw_topic, rid),
        action=None,
        live_mode=None,
        user_id=None,
        request_id=req.headers.get("x-request-id"),
        signature_header=req.headers.get("x-signature"),
        raw_query=req.raw_query,
        raw_body=req.raw_body,
    )


# --- Webhooks


def _webhook_topic(req: _Request, body: dict[str, Any]) -> tuple[Topic, str]:
    raw = _text(req.query.get("type")) or _text(body.get("type")) or _text(body.get("topic"))
    if raw is None:
        raise NotificationError("Webhooks notification has no type (query ?type= or body 'type')")
    return topic_from_wire(raw), raw.lower()


def _data_id(body: dict[str, Any]) -> str | None:
    data = body.get("data")
    return _text(data.get("id")) if isinstance(data, dict) else None


def _webhook_resource_id(raw_topic: str, query_id: str | None, body: dict[str, Any]) -> str | None:
    # topic_merchant_order_wh: the merchant order id is the top-level ``id``; ``data`` has no id.
    mo_wh = raw_topic == "topic_merchant_order_wh"
    body_id = _text(body.get("id")) if mo_wh else _data_id(body)
    if query_id and body_id and query_id.lower() != body_id.lower():
        raise NotificationError(
            f"{raw_topic} notification ids disagree: query data.id={query_id[:_MAX_ID]!r},"
            f" body={body_id[:_MAX_ID]!r}"
        )
    return query_id or body_id


def _version(body: dict[str, Any]) -> int | None:
    data = body.get("data")
    raw = body.get("version", data.get("version") if isinstance(data, dict) else None)
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()):
        return int(raw)
    raise NotificationError(f"notification version must be an integer: got {str(raw)[:20]!r}")


def _status(body: dict[str, Any]) -> str | None:
    data = body.get("data")
    return _text(body.get("status")) or (
        _text(data.get("status")) if isinstance(data, dict) else None
    )


def _parse_webhook(req: _Request) -> Notification:
    body = req.body or {}
    topic, raw_topic = _webhook_topic(req, body)
    query_id = _text(req.query.get("data.id"))
    rid = _webhook_resource_id(raw_topic, query_id, body)
    live_mode = body.get("live_mode")
    return Notification(
        form=Form.WEBHOOK,
        topic=topic,
        raw_topic=raw_topic,
        resource_id=_check_id(topic, raw_topic, rid),
        action=_text(body.get("action")),
        live_mode=live_mode if isinstance(live_mode, bool) else None,
        user_id=_text(body.get("user_id")),
        request_id=req.headers.get("x-request-id"),
        signature_header=req.headers.get("x-signature"),
        raw_query=req.raw_query,
        raw_body=req.raw_body,
        notification_id=_text(body.get("id")),
        version=_version(body),
        status=_status(body),
        api_version=_text(body.get("api_version")),
        date_created=_text(body.get("date_created")),
        query_data_id=query_id,
        body_data_id=_data_id(body),
    )
