"""Pydantic's validation errors in the seller's terms: a field path and a :class:`Reason`.

Shared by the JSON API's 422 handler and the cashier UI's forms, so both name the same field
with the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from mpqr.seller.errors import Reason

__all__ = ["field_path", "reason_of"]

_BY_TYPE: Final[Mapping[str, Reason]] = {
    "missing": Reason.REQUIRED,
    "extra_forbidden": Reason.UNKNOWN_FIELD,
    "string_too_short": Reason.TOO_SHORT,
    "string_too_long": Reason.TOO_LONG,
    "too_short": Reason.TOO_FEW,
    "too_long": Reason.TOO_MANY,
    "decimal_parsing": Reason.NOT_A_NUMBER,
    "decimal_type": Reason.NOT_A_NUMBER,
    "float_parsing": Reason.NOT_A_NUMBER,
    "float_type": Reason.NOT_A_NUMBER,
    "finite_number": Reason.NOT_A_NUMBER,
    "int_type": Reason.NOT_AN_INTEGER,
    "int_parsing": Reason.NOT_AN_INTEGER,
    "int_from_float": Reason.NOT_AN_INTEGER,
    "decimal_max_places": Reason.TOO_MANY_DECIMALS,
    "string_pattern_mismatch": Reason.BAD_FORMAT,
    "control_characters": Reason.CONTROL_CHARACTERS,
    "json_invalid": Reason.MALFORMED_BODY,
    "json_type": Reason.MALFORMED_BODY,
    "model_attributes_type": Reason.MALFORMED_BODY,
    "less_than": Reason.OUT_OF_RANGE,
    "less_than_equal": Reason.OUT_OF_RANGE,
}


def reason_of(error: Mapping[str, Any]) -> Reason:
    """The :class:`Reason` of one pydantic error (``{"type", "loc", "msg", "ctx"}``)."""
    kind = str(error.get("type", ""))
    if kind in {"greater_than", "greater_than_equal"}:
        bound = (error.get("ctx") or {}).get("gt", (error.get("ctx") or {}).get("ge"))
        return Reason.NOT_POSITIVE if str(bound) in {"0", "1"} else Reason.OUT_OF_RANGE
    if kind == "dict_type" and tuple(error.get("loc", ())) == ("body",):
        return Reason.MALFORMED_BODY
    return _BY_TYPE.get(kind, Reason.INVALID)


def field_path(loc: Sequence[Any]) -> str:
    """``("body", "items", 0, "quantity")`` → ``items[0].quantity``."""
    out = ""
    for part in loc:
        if part in {"body", "query", "header", "path"} and not out:
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"
