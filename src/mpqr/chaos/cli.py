"""``mpqr chaos``: a hostile day for the seller server, judged against Mercado Pago's truth."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from mpqr.chaos.server import CRASH_ORDER

__all__ = ["command"]


@click.command("chaos")
@click.option("--sales", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--cashboxes", type=click.IntRange(2, 500), default=10, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--kill-every",
    type=click.FloatRange(0),
    default=20.0,
    show_default=True,
    help="Seconds between SIGKILLs of the seller server (0: never).",
)
@click.option("--kills", type=click.IntRange(0), default=None, help="Stop killing after this many.")
@click.option(
    "--database-url",
    default=None,
    help="The seller's database (default: a new SQLite file); PostgreSQL: postgresql://…",
)
@click.option(
    "--integration",
    type=click.Choice(["instore-v1", "instore-v2", "orders"]),
    default="instore-v1",
    show_default=True,
)
@click.option(
    "--crash-points",
    default="all",
    show_default=True,
    help="Comma-separated crash points to arm, one per server life, or 'all' or 'none'.",
)
@click.option("--concurrency", type=click.IntRange(1, 200), default=8, show_default=True)
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None)
@click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Keep the seller's database and log here (default: a temporary directory).",
)
def command(
    sales: int,
    cashboxes: int,
    seed: int,
    kill_every: float,
    kills: int | None,
    database_url: str | None,
    integration: str,
    crash_points: str,
    concurrency: int,
    json_path: Path | None,
    workdir: Path | None,
) -> None:
    """Drive a sales mix through a seller server under faults, kills and crash points, then
    compare every sale with the sandbox's truth. Exit code 1 if money was ever wrong."""
    from mpqr.chaos.run import ChaosConfig, run

    points = {"all": CRASH_ORDER, "none": ()}.get(crash_points)
    if points is None:
        points = tuple(p.strip() for p in crash_points.split(",") if p.strip())
        unknown = set(points) - set(CRASH_ORDER)
        if unknown:
            raise click.BadParameter(f"unknown crash points: {', '.join(sorted(unknown))}")
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    config = ChaosConfig(
        sales=sales,
        cashboxes=cashboxes,
        seed=seed,
        kill_every=kill_every,
        kills=kills,
        database_url=database_url,
        integration=integration,
        crash_points=points,
        concurrency=min(concurrency, cashboxes // 2 or 1),
        workdir=workdir,
    )
    report = asyncio.run(run(config))
    click.echo(report.render())
    if json_path is not None:
        json_path.write_text(json.dumps(report.as_dict(), indent=2, default=str))
    raise SystemExit(0 if report.ok else 1)
