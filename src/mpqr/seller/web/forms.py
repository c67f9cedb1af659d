"""Turn the cashier's HTML forms into the JSON API's models (pure, no I/O), with every problem
as a :class:`Problem`: the core's field name (``items[0].unit_price``, ``amount``) and a
:class:`~mpqr.seller.errors.Reason`, the same codes the core's errors carry, so one table of
words serves both.

The sale form builds the very :class:`SaleCreate` the JSON API validates, so both share every rule;
:func:`money_problems` adds the currency's decimals before the request leaves. A decimal comma is
accepted (``12,50``) because that is how most Mercado Pago countries write money.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import zip_longest
from typing import Any, Final, Protocol

from pydantic import ValidationError

from mpqr.seller.errors import Reason
from mpqr.seller.sales.schemas import SaleCreate
from mpqr.sites import UnknownSiteError, site_for_currency

__all__ = [
    "FormError",
    "ItemRow",
    "Problem",
    "SaleForm",
    "input_of",
    "money_problems",
    "parse_refund_amount",
    "parse_sale_form",
    "plain_decimal",
    "read_form",
]


class MultiValues(Protocol):
    def get(self, key: str, /) -> Any: ...
    def getlist(self, key: str, /) -> list[Any]: ...


@dataclass(frozen=True, slots=True)
class ItemRow:
    title: str = ""
    unit_price: str = ""
    quantity: str = "1"


@dataclass(frozen=True, slots=True)
class SaleForm:
    """What the cashier typed, kept to fill the form again after an error."""

    rows: tuple[ItemRow, ...]
    amount: str
    replace: bool
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: the core's name of the field (or ``None``) and why."""

    field: str | None
    reason: Reason


class FormError(ValueError):
    """The form does not describe a valid request; ``problems`` say why, field by field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.reason.value}" for p in problems))
        self.problems = list(problems)


# pydantic error type -> reason
_REASONS: Final[dict[str, Reason]] = {
    "missing": Reason.REQUIRED,
    "string_too_short": Reason.REQUIRED,  # every text field of a sale has min_length 1
    "string_too_long": Reason.TOO_LONG,
    "too_short": Reason.TOO_FEW,
    "too_long": Reason.TOO_MANY,
    "greater_than": Reason.NOT_POSITIVE,
    "greater_than_equal": Reason.NOT_POSITIVE,
    "less_than": Reason.OUT_OF_RANGE,
    "less_than_equal": Reason.OUT_OF_RANGE,
    "decimal_parsing": Reason.NOT_A_NUMBER,
    "decimal_type": Reason.NOT_A_NUMBER,
    "finite_number": Reason.NOT_A_NUMBER,
    "decimal_max_places": Reason.TOO_MANY_DECIMALS,
    "decimal_max_digits": Reason.AMOUNT_TOO_LARGE,
    "decimal_whole_digits": Reason.AMOUNT_TOO_LARGE,
    "int_parsing": Reason.NOT_AN_INTEGER,
    "int_type": Reason.NOT_AN_INTEGER,
    "int_from_float": Reason.NOT_AN_INTEGER,
    "string_pattern_mismatch": Reason.BAD_FORMAT,
    "extra_forbidden": Reason.UNKNOWN_FIELD,
}
_INTEGER: Final = re.compile(r"[+-]?\d{1,9}")


def read_form(form: MultiValues) -> SaleForm:
    titles, prices, quantities = (
        [str(v) for v in form.getlist(name)] for name in ("title", "unit_price", "quantity")
    )
    rows = tuple(
        ItemRow(t.strip(), p.strip(), q.strip() or "1")
        for t, p, q in zip_longest(titles, prices, quantities, fillvalue="")
        if t.strip() or p.strip()
    )
    return SaleForm(
        rows=rows or (ItemRow(),),
        amount=str(form.get("amount") or "").strip(),
        replace=form.get("replace") == "1",
        idempotency_key=str(form.get("idem") or "")[:255],
    )


def parse_sale_form(cashbox: str, form: SaleForm, default_title: str) -> SaleCreate:
    """The sale the form describes; a quick amount wins over item rows."""
    if form.amount:
        items: list[dict[str, Any]] = [
            {"title": default_title, "unit_price": plain_decimal(form.amount), "quantity": 1}
        ]
    else:
        items = [_item(row) for row in form.rows if row.title or row.unit_price]
    problems = [
        Problem(f"items[{i}].title", Reason.CONTROL_CHARACTERS)
        for i, item in enumerate(items)
        if _has_control(item["title"])
    ]
    body = {"cashbox": cashbox, "items": items, "replace": form.replace}
    try:
        sale = SaleCreate.model_validate(body)
    except ValidationError as exc:
        problems += [_problem(e) for e in exc.errors()]
    if problems:
        raise FormError(problems)
    return sale


def _item(row: ItemRow) -> dict[str, Any]:
    item: dict[str, Any] = {"title": row.title}
    if row.unit_price:
        item["unit_price"] = plain_decimal(row.unit_price)
    item["quantity"] = int(row.quantity) if _INTEGER.fullmatch(row.quantity) else row.quantity
    return item


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _problem(error: Any) -> Problem:
    return Problem(_field(error.get("loc", ())), _REASONS.get(error.get("type"), Reason.INVALID))


def _field(loc: Sequence[Any]) -> str:
    """``("items", 0, "unit_price")`` → ``items[0].unit_price`` (the core's spelling)."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def money_problems(sale: SaleCreate, currency_id: str) -> list[Problem]:
    """Prices with more decimals than the currency takes (CLP and COP: none; others: two)."""
    try:
        decimals = site_for_currency(currency_id).decimals
    except UnknownSiteError:
        return []
    return [
        Problem(f"items[{i}].unit_price", Reason.TOO_MANY_DECIMALS)
        for i, item in enumerate(sale.items)
        if _places(item.unit_price) > decimals
    ]


def _places(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_refund_amount(text: str, currency_id: str, left: Decimal) -> Decimal:
    """The amount typed in the refund form. Empty is an error, never "everything"."""
    text = text.strip()
    if not text:
        raise FormError([Problem("amount", Reason.REQUIRED)])
    try:
        amount = Decimal(plain_decimal(text))
    except InvalidOperation:
        raise FormError([Problem("amount", Reason.NOT_A_NUMBER)]) from None
    reason = None
    if not amount.is_finite():
        reason = Reason.NOT_A_NUMBER
    elif amount <= 0:
        reason = Reason.NOT_POSITIVE
    elif _places(amount) > _decimals(currency_id):
        reason = Reason.TOO_MANY_DECIMALS
    elif amount > left:
        reason = Reason.REFUND_TOO_LARGE
    if reason is not None:
        raise FormError([Problem("amount", reason)])
    return amount


def _decimals(currency_id: str) -> int:
    try:
        return site_for_currency(currency_id).decimals
    except UnknownSiteError:
        return 2


def plain_decimal(text: str) -> str:
    """``12,50`` and ``1.234,50`` and ``1,234.50`` → a plain decimal (the last mark separates)."""
    if "," not in text:
        return text
    if "." in text and text.rfind(".") > text.rfind(","):
        return text.replace(",", "")
    return text.replace(".", "").replace(",", ".")


def input_of(field: str | None, quick_amount: bool) -> str | None:
    """The id of the sale form's input that a core field name points at (``None``: the whole
    form). With a quick amount, the single item the form made is the amount field."""
    if field is None:
        return None
    if quick_amount and field.startswith("items"):
        return "amount"
    found = re.fullmatch(r"items\[(\d+)\]\.(title|unit_price|quantity)", field)
    if found:
        return f"{found.group(2)}-{found.group(1)}"
    return "amount" if field == "amount" else None
