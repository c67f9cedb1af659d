"""The mpqr client: :class:`Client` (sync, http.client) and :class:`AsyncClient` (raw asyncio).

Both share one pure core (``_core``: request building, response parsing, error mapping, the
defaults), one retry policy (``retry``) and the same resources; only the sending differs. The async
side is the source: ``sync.py`` and ``_sync_resources.py`` are generated from ``aio.py`` and
``_async_resources.py`` by ``scripts/unasync.py``.
"""

from mpqr.client._core import DEFAULT_BASE_URL, Call, RawRequest, RawResponse
from mpqr.client.aio import AsyncClient
from mpqr.client.retry import RetryPolicy, Timeouts
from mpqr.client.sync import Client
from mpqr.client.transports import (
    AiohttpTransport,
    AsyncioTransport,
    AsyncTransport,
    StdlibTransport,
    SyncTransport,
    Urllib3Transport,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "AiohttpTransport",
    "AsyncClient",
    "AsyncTransport",
    "AsyncioTransport",
    "Call",
    "Client",
    "RawRequest",
    "RawResponse",
    "RetryPolicy",
    "StdlibTransport",
    "SyncTransport",
    "Timeouts",
    "Urllib3Transport",
]
