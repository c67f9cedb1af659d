"""The CI-sized chaos run (issue 7): 200 sales, 2 SIGKILLs and every crash point, on SQLite and
PostgreSQL, for the three integrations — all six runs at once, each ``mpqr chaos`` as a user runs
it. Nothing lost, no orphan order, nothing applied twice, every sale converged."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mpqr.chaos.server import CRASH_ORDER

pytestmark = pytest.mark.slow

INTEGRATIONS = ("instore-v1", "instore-v2", "orders")
DATABASES = ("sqlite", "postgres")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


async def _pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], Any]]:
    """Start the six runs together, wait for all, and hand their JSON reports to the tests."""
    if not _pg_up() and os.environ.get("CI") != "true":
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable")
    databases: list[str] = []
    runs: dict[tuple[str, str], tuple[subprocess.Popen[bytes], Path]] = {}
    for seed, (db, integration) in enumerate(
        ((d, i) for d in DATABASES for i in INTEGRATIONS), start=1
    ):
        workdir = tmp_path_factory.mktemp(f"chaos-{db}-{integration}")
        url = None
        if db == "postgres":
            name = f"mpqr_chaos_{uuid.uuid4().hex[:12]}"
            asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
            databases.append(name)
            url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        report = workdir / "report.json"
        cmd = [
            sys.executable, "-m", "mpqr", "chaos",
            "--sales", "200", "--kills", "2", "--kill-every", "20", "--seed", str(seed),
            "--cashboxes", "16", "--concurrency", "8", "--integration", integration,
            "--crash-points", "all", "--workdir", str(workdir), "--json", str(report),
            *(["--database-url", url] if url else []),
        ]  # fmt: skip
        log = (workdir / "chaos.out").open("wb")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        runs[(db, integration)] = (proc, report)
    try:
        found: dict[tuple[str, str], Any] = {}
        for key, (proc, report) in runs.items():
            proc.wait(timeout=1500)
            out = (report.parent / "chaos.out").read_text(errors="replace")
            found[key] = json.loads(report.read_text()) if report.exists() else {"output": out}
            found[key]["output"] = out[-4000:]
        yield found
    finally:
        for proc, _ in runs.values():
            if proc.poll() is None:
                proc.kill()
        for name in databases:
            asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.parametrize("integration", INTEGRATIONS)
@pytest.mark.parametrize("database", DATABASES)
def test_a_hostile_day_moves_no_money_wrongly(
    reports: dict[tuple[str, str], Any], database: str, integration: str
) -> None:
    report = reports[(database, integration)]
    assert "sales" in report, report["output"]
    summary = report["output"]
    assert report["sales"] >= 150, summary
    assert report["lost"] == 0, summary
    assert report["orphan_orders"] == 0, summary
    assert report["orphan_samples"] > 10, summary  # the invariant was looked at all day
    assert report["double_applied"] == 0, summary
    assert report["wrong_amounts"] == 0, summary
    assert report["converged"] == report["sales"], summary
    assert report["unmatched_found"] == report["unmatched_expected"] > 0, summary
    assert report["kills"] == 2, summary
    assert sorted(report["crash_points_fired"]) == sorted(CRASH_ORDER), summary
    assert report["ok"] is True, summary
