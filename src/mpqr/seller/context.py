"""The collaborators one app instance shares: built in the lifespan, handed to services."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from mpqr.clock import Clock
from mpqr.ids import IdFactory
from mpqr.seller.broadcast import LocalBroadcaster
from mpqr.seller.crash import CrashPoints
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
    crash: CrashPoints = field(default_factory=CrashPoints)
    wake: asyncio.Event = field(default_factory=asyncio.Event)  # new inbox rows
    known_keys: dict[str, float] = field(default_factory=dict)  # API key hash -> believed until

    def now(self) -> datetime:
        return self.clock.now()
