"""The seller server under test: ``mpqr serve`` in its own process, killed with SIGKILL and
restarted on the same port and database, with a crash point armed per life."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mpqr.seller.crash import POINTS

__all__ = ["CRASH_ORDER", "SellerProcess"]

# The order lives are armed in: recover.after_call needs an interrupted create before it.
CRASH_ORDER = (
    "create.after_call",
    "recover.after_call",
    "cancel.after_call",
    "refund.after_call",
    "apply.after_call",
    "apply.before_commit",
    "unmatched_refund.after_call",
)
assert set(CRASH_ORDER) == POINTS


@dataclass
class SellerProcess:
    """One seller server at a time on ``port``; every start appends its stderr to ``log``."""

    args: list[str]
    env: dict[str, str]
    port: int
    log: Path
    crash_points: list[str] = field(default_factory=list)  # still to fire, in order
    kills: int = 0  # SIGKILLs sent by the chaos run
    crashes: list[str] = field(default_factory=list)  # crash points that fired
    starts: int = 0
    _proc: subprocess.Popen[bytes] | None = None
    _armed: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._armed = self.crash_points[0] if self.crash_points else ""
        env = {**os.environ, **self.env, "MPQR_CRASH_POINTS": self._armed}
        with self.log.open("ab") as out:
            self._proc = subprocess.Popen(  # noqa: S603, ASYNC220 - our interpreter; returns at once
                [sys.executable, "-m", "mpqr", "serve", "--port", str(self.port), *self.args],
                env=env,
                stdout=out,
                stderr=out,
            )
        self.starts += 1
        await self._ready()

    async def _ready(self, within: float = 300.0) -> None:  # a loaded machine starts slowly
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                try:
                    if (await client.get(f"{self.url}/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if self._proc is not None and self._proc.poll() is not None:
                    self._record_death()
                    return  # it died while starting (a crash point in start-up recovery)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"mpqr serve did not start; see {self.log}")
                await asyncio.sleep(0.1)

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def kill(self) -> None:
        """``kill -9``: nothing runs after it, no shutdown, no commit. The armed crash point
        stays armed for the next life (it did not fire)."""
        if self.alive():
            assert self._proc is not None
            self._proc.send_signal(signal.SIGKILL)
            self._proc.wait(10)
            self.kills += 1
            self._proc = None

    def check(self) -> bool:
        """True if the process died by itself (a crash point fired) since the last look; an
        exit that no crash point explains is an error of the server under test."""
        if self._proc is None or self._proc.poll() is None:
            return False
        if self._proc.returncode != -signal.SIGKILL or not self._armed:
            code = self._proc.returncode
            self._proc = None
            raise RuntimeError(f"mpqr serve exited with {code}; see {self.log}")
        self._record_death()
        return True

    def _record_death(self) -> None:
        if self._armed and self.crash_points and self.crash_points[0] == self._armed:
            self.crashes.append(self.crash_points.pop(0))
        self._armed = ""
        self._proc = None

    def stop(self) -> None:
        if self.alive():
            assert self._proc is not None
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)
        self._proc = None
