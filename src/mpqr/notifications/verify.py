"""Verify a parsed notification's signature (the glue between parsing and :mod:`.signature`)."""

from __future__ import annotations

from collections.abc import Sequence

from mpqr.notifications.model import Notification
from mpqr.notifications.signature import verify_signature

__all__ = ["verify_notification"]


def verify_notification(
    n: Notification,
    secrets: str | Sequence[str],
    tolerance_seconds: float | None = None,
    now: float | None = None,
) -> None:
    """Check ``n``'s ``x-signature``; raise :class:`~mpqr.errors.SignatureError` if it does not
    verify.

    The manifest uses the query string's ``data.id`` (what Mercado Pago signs), falling back to the
    body's ``data.id``, and the ``x-request-id`` header. QR IPN deliveries are never verifiable: do
    not call this for them — fetch the resource instead (docs/notifications.md).
    """
    verify_signature(
        header=n.signature_header,
        data_id=n.signed_data_id,
        request_id=n.request_id,
        secrets=secrets,
        tolerance_seconds=tolerance_seconds,
        now=now,
    )
