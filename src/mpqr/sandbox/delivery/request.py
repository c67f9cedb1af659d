"""Build the HTTP request of one attempt (no I/O): headers, ``x-signature``, compact JSON body.

``x-request-id`` is new on every attempt (it names the HTTP request, as MP's does); what stays
stable across attempts is the body, including the Webhooks notification ``id``. The signature's
``ts`` is the attempt's virtual time in Unix seconds (the documented example's 10 digits).
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import datetime
from typing import Final

from mpqr.notifications import signature_header
from mpqr.sandbox.delivery.model import Delivery, Form
from mpqr.sandbox.delivery.transport import OutgoingRequest

__all__ = ["USER_AGENT", "KeyedIds", "build_request", "signed_data_id"]

USER_AGENT: Final = "MercadoPago WebHook v1.0"


class KeyedIds:
    """Ids derived from (seed, key): the same seed gives the same ids, with no state to persist."""

    def __init__(self, seed: int | None) -> None:
        self._seed = seed if seed is not None else random.SystemRandom().getrandbits(64)

    def _rng(self, *key: object) -> random.Random:
        return random.Random("|".join(str(k) for k in (self._seed, *key)))

    def uuid(self, *key: object) -> str:
        return str(uuid.UUID(int=self._rng(*key).getrandbits(128), version=4))

    def number(self, *key: object) -> int:
        return self._rng(*key).randrange(10**10, 10**11)


def signed_data_id(delivery: Delivery) -> str:
    """The id the signature covers: ``data.id`` of a webhook's query, ``id`` of an IPN's."""
    match delivery.form:
        case Form.WEBHOOK:
            return delivery.query["data.id"]
        case Form.IPN:
            return delivery.query["id"]


def _unverifiable(secret: str) -> str:
    """A key that is not the seller's secret: the header looks right but never verifies."""
    return hashlib.sha256(b"mpqr-sandbox-qr-signature:" + secret.encode()).hexdigest()


def build_request(
    delivery: Delivery, *, request_id: str, at: datetime, secret: str | None
) -> OutgoingRequest:
    """The POST for ``delivery``; signed when the delivery is and the seller has a secret."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "x-request-id": request_id,
    }
    if delivery.signed and secret:
        key = _unverifiable(secret) if delivery.forged else secret
        headers["x-signature"] = signature_header(
            key,
            data_id=signed_data_id(delivery),
            request_id=request_id,
            ts=int(at.timestamp()),
        )
    body = json.dumps(delivery.body, separators=(",", ":"), ensure_ascii=False).encode()
    return OutgoingRequest(url=delivery.url, headers=headers, body=body)
