"""The load generator: nearest-rank percentiles, merging children, and both modes against a server.

No timing is asserted beyond what any server answers: figures only mean something as ratios.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from mpqr.bench.canned import CannedServer
from mpqr.bench.loadgen import LoadResult, LoadSpec, merge, percentile, run_load


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 99.5) == 100
    assert percentile(values, 100) == 100
    assert percentile([7.0], 1) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 51) == 3.0


def test_percentile_of_nothing_is_nan_and_bad_ranks_are_refused() -> None:
    assert math.isnan(percentile([], 99))
    with pytest.raises(ValueError, match="percentile"):
        percentile([1.0], 0)
    with pytest.raises(ValueError, match="percentile"):
        percentile([1.0], 101)


def test_merge_adds_counts_and_sorts_latencies_over_one_window() -> None:
    a = LoadResult(requests=3, errors=1, seconds=2.0, latencies_ms=(1.0, 5.0, 9.0))
    b = LoadResult(requests=2, errors=0, seconds=2.0, latencies_ms=(2.0, 3.0))
    merged = merge([a, b])
    assert merged.requests == 5
    assert merged.errors == 1
    assert merged.latencies_ms == (1.0, 2.0, 3.0, 5.0, 9.0)
    assert merged.rate == 2.5
    assert merged.percentile(100) == 9.0


@pytest.fixture(scope="module")
def server() -> Iterator[CannedServer]:
    with CannedServer.start() as started:
        yield started


def test_fixed_concurrency_in_two_processes(server: CannedServer) -> None:
    spec = LoadSpec(url=server.url, paths=("/a", "/b"), concurrency=4, seconds=0.5, warmup=0.1)
    result = run_load(LoadSpec(**{**spec.__dict__, "processes": 2}))
    assert result.requests > 0
    assert result.errors == 0
    assert len(result.latencies_ms) == result.requests
    assert list(result.latencies_ms) == sorted(result.latencies_ms)


def test_fixed_rate_sends_about_the_rate_asked(server: CannedServer) -> None:
    result = run_load(LoadSpec(url=server.url, rate=200, seconds=1.0, warmup=0.2))
    assert result.errors == 0
    assert 150 <= result.requests <= 205  # scheduled, not as fast as the server goes


def test_an_unexpected_status_is_an_error(server: CannedServer) -> None:
    result = run_load(LoadSpec(url=server.url, expect_status=201, concurrency=2, seconds=0.3))
    assert result.requests == 0
    assert result.errors > 0
    assert math.isnan(result.percentile(99))
