"""Mercado Pago's ``x-signature`` header: build it, and verify it.

The header is ``ts=<ts>,v1=<hex>`` where ``<hex>`` is HMAC-SHA256, keyed with the application's
secret signature, of the *manifest*::

    id:<data.id>;request-id:<x-request-id>;ts:<ts>;

A part whose value is missing is dropped (``request-id:...;ts:...;`` when there is no ``data.id``),
and an alphanumeric ``data.id`` (one with letters, such as an Orders API ``ORD01...`` id) is
lower-cased.

>>> header = signature_header("s3cret", data_id="123", request_id="r-1", ts=1704908010)
>>> verify_signature(header=header, data_id="123", request_id="r-1", secrets="s3cret")

``ts`` units: the docs say milliseconds, their example and the Node SDK use seconds. The HMAC covers
the ``ts`` text as sent, so units only matter for the optional tolerance check: a ``ts`` of 13 or
more digits is read as milliseconds, anything shorter as seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from mpqr.errors import SignatureError

__all__ = [
    "SignatureFailure",
    "SignatureRejected",
    "build_manifest",
    "parse_signature_header",
    "signature_header",
    "ts_to_seconds",
    "verify_signature",
]

# 13 digits = milliseconds since 1973; 10 digits = seconds until 2286. Nothing sensible lies
# between.
_MS_DIGITS: Final = 13


class SignatureFailure(StrEnum):
    """Why a signature was refused (kept on :class:`SignatureRejected` for logs and metrics)."""

    MISSING_HEADER = "missing_header"
    MALFORMED_HEADER = "malformed_header"
    MISSING_TIMESTAMP = "missing_timestamp"
    MISSING_HASH = "missing_hash"
    MISMATCH = "mismatch"
    OUT_OF_TOLERANCE = "out_of_tolerance"


class SignatureRejected(SignatureError):
    """A :class:`~mpqr.errors.SignatureError` that says why, in ``reason``.

    The message never contains a secret or the HMAC we expected (that value would be a valid
    signature for the attacker's own manifest).
    """

    def __init__(self, reason: SignatureFailure, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _present(value: str | int | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def build_manifest(*, data_id: str | None, request_id: str | None, ts: str | int | None) -> str:
    """The signed text ``id:{data.id};request-id:{x-request-id};ts:{ts};``, missing parts dropped.

    >>> build_manifest(data_id="ORD01ABC", request_id=None, ts="1742505638683")
    'id:ord01abc;ts:1742505638683;'
    """
    parts: list[str] = []
    did = _present(data_id)
    if did is not None:
        # MP: "if the data.id_url is alphanumeric, it must be sent in lowercase"
        parts.append(f"id:{did.lower()}")
    rid = _present(request_id)
    if rid is not None:
        parts.append(f"request-id:{rid}")
    t = _present(ts)
    if t is not None:
        parts.append(f"ts:{t}")
    return "".join(p + ";" for p in parts)


def _hmac_hex(secret: str, manifest: str) -> str:
    return hmac.new(secret.encode("utf-8"), manifest.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_header(
    secret: str, *, data_id: str | None, request_id: str | None, ts: int | str
) -> str:
    """The ``x-signature`` value Mercado Pago would send: ``ts=<ts>,v1=<hex hmac-sha256>``."""
    manifest = build_manifest(data_id=data_id, request_id=request_id, ts=ts)
    return f"ts={str(ts).strip()},v1={_hmac_hex(secret, manifest)}"


@dataclass(frozen=True, slots=True)
class ParsedSignature:
    ts: str
    hashes: dict[str, str]


def parse_signature_header(header: str | None) -> ParsedSignature:
    """Split ``ts=...,v1=...`` into its parts; raise :class:`SignatureRejected` if it is not."""
    if header is None or not header.strip():
        raise SignatureRejected(SignatureFailure.MISSING_HEADER, "x-signature header is missing")
    ts: str | None = None
    hashes: dict[str, str] = {}
    for part in header.split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not key or not value:
            continue
        if key == "ts":
            ts = value
        elif key.startswith("v") and key[1:].isdigit():
            hashes[key] = value.lower()
    return ParsedSignature(ts=_require_ts(ts, hashes), hashes=hashes)


def _require_ts(ts: str | None, hashes: dict[str, str]) -> str:
    if ts is None and not hashes:
        raise SignatureRejected(
            SignatureFailure.MALFORMED_HEADER, "x-signature header is not 'ts=<ts>,v1=<hex>'"
        )
    if ts is None:
        raise SignatureRejected(SignatureFailure.MISSING_TIMESTAMP, "x-signature has no ts=")
    if not ts.isdigit() or not ts.isascii():
        raise SignatureRejected(
            SignatureFailure.MALFORMED_HEADER, "x-signature ts= must be an integer timestamp"
        )
    return ts


def ts_to_seconds(ts: str) -> float:
    """A header ``ts`` as Unix seconds: 13+ digits are milliseconds, fewer are seconds."""
    value = int(ts)
    return value / 1000 if len(ts.lstrip("0")) >= _MS_DIGITS else float(value)


def _secret_list(secrets: str | Sequence[str]) -> list[str]:
    found = [secrets] if isinstance(secrets, str) else list(secrets)
    found = [s for s in found if s]
    if not found:
        raise ValueError("verify_signature needs at least one non-empty secret")
    return found


def _check_hash(parsed: ParsedSignature, manifest: str, secrets: list[str]) -> None:
    received = parsed.hashes.get("v1")
    if received is None:
        raise SignatureRejected(SignatureFailure.MISSING_HASH, "x-signature has no v1= hash")
    # Every secret is tried (no early exit) so timing does not reveal which one is current.
    matches = [hmac.compare_digest(_hmac_hex(s, manifest), received) for s in secrets]
    if not any(matches):
        raise SignatureRejected(
            SignatureFailure.MISMATCH,
            f"x-signature does not match (tried {len(secrets)} secret(s))",
        )


def _check_tolerance(ts: str, tolerance_seconds: float, now: float | None) -> None:
    current = time.time() if now is None else now
    drift = abs(current - ts_to_seconds(ts))
    if drift > tolerance_seconds:
        raise SignatureRejected(
            SignatureFailure.OUT_OF_TOLERANCE,
            f"x-signature ts is {drift:.0f}s away from now (tolerance {tolerance_seconds:g}s)",
        )


def verify_signature(
    *,
    header: str | None,
    data_id: str | None,
    request_id: str | None,
    secrets: str | Sequence[str],
    tolerance_seconds: float | None = None,
    now: float | None = None,
) -> None:
    """Check an ``x-signature`` header; return None if it is genuine, else raise.

    ``secrets`` may list several secrets (rotation: the old and the new one). ``data_id`` should be
    the ``data.id`` of the *query string*, as Mercado Pago signs that. With ``tolerance_seconds``,
    the header's ``ts`` must lie within that many seconds of ``now`` (Unix seconds, default the
    system clock).

    Raises :class:`SignatureRejected` (a :class:`~mpqr.errors.SignatureError`) with a ``reason``.
    """
    keys = _secret_list(secrets)
    parsed = parse_signature_header(header)
    manifest = build_manifest(data_id=data_id, request_id=request_id, ts=parsed.ts)
    _check_hash(parsed, manifest, keys)
    if tolerance_seconds is not None:
        _check_tolerance(parsed.ts, tolerance_seconds, now)
