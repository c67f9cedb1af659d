"""``mpqr bench``: measure the client, the sandbox, the seller server and scale; show each goal.

Everything runs on 127.0.0.1 in child processes of this one (servers and load generators apart);
``--quick`` is a smoke run of about a minute, the full run takes a few minutes.
"""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path
from typing import Any

import click

__all__ = ["command"]


@click.command("bench")
@click.option("--quick", is_flag=True, help="Short measurements (a smoke run, ~1 minute).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Write JSON here.")
@click.option(
    "--markdown", "markdown_file", type=click.Path(dir_okay=False), help="Write Markdown."
)
@click.option(
    "--only",
    "parts",
    multiple=True,
    type=click.Choice(["client", "sandbox", "seller", "scale"]),
    help="Measure only this part (repeatable).",
)
def command(
    quick: bool, json_file: str | None, markdown_file: str | None, parts: tuple[str, ...]
) -> None:
    """Benchmark mpqr on loopback and print each figure next to its goal."""
    from rich.console import Console

    from mpqr.bench import report
    from mpqr.bench.runner import machine

    console = Console()
    started = time.perf_counter()
    result = _run_with_progress(console, quick, list(parts) or None)
    results = report.evaluate(result.figures)
    meta: dict[str, Any] = {
        "command": _command_line(quick, json_file, markdown_file, parts),
        **machine(),
        "seconds": round(time.perf_counter() - started, 1),
        "seconds per part": ", ".join(f"{k} {v:.0f}" for k, v in result.seconds.items()),
    }
    console.print(_table(result.figures, results))
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    if json_file:
        document = report.to_json(result.figures, results, meta | {"notes": result.notes})
        Path(json_file).write_text(json.dumps(document, indent=2) + "\n")
    if markdown_file:
        Path(markdown_file).write_text(
            report.to_markdown(result.figures, results, meta, result.notes)
        )


def _command_line(
    quick: bool, json_file: str | None, markdown_file: str | None, parts: tuple[str, ...]
) -> str:
    words = ["mpqr", "bench"] + (["--quick"] if quick else [])
    words += [word for part in parts for word in ("--only", part)]
    words += ["--json", json_file] if json_file else []
    words += ["--markdown", markdown_file] if markdown_file else []
    return shlex.join(words)


def _run_with_progress(console: Any, quick: bool, parts: list[str] | None) -> Any:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from mpqr.bench.runner import run

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("starting", total=None)

        def step(text: str) -> None:
            progress.update(task, description=text)
            progress.console.log(text)

        return run(quick, step, parts)


def _table(figures: dict[str, float | None], results: list[Any]) -> Any:
    from rich.table import Table

    from mpqr.bench.report import rows

    table = Table(title="mpqr bench")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("goal (target)")
    table.add_column("met")
    styles = {"met": "green", "NOT met": "bold red"}
    for key, value, goal, met in rows(figures, results):
        table.add_row(key, value, goal, f"[{styles[met]}]{met}[/]" if met in styles else met)
    return table
