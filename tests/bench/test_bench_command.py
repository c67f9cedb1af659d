"""``mpqr bench --quick`` end to end, as a user runs it: every figure is a number.

The seller's and scale figures come from mpqr.bench.seller and mpqr.bench.scale; only while those
modules do not exist may their figures be missing (and the run says so).
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from mpqr.bench.report import KEYS


def _built(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_quick_run_reports_every_figure_as_a_number(tmp_path: Path) -> None:
    out, page = tmp_path / "bench.json", tmp_path / "bench.md"
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [
            sys.executable,
            "-m",
            "mpqr",
            "bench",
            "--quick",
            "--json",
            str(out),
            "--markdown",
            str(page),
        ],
        capture_output=True,
        text=True,
        timeout=230,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(out.read_text())
    optional = {part for part in ("seller", "scale") if not _built(f"mpqr.bench.{part}")}
    for key in KEYS:
        part, _, name = key.partition(".")
        value = document[part][name]
        if value is None and part in optional:
            assert any(note.startswith(f"{part}:") for note in document["run"]["notes"])
            continue
        assert isinstance(value, int | float), key
        assert math.isfinite(value), key
        assert value >= 0, key
    assert {goal["met"] for goal in document["goals"]} <= {True, False, None}
    assert document["run"]["command"].startswith("mpqr bench --quick")
    assert "| `sandbox.get_merchant_order_req_per_s` |" in page.read_text()
    assert "mpqr bench" in done.stdout  # the table's title


def test_the_command_is_registered() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mpqr", "bench", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--quick" in done.stdout
    assert "--markdown" in done.stdout
