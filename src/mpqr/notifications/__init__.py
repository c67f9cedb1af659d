"""Mercado Pago notifications: parse any delivery form, verify ``x-signature``, pick what to fetch.

>>> n = parse_notification("POST", "topic=merchant_order&id=36127019344", {}, b"")
>>> n.form, n.topic, resource_to_fetch(n).path
(<Form.IPN: 'ipn'>, <Topic.MERCHANT_ORDER: 'merchant_order'>, '/merchant_orders/36127019344')

Never act on a notification's content: store it under ``dedupe_key``, answer 200, then GET the
resource from the API with your own token. See docs/notifications.md.
"""

from mpqr.notifications.model import (
    KNOWN_OTHER_TOPICS,
    Form,
    Notification,
    ResourceRef,
    Topic,
    resource_to_fetch,
)
from mpqr.notifications.parse import parse_notification
from mpqr.notifications.signature import (
    SignatureFailure,
    SignatureRejected,
    build_manifest,
    parse_signature_header,
    signature_header,
    ts_to_seconds,
    verify_signature,
)
from mpqr.notifications.verify import verify_notification

__all__ = [
    "KNOWN_OTHER_TOPICS",
    "Form",
    "Notification",
    "ResourceRef",
    "SignatureFailure",
    "SignatureRejected",
    "Topic",
    "build_manifest",
    "parse_notification",
    "parse_signature_header",
    "resource_to_fetch",
    "signature_header",
    "ts_to_seconds",
    "verify_notification",
    "verify_signature",
]
