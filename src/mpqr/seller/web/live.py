"""Server-Sent Events for the cashier UI's live screens, fed by the core's broadcaster.

A stream sends one event at once and one per relevant change, keeps the connection alive with
comments, and ends after :data:`STREAM_SECONDS` (the browser reconnects: no stream lives
forever) or when the app closes its streams. What is "relevant" and what an event says is the
caller's: the sale screen follows one sale, the customer display one cashbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final

from fastapi import Request
from fastapi.responses import StreamingResponse

from mpqr.seller.web.render import web_state

__all__ = ["KEEPALIVE_SECONDS", "STREAM_SECONDS", "event_stream"]

KEEPALIVE_SECONDS: Final = 15.0
STREAM_SECONDS: Final = 300.0

# the first event's data, and for each changed sale id the event's data (None: not relevant)
First = Callable[[], Awaitable[str]]
OnChange = Callable[[str], Awaitable[str | None]]


def event_stream(request: Request, first: First, on_change: OnChange) -> StreamingResponse:
    return StreamingResponse(
        _stream(request, first, on_change),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(request: Request, first: First, on_change: OnChange) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    closing = web_state(request).closing
    async with request.app.state.ctx.broadcaster.subscribe() as queue:
        yield "retry: 2000\n" + _event(await first())
        while not closing.is_set() and (left := deadline - loop.time()) > 0:
            changed = await _next_change(queue, closing, min(KEEPALIVE_SECONDS, left))
            if changed is not None:
                data = await on_change(changed)
                if data is not None:
                    yield _event(data)
            elif not closing.is_set():
                yield ": keepalive\n\n"


async def _next_change(
    queue: asyncio.Queue[str], closing: asyncio.Event, wait_seconds: float
) -> str | None:
    """The next changed sale id, or ``None`` on timeout or when the server is closing."""
    getter = asyncio.ensure_future(queue.get())
    closer = asyncio.ensure_future(closing.wait())
    try:
        done, _ = await asyncio.wait(
            {getter, closer}, timeout=wait_seconds, return_when=asyncio.FIRST_COMPLETED
        )
    finally:  # also when the browser went away and the stream is being closed
        for task in (getter, closer):
            task.cancel()  # a cancelled Queue.get takes nothing from the queue
    return getter.result() if getter in done else None


def _event(data: str) -> str:
    return f"event: sale\ndata: {data}\n\n"
