"""Mercado Pago's EMVCo QR layouts, on top of :mod:`mpqr.qr.tlv`.

:func:`pos_qr_payload` builds the static QR printed for a POS, :func:`dynamic_qr_payload` the QR of
one order, and :func:`decode_mp_reference` reads back which POS or order a scanned QR points at.
The generic EMVCo layer (:func:`parse`, :func:`build`, :func:`crc16`, :class:`Payload`) is
re-exported here, so ``from mpqr.qr.emvco import parse`` works.

>>> decode_mp_reference(pos_qr_payload(
...     site_id="MLA", pos_id=42, pos_uuid="u1", merchant_name="Kiosco", city="CABA"))
MPReference(kind='pos', pos_id=42, order_id=None)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

from mpqr.errors import ValidationError
from mpqr.qr.tlv import (
    TAG_CRC,
    FieldsInput,
    FieldValue,
    Payload,
    TLVField,
    build,
    crc16,
    encode_tlv,
    is_template_tag,
    parse,
    parse_tlv,
)
from mpqr.sites import UnknownSiteError, site

__all__ = [
    "TAG_CRC",
    "FieldValue",
    "FieldsInput",
    "MPReference",
    "Payload",
    "TLVField",
    "ascii_fold",
    "build",
    "crc16",
    "decode_mp_reference",
    "dynamic_qr_payload",
    "encode_tlv",
    "is_template_tag",
    "parse",
    "parse_tlv",
    "pos_qr_payload",
]

MERCADOLIBRE_GUI: Final = "COM.MERCADOLIBRE"
PIX_GUI: Final = "BR.GOV.BCB.PIX"
POS_URL_PREFIX: Final = "https://mpago.la/pos/"
PIX_POS_PREFIX: Final = "pix-qr-h.mercadopago.com/instore/h/p/v2/"
MAX_MERCHANT_NAME: Final = 25
MAX_CITY: Final = 15


def ascii_fold(text: str, limit: int) -> str:
    """Strip accents (``"Café Ñandú"`` → ``"Cafe Nandu"``), drop non-printable ASCII, truncate."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if c.isascii() and c.isprintable())
    return " ".join(kept.split())[:limit].rstrip()


def _text(name: str, value: str, limit: int) -> str:
    folded = ascii_fold(value, limit)
    if not folded:
        raise ValidationError(f"{name} must contain printable characters: got {value!r}")
    return folded


def _mcc(mcc: str) -> str:
    if len(mcc) != 4 or not (mcc.isdigit() and mcc.isascii()):
        raise ValidationError(f"EMVCo MCC (tag 52) must be 4 digits: got {mcc!r}")
    return mcc


def _tail(site_id: str, merchant_name: str, city: str, mcc: str) -> list[tuple[str, FieldValue]]:
    try:
        s = site(site_id)
    except UnknownSiteError as exc:
        raise ValidationError(str(exc)) from None
    return [
        ("52", _mcc(mcc)),
        ("53", s.currency_numeric),
        ("58", s.country_code),
        ("59", _text("merchant_name", merchant_name, MAX_MERCHANT_NAME)),
        ("60", _text("city", city, MAX_CITY)),
        ("62", [("05", "***")]),
    ]


_UUID_RE: Final = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _uuid(name: str, value: str) -> str:
    if not _UUID_RE.match(value):
        raise ValidationError(f"{name} must be 1-64 letters, digits or '-': got {value!r}")
    return value


def pos_qr_payload(
    *, site_id: str, pos_id: int, pos_uuid: str, merchant_name: str, city: str, mcc: str = "0000"
) -> str:
    """The static QR printed for a POS (what ``GET /pos/{id}`` returns as ``qr_code``).

    Brazil (MLB) also carries the Pix template (tag 26) pointing at the POS uuid; every site carries
    the MercadoLibre template (tag 43) with ``https://mpago.la/pos/<pos_id>``.
    """
    if isinstance(pos_id, bool) or not isinstance(pos_id, int) or pos_id <= 0:
        raise ValidationError(f"pos_id must be a positive integer: got {pos_id!r}")
    head: list[tuple[str, FieldValue]] = [("00", "01"), ("01", "12")]
    if site_id.upper() == "MLB":
        head.append(("26", [("00", PIX_GUI), ("25", PIX_POS_PREFIX + _uuid("pos_uuid", pos_uuid))]))
    head.append(("43", [("00", MERCADOLIBRE_GUI.lower()), ("01", f"{POS_URL_PREFIX}{pos_id}")]))
    return build(head + _tail(site_id, merchant_name, city, mcc))


def dynamic_qr_payload(
    *, site_id: str, order_uuid: str, merchant_name: str, city: str, mcc: str = "0000"
) -> str:
    """A dynamic QR for one order (``qr_data``).

    It has no amount (tag 54): the buyer's app fetches the order from Mercado Pago by its id.
    """
    template = [("00", MERCADOLIBRE_GUI), ("02", "3"), ("06", _uuid("order_uuid", order_uuid))]
    head: list[tuple[str, FieldValue]] = [("00", "01"), ("01", "12"), ("43", template)]
    return build(head + _tail(site_id, merchant_name, city, mcc))


@dataclass(frozen=True, slots=True)
class MPReference:
    """What a Mercado Pago QR points at: a POS (static, printed) or one order (dynamic)."""

    kind: Literal["pos", "dynamic"]
    pos_id: int | None
    order_id: str | None


def _mercadolibre_template(payload: Payload) -> TLVField:
    for f in payload.fields:
        if f.children and (f.sub("00") or "").upper() == MERCADOLIBRE_GUI:
            return f
    raise ValidationError("not a Mercado Pago QR: no template with GUI 'com.mercadolibre'")


def decode_mp_reference(payload: str) -> MPReference:
    """Which POS (``mpago.la/pos/<id>``) or order (sub-tag 06) a Mercado Pago QR points at.

    Raises :class:`ValidationError` for a bad payload or CRC, or a QR that is not Mercado Pago's.
    """
    template = _mercadolibre_template(parse(payload))
    url = template.sub("01")
    if url is not None and url.startswith(POS_URL_PREFIX):
        pos_id = url.removeprefix(POS_URL_PREFIX)
        if not pos_id.isdigit():
            raise ValidationError(f"Mercado Pago POS URL has a non-numeric POS id: {url!r}")
        return MPReference(kind="pos", pos_id=int(pos_id), order_id=None)
    order_id = template.sub("06")
    if order_id:
        return MPReference(kind="dynamic", pos_id=None, order_id=order_id)
    raise ValidationError(
        f"Mercado Pago template {template.tag} has neither a POS URL (01) nor an order id (06)"
    )
