"""Turn the cashier's HTML form into the JSON API's :class:`SaleCreate` (pure, no I/O).

The UI builds the very model the JSON API validates, so both share every rule (positive prices,
whole quantities, the currency's decimals checked by the service). A decimal comma is accepted
(``12,50``) because that is how most Mercado Pago countries write money.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from mpqr.seller.sales.schemas import SaleCreate

__all__ = ["FormError", "ItemRow", "SaleForm", "parse_sale_form", "plain_decimal", "read_form"]


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


class FormError(ValueError):
    """The form does not describe a valid sale; ``messages`` say why, field by field."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def read_form(form: MultiValues) -> SaleForm:
    titles, prices, quantities = (
        [str(v) for v in form.getlist(name)] for name in ("title", "unit_price", "quantity")
    )
    rows = tuple(
        ItemRow(t.strip(), p.strip(), q.strip() or "1")
        for t, p, q in zip(titles, prices, quantities, strict=False)
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
    body = {"cashbox": cashbox, "items": items, "replace": form.replace}
    try:
        return SaleCreate.model_validate(body)
    except ValidationError as exc:
        raise FormError([_describe(e) for e in exc.errors()]) from None


def _item(row: ItemRow) -> dict[str, Any]:
    quantity: Any = int(row.quantity) if row.quantity.isdigit() else row.quantity
    return {"title": row.title, "unit_price": plain_decimal(row.unit_price), "quantity": quantity}


def plain_decimal(text: str) -> str:
    """``12,50`` and ``1.234,50`` and ``1,234.50`` → a plain decimal (the last mark separates)."""
    if "," not in text:
        return text
    if "." in text and text.rfind(".") > text.rfind(","):
        return text.replace(",", "")
    return text.replace(".", "").replace(",", ".")


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()))
    return f"{where}: {error.get('msg', 'invalid')}"
