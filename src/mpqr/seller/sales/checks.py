"""What a sale must satisfy before anything is stored or sent to Mercado Pago (pure, no I/O).

Mercado Pago refuses amounts its currency cannot carry (CLP and COP take whole numbers, the
others two decimals) and orders above a range it does not publish; the sandbox enforces
:data:`MAX_ORDER_AMOUNT`, and so does the seller, so the cashier gets a 422 that names the field
instead of a 502 after the call. The Orders API takes at most 10 items.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from mpqr.seller.errors import InvalidInput, Reason
from mpqr.seller.gateway import ItemLine
from mpqr.seller.sales.rules import ZERO
from mpqr.seller.sales.schemas import SaleCreate
from mpqr.seller.settings import Integration
from mpqr.sites import site_for_currency

__all__ = ["MAX_ORDERS_API_ITEMS", "MAX_ORDER_AMOUNT", "check_amount", "lines_of"]

MAX_ORDER_AMOUNT: Final = Decimal("99999999")  # "amount cannot be paid with Mercado Pago" above
MAX_ORDERS_API_ITEMS: Final = 10


def check_amount(field: str, value: Decimal, currency: str) -> Decimal:
    """``value`` if its currency can carry it, else an :class:`InvalidInput` naming ``field``."""
    cur = site_for_currency(currency)
    if not value.is_finite():
        raise InvalidInput(field, f"not a number: {value}", reason=Reason.NOT_A_NUMBER)
    if value <= ZERO:
        raise InvalidInput(
            field, f"must be greater than zero: got {value}", reason=Reason.NOT_POSITIVE
        )
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > cur.decimals:
        what = "whole numbers" if cur.decimals == 0 else f"at most {cur.decimals} decimals"
        raise InvalidInput(
            field, f"{currency} amounts take {what}: got {value}", reason=Reason.TOO_MANY_DECIMALS
        )
    if value > MAX_ORDER_AMOUNT:
        raise InvalidInput(
            field,
            f"{value} is above the {MAX_ORDER_AMOUNT} {currency} Mercado Pago accepts",
            reason=Reason.AMOUNT_TOO_LARGE,
        )
    return value


def lines_of(
    body: SaleCreate, currency: str, integration: Integration
) -> tuple[tuple[ItemLine, ...], Decimal]:
    """The sale's lines and total, checked against the currency and the integration."""
    if integration is Integration.ORDERS and len(body.items) > MAX_ORDERS_API_ITEMS:
        raise InvalidInput(
            "items",
            f"the Orders API takes at most {MAX_ORDERS_API_ITEMS} items: got {len(body.items)}",
            reason=Reason.TOO_MANY,
        )
    lines = []
    for i, item in enumerate(body.items):
        price = check_amount(f"items[{i}].unit_price", item.unit_price, currency)
        lines.append(
            ItemLine(item.title, price, item.quantity, item.description, item.picture_url, item.sku)
        )
    total = sum((line.total for line in lines), ZERO)
    check_amount("items", total, currency)
    return tuple(lines), total
