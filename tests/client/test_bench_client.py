"""Smoke test of the client benchmark: every measurement runs (briefly) and returns a rate.

No timing is asserted: the figures only mean something as ratios on a quiet machine.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

from mpqr.bench import canned
from mpqr.bench.client import PLAIN, TLS, measure_all


@pytest.fixture(scope="module")
def plain() -> Iterator[canned.CannedServer]:
    with canned.CannedServer.start() as server:
        yield server


def test_the_canned_server_answers_the_merchant_order(plain: canned.CannedServer) -> None:
    assert plain.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(plain.url + "/merchant_orders/1") as response:
        assert response.status == 200
        assert json.loads(response.read())["id"] == 19961356837


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_each_plain_measurement_runs(plain: canned.CannedServer, name: str) -> None:
    assert PLAIN[name](server=plain, seconds=0.05) > 0


def test_the_tls_measurements_and_measure_all_run() -> None:
    with canned.CannedServer.start(tls=True) as server:
        assert server.url.startswith("https://127.0.0.1:")
        for measure in TLS.values():
            assert measure(server=server, seconds=0.05) > 0
    figures = measure_all(quick=True)
    assert set(figures) == set(PLAIN) | set(TLS)
    assert all(value > 0 for value in figures.values())
