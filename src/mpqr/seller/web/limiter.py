"""Login throttling: too many failures for one (client IP, username) pair answer 429 for a while.

Kept in memory, per process: a brute force against one instance is slowed to ``limit`` guesses per
``window`` seconds; with several instances an attacker gets that budget once per instance, which is
still far from a brute-force rate against random passwords.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

__all__ = ["LoginLimiter"]


@dataclass
class LoginLimiter:
    """Counts failed logins per key on a monotonic clock (seconds) supplied by the caller.

    >>> limiter = LoginLimiter(limit=2, window=60.0)
    >>> limiter.failed("ip|ana", 0.0); limiter.failed("ip|ana", 1.0)
    >>> limiter.retry_after("ip|ana", 2.0)
    58.0
    >>> limiter.retry_after("ip|ana", 61.0)
    0.0
    """

    limit: int = 5
    window: float = 300.0
    max_keys: int = 10_000  # bounds memory under a spray of usernames
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        times = self._recent(key, now)
        if len(times) < self.limit:
            return 0.0
        return self.window - (now - times[0])

    def failed(self, key: str, now: float) -> None:
        if key not in self._failures and len(self._failures) >= self.max_keys:
            self._failures.pop(next(iter(self._failures)))
        times = self._recent(key, now)
        times.append(now)
        self._failures[key] = times

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
