"""The sync client's default transport (http.client, pooled): reuse, stale connections, TLS."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mpqr.bench.canned import make_self_signed_cert
from mpqr.client import RawRequest, StdlibTransport
from mpqr.errors import APIConnectionError

ANSWER = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"id": 1}'
CLOSING = (
    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\n"
    b'Content-Length: 9\r\n\r\n{"id": 2}'
)


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data


class ScriptedServer:
    """Each accepted connection runs the next script: (conn) -> None."""

    def __init__(self, *scripts: Callable[[socket.socket], None]) -> None:
        self.scripts = list(scripts)
        self.accepted = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.scripts:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            script = self.scripts.pop(0)
            threading.Thread(target=self._serve, args=(conn, script), daemon=True).start()

    @staticmethod
    def _serve(conn: socket.socket, script: Callable[[socket.socket], None]) -> None:
        with conn:
            script(conn)

    def close(self) -> None:
        self.sock.close()


def answer_then_hang_up(conn: socket.socket) -> None:
    read_request(conn)
    conn.sendall(ANSWER)  # keep-alive by HTTP/1.1 default ... then the server closes it


def answer_then_drop_the_next(conn: socket.socket) -> None:
    read_request(conn)
    conn.sendall(ANSWER)
    read_request(conn)  # the next request arrives, and the server goes away without answering


def answer_forever(conn: socket.socket) -> None:
    while read_request(conn):
        conn.sendall(ANSWER)


def get(port: int, method: str = "GET", **headers: str) -> RawRequest:
    return RawRequest(method, f"http://127.0.0.1:{port}", "/x", {"Accept": "*/*", **headers})


@pytest.fixture
def transport() -> Iterator[StdlibTransport]:
    t = StdlibTransport()
    yield t
    t.close()


def test_keeps_one_connection_alive(transport: StdlibTransport) -> None:
    server = ScriptedServer(answer_forever)
    for _ in range(5):
        response = transport.send(get(server.port))
        assert (response.status, response.body) == (200, b'{"id": 1}')
        assert response.headers["content-type"] == "application/json"
    assert server.accepted == 1
    server.close()


def test_an_idle_connection_the_server_closed_is_not_reused(transport: StdlibTransport) -> None:
    server = ScriptedServer(answer_then_hang_up, answer_forever)
    transport.send(get(server.port))
    threading.Event().wait(0.05)  # the server has hung up by now
    assert transport.send(get(server.port)).status == 200
    assert server.accepted == 2
    server.close()


def test_a_dropped_request_on_a_reused_connection_is_resent_when_safe(
    transport: StdlibTransport,
) -> None:
    server = ScriptedServer(answer_then_drop_the_next, answer_forever)
    transport.send(get(server.port))
    assert transport.send(get(server.port)).status == 200  # a GET: sent again, once
    assert server.accepted == 2
    server.close()


def test_a_dropped_keyless_post_is_not_resent(transport: StdlibTransport) -> None:
    server = ScriptedServer(answer_then_drop_the_next, answer_forever)
    transport.send(get(server.port))
    with pytest.raises(APIConnectionError, match="RemoteDisconnected"):
        transport.send(get(server.port, "POST"))
    server.close()


def test_a_dropped_post_with_an_idempotency_key_is_resent(transport: StdlibTransport) -> None:
    server = ScriptedServer(answer_then_drop_the_next, answer_forever)
    transport.send(get(server.port))
    assert transport.send(get(server.port, "POST", **{"X-Idempotency-Key": "k"})).status == 200
    server.close()


def test_connection_close_is_honoured(transport: StdlibTransport) -> None:
    def closing(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(CLOSING)

    server = ScriptedServer(closing, answer_forever)
    assert transport.send(get(server.port)).body == b'{"id": 2}'
    assert transport.send(get(server.port)).body == b'{"id": 1}'
    assert server.accepted == 2
    server.close()


def test_refused_connection(transport: StdlibTransport) -> None:
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(APIConnectionError, match="cannot connect"):
        transport.send(get(port))


def test_tls_with_a_trusted_self_signed_certificate(tmp_path: Path) -> None:
    certfile, keyfile = make_self_signed_cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    raw = socket.create_server(("127.0.0.1", 0))
    port = raw.getsockname()[1]

    def serve() -> None:
        for _ in range(2):
            conn, _ = raw.accept()
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    answer_forever(tls)
            except (ssl.SSLError, OSError):
                pass  # the untrusting client hung up during the handshake

    threading.Thread(target=serve, daemon=True).start()
    request = RawRequest("GET", f"https://127.0.0.1:{port}", "/x", {})
    with pytest.raises(APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        StdlibTransport().send(request)  # the system's authorities do not know it
    trusting = StdlibTransport(ca_certs=str(certfile))
    assert trusting.send(request).body == b'{"id": 1}'
    assert trusting.send(request).status == 200
    trusting.close()
    raw.close()
