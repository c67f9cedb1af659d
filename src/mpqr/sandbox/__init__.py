"""mpqr sandbox: a stateful, offline emulator of Mercado Pago's in-store QR API.

``create_app(...)`` builds the FastAPI app; ``mpqr.sandbox.testing.Sandbox`` runs one in-process for
tests; the pytest plugin provides the ``mpqr_sandbox`` fixture. Imports are lazy so that loading the
pytest plugin (in every pytest run that has mpqr installed) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mpqr.sandbox.app import create_app
    from mpqr.sandbox.testing import Sandbox

__all__ = ["Sandbox", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from mpqr.sandbox.app import create_app

        return create_app
    if name == "Sandbox":
        from mpqr.sandbox.testing import Sandbox

        return Sandbox
    raise AttributeError(name)
