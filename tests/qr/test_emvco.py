"""EMVCo TLV, CRC-16 and Mercado Pago's QR layouts (mp-api §5.1, §13.3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mpqr.errors import ValidationError
from mpqr.qr.emvco import (
    FieldValue,
    MPReference,
    ascii_fold,
    build,
    crc16,
    decode_mp_reference,
    dynamic_qr_payload,
    parse,
    parse_tlv,
    pos_qr_payload,
)

# Static POS QRs as Mercado Pago returns them in GET /pos/{id} `qr_code`, found in public community
# test code (a NestJS payment test and a .NET Mercado Pago mock). Their CRCs check out.
STATIC_MLB_1 = (
    "00020101021226940014BR.GOV.BCB.PIX2572pix-qr-h.mercadopago.com/instore/h/p/v2/"
    "6bc7048752b6451a95ce9f0259187e5843540016com.mercadolibre0130https://mpago.la/pos/104573982"
    "5204000053039865802BR5909Test Test6009SAO PAULO62070503***63043314"
)
STATIC_MLB_2 = (
    "00020101021226940014BR.GOV.BCB.PIX2572pix-qr-h.mercadopago.com/instore/h/p/v2/"
    "968f23cc18f946678a366d10d883809a43530016com.mercadolibre0129https://mpago.la/pos/88970412"
    "5204000053039865802BR5909Test Test6009SAO PAULO62070503***6304091A"
)
# Dynamic `qr_data` strings from public community tests (Brazil, and Argentina with tag 50).
DYNAMIC_MLB = (
    "00020101021243650016COM.MERCADOLIBRE02013063626f312a8-a8f1-4378-9161-83efb734a0c2"
    "5204000053039865802BR5909Test Test6009SAO PAULO62070503***630409D4"
)
DYNAMIC_MLA = (
    "00020101021243650016com.mercadolibre0201306366b290f4f-7b70-47af-ba91-c2b5d8af8fe7"
    "50150011204371902685204970053030325802AR5917Negocio de Fausto6004CABA63047F8B"
)
# mp-api §5.1: the reference's anonymised example. Its CRC (and the tag 59 length) do not check out.
DOC_DYNAMIC = (
    "00020101021243650016COM.MERCADOLIBRE02013063638f1192a-5fd1-4180-a180-8bcae3556bc3"
    "5204000053039865802BR5925IZABEL AAAA DE MELO6007BARUERI62070503***63040B6D"
)


def test_crc16_check_value() -> None:
    # The catalogued check value of CRC-16/CCITT-FALSE ("123456789" -> 0x29B1).
    assert crc16("123456789") == "29B1"
    assert crc16("") == "FFFF"


@pytest.mark.parametrize(
    ("payload", "crc"),
    [(STATIC_MLB_1, "3314"), (STATIC_MLB_2, "091A"), (DYNAMIC_MLB, "09D4"), (DYNAMIC_MLA, "7F8B")],
)
def test_crc16_of_real_payloads(payload: str, crc: str) -> None:
    # The CRC printed at the end of each real payload, recomputed over everything before it.
    assert crc16(payload[:-4]) == crc


def _bitwise_crc16(data: str) -> str:
    # The bit-by-bit CRC-16/CCITT-FALSE the EMVCo spec describes (poly 0x1021, init 0xFFFF).
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = (((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)) & 0xFFFF
    return f"{crc:04X}"


@given(st.text(max_size=120))
def test_crc16_equals_the_bitwise_definition(data: str) -> None:
    assert crc16(data) == _bitwise_crc16(data)


@pytest.mark.parametrize("payload", [STATIC_MLB_1, STATIC_MLB_2, DYNAMIC_MLB, DYNAMIC_MLA])
def test_real_payloads_parse_with_valid_crc(payload: str) -> None:
    p = parse(payload)
    assert p.crc_ok
    assert p.crc == crc16(payload[:-4])
    assert p.format_indicator == "01"
    assert p.point_of_initiation == "12"


@pytest.mark.parametrize("payload", [STATIC_MLB_1, STATIC_MLB_2, DYNAMIC_MLB, DYNAMIC_MLA])
def test_parse_then_build_round_trips(payload: str) -> None:
    p = parse(payload)
    fields = [(f.tag, [(c.tag, c.value) for c in f.children] or f.value) for f in p.fields[:-1]]
    assert build(fields) == payload


def test_static_pos_fields() -> None:
    p = parse(STATIC_MLB_1)
    assert p.templates == {
        "26": {
            "00": "BR.GOV.BCB.PIX",
            "25": "pix-qr-h.mercadopago.com/instore/h/p/v2/6bc7048752b6451a95ce9f0259187e58",
        },
        "43": {"00": "com.mercadolibre", "01": "https://mpago.la/pos/104573982"},
        "62": {"05": "***"},
    }
    assert (p.mcc, p.currency_numeric, p.country_code) == ("0000", "986", "BR")
    assert (p.merchant_name, p.city, p.amount) == ("Test Test", "SAO PAULO", None)


@pytest.mark.parametrize(
    ("payload", "pos_id", "uuid"),
    [
        (STATIC_MLB_1, 104573982, "6bc7048752b6451a95ce9f0259187e58"),
        (STATIC_MLB_2, 88970412, "968f23cc18f946678a366d10d883809a"),
    ],
)
def test_pos_qr_payload_reproduces_real_static_qr(payload: str, pos_id: int, uuid: str) -> None:
    built = pos_qr_payload(
        site_id="MLB", pos_id=pos_id, pos_uuid=uuid, merchant_name="Test Test", city="SAO PAULO"
    )
    assert built == payload


def test_doc_static_example_layout() -> None:
    # mp-api §13.3 decodes a static MLB QR (CRC 367C) but elides the 32-character POS uuid, so its
    # CRC cannot be reproduced; its lengths can: 26 94, 43 52, 59 24, 60 08, 62 07.
    built = pos_qr_payload(
        site_id="MLB",
        pos_id=2852128,
        pos_uuid="0" * 32,
        merchant_name="VICTOR CORREA DE ALMEIDA",
        city="CAMPINAS",
    )
    p = parse(built)
    lengths = {f.tag: len(f.value) for f in p.fields}
    assert lengths == {
        "00": 2, "01": 2, "26": 94, "43": 52, "52": 4, "53": 3, "58": 2, "59": 24, "60": 8,
        "62": 7, "63": 4,
    }  # fmt: skip
    assert [f.tag for f in p.fields] == list(lengths)


def test_doc_dynamic_example_fails_crc_first() -> None:
    with pytest.raises(ValidationError, match=r"bad CRC: payload says '0B6D', computed '6EAA'"):
        parse(DOC_DYNAMIC)


def test_doc_dynamic_example_without_crc_check_hits_its_bad_length() -> None:
    # The anonymised merchant name is 19 characters under a declared length of 25, so even without
    # the CRC check the TLV walk cannot read it: we report where, rather than guess.
    with pytest.raises(ValidationError, match=r"bad TLV in payload at offset 131"):
        parse(DOC_DYNAMIC, verify_crc=False)


def test_verify_crc_false_reads_a_payload_with_a_wrong_crc() -> None:
    tampered = DYNAMIC_MLB[:-4] + "0000"
    p = parse(tampered, verify_crc=False)
    assert not p.crc_ok
    assert p.computed_crc == "09D4"
    assert p.template("43")["06"] == "26f312a8-a8f1-4378-9161-83efb734a0c2"


def test_lowercase_crc_hex_is_accepted() -> None:
    payload = build([("00", "01"), ("59", "X")])
    assert parse(payload[:-4] + payload[-4:].lower()).crc_ok


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("", "must end with the CRC field"),
        ("000201", "must end with the CRC field"),
        ("0002016305ABCDE", "must end with the CRC field"),
        (build([("00", "01")])[:-8] + "x" + "6304", "must end with the CRC field"),
    ],
)
def test_structural_errors(payload: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse(payload)


def test_bad_tag_reports_offset() -> None:
    body = "000201AB02xx6304"
    with pytest.raises(ValidationError, match=r"offset 6: expected a 2-digit tag"):
        parse(body + crc16(body))


def test_bad_length_reports_declared_and_remaining() -> None:
    body = "0002015999ABC6304"
    with pytest.raises(ValidationError, match=r"tag 59 declares 99 characters"):
        parse(body + crc16(body))


def test_bad_template_content() -> None:
    body = "00020126040X126304"
    with pytest.raises(ValidationError, match=r"bad TLV in template 26 at offset 0"):
        parse(body + crc16(body))


def test_crc_must_be_last_and_single() -> None:
    body = "0002016304ABCD5902XY6304"
    with pytest.raises(ValidationError, match="more than once"):
        parse(body + crc16(body))


def test_build_refuses_bad_fields() -> None:
    with pytest.raises(ValidationError, match="two digits"):
        build([("5", "x")])
    with pytest.raises(ValidationError, match="maximum is 99"):
        build([("59", "x" * 100)])
    with pytest.raises(ValidationError, match="must not be empty"):
        build([("59", "")])
    with pytest.raises(ValidationError, match="CRC is computed"):
        build([("63", "ABCD")])


def test_build_accepts_mapping_and_nested_mapping() -> None:
    fields: dict[str, FieldValue] = {"00": "01", "62": {"05": "***"}}
    payload = build(fields)
    assert payload.startswith("00020162070503***6304")
    assert parse(payload).template("62") == {"05": "***"}


def test_parse_tlv_without_nesting() -> None:
    (field,) = parse_tlv("62070503***", nested=False)
    assert field.children == ()


@pytest.mark.parametrize(
    ("site_id", "currency", "country"),
    [("MLA", "032", "AR"), ("MLC", "152", "CL"), ("MCO", "170", "CO"), ("MLM", "484", "MX"),
     ("MPE", "604", "PE"), ("MLU", "858", "UY"), ("MLB", "986", "BR")],
)  # fmt: skip
def test_pos_qr_per_site(site_id: str, currency: str, country: str) -> None:
    payload = pos_qr_payload(
        site_id=site_id, pos_id=7, pos_uuid="abc123", merchant_name="Kiosco", city="Ciudad"
    )
    p = parse(payload)
    assert (p.currency_numeric, p.country_code) == (currency, country)
    assert ("26" in p.templates) == (site_id == "MLB")
    assert decode_mp_reference(payload) == MPReference(kind="pos", pos_id=7, order_id=None)


def test_pos_qr_folds_and_truncates_names() -> None:
    payload = pos_qr_payload(
        site_id="MLA",
        pos_id=1,
        pos_uuid="u",
        merchant_name="Panadería «La Ñusta» de Añelo y Señores",
        city="San Martín de los Andes",
        mcc="5812",
    )
    p = parse(payload)
    assert p.merchant_name == "Panaderia La Nusta de Ane"
    assert p.city == "San Martin de l"
    assert p.mcc == "5812"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"site_id": "XXX"}, "unknown site"),
        ({"pos_id": 0}, "positive integer"),
        ({"pos_id": True}, "positive integer"),
        ({"pos_uuid": "a/b"}, "pos_uuid must be"),
        ({"mcc": "12"}, "4 digits"),
        ({"merchant_name": "«»"}, "merchant_name must contain"),
        ({"city": "  "}, "city must contain"),
    ],
)
def test_pos_qr_refuses_bad_input(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "site_id": "MLB", "pos_id": 1, "pos_uuid": "u", "merchant_name": "M", "city": "C",
    }  # fmt: skip
    args.update(kwargs)
    with pytest.raises(ValidationError, match=message):
        pos_qr_payload(**args)  # type: ignore[arg-type]


def test_dynamic_qr_payload_matches_mp_layout() -> None:
    payload = dynamic_qr_payload(
        site_id="MLB",
        order_uuid="26f312a8-a8f1-4378-9161-83efb734a0c2",
        merchant_name="Test Test",
        city="SAO PAULO",
    )
    assert payload == DYNAMIC_MLB
    p = parse(payload)
    assert p.amount is None
    ref = decode_mp_reference(payload)
    assert ref == MPReference("dynamic", None, "26f312a8-a8f1-4378-9161-83efb734a0c2")


def test_decode_mp_reference_on_real_payloads() -> None:
    assert decode_mp_reference(STATIC_MLB_2) == MPReference("pos", 88970412, None)
    assert decode_mp_reference(DYNAMIC_MLA).order_id == "6b290f4f-7b70-47af-ba91-c2b5d8af8fe7"


def test_decode_mp_reference_refuses_foreign_and_broken_qrs() -> None:
    pix_only = build([("00", "01"), ("26", [("00", "BR.GOV.BCB.PIX"), ("01", "k@x.com")])])
    with pytest.raises(ValidationError, match="not a Mercado Pago QR"):
        decode_mp_reference(pix_only)
    with pytest.raises(ValidationError, match="bad CRC"):
        decode_mp_reference(STATIC_MLB_1[:-4] + "0000")
    bad_url = build([("43", [("00", "com.mercadolibre"), ("01", "https://mpago.la/pos/abc")])])
    with pytest.raises(ValidationError, match="non-numeric POS id"):
        decode_mp_reference(bad_url)
    empty = build([("43", [("00", "COM.MERCADOLIBRE"), ("02", "3")])])
    with pytest.raises(ValidationError, match="neither a POS URL"):
        decode_mp_reference(empty)


def test_ascii_fold() -> None:
    assert ascii_fold("  Café   Ñandú  ", 25) == "Cafe Nandu"
    assert ascii_fold("São Paulo", 3) == "Sao"


_tags = st.sampled_from(["52", "53", "54", "58", "59", "60"])
_values = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=99
)


@given(st.lists(st.tuples(_tags, _values), max_size=8))
def test_build_parse_round_trip_property(fields: list[tuple[str, str]]) -> None:
    payload = build([("00", "01"), *fields])
    p = parse(payload)
    assert [(f.tag, f.value) for f in p.fields[1:-1]] == fields
    assert p.crc_ok
