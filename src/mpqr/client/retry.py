"""Retry policy and timeouts: pure decisions, no sleeping and no I/O.

The clients ask :meth:`RetryPolicy.delay_after_status` / :meth:`RetryPolicy.delay_after_error` after
each failed attempt; ``None`` means "give up", a float is how long to wait first. Backoff is
exponential with *full jitter* (a uniform draw in ``[0, min(cap, base * 2**attempt)]``) from an
injected :class:`random.Random`, so tests with a seeded generator get exact, repeatable delays.

Safety rule: a POST is retried only when it carries an idempotency key (the same key
on every attempt, so Mercado Pago answers a retry with the first result instead of charging twice).
PUT, DELETE and GET are idempotent by HTTP and always retryable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["IDEMPOTENT_METHODS", "RetryPolicy", "Timeouts"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for a connection and, separately, for each read of the answer."""

    connect: float = 5.0
    read: float = 30.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before trying a request again.

    >>> policy = RetryPolicy(max_retries=2)
    >>> policy.delay_after_status(0, "GET", False, 503, None, random.Random(1)) is not None
    True
    >>> policy.delay_after_status(0, "POST", False, 503, None, random.Random(1)) is None
    True
    """

    max_retries: int = 3
    base: float = 0.5
    cap: float = 8.0
    retry_statuses: frozenset[int] = field(
        default_factory=lambda: frozenset({429, 500, 502, 503, 504})
    )

    def may_retry(self, method: str, has_idempotency_key: bool) -> bool:
        """Whether this request may be sent twice at all."""
        return method.upper() in IDEMPOTENT_METHODS or has_idempotency_key

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter delay before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
        ceiling = min(self.cap, self.base * (2.0**attempt))
        return rng.uniform(0.0, ceiling)

    def delay_after_status(
        self,
        attempt: int,
        method: str,
        has_idempotency_key: bool,
        status: int,
        retry_after: float | None,
        rng: random.Random,
    ) -> float | None:
        """The wait before retrying an HTTP error answer, or ``None`` to raise it now.

        A ``Retry-After`` (seconds) sent with a retryable status wins over the backoff, capped at
        ``cap`` so a hostile or buggy header cannot stall the caller for minutes.
        """
        if status not in self.retry_statuses or not self._left(
            attempt, method, has_idempotency_key
        ):
            return None
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap)
        return self.backoff(attempt, rng)

    def delay_after_error(
        self, attempt: int, method: str, has_idempotency_key: bool, rng: random.Random
    ) -> float | None:
        """The wait before retrying after a connection error or timeout, or ``None`` to raise."""
        if not self._left(attempt, method, has_idempotency_key):
            return None
        return self.backoff(attempt, rng)

    def _left(self, attempt: int, method: str, has_idempotency_key: bool) -> bool:
        return attempt < self.max_retries and self.may_retry(method, has_idempotency_key)
