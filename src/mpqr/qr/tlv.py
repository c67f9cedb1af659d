"""EMVCo merchant-presented QR payloads: TLV encoding and parsing, CRC-16.

A payload is a flat run of ``TAG LEN VALUE`` fields (two-digit tag, two-digit length, value). Tags
26-51 (merchant account information), 62 (additional data) and 64 (alternate language) are templates
whose value is itself a TLV run. The last field is always ``63 04 <CRC>``: CRC-16/CCITT-FALSE (poly
0x1021, init 0xFFFF) of everything before it *including* the literal ``"6304"``, as four upper-case
hex digits.

>>> p = parse(build([("00", "01"), ("59", "LA PARRILLA"), ("60", "CABA")]))
>>> p.merchant_name, p.crc_ok
('LA PARRILLA', True)

Mercado Pago's own layouts live in :mod:`mpqr.qr.emvco`, which re-exports everything here.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from mpqr.errors import ValidationError

__all__ = [
    "TAG_CRC",
    "FieldValue",
    "FieldsInput",
    "Payload",
    "TLVField",
    "build",
    "crc16",
    "encode_tlv",
    "is_template_tag",
    "parse",
    "parse_tlv",
]

TAG_CRC: Final = "63"

# A value is a plain string or, for a template, its sub-fields (as a mapping or ordered pairs).
SubFields = Mapping[str, str] | Sequence[tuple[str, str]]
FieldValue = str | SubFields
FieldsInput = Mapping[str, FieldValue] | Iterable[tuple[str, FieldValue]]


def is_template_tag(tag: str) -> bool:
    """True for tags whose value is a nested TLV run (26-51, 62, 64)."""
    return tag.isdigit() and (26 <= int(tag) <= 51 or tag in ("62", "64"))


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE of ``data`` (encoded as UTF-8) as four upper-case hex digits.

    The standard library's ``crc_hqx`` is this CRC (poly 0x1021) once started at 0xFFFF.

    >>> crc16("123456789")
    '29B1'
    """
    return f"{binascii.crc_hqx(data.encode('utf-8'), 0xFFFF):04X}"


@dataclass(frozen=True, slots=True)
class TLVField:
    """One ``TAG LEN VALUE`` field; ``children`` holds the parsed sub-fields of a template."""

    tag: str
    value: str
    children: tuple[TLVField, ...] = ()

    def sub(self, tag: str) -> str | None:
        """The value of sub-field ``tag`` of this template, or None."""
        return next((c.value for c in self.children if c.tag == tag), None)


# --- parsing


def parse_tlv(data: str, *, nested: bool = True, where: str = "payload") -> tuple[TLVField, ...]:
    """Split a TLV run into fields; templates get their ``children`` when ``nested``.

    Raises :class:`ValidationError` naming the offset of the first malformed field.
    """
    fields: list[TLVField] = []
    pos = 0
    while pos < len(data):
        tag, value, pos = _read_field(data, pos, where)
        children: tuple[TLVField, ...] = ()
        if nested and is_template_tag(tag):
            children = parse_tlv(value, nested=False, where=f"template {tag}")
        fields.append(TLVField(tag, value, children))
    return tuple(fields)


def _read_field(data: str, pos: int, where: str) -> tuple[str, str, int]:
    head = data[pos : pos + 4]
    if len(head) < 4 or not head.isdigit() or not head.isascii():
        raise ValidationError(
            f"bad TLV in {where} at offset {pos}: expected a 2-digit tag and 2-digit length,"
            f" got {head!r}"
        )
    tag, length = head[:2], int(head[2:])
    end = pos + 4 + length
    if end > len(data):
        raise ValidationError(
            f"bad length in {where} at offset {pos}: tag {tag} declares {length} characters"
            f" but only {len(data) - pos - 4} remain"
        )
    return tag, data[pos + 4 : end], end


def _verify_crc(payload: str) -> tuple[bool, str]:
    # The CRC is checked on the raw string before the TLV walk: a corrupted payload is reported as
    # a CRC error rather than as whatever structural error the corruption happens to cause.
    if len(payload) < 8 or payload[-8:-4] != TAG_CRC + "04":
        raise ValidationError("bad payload: it must end with the CRC field '6304' + 4 hex digits")
    expected = crc16(payload[:-4])
    return payload[-4:].upper() == expected, expected


def _check_crc_field(fields: tuple[TLVField, ...]) -> None:
    if not fields or fields[-1].tag != TAG_CRC or len(fields[-1].value) != 4:
        raise ValidationError("bad payload: the last field must be the CRC (tag 63, length 04)")
    if any(f.tag == TAG_CRC for f in fields[:-1]):
        raise ValidationError("bad payload: tag 63 (CRC) appears more than once")


def parse(payload: str, *, verify_crc: bool = True) -> Payload:
    """Parse an EMVCo payload string into a :class:`Payload`.

    Raises :class:`ValidationError` on a CRC that does not match (unless ``verify_crc=False``; the
    CRC is checked first), malformed TLV, a bad length, or a missing CRC field.
    """
    payload = payload.strip()
    crc_ok, expected = _verify_crc(payload)
    if verify_crc and not crc_ok:
        raise ValidationError(
            f"bad CRC: payload says {payload[-4:]!r}, computed {expected!r}"
            " (CRC-16/CCITT-FALSE over everything up to and including '6304')"
        )
    fields = parse_tlv(payload)
    _check_crc_field(fields)
    return Payload(raw=payload, fields=fields, crc_ok=crc_ok, computed_crc=expected)


@dataclass(frozen=True, slots=True)
class Payload:
    """A parsed EMVCo merchant-presented payload.

    ``fields`` keeps every top-level field in order (templates with their ``children``); the
    properties name the common EMVCo tags. ``crc_ok`` says whether the CRC field matches
    ``computed_crc`` (only False when parsed with ``verify_crc=False``).

    >>> p = parse(build([("00", "01"), ("53", "032"), ("58", "AR")]))
    >>> p.currency_numeric, p.country_code
    ('032', 'AR')
    """

    raw: str
    fields: tuple[TLVField, ...]
    crc_ok: bool
    computed_crc: str

    def field(self, tag: str) -> TLVField | None:
        """The first top-level field with ``tag``, or None."""
        return next((f for f in self.fields if f.tag == tag), None)

    def value(self, tag: str) -> str | None:
        """The raw value of top-level ``tag``, or None."""
        found = self.field(tag)
        return None if found is None else found.value

    def template(self, tag: str) -> dict[str, str]:
        """The sub-fields of template ``tag`` as ``{sub tag: value}`` (empty if absent)."""
        found = self.field(tag)
        return {} if found is None else {c.tag: c.value for c in found.children}

    @property
    def templates(self) -> dict[str, dict[str, str]]:
        """Every template field present, ``{tag: {sub tag: value}}``, in payload order."""
        return {f.tag: {c.tag: c.value for c in f.children} for f in self.fields if f.children}

    @property
    def format_indicator(self) -> str | None:
        return self.value("00")

    @property
    def point_of_initiation(self) -> str | None:
        return self.value("01")

    @property
    def mcc(self) -> str | None:
        return self.value("52")

    @property
    def currency_numeric(self) -> str | None:
        return self.value("53")

    @property
    def amount(self) -> str | None:
        return self.value("54")

    @property
    def country_code(self) -> str | None:
        return self.value("58")

    @property
    def merchant_name(self) -> str | None:
        return self.value("59")

    @property
    def city(self) -> str | None:
        return self.value("60")

    @property
    def crc(self) -> str:
        return self.fields[-1].value


# --- building


def _check_tag(tag: str) -> str:
    if len(tag) != 2 or not tag.isdigit() or not tag.isascii():
        raise ValidationError(f"EMVCo tags are two digits: got {tag!r}")
    return tag


def encode_tlv(tag: str, value: str) -> str:
    """``TAG LEN VALUE`` for one field; values longer than 99 characters are refused."""
    _check_tag(tag)
    if not value:
        raise ValidationError(f"EMVCo field {tag} must not be empty")
    if len(value) > 99:
        raise ValidationError(
            f"EMVCo field {tag} is {len(value)} characters long: the maximum is 99"
        )
    return f"{tag}{len(value):02d}{value}"


def _pairs(fields: FieldsInput) -> list[tuple[str, FieldValue]]:
    return list(fields.items()) if isinstance(fields, Mapping) else list(fields)


def _encode_value(tag: str, value: FieldValue) -> str:
    if isinstance(value, str):
        return encode_tlv(tag, value)
    subs = value.items() if isinstance(value, Mapping) else value
    return encode_tlv(tag, "".join(encode_tlv(t, v) for t, v in subs))


def build(fields: FieldsInput) -> str:
    """Encode ``fields`` in the given order and append the CRC field (tag 63).

    A field's value is a string, or for a template a mapping / ordered pairs of sub-fields. Do not
    pass tag 63: it is computed.
    """
    body = ""
    for tag, value in _pairs(fields):
        if tag == TAG_CRC:
            raise ValidationError("do not pass tag 63 to build(): the CRC is computed")
        body += _encode_value(tag, value)
    body += TAG_CRC + "04"
    return body + crc16(body)
