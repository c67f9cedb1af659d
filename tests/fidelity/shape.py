"""Compare a Mercado Pago response sample with the sandbox's answer by shape.

Same field names (every field of the sample is in the answer), same JSON types (numbers are one
type: Mercado Pago writes ``120`` and ``120.5`` alike), same nesting, same values for the enum
fields, and ids and dates compared by their form only (``2025-12-09T13:20:17.000-04:00`` and
``2026-12-01T18:00:00.123-03:00`` have the same shape; so do ``137159042654`` and ``71305010731``).
"""

from __future__ import annotations

import re
from typing import Any, Final

from mpqr.sandbox.parity_compare import json_type

__all__ = ["ENUMS", "shape_differences"]

# Fields whose value is a word from a closed list: the sandbox must answer the same word.
ENUMS: Final = frozenset(
    {
        "status",
        "status_detail",
        "order_status",
        "operation_type",
        "payment_type_id",
        "payment_method_id",
        "currency_id",
        "currency",
        "country_code",
        "site_id",
        "marketplace",
        "type",
        "sub_type",
        "mode",
        "fee_payer",
        "processing_mode",
        "processing_modes",
        "topic",
        "error",
        "branch",
        "unit",
        "sub_unit",
        "source",
        "linked_to",
        "money_release_status",
        "unit_measure",
        "refund_mode",
    }
)

_DATE: Final = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}([+-]\d\d:\d\d|Z)$")
_SHAPES: Final = (
    ("digits", re.compile(r"^\d+$")),
    ("ulid", re.compile(r"^[A-Z]{3,6}01[0-9A-HJKMNP-TV-Z]{24}$")),
    ("preference", re.compile(r"^\d+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}")),
    ("uuid", re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")),
    ("url", re.compile(r"^https?://")),
)


def _string_shape(value: str) -> str:
    if _DATE.match(value):
        return "date" + ("Z" if value.endswith("Z") else "+offset")
    return next((name for name, pattern in _SHAPES if pattern.match(value)), "text")


def _is_id(key: str) -> bool:
    return key == "id" or (key.endswith("_id") and key not in ENUMS) or key == "reference_id"


def shape_differences(
    sample: Any, actual: Any, *, ignore: frozenset[str] = frozenset(), path: str = ""
) -> list[str]:
    """Every way ``actual`` differs in shape from ``sample`` (empty: same shape)."""
    if path in ignore:
        return []
    key = path.rsplit(".", 1)[-1].split("[")[0]
    if json_type(sample) != json_type(actual):
        return [f"{path or '$'}: {json_type(sample)} in the sample, {json_type(actual)} here"]
    if isinstance(sample, dict):
        return _dict_differences(sample, actual, ignore=ignore, path=path)
    if isinstance(sample, list):
        if sample and not actual:
            return [f"{path}: a non-empty array in the sample, empty here"]
        if sample:
            return shape_differences(sample[0], actual[0], ignore=ignore, path=f"{path}[0]")
        return []
    if key in ENUMS and sample != actual:
        return [f"{path}: {sample!r} in the sample, {actual!r} here"]
    formed = isinstance(sample, str) and (_is_id(key) or _DATE.match(sample))
    if formed and _string_shape(sample) != _string_shape(actual):
        return [f"{path}: {sample!r} and {actual!r} differ in form"]
    return []


def _dict_differences(
    sample: dict[str, Any], actual: dict[str, Any], *, ignore: frozenset[str], path: str
) -> list[str]:
    found: list[str] = []
    for name, value in sample.items():
        where = f"{path}.{name}" if path else name
        if where in ignore:
            continue
        if name not in actual:
            found.append(f"{where}: missing here")
            continue
        found.extend(shape_differences(value, actual[name], ignore=ignore, path=where))
    return found
