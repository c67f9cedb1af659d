"""The seven Mercado Pago sites that take in-store QR payments, and money rules per currency.

Money is always :class:`decimal.Decimal`. CLP and COP have no minor unit: Mercado Pago requires
whole numbers for them. The other currencies accept at most two decimals.

>>> site("MCO").currency_id
'COP'
>>> validate_amount("10.50", "COP")
Traceback (most recent call last):
...
mpqr.sites.AmountError: COP amounts must be whole numbers: got 10.50
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

__all__ = [
    "SITES",
    "AmountError",
    "Site",
    "SiteId",
    "UnknownSiteError",
    "currency_ids",
    "site",
    "site_for_currency",
    "to_decimal",
    "validate_amount",
]


class SiteId(StrEnum):
    MLA = "MLA"
    MLB = "MLB"
    MLC = "MLC"
    MCO = "MCO"
    MLM = "MLM"
    MPE = "MPE"
    MLU = "MLU"


@dataclass(frozen=True, slots=True)
class Site:
    """One Mercado Pago site: country, currency and the rules for its amounts."""

    id: SiteId
    country: str
    country_code: str  # ISO 3166 alpha-2, as in EMVCo tag 58
    country_code3: str  # ISO 3166 alpha-3, as in the Orders API `country_code`
    currency_id: str  # ISO 4217 alpha
    currency_numeric: str  # ISO 4217 numeric, as in EMVCo tag 53
    decimals: int
    mcc_gastronomy: int
    mcc_gas_station: int

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimals)


SITES: Final[dict[SiteId, Site]] = {
    s.id: s
    for s in (
        Site(SiteId.MLA, "Argentina", "AR", "ARG", "ARS", "032", 2, 621102, 473000),
        Site(SiteId.MLB, "Brasil", "BR", "BRA", "BRL", "986", 2, 5611203, 4731300),
        Site(SiteId.MLC, "Chile", "CL", "CHL", "CLP", "152", 0, 561000, 473001),
        Site(SiteId.MCO, "Colombia", "CO", "COL", "COP", "170", 0, 5611, 4731),
        Site(SiteId.MLM, "México", "MX", "MEX", "MXN", "484", 2, 5812, 468419),
        Site(SiteId.MPE, "Perú", "PE", "PER", "PEN", "604", 2, 5520, 5050),
        Site(SiteId.MLU, "Uruguay", "UY", "URY", "UYU", "858", 2, 56101, 47300),
    )
}

_BY_CURRENCY: Final[dict[str, Site]] = {s.currency_id: s for s in SITES.values()}


class UnknownSiteError(ValueError):
    """A site id or currency that none of the seven QR sites uses."""


class AmountError(ValueError):
    """An amount that Mercado Pago would refuse for its currency."""


def site(site_id: str | SiteId) -> Site:
    """The :class:`Site` for a site id such as ``"MLA"`` (case-insensitive)."""
    try:
        return SITES[SiteId(str(site_id).upper())]
    except ValueError:
        known = ", ".join(SITES)
        raise UnknownSiteError(f"unknown site {site_id!r}: expected one of {known}") from None


def currency_ids() -> tuple[str, ...]:
    """The seven currencies, in site order: ``("ARS", "BRL", ...)``."""
    return tuple(_BY_CURRENCY)


def site_for_currency(currency_id: str) -> Site:
    """The site whose currency is ``currency_id`` (``"ARS"`` → MLA)."""
    try:
        return _BY_CURRENCY[currency_id.upper()]
    except KeyError:
        known = ", ".join(_BY_CURRENCY)
        raise UnknownSiteError(
            f"unknown currency {currency_id!r}: expected one of {known}"
        ) from None


def to_decimal(value: object) -> Decimal:
    """Turn an int, str or Decimal into a Decimal. Floats go through ``repr`` so 0.1 stays 0.1."""
    if isinstance(value, bool):
        raise AmountError(f"amount must be a number: got {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise AmountError(f"amount must be a number: got {value!r}") from None
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        raise AmountError(f"amount must be a number: got {value!r}")
    if not result.is_finite():
        raise AmountError(f"amount must be a finite number: got {value!r}")
    return result


def validate_amount(value: object, currency_id: str, *, allow_zero: bool = False) -> Decimal:
    """Check an amount against its currency's rules and return it as a Decimal.

    Raises :class:`AmountError` with a message naming the rule that failed.
    """
    amount = to_decimal(value)
    cur = site_for_currency(currency_id)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise AmountError(f"{cur.currency_id} amounts must be greater than zero: got {value}")
    exponent = amount.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > cur.decimals:
        if cur.decimals == 0:
            raise AmountError(f"{cur.currency_id} amounts must be whole numbers: got {value}")
        raise AmountError(
            f"{cur.currency_id} amounts take at most {cur.decimals} decimals: got {value}"
        )
    return amount
