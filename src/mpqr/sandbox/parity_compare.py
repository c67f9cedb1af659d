"""Comparing two answers to the same call, for ``mpqr sandbox parity`` (pure): status code, field
names, JSON types and the values of status-like fields; ids and dates by shape only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mpqr.client.recording import MASK

__all__ = ["STATUS_LIKE", "Difference", "compare", "is_id", "json_type", "shape"]

STATUS_LIKE = frozenset(
    {"status", "status_detail", "order_status", "operation_type", "payment_type_id"}
    | {"payment_method_id", "type", "sub_type", "mode", "processing_mode"}
)
_DATE_KEYS = frozenset({"last_updated", "last_modified", "expiration_date", "date"})
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?")
_ID_PREFIX = re.compile(r"(ORDTST|ORD|PAY|REF|CAS)(01)?")  # Orders API ids: ORD01…, PAY01…


@dataclass(frozen=True)
class Difference:
    """``kind``: ``status``, ``missing`` (only in the recording), ``extra`` (only in the sandbox),
    ``type`` or ``value`` (a status-like field, or the shape of an id or a date)."""

    kind: str
    path: str
    recorded: Any = None
    sandbox: Any = None


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array" if isinstance(value, list) else "other"


def is_id(key: str) -> bool:
    """Whether a field named ``key`` holds an id (compared by shape, mapped in a replay)."""
    return key not in STATUS_LIKE and (key == "id" or key.endswith("_id") or key == "uuid")


def _is_date(key: str, value: str) -> bool:
    named = key.startswith("date_") or key.endswith("_date") or key in _DATE_KEYS
    return named or _ISO_DATE.fullmatch(value) is not None


def shape(key: str, value: str) -> str:
    """What is compared of an id or a date: its form, not its value.

    >>> shape("id", "ORD01K372G4J4FXZ9"), shape("date_created", "2024-06-20T20:09:10.000-04:00")
    ('ORD01…', '9999-99-99T99:99:99.f±99:99')
    """
    if _is_date(key, value) and _ISO_DATE.fullmatch(value):
        text = re.sub(r"\.\d+", ".f", re.sub(r"[+-](?=\d\d:?\d\d$)", "±", value))
        return re.sub(r"\d", "9", text)
    prefix = _ID_PREFIX.match(value)  # a ULID after the prefix: only the prefix is meaningful
    digits = "digits" if value.isdigit() else f"{value.count('-')} dashes"
    return f"{prefix.group()}…" if prefix else digits


def compare(
    recorded_status: int, recorded: Any, sandbox_status: int, sandbox: Any
) -> list[Difference]:
    """Every difference between two answers to the same call (deduplicated, in walk order)."""
    found: dict[tuple[str, str], Difference] = {}
    if recorded_status != sandbox_status:
        found["status", ""] = Difference("status", "", recorded_status, sandbox_status)
    for diff in _walk("", "", recorded, sandbox):
        found.setdefault((diff.kind, diff.path), diff)
    return list(found.values())


def _walk(path: str, key: str, rec: Any, box: Any) -> Iterator[Difference]:
    if json_type(rec) != json_type(box):
        yield Difference("type", path, json_type(rec), json_type(box))
    elif isinstance(rec, dict):  # in the recording's order, then what only the sandbox has
        for name, value in rec.items():
            if name not in box:
                yield Difference("missing", _join(path, name), json_type(value))
            else:
                yield from _walk(_join(path, name), name, value, box[name])
        for name in (name for name in box if name not in rec):
            yield Difference("extra", _join(path, name), None, json_type(box[name]))
    elif isinstance(rec, list):
        for r, b in zip(rec, box, strict=False):
            yield from _walk(path + "[]", key, r, b)
    elif isinstance(rec, str) and rec != box and MASK not in (rec, box):
        if key in STATUS_LIKE:
            yield Difference("value", path, rec, box)
        elif (is_id(key) or _is_date(key, rec)) and shape(key, rec) != shape(key, box):
            yield Difference("value", path, shape(key, rec), shape(key, box))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
