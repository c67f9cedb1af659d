"""The mpqr client: :class:`Client` (sync, urllib3) and :class:`AsyncClient` (asyncio, aiohttp).

Both share one pure core (``_core``: request building, response parsing, error mapping), one retry
policy (``retry``) and the same resources; only the sending differs.
"""

from mpqr.client._core import Call, RawRequest, RawResponse
from mpqr.client.aio import AsyncClient
from mpqr.client.retry import RetryPolicy, Timeouts
from mpqr.client.sync import DEFAULT_BASE_URL, Client
from mpqr.client.transports import (
    AiohttpTransport,
    AsyncTransport,
    SyncTransport,
    Urllib3Transport,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "AiohttpTransport",
    "AsyncClient",
    "AsyncTransport",
    "Call",
    "Client",
    "RawRequest",
    "RawResponse",
    "RetryPolicy",
    "SyncTransport",
    "Timeouts",
    "Urllib3Transport",
]
