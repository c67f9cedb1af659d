"""The ceiling: a bare Starlette app on uvicorn, in its own process, answering one fixed JSON body.

It runs with the same uvicorn settings as ``mpqr sandbox`` (:data:`mpqr.sandbox.cli.UVICORN`), so
the sandbox's ``GET /merchant_orders/{id}`` measured against it shows what the sandbox's own stack
costs on top of the server::

    with Ceiling.start(body) as ceiling:       # python -m mpqr.bench.ceiling in a child
        ... ceiling.url + "/merchant_orders/1" ...
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from mpqr.bench.procs import ServerProcess

__all__ = ["Ceiling", "create_app"]


def create_app(body: bytes) -> object:
    """One route, ``GET /merchant_orders/{id}``, answering ``body`` as JSON."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def merchant_order(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/merchant_orders/{merchant_order_id}", merchant_order)])


class Ceiling(ServerProcess):
    """The ceiling app in a child process; ``url`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, body_file: Path) -> None:
        self.process = process
        self.url = url
        self._body_file = body_file

    @classmethod
    def start(cls, body: bytes, *, timeout: float = 20.0) -> Ceiling:
        from mpqr.bench.procs import free_port, wait_for_http

        handle, name = tempfile.mkstemp(prefix="mpqr-ceiling-", suffix=".json")
        os.write(handle, body)
        os.close(handle)
        # A port, not an inherited socket: uvicorn takes a passed descriptor for a Unix socket,
        # and asyncio then leaves Nagle's algorithm on (40 ms stalls with delayed ACKs).
        port = free_port()
        args = [sys.executable, "-m", "mpqr.bench.ceiling", "--port", str(port), "--body", name]
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        ceiling = cls(process, url, Path(name))
        try:
            wait_for_http(url + "/merchant_orders/1", process, timeout)
        except BaseException:
            ceiling.stop()
            raise
        return ceiling

    def stop(self) -> None:
        from mpqr.bench.procs import stop_process

        stop_process(self.process)
        self._body_file.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    from mpqr.sandbox.cli import UVICORN

    parser = argparse.ArgumentParser(description="bare Starlette ceiling app (127.0.0.1)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", required=True, help="file holding the JSON body to answer")
    args = parser.parse_args(argv)
    app = create_app(Path(args.body).read_bytes())
    uvicorn.run(app, host="127.0.0.1", port=args.port, **UVICORN)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
