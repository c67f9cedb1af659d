"""Shared fixtures for the sandbox core tests: a real uvicorn server on 127.0.0.1 per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_env import Env

from mpqr.sandbox.testing import Sandbox


@pytest.fixture
def env() -> Iterator[Env]:
    with Sandbox(seed=1, deliver=False) as sandbox:
        sandbox.create_pos("CAJA1")
        e = Env(sandbox)
        yield e
        e.close()


@pytest.fixture
def pos(env: Env) -> dict[str, Any]:
    r = env.http.get("/pos", params={"external_id": "CAJA1"})
    result: dict[str, Any] = r.json()["results"][0]
    return result
