"""Runs the parts of ``mpqr bench`` in turn and gathers their figures into one flat dict.

Each part is a function ``measure(quick, progress) -> {name: value}`` (names without the part's
prefix). The seller's and the scale parts live in :mod:`mpqr.bench.seller` and
:mod:`mpqr.bench.scale`; they are imported when their turn comes, and while a module is absent
its figures are reported as missing (``None``) with a note saying so. A part that fails leaves its
figures missing too, and the note says why; the other parts still run.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mpqr.bench.report import KEYS

__all__ = ["PARTS", "Run", "machine", "run"]

Progress = Callable[[str], None]
Measure = Callable[[bool, Progress], dict[str, float]]

PARTS: dict[str, str] = {
    "client": "mpqr.bench.runner:measure_client",
    "sandbox": "mpqr.bench.sandbox:measure_sandbox",
    "seller": "mpqr.bench.seller:measure_seller",
    "scale": "mpqr.bench.scale:measure_scale",
}
"""Part → ``module:function`` measuring it, in running order."""


@dataclass
class Run:
    """Figures (``"part.name": value``, ``None`` when missing), notes, seconds per part."""

    figures: dict[str, float | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def measure_client(quick: bool, progress: Progress) -> dict[str, float]:
    from mpqr.bench.client import measure_all

    progress("client: official SDK, raw urllib3 and aiohttp, mpqr's clients, TLS")
    return {key.partition(".")[2]: value for key, value in measure_all(quick).items()}


def load(part: str) -> Measure | None:
    """The part's measuring function, or ``None`` while its module does not exist."""
    module_name, attr = PARTS[part].split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    measure: Measure = getattr(module, attr)
    return measure


def run(quick: bool, progress: Progress, parts: list[str] | None = None) -> Run:
    """Every part (or only ``parts``), in order; figures of the others are left out."""
    result = Run()
    chosen = [part for part in PARTS if parts is None or part in parts]
    for part in chosen:
        result.figures.update({key: None for key in KEYS if key.startswith(part + ".")})
        start = time.perf_counter()
        try:
            measure = load(part)
            if measure is None:
                result.notes.append(f"{part}: {PARTS[part].split(':')[0]} is not built yet")
                continue
            figures = measure(quick, progress)
        except Exception as exc:  # a broken part must not hide the others
            result.notes.append(f"{part}: failed: {type(exc).__name__}: {exc}")
            continue
        finally:
            result.seconds[part] = time.perf_counter() - start
        result.figures.update({f"{part}.{name}": float(value) for name, value in figures.items()})
    return result


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((ln.split(":", 1)[1].strip() for ln in info if "model name" in ln), "")
    except OSError:
        pass
    memory = ""
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        memory = f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB"
    return {
        "machine": f"{os.cpu_count()} cores {model}, {memory} RAM".replace("  ", " "),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
