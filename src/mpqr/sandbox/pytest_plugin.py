"""pytest plugin for the mpqr sandbox (entry point ``pytest11``): the ``mpqr_sandbox`` fixtures.

- ``mpqr_sandbox``: a fresh sandbox per test (uvicorn on 127.0.0.1, a free port, one seller);
- ``mpqr_sandbox_session``: one sandbox for the whole session (``.reset()`` between tests if
  needed).

Both yield a :class:`mpqr.sandbox.testing.Sandbox` with ``.base_url``, ``.seller``,
``.create_seller()``, ``.create_pos()``, ``.scan()``, ``.pay()``, ``.settle()``, ``.advance()``,
``.deliveries()``, ``.reset()`` and ``.app``. This module imports nothing heavy: it is loaded in
every pytest run of every project that has mpqr installed; the sandbox is imported only when a
fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mpqr.sandbox.testing import Sandbox

__all__ = ["mpqr_sandbox", "mpqr_sandbox_session"]


@pytest.fixture
def mpqr_sandbox() -> Iterator[Sandbox]:
    """A running sandbox for this test, with one seller (``.seller``)."""
    from mpqr.sandbox.testing import Sandbox

    with Sandbox(seed=0) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def mpqr_sandbox_session() -> Iterator[Sandbox]:
    """One running sandbox shared by the whole test session."""
    from mpqr.sandbox.testing import Sandbox

    with Sandbox(seed=0) as sandbox:
        yield sandbox
