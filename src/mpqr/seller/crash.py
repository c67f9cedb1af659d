"""Crash points: a test-only setting that makes the server die at a named point.

The reliability tests and ``mpqr chaos`` arm them to prove that every write involving Mercado
Pago survives a crash between the call and the local commit. Never arm them in production.

``MPQR_CRASH_POINTS="create.after_call"`` kills the process (SIGKILL, like ``kill -9``) the first
time a create reaches that point; ``"refund.after_call@3"`` the third time. Several points are
separated by commas. In-process tests use ``mode="raise"``: :class:`SimulatedCrash` (a
``BaseException``) unwinds the call without any ``except Exception`` handler seeing it.
"""

from __future__ import annotations

import os
import signal
from typing import Final, Literal

__all__ = ["POINTS", "CrashPoints", "SimulatedCrash"]

POINTS: Final = frozenset(
    {
        "create.after_call",  # the order is on the cashbox; the sale still says opening
        "cancel.after_call",  # the order is off the cashbox; the sale still says pending
        "refund.after_call",  # the money is back; the refund intent is still open
        "apply.after_call",  # a notification's resource was fetched; nothing applied yet
        "apply.before_commit",  # applied and its inbox rows marked, in a unit not yet committed
        "recover.after_call",  # recovery took an order off; the sale still says opening
        "unmatched_refund.after_call",  # an unmatched payment was refunded; not recorded yet
    }
)


class SimulatedCrash(BaseException):
    """Raised instead of dying when crash points run in ``raise`` mode (in-process tests)."""


class CrashPoints:
    """Which points are armed and after how many hits each fires."""

    def __init__(self, spec: str = "", mode: Literal["kill", "raise"] = "kill") -> None:
        self.mode = mode
        self._left: dict[str, int] = {}
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            name, _, nth = part.partition("@")
            if name not in POINTS:
                known = ", ".join(sorted(POINTS))
                raise ValueError(f"unknown crash point {name!r}: expected one of {known}")
            self._left[name] = int(nth) if nth else 1

    @property
    def armed(self) -> bool:
        return bool(self._left)

    def hit(self, name: str) -> None:
        """Die here if ``name`` is armed and this is its turn."""
        if name not in self._left:
            return
        self._left[name] -= 1
        if self._left[name] > 0:
            return
        del self._left[name]
        if self.mode == "raise":
            raise SimulatedCrash(name)
        os.kill(os.getpid(), signal.SIGKILL)  # pragma: no cover - the process is gone
