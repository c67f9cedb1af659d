"""An HTTP load generator that runs in its own process(es), never in the server's.

Two modes over the same request mix (``paths`` are taken in turn):

- **fixed concurrency** (``rate=None``): ``concurrency`` workers each send a request, wait for the
  answer and send the next; the figure is the throughput the server sustains (its ceiling);
- **fixed rate** (``rate=R``): requests are *scheduled* at ``R`` per second whatever the server
  does, with at most ``concurrency`` in flight; each latency counts from the request's scheduled
  time, so a server that falls behind shows it in the tail (no coordinated omission).

::

    from mpqr.bench.loadgen import LoadSpec, run_load

    result = run_load(LoadSpec(url="http://127.0.0.1:8080", paths=("/merchant_orders/1",),
                               headers={"Authorization": "Bearer T"}, seconds=3))
    result.rate, result.percentile(50), result.percentile(99), result.errors

:func:`run_load` starts ``processes`` children (``python -m mpqr.bench.loadgen``), hands each its
share of the concurrency and rate as JSON on stdin, starts them together, and merges what they
report. Every child uses aiohttp with as many connections as it has requests in flight. Any
answer other than ``expect_status`` counts as an error (its latency is not kept).
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

__all__ = ["LoadResult", "LoadSpec", "percentile", "run_load"]


@dataclass(frozen=True)
class LoadSpec:
    """What to send: ``method`` to ``url`` + each of ``paths`` in turn, for ``seconds``."""

    url: str
    paths: tuple[str, ...] = ("/",)
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    concurrency: int = 32
    rate: float | None = None
    seconds: float = 3.0
    warmup: float = 0.5
    expect_status: int = 200
    processes: int = 1


@dataclass(frozen=True)
class LoadResult:
    """Completed requests, errors and the sorted latencies (ms) of the successful ones."""

    requests: int
    errors: int
    seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, p)


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 < p ≤ 100) of ascending values; NaN when empty."""
    if not sorted_values:
        return math.nan
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {p}")
    rank = math.ceil(p / 100 * len(sorted_values))
    return sorted_values[max(rank, 1) - 1]


def merge(results: Sequence[LoadResult]) -> LoadResult:
    """One result from several children that ran over the same window."""
    latencies = sorted(value for result in results for value in result.latencies_ms)
    return LoadResult(
        requests=sum(result.requests for result in results),
        errors=sum(result.errors for result in results),
        seconds=max((result.seconds for result in results), default=0.0),
        latencies_ms=tuple(latencies),
    )


def _shares(spec: LoadSpec) -> list[LoadSpec]:
    count = max(1, min(spec.processes, spec.concurrency))
    shares = []
    for index in range(count):
        concurrency = spec.concurrency // count + (1 if index < spec.concurrency % count else 0)
        rate = None if spec.rate is None else spec.rate / count
        shares.append(replace(spec, concurrency=concurrency, rate=rate, processes=1))
    return shares


def run_load(spec: LoadSpec, *, timeout: float | None = None) -> LoadResult:
    """Run ``spec`` in ``spec.processes`` child processes and merge their results."""
    children = []
    for share in _shares(spec):
        child = subprocess.Popen(
            [sys.executable, "-m", "mpqr.bench.loadgen"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None
        child.stdin.write(json.dumps(asdict(share)) + "\n")
        child.stdin.flush()
        children.append(child)
    limit = timeout if timeout is not None else spec.warmup + spec.seconds + 60
    results = []
    try:
        for child in children:
            assert child.stdin is not None
            assert child.stdout is not None
            if child.stdout.readline().strip() != "READY":
                raise RuntimeError("a load generator did not start")
        for child in children:  # all start together: "GO" once every child is ready
            assert child.stdin is not None
            child.stdin.write("GO\n")
            child.stdin.close()
        for child in children:
            assert child.stdout is not None
            out = child.stdout.read()
            if child.wait(limit) != 0:
                raise RuntimeError(f"a load generator failed (exit {child.returncode})")
            results.append(_result(json.loads(out)))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    return merge(results)


def _result(data: dict[str, object]) -> LoadResult:
    requests, errors, seconds, latencies = (
        data["requests"],
        data["errors"],
        data["seconds"],
        data["latencies_ms"],
    )
    assert isinstance(requests, int)
    assert isinstance(errors, int)
    assert isinstance(seconds, int | float)
    assert isinstance(latencies, list)
    return LoadResult(requests, errors, float(seconds), tuple(latencies))


class _Run:
    """One child's loop: counts and latencies inside the measured window only."""

    def __init__(self, spec: LoadSpec) -> None:
        self.spec = spec
        self.paths = [spec.url.rstrip("/") + path for path in spec.paths]
        self.next_path = 0
        self.start = self.end = 0.0
        self.requests = self.errors = 0
        self.latencies: list[float] = []

    def url(self) -> str:
        url = self.paths[self.next_path]
        self.next_path = (self.next_path + 1) % len(self.paths)
        return url

    async def send(self, session: object, since: float) -> None:
        import aiohttp

        assert isinstance(session, aiohttp.ClientSession)
        ok = False
        try:
            async with session.request(self.spec.method, self.url(), data=self.spec.body) as answer:
                await answer.read()
                ok = answer.status == self.spec.expect_status
        except (TimeoutError, aiohttp.ClientError, OSError):
            ok = False
        done = time.perf_counter()
        if self.start <= done <= self.end:  # what completes inside the measured window
            if ok:
                self.requests += 1
                self.latencies.append((done - since) * 1000)
            else:
                self.errors += 1

    async def closed_loop(self, session: object) -> None:
        async def worker() -> None:
            while (now := time.perf_counter()) < self.end:
                await self.send(session, now)

        await asyncio.gather(*(worker() for _ in range(self.spec.concurrency)))

    async def open_loop(self, session: object, rate: float) -> None:
        slots = asyncio.Semaphore(self.spec.concurrency)
        tasks: set[asyncio.Task[None]] = set()
        origin = time.perf_counter()
        index = 0

        async def one(scheduled: float) -> None:
            async with slots:
                await self.send(session, scheduled)

        while (scheduled := origin + index / rate) < self.end:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(scheduled))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            index += 1
        if tasks:
            await asyncio.wait(tasks)

    async def run(self) -> dict[str, object]:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=self.spec.concurrency, force_close=False)
        timeout = aiohttp.ClientTimeout(total=30)
        headers = self.spec.headers
        async with aiohttp.ClientSession(
            connector=connector, headers=headers, timeout=timeout
        ) as session:
            print("READY", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            self.start = time.perf_counter() + self.spec.warmup
            self.end = self.start + self.spec.seconds
            if self.spec.rate is None:
                await self.closed_loop(session)
            else:
                await self.open_loop(session, self.spec.rate)
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": self.spec.seconds,
            "latencies_ms": sorted(self.latencies),
        }


def main() -> None:
    """The child: read a :class:`LoadSpec` as JSON, say READY, wait for GO, report JSON."""
    data = json.loads(sys.stdin.readline())
    data["paths"] = tuple(data["paths"])
    spec = LoadSpec(**data)
    print(json.dumps(asyncio.run(_Run(spec).run())), flush=True)


if __name__ == "__main__":
    main()
