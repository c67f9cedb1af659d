"""The outbox's only I/O: send one HTTP POST and report what came back. The :class:`Transport`
protocol is the test seam (a test may wrap the real transport to count calls);
:class:`AiohttpTransport` is the real one.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Final, Protocol

import aiohttp

__all__ = ["AiohttpTransport", "OutgoingRequest", "SendResult", "Transport"]

_EXCERPT: Final = 1000


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class SendResult:
    """The answer to one POST: a status, or an error (timeout, connection refused...)."""

    status_code: int | None
    latency_ms: float
    error: str | None = None
    response_excerpt: str | None = None


class Transport(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def send(self, request: OutgoingRequest, timeout_s: float) -> SendResult: ...


class AiohttpTransport:
    """POSTs with one shared :class:`aiohttp.ClientSession`; never follows redirects (a 3xx is a
    failure, as for Mercado Pago), reads at most the first 1,000 characters of the answer for the
    attempt log.
    """

    def __init__(self, *, limit: int = 64) -> None:
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._limit)
            self._session = aiohttp.ClientSession(connector=connector)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, request: OutgoingRequest, timeout_s: float) -> SendResult:
        if self._session is None:
            raise RuntimeError("AiohttpTransport.send() before open()")
        started = time.perf_counter()
        try:
            async with self._session.post(
                request.url,
                data=request.body,
                headers=request.headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=timeout_s),
            ) as response:
                excerpt = (await response.content.read(_EXCERPT)).decode("utf-8", "replace")
                return SendResult(response.status, _ms(started), None, excerpt)
        except TimeoutError:
            return SendResult(None, _ms(started), f"timeout after {timeout_s:g} s")
        except (aiohttp.ClientError, OSError) as exc:
            return SendResult(None, _ms(started), f"{type(exc).__name__}: {exc}")


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


async def sleep_ms(ms: float) -> None:
    if ms > 0:
        await asyncio.sleep(ms / 1000)
