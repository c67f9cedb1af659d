"""Input checks run before a request is built, so bad input never reaches the API.

Each check raises :class:`mpqr.errors.ValidationError` with a message that starts with the field
path, e.g. ``items[1].unit_price: COP amounts must be whole numbers: got 10.50``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pydantic

from mpqr.errors import ValidationError
from mpqr.sites import (
    AmountError,
    UnknownSiteError,
    currency_ids,
    site_for_currency,
    to_decimal,
    validate_amount,
)

__all__ = [
    "as_dict",
    "currency",
    "item_list",
    "money",
    "pos_external_id",
    "quantity",
    "query",
    "segment",
    "sponsor",
    "two_decimals",
]

_POS_EXTERNAL_ID = re.compile(r"[A-Za-z0-9]{1,40}")
_GENERIC_DECIMALS = 2  # the most any of the seven currencies allows
# Characters that would change the URL an id is put in (another path, a query, a fragment, an
# escape), and control characters. No Mercado Pago id contains them.
_PLAIN_ID = re.compile(r"[A-Za-z0-9_.~-]+")  # what percent-encoding leaves as it is
_PATH_BREAKERS = re.compile(r"[/\\?#%\x00-\x1f\x7f]")


def segment(name: str, value: object) -> str:
    """An id checked and percent-encoded for one URL path segment.

    An id with ``/``, ``?``, ``#``, ``%``, a backslash or a control character, or an id that is
    ``.`` or ``..``, is refused before anything is sent: sent as is it would address another
    resource, and escaped it would only be a value Mercado Pago never gave out.
    """
    if type(value) is int:  # the common case first: a numeric id needs no checks or escaping
        return str(value)
    if isinstance(value, str) and _PLAIN_ID.fullmatch(value) and value not in (".", ".."):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise ValidationError(f"{name}: must be a non-empty string or integer: got {value!r}")
    text = str(value)
    bad = _PATH_BREAKERS.search(text)
    if bad is not None or text in (".", ".."):
        what = repr(bad.group()) if bad is not None else repr(text)
        hint = " (a POS external_id is letters and digits only)" if "external_pos" in name else ""
        raise ValidationError(
            f"{name}: {what} is not allowed in an id, it would change the URL path{hint}: "
            f"got {value!r}"
        )
    return quote(text, safe="")


def query(**params: object) -> tuple[tuple[str, str], ...]:
    """Query pairs without the ``None`` values; booleans as ``true``/``false``."""
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        out.append((key, text))
    return tuple(out)


def currency(field: str, value: object) -> str:
    """A currency id of one of the seven QR sites, upper-cased."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(f"{field} is required: one of {', '.join(currency_ids())}")
    try:
        return site_for_currency(str(value)).currency_id
    except UnknownSiteError as exc:
        raise ValidationError(f"{field}: {exc}") from None


def money(field: str, value: object, currency_id: str | None) -> Decimal:
    """An amount checked against ``currency_id``.

    With no currency known, the loosest rule of the seven sites applies: > 0, at most 2 decimals.
    """
    try:
        if currency_id is not None:
            return validate_amount(value, currency_id)
        amount = to_decimal(value)
    except (AmountError, UnknownSiteError) as exc:
        raise ValidationError(f"{field}: {exc}") from None
    if amount <= 0:
        raise ValidationError(f"{field}: amounts must be greater than zero: got {value}")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > _GENERIC_DECIMALS:
        raise ValidationError(f"{field}: amounts take at most 2 decimals: got {value}")
    return amount


def two_decimals(amount: Decimal) -> str:
    """The Orders API writes every amount as a string with exactly two decimals ("50.00")."""
    return f"{amount:.2f}"


def quantity(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(f"{field}: must be an integer >= 1: got {value!r}")
    return value


def pos_external_id(field: str, value: object) -> str:
    """A POS ``external_id``: letters and digits only, at most 40 characters."""
    if not isinstance(value, str) or not _POS_EXTERNAL_ID.fullmatch(value):
        raise ValidationError(
            f"{field}: must be 1 to 40 letters or digits (no spaces, hyphens or symbols): "
            f"got {value!r}"
        )
    return value


def as_dict(field: str, body: object) -> dict[str, Any]:
    """A request body given as a dict or a typed request model, as a fresh dict."""
    if isinstance(body, pydantic.BaseModel):
        return body.model_dump(mode="python", exclude_none=True, by_alias=True)
    if isinstance(body, Mapping):
        return dict(body)
    raise ValidationError(f"{field}: must be a dict or a request model: got {type(body).__name__}")


def item_list(field: str, value: object) -> list[dict[str, Any]]:
    """A non-empty list of item objects, each copied into a dict."""
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError(f"{field}: at least one item is required")
    return [as_dict(f"{field}[{i}]", item) for i, item in enumerate(value)]


def sponsor(field: str, value: object, collector: object) -> int | None:
    """A ``sponsor_id``: the Mercado Pago user id of the integrator, never the collector's own.

    Mercado Pago refuses a non-numeric sponsor, the collector's own id, an unknown user, a user of
    another site and an inactive one (400 ``invalid_sponsor_id``); the first two are caught here.
    """
    if value is None:
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) <= 0:
        raise ValidationError(f"{field}: must be a Mercado Pago user id (a number): got {value!r}")
    if text == str(collector).strip():
        raise ValidationError(
            f"{field}: must be the integrator's Mercado Pago user id, not the collector's own "
            f"({text})"
        )
    return int(text)
