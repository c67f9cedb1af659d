"""A canned HTTP/1.1 server: every request gets the same merchant order JSON, kept alive.

Far cheaper per request than any application server, so a client measured against it shows its own
cost. It binds 127.0.0.1 only and runs in its own process (the load generator never shares a
process or a GIL with it)::

    with CannedServer.start(tls=True) as server:      # python -m mpqr.bench.canned in a child
        ... server.url ...                             # https://127.0.0.1:PORT, server.cafile

For HTTPS a self-signed certificate for 127.0.0.1 is generated at run time (the ``cryptography``
package, a test dependency) and thrown away afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import shutil
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import cast

from mpqr.bench.procs import ServerProcess

__all__ = ["BODY", "CannedServer", "make_self_signed_cert", "response_bytes"]

BODY = json.dumps(
    {
        "id": 19961356837,
        "status": "closed",
        "external_reference": "SALE-000123",
        "preference_id": "1865158750-e089c0ab-be88-4591-9d4f-43fe938a76c7",
        "payments": [
            {
                "id": 81030312426,
                "transaction_amount": 150,
                "total_paid_amount": 150,
                "shipping_cost": 0,
                "currency_id": "BRL",
                "status": "approved",
                "status_detail": "accredited",
                "operation_type": "regular_payment",
                "date_approved": "2024-06-20T20:09:10.000-04:00",
                "date_created": "2024-06-20T20:09:10.000-04:00",
                "last_modified": "2024-06-20T20:09:10.000-04:00",
                "amount_refunded": 0,
            }
        ],
        "shipments": [],
        "payouts": [],
        "collector": {"id": 1865158750, "email": "", "nickname": "TESTUSER97284132"},
        "marketplace": "NONE",
        "notification_url": "https://example.com/mp/ipn",
        "date_created": "2024-06-20T20:07:06.421-04:00",
        "last_updated": "2024-06-20T20:09:10.472-04:00",
        "sponsor_id": None,
        "shipping_cost": 0,
        "total_amount": 150,
        "site_id": "MLB",
        "paid_amount": 150,
        "refunded_amount": 0,
        "payer": {"id": 1862647967, "email": ""},
        "items": [
            {
                "id": "",
                "category_id": "marketplace",
                "currency_id": "BRL",
                "description": "Point Mini",
                "picture_url": None,
                "title": "Point Mini",
                "quantity": 1,
                "unit_price": 150,
            }
        ],
        "cancelled": False,
        "additional_info": "",
        "application_id": None,
        "is_test": True,
        "order_status": "paid",
        "client_id": "4523867654733557",
    },
    separators=(",", ":"),
).encode()


def response_bytes(body: bytes = BODY) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: canned\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class _Canned(asyncio.Protocol):
    """Answers each complete request in the buffer (pipelining included) with the canned bytes."""

    answer = response_bytes()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass of it
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].lower()
            length = 0
            if (at := head.find(b"content-length:")) >= 0:
                length = int(head[at + 15 :].split(b"\r\n", 1)[0])
            if len(self.buffer) < end + 4 + length:
                return  # the body is still coming
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(self.answer)
            if b"connection: close" in head:
                self.transport.close()
                return


async def _serve(port: int, certfile: str | None, keyfile: str | None) -> None:
    context = None
    if certfile:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certfile, keyfile)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Canned, "127.0.0.1", port, ssl=context, backlog=512)
    print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate and key for 127.0.0.1 (PEM files in ``directory``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = directory / "cert.pem", directory / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certfile, keyfile


class CannedServer(ServerProcess):
    """The canned server in a child process; ``url`` and, for TLS, ``cafile`` to trust."""

    def __init__(self, process: subprocess.Popen[str], url: str, tmp: Path | None) -> None:
        self.process = process
        self.url = url
        self._tmp = tmp
        self.cafile = None if tmp is None else str(tmp / "cert.pem")

    @classmethod
    def start(cls, *, tls: bool = False) -> CannedServer:
        tmp = Path(tempfile.mkdtemp(prefix="mpqr-canned-")) if tls else None
        args = [sys.executable, "-m", "mpqr.bench.canned", "--port", "0"]
        if tmp is not None:
            certfile, keyfile = make_self_signed_cert(tmp)
            args += ["--certfile", str(certfile), "--keyfile", str(keyfile)]
        process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)  # noqa: S603
        assert process.stdout is not None
        line = process.stdout.readline().split()
        if len(line) != 2 or line[0] != "LISTENING":
            process.kill()
            raise RuntimeError("the canned server did not start")
        scheme = "https" if tls else "http"
        return cls(process, f"{scheme}://127.0.0.1:{line[1]}", tmp)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="canned merchant-order server (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.certfile, args.keyfile))


if __name__ == "__main__":
    main()
