from decimal import Decimal

import pytest

from mpqr.sites import (
    SITES,
    AmountError,
    SiteId,
    UnknownSiteError,
    site,
    site_for_currency,
    to_decimal,
    validate_amount,
)


def test_seven_sites_with_their_currencies() -> None:
    assert {s.value for s in SITES} == {"MLA", "MLB", "MLC", "MCO", "MLM", "MPE", "MLU"}
    expected = {
        "MLA": ("ARS", "032", 2),
        "MLB": ("BRL", "986", 2),
        "MLC": ("CLP", "152", 0),
        "MCO": ("COP", "170", 0),
        "MLM": ("MXN", "484", 2),
        "MPE": ("PEN", "604", 2),
        "MLU": ("UYU", "858", 2),
    }
    for sid, (cur, num, dec) in expected.items():
        s = site(sid)
        assert (s.currency_id, s.currency_numeric, s.decimals) == (cur, num, dec)
        assert site_for_currency(cur) is s


def test_site_lookup_is_case_insensitive_and_errors_are_clear() -> None:
    assert site("mla").id is SiteId.MLA
    with pytest.raises(UnknownSiteError, match="unknown site 'XXX'"):
        site("XXX")
    with pytest.raises(UnknownSiteError, match="unknown currency 'USD'"):
        site_for_currency("USD")


@pytest.mark.parametrize(
    ("value", "currency", "message"),
    [
        ("10.50", "COP", "COP amounts must be whole numbers: got 10.50"),
        (Decimal("1.5"), "CLP", "CLP amounts must be whole numbers: got 1.5"),
        ("1.234", "ARS", "ARS amounts take at most 2 decimals: got 1.234"),
        (0, "BRL", "BRL amounts must be greater than zero: got 0"),
        ("-3", "MXN", "MXN amounts must be greater than zero: got -3"),
        ("abc", "PEN", "amount must be a number"),
        (True, "UYU", "amount must be a number"),
        ("NaN", "ARS", "finite"),
    ],
)
def test_invalid_amounts(value: object, currency: str, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        validate_amount(value, currency)


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("10.00", "COP", Decimal("10.00")),  # trailing zeros are whole
        (1000, "CLP", Decimal(1000)),
        (120.5, "ARS", Decimal("120.5")),
        (0.1, "BRL", Decimal("0.1")),
        ("99.99", "MLM" and "MXN", Decimal("99.99")),
    ],
)
def test_valid_amounts(value: object, currency: str, expected: Decimal) -> None:
    assert validate_amount(value, currency) == expected


def test_zero_allowed_on_request() -> None:
    assert validate_amount(0, "ARS", allow_zero=True) == 0


def test_float_goes_through_repr() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert site("MLA").quantum == Decimal("0.01")
    assert site("MLC").quantum == Decimal(1)
