"""The async client's lean transport (raw asyncio, pooled), against real sockets.

Small asyncio servers in this file misbehave on purpose (hang up, drop a request, answer chunked,
short or never); the last tests run AsyncClient with this transport against the mpqr sandbox.
Every test asserts behaviour (what was sent, how many connections), never timing.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from mpqr import AsyncClient
from mpqr.bench.canned import make_self_signed_cert
from mpqr.client import AsyncioTransport, RawRequest, RawResponse, Timeouts
from mpqr.errors import APIConnectionError, APITimeoutError

TOKEN = "APP_USR-secret-token"  # a dummy, checked never to leak into errors
ANSWER = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"id": 1}'

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """One request's head and body, or b"" when the client hung up."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return b""
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + (await reader.readexactly(length) if length else b"")


class Server:
    """Each accepted connection runs the next script, then ``default``; connections are counted."""

    def __init__(self, *scripts: Script, default: Script | None = None, tls: Any = None) -> None:
        self.scripts = list(scripts)
        self.default = default or answer_forever
        self.tls = tls
        self.accepted = 0
        self.open = 0
        self.most_open = 0
        self.requests: list[bytes] = []
        self.closed_by_client = 0  # connections where the client hung up first
        self.server: asyncio.Server | None = None
        self.port = 0
        self.handlers: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Server:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0, ssl=self.tls)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in self.handlers:  # scripts still waiting on the client or on an event
            task.cancel()
        await asyncio.gather(*self.handlers, return_exceptions=True)

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        self.accepted += 1
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        script = self.scripts.pop(0) if self.scripts else self.default
        recording = _Recording(reader, self)
        try:
            await script(recording, writer)  # type: ignore[arg-type]
        except (ConnectionError, ssl.SSLError, asyncio.CancelledError):
            pass  # the client went away, or the test is over
        finally:
            self.open -= 1
            writer.close()
            self.handlers.discard(task)


class _Recording:
    """A reader that records each request head the server reads (and notices client hang-ups)."""

    def __init__(self, reader: asyncio.StreamReader, server: Server) -> None:
        self.reader = reader
        self.server = server

    async def readuntil(self, separator: bytes) -> bytes:
        try:
            data = await self.reader.readuntil(separator)
        except asyncio.IncompleteReadError:
            self.server.closed_by_client += 1
            raise
        self.server.requests.append(data)
        return data

    async def readexactly(self, n: int) -> bytes:
        return await self.reader.readexactly(n)

    async def read(self, n: int = -1) -> bytes:
        return await self.reader.read(n)


async def answer_forever(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while await read_request(reader):
        writer.write(ANSWER)


async def answer_then_hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(ANSWER)  # kept alive by HTTP/1.1's default... then the server closes it


async def answer_then_drop_the_next(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    await read_request(reader)
    writer.write(ANSWER)
    await read_request(reader)  # the next request arrives; the server goes away unanswered


def answering(*answers: bytes) -> Script:
    """Answer each request with the next of ``answers``, then hang up."""

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for answer in answers:
            if not await read_request(reader):
                return
            writer.write(answer)
            await writer.drain()

    return script


def req(port: int, method: str = "GET", body: bytes | None = None, **headers: str) -> RawRequest:
    return RawRequest(
        method,
        f"http://127.0.0.1:{port}",
        "/x",
        {"Authorization": f"Bearer {TOKEN}", **headers},
        body,
    )


@pytest.fixture
async def transport() -> AsyncIterator[AsyncioTransport]:
    t = AsyncioTransport(timeouts=Timeouts(connect=2.0, read=5.0))
    yield t
    await t.aclose()


async def settle() -> None:
    """Let the event loop deliver what the other side did (a close, a write)."""
    for _ in range(5):
        await asyncio.sleep(0.01)


async def until(condition: Callable[[], bool]) -> None:
    """Wait until ``condition`` holds (polled: no fixed guess of how long)."""
    for _ in range(10_000):  # the test's timeout comes first
        if condition():
            return
        await asyncio.sleep(0.01)


# keep-alive and the pool


async def test_keeps_one_connection_alive(transport: AsyncioTransport) -> None:
    async with Server() as server:
        for _ in range(5):
            response = await transport.send(req(server.port))
            assert (response.status, response.body) == (200, b'{"id": 1}')
            assert response.headers["content-type"] == "application/json"
        assert server.accepted == 1


class ForeignTransport:
    """A stream transport that is no ``asyncio.Transport`` subclass, as uvloop's are not."""

    def __init__(self, inner: asyncio.BaseTransport) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class Relay(asyncio.Protocol):
    """Hands ``proto`` a :class:`ForeignTransport` and passes every event on."""

    def __init__(self, proto: asyncio.Protocol) -> None:
        self.proto = proto

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.proto.connection_made(ForeignTransport(transport))  # type: ignore[arg-type]

    def data_received(self, data: bytes) -> None:
        self.proto.data_received(data)

    def eof_received(self) -> bool | None:
        return self.proto.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.proto.connection_lost(exc)


async def test_works_on_a_loop_whose_transports_are_not_asyncio_transports(
    transport: AsyncioTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvloop's TCP transports are not ``asyncio.Transport`` subclasses; the client ran on it."""
    loop = asyncio.get_running_loop()
    real = loop.create_connection

    async def create_connection(factory: Callable[[], Any], *args: Any, **kw: Any) -> Any:
        proto = factory()
        sock_transport, _ = await real(lambda: Relay(proto), *args, **kw)
        return sock_transport, proto

    monkeypatch.setattr(loop, "create_connection", create_connection)
    async with Server() as server:
        for _ in range(3):
            response = await transport.send(req(server.port))
            assert (response.status, response.body) == (200, b'{"id": 1}')
        assert server.accepted == 1


async def test_connections_have_tcp_nodelay(transport: AsyncioTransport) -> None:
    async with Server() as server:
        await transport.send(req(server.port))
        (pool,) = transport._pools.values()
        (conn,) = pool.idle
        assert conn.transport is not None
        sock = conn.transport.get_extra_info("socket")
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


async def test_sends_what_http_client_sends(transport: AsyncioTransport) -> None:
    async with Server() as server:
        await transport.send(req(server.port, "POST"))  # no body: Content-Length 0
        await transport.send(req(server.port, "PUT", b'{"a":1}', **{"Content-Type": "x/y"}))
        await transport.send(req(server.port, "GET"))
    post, put, get = server.requests
    assert post.startswith(b"POST /x HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.port}\r\n".encode() in post
    assert b"Accept-Encoding: identity\r\n" in post  # as http.client: no compression asked
    assert b"Content-Length: 0\r\n" in post
    assert f"Authorization: Bearer {TOKEN}\r\n".encode() in post
    assert b"Content-Length: 7\r\n" in put
    assert b"Content-Type: x/y\r\n" in put
    assert b"Content-Length" not in get


async def test_a_line_break_in_a_header_is_refused_without_echoing_it(
    transport: AsyncioTransport,
) -> None:
    async with Server() as server:
        with pytest.raises(ValueError, match="CR or LF") as info:
            await transport.send(req(server.port, **{"X-Evil": "a\r\nX-Injected: 1"}))
        assert "Injected" not in str(info.value)
        assert server.accepted == 0


async def test_an_idle_connection_the_server_closed_is_not_reused(
    transport: AsyncioTransport,
) -> None:
    async with Server(answer_then_hang_up) as server:
        await transport.send(req(server.port))
        await settle()  # the server has hung up by now
        # a POST without a key is safe here: it goes out on a fresh connection, never the dead one
        assert (await transport.send(req(server.port, "POST"))).status == 200
        assert server.accepted == 2


async def test_a_dropped_request_on_a_reused_connection_is_resent_when_safe(
    transport: AsyncioTransport,
) -> None:
    async with Server(answer_then_drop_the_next) as server:
        await transport.send(req(server.port))
        assert (await transport.send(req(server.port))).status == 200  # a GET: sent again, once
        assert server.accepted == 2


async def test_a_dropped_keyless_post_is_not_resent(transport: AsyncioTransport) -> None:
    async with Server(answer_then_drop_the_next) as server:
        await transport.send(req(server.port))
        with pytest.raises(APIConnectionError, match="RemoteDisconnected") as info:
            await transport.send(req(server.port, "POST", b"{}"))
        assert TOKEN not in str(info.value)
        assert server.accepted == 1  # not sent again
        assert (await transport.send(req(server.port))).status == 200  # the next call is fine


async def test_a_dropped_post_with_an_idempotency_key_is_resent(
    transport: AsyncioTransport,
) -> None:
    async with Server(answer_then_drop_the_next) as server:
        await transport.send(req(server.port))
        post = req(server.port, "POST", b"{}", **{"X-Idempotency-Key": "k"})
        assert (await transport.send(post)).status == 200
        assert server.accepted == 2


async def test_a_request_dropped_on_a_fresh_connection_is_not_resent(
    transport: AsyncioTransport,
) -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async with Server(drop) as server:
        with pytest.raises(APIConnectionError, match="RemoteDisconnected"):
            await transport.send(req(server.port))
        assert server.accepted == 1


async def test_32_calls_with_max_connections_4_never_open_more_than_4() -> None:
    release = asyncio.Event()

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(reader):
            await release.wait()  # every connection is busy until all 32 calls are queued
            writer.write(ANSWER)

    transport = AsyncioTransport(max_connections=4)
    async with Server(default=slow) as server:
        calls = [asyncio.create_task(transport.send(req(server.port))) for _ in range(32)]
        await until(lambda: server.open == 4)
        await settle()
        assert server.open == 4  # and no more: 28 calls wait
        release.set()
        responses = await asyncio.gather(*calls)
        assert [r.status for r in responses] == [200] * 32
        assert server.accepted == 4
        assert server.most_open == 4
    await transport.aclose()


async def test_waiting_callers_are_served_in_arrival_order() -> None:
    order: list[int] = []
    release = asyncio.Event()

    async def one_at_a_time(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while request := await read_request(reader):
            await release.wait()
            order.append(int(request.split(b"n=", 1)[1].split(b" ", 1)[0]))
            writer.write(ANSWER)

    transport = AsyncioTransport(max_connections=1)
    async with Server(default=one_at_a_time) as server:
        origin = f"http://127.0.0.1:{server.port}"
        calls = []
        for n in range(6):
            calls.append(
                asyncio.create_task(transport.send(RawRequest("GET", origin, f"/?n={n}", {})))
            )
            await asyncio.sleep(0)
        await settle()
        release.set()
        await asyncio.gather(*calls)
        assert order == list(range(6))
        assert server.accepted == 1
    await transport.aclose()


async def test_a_cancelled_waiter_gives_its_turn_on(transport: AsyncioTransport) -> None:
    transport = AsyncioTransport(max_connections=1)
    release = asyncio.Event()

    async def gated(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(reader):
            await release.wait()
            writer.write(ANSWER)

    async with Server(default=gated) as server:
        first = asyncio.create_task(transport.send(req(server.port)))
        waiting = asyncio.create_task(transport.send(req(server.port)))
        last = asyncio.create_task(transport.send(req(server.port)))
        await settle()
        waiting.cancel()
        release.set()
        assert (await first).status == 200
        assert (await last).status == 200
        assert waiting.cancelled()
        assert server.accepted == 1
    await transport.aclose()


# answers


async def test_chunked_answers_split_anywhere(transport: AsyncioTransport) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
        b'4\r\n{"id\r\n6;ext=1\r\n": 12}\r\n0\r\nX-Trailer: t\r\n\r\n'
    )

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(2):
            await read_request(reader)
            writer.write(chunked)  # all at once
        await read_request(reader)
        for i in range(len(chunked)):  # then one byte at a time
            writer.write(chunked[i : i + 1])
            await writer.drain()
            await asyncio.sleep(0)
        await read_request(reader)
        writer.write(ANSWER)

    async with Server(trickle) as server:
        for _ in range(3):
            response = await transport.send(req(server.port))
            assert response.body == b'{"id": 12}'
            assert response.headers["transfer-encoding"] == "chunked"
        assert (await transport.send(req(server.port))).body == b'{"id": 1}'
        assert server.accepted == 1  # kept alive through chunked answers


async def test_connection_close_and_http_1_0_answers_close_the_socket(
    transport: AsyncioTransport,
) -> None:
    closing = b'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 9\r\n\r\n{"id": 2}'
    old = b'HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\n{"id": 3}'
    until_close = b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{"id": 4}'
    async with Server(
        answering(closing, ANSWER), answering(old, ANSWER), answering(until_close)
    ) as server:
        assert (await transport.send(req(server.port))).body == b'{"id": 2}'
        assert (await transport.send(req(server.port))).body == b'{"id": 3}'
        assert (await transport.send(req(server.port))).body == b'{"id": 4}'  # read to the end
        assert (await transport.send(req(server.port))).body == b'{"id": 1}'
        assert server.accepted == 4
        assert server.closed_by_client == 2  # the client hung up after the first two answers


async def test_no_body_for_head_204_and_304(transport: AsyncioTransport) -> None:
    async with Server(
        answering(
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",  # HEAD: the length, not the body
            b"HTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
            ANSWER,
        )
    ) as server:
        assert (await transport.send(req(server.port, "HEAD"))).body == b""
        assert (await transport.send(req(server.port))).status == 204
        assert (await transport.send(req(server.port))).status == 304
        assert (await transport.send(req(server.port))).body == b'{"id": 1}'
        assert server.accepted == 1


async def test_an_interim_100_continue_is_skipped(transport: AsyncioTransport) -> None:
    async with Server(answering(b"HTTP/1.1 100 Continue\r\n\r\n" + ANSWER)) as server:
        assert (await transport.send(req(server.port))).body == b'{"id": 1}'


async def test_an_http_error_status_is_an_answer_not_an_exception(
    transport: AsyncioTransport,
) -> None:
    answer = b"HTTP/1.1 503 Busy\r\nRetry-After: 1\r\nContent-Length: 2\r\n\r\n{}"
    async with Server(answering(answer)) as server:
        response = await transport.send(req(server.port))
        assert (response.status, response.headers["retry-after"]) == (503, "1")


async def test_a_gzip_answer_is_decoded(transport: AsyncioTransport) -> None:
    body = gzip.compress(b'{"id": 5}')
    answer = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
    async with Server(answering(answer + body)) as server:
        assert (await transport.send(req(server.port))).body == b'{"id": 5}'


async def test_a_gzip_answer_that_does_not_decode_is_a_connection_error(
    transport: AsyncioTransport,
) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope"
    async with Server(answering(answer, ANSWER)) as server:
        with pytest.raises(APIConnectionError, match="error"):
            await transport.send(req(server.port))
        assert (await transport.send(req(server.port))).body == b'{"id": 1}'


async def test_a_body_shorter_than_its_content_length(transport: AsyncioTransport) -> None:
    short = b'HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{"id"'
    async with Server(answering(short)) as server:
        with pytest.raises(APIConnectionError, match="IncompleteRead") as info:
            await transport.send(req(server.port, "PUT", b"{}"))  # idempotent, yet not resent
        assert TOKEN not in str(info.value)
        assert server.accepted == 1
        assert (await transport.send(req(server.port))).status == 200


async def test_a_reset_during_a_read_until_close_body_is_an_error(
    transport: AsyncioTransport,
) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{"id"')  # no length
        await writer.drain()
        await asyncio.sleep(0.05)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # a reset, not an orderly end of the body

    async with Server(reset) as server:
        with pytest.raises(APIConnectionError, match="ConnectionResetError"):
            await transport.send(req(server.port))


async def test_a_garbled_answer_is_a_connection_error(transport: AsyncioTransport) -> None:
    async with Server(answering(b"SMTP ready\r\n\r\n")) as server:
        with pytest.raises(APIConnectionError, match="BadStatusLine"):
            await transport.send(req(server.port))


# timeouts, refusals, cancellation


async def test_read_timeout() -> None:
    never = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await never.wait()

    transport = AsyncioTransport(timeouts=Timeouts(connect=2.0, read=0.2))
    async with Server(silent) as server:
        with pytest.raises(APITimeoutError, match="timed out talking to") as info:
            await transport.send(req(server.port))
        assert TOKEN not in str(info.value)
        assert (await transport.send(req(server.port))).status == 200  # on a fresh connection
        assert server.accepted == 2
        never.set()
    await transport.aclose()


async def test_the_read_timeout_is_per_read_not_per_answer() -> None:
    async def slow_but_steady(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        for i in range(len(ANSWER)):
            writer.write(ANSWER[i : i + 1])
            await asyncio.sleep(0.02)  # 66 reads: far longer in all than the read timeout

    transport = AsyncioTransport(timeouts=Timeouts(connect=2.0, read=0.5))
    async with Server(slow_but_steady) as server:
        assert (await transport.send(req(server.port))).body == b'{"id": 1}'
    await transport.aclose()


async def test_refused_connection(transport: AsyncioTransport) -> None:
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(APIConnectionError, match="cannot connect") as info:
        await transport.send(req(port))
    assert TOKEN not in str(info.value)


async def test_cancelled_mid_answer_then_a_further_call_works(
    transport: AsyncioTransport,
) -> None:
    half_sent = asyncio.Event()

    async def half(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(ANSWER[:-4])  # the head and part of the body, and the rest never
        await writer.drain()
        half_sent.set()
        await read_request(reader)  # returns when the client hangs up

    async with Server(half) as server:
        call = asyncio.create_task(transport.send(req(server.port)))
        await half_sent.wait()
        await settle()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        response = await transport.send(req(server.port))
        assert response.body == b'{"id": 1}'  # not the rest of the first answer
        assert server.accepted == 2  # the half-read connection was not reused
        await until(lambda: server.closed_by_client == 1)  # it was closed


async def test_cancelled_while_waiting_for_a_connection(transport: AsyncioTransport) -> None:
    transport = AsyncioTransport(max_connections=1)
    async with Server() as server:
        calls = [asyncio.create_task(transport.send(req(server.port))) for _ in range(3)]
        calls[1].cancel()
        done = await asyncio.gather(*calls, return_exceptions=True)
        assert isinstance(done[1], asyncio.CancelledError)
        assert [done[0].status, done[2].status] == [200, 200]  # type: ignore[union-attr]
        assert (await transport.send(req(server.port))).status == 200
        assert server.accepted == 1
    await transport.aclose()


async def test_cancellations_at_any_point_never_leak_a_slot_or_a_socket() -> None:
    rng = random.Random(7)
    transport = AsyncioTransport(max_connections=3)

    async def answer_in_pieces(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(reader):
            for piece in (ANSWER[:20], ANSWER[20:60], ANSWER[60:]):
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(0)

    async with Server(default=answer_in_pieces) as server:

        async def cancel_later(task: asyncio.Task[Any], turns: int) -> None:
            for _ in range(turns):
                await asyncio.sleep(0)
            task.cancel()

        answered: list[RawResponse] = []
        cancelled = 0
        for _ in range(40):  # rounds of 6 calls: 3 in flight, 3 waiting; some cancelled anywhere
            calls = [asyncio.create_task(transport.send(req(server.port))) for _ in range(6)]
            killers = [
                asyncio.create_task(cancel_later(call, rng.randrange(30)))
                for call in calls
                if rng.random() < 0.4
            ]
            results = await asyncio.gather(*calls, return_exceptions=True)
            await asyncio.gather(*killers)
            for result in results:
                if isinstance(result, RawResponse):
                    answered.append(result)
                else:
                    assert isinstance(result, asyncio.CancelledError)
                    cancelled += 1
        assert answered
        assert cancelled
        assert all(r.body == b'{"id": 1}' for r in answered)
        assert server.accepted > 3  # some were cancelled mid-answer: their sockets not reused
        (pool,) = transport._pools.values()
        assert pool.active == 0  # every slot came back
        assert not pool.waiters
        assert len(pool.idle) <= 3
        assert all(conn.usable() for conn in pool.idle)
        assert (await transport.send(req(server.port))).body == b'{"id": 1}'
    await transport.aclose()


# TLS


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    certfile, keyfile = make_self_signed_cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    return certfile, context


async def test_tls_with_a_trusted_self_signed_certificate(
    tls_files: tuple[Path, ssl.SSLContext],
) -> None:
    certfile, context = tls_files
    async with Server(tls=context) as server:
        request = RawRequest("GET", server.origin, "/x", {})
        untrusting = AsyncioTransport()
        with pytest.raises(APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            await untrusting.send(request)  # the system's authorities do not know it
        await untrusting.aclose()
        trusting = AsyncioTransport(ca_certs=str(certfile))
        assert (await trusting.send(request)).body == b'{"id": 1}'
        assert (await trusting.send(request)).status == 200
        assert server.accepted == 1  # one kept-alive connection (the refused one never got in)
        await trusting.aclose()


async def test_tls_checks_the_host_name(tls_files: tuple[Path, ssl.SSLContext]) -> None:
    certfile, context = tls_files
    async with Server(tls=context) as server:
        trusting = AsyncioTransport(ca_certs=str(certfile))
        # the certificate names 127.0.0.1 only; "localhost" reaches the same server
        request = RawRequest("GET", f"https://localhost:{server.port}", "/x", {})
        with pytest.raises(APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            await trusting.send(request)
        await trusting.aclose()


# the client over this transport, against the mpqr sandbox


async def test_async_client_uses_this_transport_by_default() -> None:
    async with AsyncClient("tok") as mp:
        assert isinstance(mp._transport, AsyncioTransport)


async def test_async_client_against_the_sandbox(mpqr_sandbox: Any) -> None:
    pytest.importorskip("mpqr.sandbox.testing")
    seller = mpqr_sandbox.seller
    transport = AsyncioTransport(max_connections=4)
    async with AsyncClient(
        seller.access_token,
        base_url=mpqr_sandbox.base_url,
        site_id=seller.site_id,
        transport=transport,
    ) as mp:
        me = await mp.users.me()
        assert me.id == seller.id
        store = await mp.stores.create(
            me.id,
            {
                "name": "Suc",
                "external_id": "SUC1",
                "location": {
                    "street_name": "Caseros",
                    "street_number": "3039",
                    "city_name": "Belgrano",
                    "state_name": "Capital Federal",
                    "latitude": -34.6,
                    "longitude": -58.4,
                },
            },
        )
        results = await asyncio.gather(*(mp.stores.get(store.id) for _ in range(16)))
        assert {s.id for s in results} == {store.id}
        pools = list(transport._pools.values())
        assert len(pools) == 1
        assert len(pools[0].idle) <= 4
