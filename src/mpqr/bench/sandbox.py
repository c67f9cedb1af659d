"""The sandbox's figures: its ``GET /merchant_orders/{id}`` against the bare Starlette ceiling, and
whole flows (create order → scan → pay → notification delivered).

The sandbox runs as ``mpqr sandbox`` does, in its own process (:class:`SandboxProcess`); the load
comes from :mod:`mpqr.bench.loadgen` children and the flows from :mod:`mpqr.bench.flows`, another
child. :func:`measure_sandbox` returns the keys of ``mpqr bench --json`` without the ``sandbox.``
prefix:

- ``ceiling_req_per_s``: the bare Starlette app answering the same merchant-order body, on uvicorn
  with ``mpqr sandbox``'s settings, 32 requests in flight;
- ``get_merchant_order_req_per_s``: the sandbox, same load;
- ``get_merchant_order_p99_ms``: its p99 at a fixed rate of half what it sustained, and
  ``ceiling_p99_ms`` the ceiling's at the same rate (what the machine alone adds to the tail);
- ``ceiling_cpu_ms``, ``get_merchant_order_cpu_ms``: the server process's CPU time per request
  under that load (from /proc; approximate, but unlike the rates it holds when other work shares
  the machine's two cores);
- ``flows_per_s``: complete flows per second, 16 cashboxes at once, each flow ending when the
  payment's notification reached a receiver;
- ``flow_ms_fresh`` and ``flow_ms_after_history``: the mean cost of one flow (one cashbox at a
  time), ended by the searches a seller reconciles with (merchant orders and payments by
  ``external_reference``), on a fresh sandbox and on one with 3,000 flows behind it (200 quick),
  in alternating slices of 40 flows: it must not grow with history.

Ceiling and sandbox are measured in alternating slices and each figure is the median of its slices,
so a load spike on a shared machine does not land on one of them only.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from mpqr.bench.ceiling import Ceiling
from mpqr.bench.loadgen import LoadSpec, run_load
from mpqr.bench.procs import (
    ServerProcess,
    cpu_seconds,
    free_port,
    stop_process,
    wait_for_http,
)

__all__ = ["SandboxProcess", "measure_sandbox"]

IN_FLIGHT = 32


class SandboxProcess(ServerProcess):
    """``mpqr sandbox`` in a child process, with the seller, token and cashbox it printed."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log
        text = log.read_text()
        self.token = _printed(text, r"access token:\s+(\S+)")
        self.user_id = int(_printed(text, r"user id:\s+(\d+)"))

    @classmethod
    def start(cls, *, timeout: float = 30.0) -> SandboxProcess:
        port = free_port()
        log = Path(tempfile.mkstemp(prefix="mpqr-bench-sandbox-", suffix=".log")[1])
        args = [sys.executable, "-m", "mpqr", "sandbox", "--port", str(port), "--seed", "1"]
        with log.open("wb") as out:  # a file, not a pipe: nothing has to drain the access log
            process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(url + "/_sandbox/clock", process, timeout)
            return cls(process, url, log)
        except BaseException:
            stop_process(process)
            raise

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """One JSON call as the seller; the decoded answer (``None`` for an empty body)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 (loopback http only)
            self.url + path, data=data, method=method, headers=self.headers()
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            raw = answer.read()
        return json.loads(raw) if raw else None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def stop(self) -> None:
        stop_process(self.process)
        self.log.unlink(missing_ok=True)


def _printed(text: str, pattern: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"mpqr sandbox did not print {pattern!r}")
    return found.group(1)


def paid_merchant_order(sandbox: SandboxProcess) -> int:
    """Put an order on the sandbox's cashbox, scan and pay it; the merchant order's id."""
    path = f"/instore/qr/seller/collectors/{sandbox.user_id}/pos/CAJA1/orders"
    sandbox.call("PUT", path, order_body("BENCH-MO", "http://127.0.0.1:9/hook"))
    selector = {"user_id": sandbox.user_id, "external_pos_id": "CAJA1"}
    paid = sandbox.call("POST", "/_sandbox/pay", selector)
    mo_id: int = paid["merchant_order"]["id"]
    return mo_id


def order_body(reference: str, notification_url: str, total: int = 150) -> dict[str, Any]:
    """An instore v2 order of one item (the body ``PUT .../orders`` takes)."""
    item = {
        "sku_number": "SKU-1",
        "category": "marketplace",
        "title": "Point Mini",
        "unit_price": total,
        "quantity": 1,
        "unit_measure": "unit",
        "total_amount": total,
    }
    return {
        "external_reference": reference,
        "title": "Point Mini",
        "description": "Point Mini",
        "notification_url": notification_url,
        "total_amount": total,
        "items": [item],
    }


def _get_load(url: str, sandbox: SandboxProcess, path: str, seconds: float) -> LoadSpec:
    return LoadSpec(
        url=url, paths=(path,), headers=sandbox.headers(), concurrency=IN_FLIGHT, seconds=seconds
    )


def _get_figures(
    sandbox: SandboxProcess, quick: bool, progress: Callable[[str], None]
) -> dict[str, float]:
    path = f"/merchant_orders/{paid_merchant_order(sandbox)}"
    body = urllib.request.urlopen(  # noqa: S310 (loopback http only)
        urllib.request.Request(sandbox.url + path, headers=sandbox.headers())  # noqa: S310
    ).read()
    rounds, seconds = (1, 1.0) if quick else (3, 3.0)
    runs: dict[str, list[tuple[float, float | None]]] = {"ceiling": [], "sandbox": []}
    tails: dict[str, list[float]] = {"ceiling": [], "sandbox": []}
    with Ceiling.start(body) as ceiling:
        servers = {
            "ceiling": (ceiling.url, ceiling.process.pid),
            "sandbox": (sandbox.url, sandbox.process.pid),
        }
        for index in range(rounds):
            progress(f"sandbox: GET /merchant_orders/{{id}} vs the ceiling, round {index + 1}")
            for name, (url, pid) in servers.items():
                runs[name].append(_measured(url, pid, sandbox, path, seconds))
        rate = statistics.median(r for r, _ in runs["sandbox"])
        progress(f"sandbox: GET /merchant_orders/{{id}} p99 at {rate / 2:.0f} req/s, both servers")
        for _ in range(rounds):
            for name, (url, _pid) in servers.items():
                spec = replace(_get_load(url, sandbox, path, 2 * seconds), rate=rate / 2)
                tails[name].append(run_load(spec).percentile(99))
    figures = {
        "ceiling_req_per_s": statistics.median(r for r, _ in runs["ceiling"]),
        "get_merchant_order_req_per_s": rate,
        "get_merchant_order_p99_ms": statistics.median(tails["sandbox"]),
        "ceiling_p99_ms": statistics.median(tails["ceiling"]),
    }
    for name, key in (("ceiling", "ceiling_cpu_ms"), ("sandbox", "get_merchant_order_cpu_ms")):
        costs = [cost for _, cost in runs[name] if cost is not None]
        if costs:
            figures[key] = statistics.median(costs)
    return figures


def _measured(
    url: str, pid: int, sandbox: SandboxProcess, path: str, seconds: float
) -> tuple[float, float | None]:
    """Requests per second and the server's CPU milliseconds per request (``None`` without
    /proc): the CPU figure holds when other work shares the machine, the rate does not.
    """
    spec = _get_load(url, sandbox, path, seconds)
    before = cpu_seconds(pid)
    result = run_load(spec)
    after = cpu_seconds(pid)
    if before is None or after is None or not result.requests:
        return result.rate, None
    served = result.rate * (spec.warmup + spec.seconds)  # the warm-up kept it as busy
    return result.rate, 1000 * (after - before) / served


def run_flows(
    sandbox: SandboxProcess,
    *,
    cashboxes: int,
    seconds: float | None = None,
    count: int | None = None,
    prefix: str = "BENCH",
    warmup: int = 1,
    search: bool = False,
) -> dict[str, float]:
    """``python -m mpqr.bench.flows`` against ``sandbox``: its JSON report."""
    spec = {
        "url": sandbox.url,
        "token": sandbox.token,
        "user_id": sandbox.user_id,
        "cashboxes": cashboxes,
        "seconds": seconds,
        "count": count,
        "prefix": prefix,
        "warmup": warmup,
        "search": search,
    }
    done = subprocess.run(
        [sys.executable, "-m", "mpqr.bench.flows"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=False,
        timeout=(seconds or 0) + 300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the flow driver failed: {done.stderr[-2000:]}")
    report: dict[str, float] = json.loads(done.stdout)
    return report


def measure_sandbox(quick: bool, progress: Callable[[str], None]) -> dict[str, float]:
    """Every ``sandbox.*`` figure (keys without the prefix)."""
    progress("sandbox: starting mpqr sandbox")
    with SandboxProcess.start() as sandbox:
        figures = _get_figures(sandbox, quick, progress)
    with SandboxProcess.start() as sandbox:
        progress("sandbox: flows, 16 cashboxes at once")
        flows = run_flows(sandbox, cashboxes=16, seconds=1.5 if quick else 6.0)
        figures["flows_per_s"] = flows["flows_per_s"]
    figures |= _history(quick, progress)
    return figures


def _flow_ms(sandbox: SandboxProcess, prefix: str, count: int) -> float:
    """The mean cost of ``count`` flows on one cashbox, each ended by the reconcile searches."""
    report = run_flows(sandbox, cashboxes=1, count=count, prefix=prefix, warmup=10, search=True)
    return report["flow_ms"]


def _history(quick: bool, progress: Callable[[str], None]) -> dict[str, float]:
    """A flow's cost on a sandbox with ``history`` flows behind it and on a fresh one, measured
    in alternating slices (each figure the median of its slices), so that the machine's speed
    drifting between two phases does not pass for growth with history."""
    history, slices, count = (200, 3, 20) if quick else (3000, 5, 40)
    with SandboxProcess.start() as old:
        progress(f"sandbox: {history} flows of history")
        run_flows(old, cashboxes=16, count=history, prefix="H")
        with SandboxProcess.start() as fresh:
            progress("sandbox: one flow's cost, fresh and after that history, in turns")
            fresh_ms: list[float] = []
            after_ms: list[float] = []
            for n in range(slices):
                fresh_ms.append(_flow_ms(fresh, f"F{n}", count))
                after_ms.append(_flow_ms(old, f"A{n}", count))
    return {
        "flow_ms_fresh": statistics.median(fresh_ms),
        "flow_ms_after_history": statistics.median(after_ms),
    }
