"""Test kit of the client tests: a tiny recording HTTP server on 127.0.0.1, and client helpers.

The server records each request and replies with scripted answers. :class:`Api` drives a Client or
an AsyncClient through the same calls, so one test body covers both twins.
"""

from __future__ import annotations

import json
import random
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mpqr.client import AsyncClient, Client, RetryPolicy, Timeouts


@dataclass(frozen=True)
class Recorded:
    method: str
    target: str  # raw path + query as sent on the wire
    headers: dict[str, str]  # lower-case names
    body: bytes
    peer: tuple[str, int] = ("", 0)  # the client's address: same port = same pooled connection

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # accept the request and never answer


class _Server(ThreadingHTTPServer):
    # A client sends up to 100 requests at once; with the default backlog of 5 the kernel drops the
    # extra connection attempts and they are retried after 1, 3, 7 and 15 s.
    request_queue_size = 128


class MPServer:
    """Scripted answers are used in order; when none is left, ``default`` answers."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.default = Reply()
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self.release = threading.Event()  # set at shutdown so hanging handlers end
        self._httpd = _Server(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def reply(
        self,
        status: int = 200,
        json_body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        hang: bool = False,
    ) -> None:
        body = (
            raw
            if raw is not None
            else (b"" if json_body is None else json.dumps(json_body).encode())
        )
        with self._lock:
            for _ in range(times):
                self._replies.append(Reply(status, body, dict(headers or {}), hang))

    def next_reply(self) -> Reply:
        with self._lock:
            return self._replies.popleft() if self._replies else self.default

    def record(self, request: Recorded) -> None:
        with self._lock:
            self.requests.append(request)

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    def start(self) -> MPServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler(server: MPServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the pooled clients expect
        disable_nagle_algorithm = True  # headers and body are separate writes

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            peer = (str(self.client_address[0]), int(self.client_address[1]))
            server.record(Recorded(self.command, self.path, headers, body, peer))
            reply = server.next_reply()
            if reply.hang:
                server.release.wait(10)
                self.close_connection = True
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.body:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


TOKEN = "APP_USR-4815162342-112233-0a1b2c3d4e5f60718293a4b5c6d7e8f9-123456789"


class Api:
    """Drives a Client or an AsyncClient through the same calls, so one test covers both."""

    def __init__(self, client: Client | AsyncClient, sleeps: list[float]) -> None:
        self.client = client
        self.is_async = isinstance(client, AsyncClient)
        self.sleeps = sleeps

    def _resolve(self, dotted: str) -> Any:
        target: Any = self.client
        for part in dotted.split("."):
            target = getattr(target, part)
        return target

    async def __call__(self, dotted: str, *args: Any, **kwargs: Any) -> Any:
        result = self._resolve(dotted)(*args, **kwargs)
        return await result if self.is_async else result

    async def collect(self, dotted: str, **kwargs: Any) -> list[Any]:
        iterator = self._resolve(dotted)(**kwargs)
        if self.is_async:
            return [item async for item in iterator]
        return list(iterator)


def make_client(
    kind: str, base_url: str, sleeps: list[float], **kwargs: Any
) -> Client | AsyncClient:
    kwargs.setdefault("retry", RetryPolicy(max_retries=3))
    kwargs.setdefault("rng", random.Random(7))
    kwargs.setdefault("timeouts", Timeouts(connect=2.0, read=5.0))
    if kind == "sync":
        return Client(TOKEN, base_url=base_url, sleep=sleeps.append, **kwargs)

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    return AsyncClient(TOKEN, base_url=base_url, sleep=sleep, **kwargs)


async def close(client: Client | AsyncClient) -> None:
    if isinstance(client, AsyncClient):
        await client.aclose()
    else:
        client.close()
