"""The processes the seller benchmarks drive: ``mpqr sandbox`` and ``mpqr serve``, each in its own
process on a free 127.0.0.1 port, and a throwaway PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from mpqr.bench.procs import free_port

__all__ = [
    "PG_ADMIN_URL",
    "Proc",
    "Stack",
    "postgres_database",
    "rss_mb",
]

PG_ADMIN_URL = os.environ.get("MPQR_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MiB (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


@dataclass
class Proc:
    """One server process whose output goes to a log file."""

    popen: subprocess.Popen[bytes]
    log: Path
    url: str

    @classmethod
    def spawn(cls, args: list[str], log: Path, port: int, env: dict[str, str]) -> Proc:
        with log.open("ab") as out:
            popen = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "mpqr", *args],
                stdout=out,
                stderr=out,
                env={**os.environ, **env},
            )
        return cls(popen, log, f"http://127.0.0.1:{port}")

    async def ready(self, path: str, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while True:
                if self.popen.poll() is not None:
                    raise RuntimeError(f"{self.log.name}: exited; see {self.log}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with http.get(self.url + path) as r:
                        if r.status == 200:
                            return
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.log.name}: not ready in {within:.0f} s")
                await asyncio.sleep(0.1)

    def rss_mb(self) -> float:
        return rss_mb(self.popen.pid)

    def stop(self, kill: bool = False) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)


@dataclass
class Stack:
    """A sandbox and a seller server wired to it, in ``workdir``."""

    workdir: Path
    sandbox: Proc | None = None
    seller: Proc | None = None
    token: str = ""
    user_id: int = 0
    stores: int = 0  # stores made so far (each batch of cashboxes gets its own)
    api_key: str = field(default_factory=lambda: "bench_" + secrets.token_urlsafe(16))

    async def start_sandbox(self) -> None:
        port = free_port()
        log = self.workdir / "sandbox.log"
        args = ["sandbox", "--port", str(port), "--seed", "1"]
        self.sandbox = Proc.spawn(args, log, port, {})
        await self.sandbox.ready("/_sandbox/state")
        text = log.read_text()
        token = re.search(r"access token:\s+(\S+)", text)
        user = re.search(r"user id:\s+(\d+)", text)
        if token is None or user is None:
            raise RuntimeError(f"the sandbox printed no seller; see {log}")
        self.token, self.user_id = token.group(1), int(user.group(1))

    async def start_seller(self, database_url: str, env: dict[str, str] | None = None) -> None:
        assert self.sandbox is not None
        port = free_port()
        args = [
            "serve", "--port", str(port), "--database-url", database_url,
            "--mp-base-url", self.sandbox.url, "--mp-access-token", self.token,
            "--api-key", self.api_key, "--log-level", "warning",
        ]  # fmt: skip
        self.seller = Proc.spawn(args, self.workdir / "seller.log", port, env or {})
        await self.seller.ready("/readyz")

    def stop_seller(self) -> None:
        if self.seller is not None:
            self.seller.stop()
            self.seller = None

    def stop(self) -> None:
        self.stop_seller()
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


@contextlib.asynccontextmanager
async def postgres_database() -> AsyncIterator[str | None]:
    """A throwaway ``mpqr_bench_<random>`` database (its URL), dropped after; None when
    PostgreSQL is unreachable."""
    import asyncpg

    name = f"mpqr_bench_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        yield None
        return
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
