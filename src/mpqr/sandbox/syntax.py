"""What ids and keys look like on Mercado Pago's wire: ASCII digits, ASCII letters and digits."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["is_alnum", "is_digits"]

_DIGITS: Final = re.compile(r"^[0-9]{1,30}$")
_ALNUM: Final = re.compile(r"^[A-Za-z0-9]+$")


def is_digits(value: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts ``"²"``), at most 30 of them."""
    return bool(_DIGITS.match(value))


def is_alnum(value: str) -> bool:
    return bool(_ALNUM.match(value))
