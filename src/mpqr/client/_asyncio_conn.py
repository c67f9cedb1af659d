"""One keep-alive HTTP/1.1 connection of :class:`~mpqr.client._asyncio_http.AsyncioTransport`.

:class:`Connection` is an :class:`asyncio.Protocol` that writes one request at a time and parses
its answer as the bytes arrive (``bytes.find`` and ``split``: status line, headers, then a
``Content-Length``, chunked or read-until-close body), completing one future when the whole
answer is in. The pool, the timeouts of a connect and the resend rule live in the transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import socket
import zlib
from typing import cast

from mpqr.client._core import RawResponse
from mpqr.client._stdlib_http import readable_now

__all__ = ["Connection"]


_MAX_HEAD = 65536  # bytes of status line and headers; a longer head is a broken server
_MAX_LINE = 4096  # a chunk size line or a trailer line

# Where a connection is in reading an answer.
_IDLE, _HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILER, _UNTIL_CLOSE = range(8)


class Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, its answer parsed as it arrives."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float) -> None:
        self.loop = loop
        self.read_timeout = read_timeout
        self.transport: asyncio.Transport | None = None
        self.fd = -1
        self.closed = False  # no further request may use it
        self.keep_alive = True  # the last answer allows another request
        self.received = False  # a byte of the current answer arrived
        self.fut: asyncio.Future[RawResponse] | None = None
        self.head_only = False
        self.state = _IDLE
        self.buf = b""  # an incomplete head or line, kept until more bytes come
        self.status = 0
        self.headers: dict[str, str] = {}
        self.parts: list[bytes] = []
        self.remaining = 0
        self.deadline = 0.0
        self.timer: asyncio.TimerHandle | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # a stream transport, though not always an asyncio.Transport subclass (uvloop's is not)
        self.transport = cast(asyncio.Transport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            self.fd = sock.fileno()
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if self.fut is None:  # nothing was asked: the connection is out of step, never reuse it
            self.abort()
            return
        self.received = True
        if self.buf:
            data, self.buf = self.buf + data, b""
        try:
            self._parse(data)
        except (http.client.HTTPException, ValueError) as exc:
            self._fail(exc)
            return
        if self.fut is not None:  # more to come: the read timeout counts from this read
            self.deadline = self.loop.time() + self.read_timeout

    def eof_received(self) -> bool:
        self._ended(None)
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended(exc)

    # one exchange

    def exchange(self, data: bytes, head_only: bool) -> asyncio.Future[RawResponse]:
        """Send one request's bytes; the future gets the whole answer or the error."""
        assert self.transport is not None
        fut = self.fut = self.loop.create_future()
        if self.closed:  # the server hung up before the request could go out
            self.fut = None
            fut.set_exception(
                http.client.RemoteDisconnected("Remote end closed connection without response")
            )
            return fut
        self.head_only = head_only
        self.received = False
        self.state = _HEAD
        self.deadline = self.loop.time() + self.read_timeout
        self.timer = self.loop.call_at(self.deadline, self._on_timer)
        try:
            self.transport.write(data)
        except Exception as exc:  # whatever it is, this call failed, not the event loop
            self._fail(exc)
        return fut

    def usable(self) -> bool:
        """True if an idle connection can carry a request: the server neither closed nor wrote."""
        if self.closed or not self.keep_alive:
            return False
        return not readable_now(self.fd)

    def abort(self) -> None:
        """Close now, whatever is in flight (the caller no longer waits for it)."""
        self.closed = True
        self.fut = None
        self.state = _IDLE
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.transport is not None:
            with contextlib.suppress(RuntimeError):  # its event loop is closed already
                self.transport.abort()

    def _ended(self, exc: Exception | None) -> None:
        """The server closed the connection (or it broke), maybe in the middle of an answer."""
        self.closed = True
        if self.fut is None:
            return
        if self.state == _UNTIL_CLOSE and exc is None:  # the end of the body is the end of it all
            self._complete(b"".join(self.parts))
        elif exc is not None:  # a reset or broken pipe before any answer is a stale connection
            self._fail(exc)
        elif not self.received:
            self._fail(
                http.client.RemoteDisconnected("Remote end closed connection without response")
            )
        elif self.state == _HEAD:
            self._fail(http.client.IncompleteRead(self.buf))
        else:
            partial = b"".join(self.parts)
            expected = self.remaining if self.state == _LENGTH else None
            self._fail(http.client.IncompleteRead(partial, expected))

    def _on_timer(self) -> None:
        self.timer = None
        if self.fut is None:
            return
        if self.loop.time() < self.deadline:  # bytes came since: wait for the rest
            self.timer = self.loop.call_at(self.deadline, self._on_timer)
            return
        self._fail(TimeoutError(f"no answer within {self.read_timeout} s"))

    def _complete(self, body: bytes) -> None:
        fut = self.fut
        self.fut = None
        self.state = _IDLE
        self.parts = []
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if fut is None or fut.done():
            return
        headers = self.headers
        encoding = headers.get("content-encoding")
        if encoding is not None and body:
            try:
                body = _decode(encoding, body)
            except zlib.error as exc:
                self.keep_alive = False
                fut.set_exception(exc)
                return
        fut.set_result(RawResponse(self.status, headers, body))

    def _fail(self, exc: BaseException) -> None:
        fut = self.fut
        self.abort()
        if fut is not None and not fut.done():
            fut.set_exception(exc)

    # parsing

    def _parse(self, data: bytes) -> None:
        pos = 0
        end = len(data)
        while pos < end:
            state = self.state
            if state == _HEAD:
                stop = data.find(b"\r\n\r\n", pos)
                if stop < 0:
                    if end - pos > _MAX_HEAD:
                        raise http.client.LineTooLong("header section")
                    self.buf = data[pos:]
                    return
                self._head(data[pos:stop].decode("latin-1"))
                pos = stop + 4
            elif state == _LENGTH:
                take = min(self.remaining, end - pos)
                self.parts.append(data if take == end and pos == 0 else data[pos : pos + take])
                pos += take
                self.remaining -= take
                if not self.remaining:
                    parts = self.parts
                    self._complete(parts[0] if len(parts) == 1 else b"".join(parts))
            elif state == _UNTIL_CLOSE:
                self.parts.append(data[pos:])
                return
            elif state == _IDLE:  # bytes after a complete answer: the connection is out of step
                self.keep_alive = False
                return
            else:
                pos = self._chunked(state, data, pos, end)
                if pos < 0:
                    return

    def _chunked(self, state: int, data: bytes, pos: int, end: int) -> int:
        """One step of a chunked body from ``pos``: where the next step starts (-1: the rest
        of ``data`` is kept until more arrives)."""
        if state == _CHUNK_SIZE:
            stop = data.find(b"\r\n", pos)
            if stop < 0:
                self._keep(data, pos)
                return -1
            size = data[pos:stop].split(b";", 1)[0].strip()
            if not size or size.strip(b"0123456789abcdefABCDEF") or len(size) > 16:
                raise ValueError("bad chunk size line")
            self.remaining = int(size, 16)
            self.state = _CHUNK_DATA if self.remaining else _TRAILER
            return stop + 2
        if state == _CHUNK_DATA:
            take = min(self.remaining, end - pos)
            self.parts.append(data[pos : pos + take])
            self.remaining -= take
            if not self.remaining:
                self.state = _CHUNK_END
            return pos + take
        if state == _CHUNK_END:
            if end - pos < 2:
                self._keep(data, pos)
                return -1
            if data[pos : pos + 2] != b"\r\n":
                raise ValueError("a chunk does not end with CRLF")
            self.state = _CHUNK_SIZE
            return pos + 2
        stop = data.find(b"\r\n", pos)  # _TRAILER
        if stop < 0:
            self._keep(data, pos)
            return -1
        if stop == pos:  # the empty line: the answer is complete
            self._complete(b"".join(self.parts))
        return stop + 2  # past the empty line, or past a trailer field (not kept)

    def _keep(self, data: bytes, pos: int) -> None:
        if len(data) - pos > _MAX_LINE:
            raise http.client.LineTooLong("chunk size or trailer line")
        self.buf = data[pos:]

    def _head(self, head: str) -> None:
        version, status, headers = _status_and_headers(head)
        if 100 <= status < 200:  # an interim answer (100 Continue...): the real one follows
            if status == 101:
                raise http.client.HTTPException("unexpected 101 Switching Protocols")
            return
        self.status = status
        self.headers = headers
        connection = headers.get("connection")
        self.keep_alive = version == "HTTP/1.1" and not (
            connection is not None and "close" in _tokens(connection)
        )
        self.parts = []
        if self.head_only or status in (204, 304):
            self._complete(b"")
            return
        self._framing(headers)

    def _framing(self, headers: dict[str, str]) -> None:
        """How the body ends: chunked, a Content-Length, or the connection's close."""
        coding = headers.get("transfer-encoding")
        if coding is not None:
            if _tokens(coding)[-1:] != ["chunked"]:
                self.keep_alive = False
                self.state = _UNTIL_CLOSE
                return
            if "content-length" in headers:  # both: chunked wins, and the connection is closed
                self.keep_alive = False
            self.state = _CHUNK_SIZE
            return
        length = headers.get("content-length")
        if length is None:
            self.keep_alive = False
            self.state = _UNTIL_CLOSE
            return
        values = {v.strip() for v in length.split(",")}
        size = values.pop() if len(values) == 1 else ""
        if not (size.isascii() and size.isdigit()):
            raise http.client.HTTPException("bad Content-Length")
        self.remaining = int(size)
        if self.remaining:
            self.state = _LENGTH
        else:
            self._complete(b"")


def _status_and_headers(head: str) -> tuple[str, int, dict[str, str]]:
    """The HTTP version, the status and the headers (names lower-cased, repeats joined)."""
    lines = head.split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if (
        not version.startswith("HTTP/")
        or not (code.isascii() and code.isdigit())
        or rest[3:4] not in ("", " ")
    ):
        raise http.client.BadStatusLine(lines[0][:40])
    headers: dict[str, str] = {}
    name = ""
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and name:  # an obsolete folded continuation
            headers[name] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise http.client.HTTPException("a header line without a colon")
        name = name.strip().lower()
        value = value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return version, int(code), headers


def _tokens(value: str) -> list[str]:
    return [token.strip().lower() for token in value.split(",")]


def _decode(encoding: str, body: bytes) -> bytes:
    coding = encoding.strip().lower()
    if coding in ("gzip", "x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if coding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
    return body  # identity, or an encoding left to the caller
