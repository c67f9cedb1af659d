"""The six CI-sized ``mpqr chaos`` runs as one object: start them, wait for them, stop them."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

INTEGRATIONS = ("instore-v1", "instore-v2", "orders")
DATABASES = ("sqlite", "postgres")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
NICENESS = 10  # the rest of the suite keeps the CPU it asks for; the runs get the remainder
WAIT_SECONDS = 1500


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


def _lower_priority() -> None:
    os.nice(NICENESS)


class ChaosRuns:
    """The six ``mpqr chaos`` processes, each as a user runs it, with a JSON report each."""

    def __init__(self, workroot: Path) -> None:
        self.workroot = workroot
        self.procs: dict[tuple[str, str], tuple[subprocess.Popen[bytes], Path]] = {}
        self.databases: list[str] = []
        self.skip_reason: str | None = None

    def start(self) -> None:
        if not _pg_up() and os.environ.get("CI") != "true":
            self.skip_reason = "PostgreSQL on 127.0.0.1:5432 is not reachable"
            return
        for seed, (db, integration) in enumerate(
            ((d, i) for d in DATABASES for i in INTEGRATIONS), start=1
        ):
            workdir = self.workroot / f"chaos-{db}-{integration}"
            workdir.mkdir(parents=True)
            url = None
            if db == "postgres":
                name = f"mpqr_chaos_{uuid.uuid4().hex[:12]}"
                asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
                self.databases.append(name)
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
            proc = subprocess.Popen(  # noqa: S603
                cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_lower_priority
            )
            self.procs[(db, integration)] = (proc, report)

    def reports(self) -> dict[tuple[str, str], Any]:
        """Wait for every run and read its report (or, without one, the end of its output)."""
        found: dict[tuple[str, str], Any] = {}
        for key, (proc, report) in self.procs.items():
            proc.wait(timeout=WAIT_SECONDS)
            out = (report.parent / "chaos.out").read_text(errors="replace")
            found[key] = json.loads(report.read_text()) if report.exists() else {"output": out}
            found[key]["output"] = out[-4000:]
        return found

    def stop(self) -> None:
        for proc, _ in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for name in self.databases:
            asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.procs.clear()
        self.databases.clear()
