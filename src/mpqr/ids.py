"""Seedable id factory: the same seed gives the same ids, so sandbox runs are reproducible."""

from __future__ import annotations

import random
import threading
import uuid

__all__ = ["IdFactory"]

_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class IdFactory:
    """Numeric ids, UUIDs, hex tokens and ULID-like ids from one seeded random source."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)  # ids for an emulator, not secrets
        self._lock = threading.Lock()

    def number(self, digits: int = 11) -> int:
        with self._lock:
            return self._rng.randrange(10 ** (digits - 1), 10**digits)

    def uuid4(self) -> str:
        with self._lock:
            return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def hex(self, length: int = 32) -> str:
        with self._lock:
            return "".join(self._rng.choice("0123456789abcdef") for _ in range(length))

    def ulid(self, prefix: str = "") -> str:
        with self._lock:
            return prefix + "".join(self._rng.choice(_ULID_ALPHABET) for _ in range(26))

    def token(self, length: int = 32) -> str:
        with self._lock:
            alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
            return "".join(self._rng.choice(alphabet) for _ in range(length))
