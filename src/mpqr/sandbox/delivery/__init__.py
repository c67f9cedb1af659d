"""Notification delivery for the sandbox: a durable outbox that sends each notice the way Mercado
Pago does (IPN and/or Webhooks form, signed webhooks, 200/201 or retry on a named schedule on the
virtual clock, loopback hosts only by default), and the control-plane routes that list and resend
deliveries.
"""

from mpqr.sandbox.delivery.model import Attempt, Delivery, DeliveryState, Form
from mpqr.sandbox.delivery.outbox import DROPPED, Outbox
from mpqr.sandbox.delivery.policy import PROFILES, RetryProfile
from mpqr.sandbox.delivery.routes import router
from mpqr.sandbox.delivery.transport import (
    AiohttpTransport,
    OutgoingRequest,
    SendResult,
    Transport,
)

__all__ = [
    "DROPPED",
    "PROFILES",
    "AiohttpTransport",
    "Attempt",
    "Delivery",
    "DeliveryState",
    "Form",
    "Outbox",
    "OutgoingRequest",
    "RetryProfile",
    "SendResult",
    "Transport",
    "router",
]
