"""The collaborators one app instance shares: built in the lifespan, handed to services."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from mpqr.clock import Clock
from mpqr.ids import IdFactory
from mpqr.seller.broadcast import LocalBroadcaster
from mpqr.seller.db import Database
from mpqr.seller.gateway import Gateway
from mpqr.seller.metrics import Metrics
from mpqr.seller.settings import Settings

__all__ = ["Context"]


@dataclass
class Context:
    """Settings, storage, Mercado Pago, time, ids, metrics and the broadcaster of one app."""

    settings: Settings
    db: Database
    gateway: Gateway
    clock: Clock
    ids: IdFactory
    metrics: Metrics
    broadcaster: LocalBroadcaster
    wake: asyncio.Event = field(default_factory=asyncio.Event)  # new inbox rows
    _cashbox_locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def cashbox_lock(self, cashbox: str) -> asyncio.Lock:
        """Serialises sale creation per cashbox in this instance: the pending-sale check and the
        order put on Mercado Pago must not interleave, or two sales would share one QR."""
        return self._cashbox_locks.setdefault(cashbox.lower(), asyncio.Lock())

    def now(self) -> datetime:
        return self.clock.now()
