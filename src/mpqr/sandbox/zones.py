"""Each site's time zone, and the two date formats Mercado Pago answers with.

Mercado Pago's APIs write dates with milliseconds and a UTC offset
(``2025-12-09T13:20:17.000-03:00``); the sandbox writes them in the seller's site's zone
(``zoneinfo``), or in one zone for every site when ``--time-zone`` names it. The Orders API writes
UTC with a ``Z`` instead.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["SITE_ZONES", "iso", "iso_z", "ulid", "zone_for"]

SITE_ZONES: Final[dict[str, str]] = {
    "MLA": "America/Argentina/Buenos_Aires",
    "MLB": "America/Sao_Paulo",
    "MLC": "America/Santiago",
    "MCO": "America/Bogota",
    "MLM": "America/Mexico_City",
    "MPE": "America/Lima",
    "MLU": "America/Montevideo",
}

_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def zone_for(site_id: str, override: str | None = None) -> tzinfo:
    """The zone dates of ``site_id`` are written in (``override``: one IANA name or ``UTC``)."""
    name = override or SITE_ZONES.get(site_id.upper(), "UTC")
    return UTC if name.upper() == "UTC" else ZoneInfo(name)


def iso(dt: datetime | None, zone: tzinfo | None = None) -> str | None:
    """``2019-04-02T14:35:35.000-04:00``: milliseconds and the offset of ``zone``."""
    if dt is None:
        return None
    local = dt.astimezone(zone) if zone is not None else dt
    return local.isoformat(timespec="milliseconds")


def iso_z(dt: datetime) -> str:
    """The Orders API's format: ``2025-08-21T19:32:21.621Z``."""
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ulid(at: datetime, randomness: str) -> str:
    """A ULID: 10 Crockford characters of Unix milliseconds, then 16 of ``randomness``.

    Mercado Pago's Orders API ids are ULIDs behind a prefix (``ORD01K371WBFDS4MD9JG0K8ZMECBE``),
    which is why they all start ``01`` today.
    """
    ms = int(at.timestamp() * 1000)
    stamp = ""
    for _ in range(10):
        ms, digit = divmod(ms, 32)
        stamp = _CROCKFORD[digit] + stamp
    tail = "".join(c for c in randomness.upper() if c in _CROCKFORD)
    if len(tail) < 16 or not set(tail) <= set(string.ascii_uppercase + string.digits):
        raise ValueError("ulid needs 16 Crockford characters of randomness")
    return stamp + tail[:16]
