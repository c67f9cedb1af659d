"""x-signature: manifest, header, verification (mp-api §11.4) against the official SDKs' vectors."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from mercadopago.webhook import WebhookSignatureValidator

from mpqr.errors import SignatureError
from mpqr.notifications import (
    SignatureFailure,
    SignatureRejected,
    build_manifest,
    parse_signature_header,
    signature_header,
    ts_to_seconds,
    verify_signature,
)

# Vectors copied verbatim from mercadopago/sdk-python tests/test_webhook_signature_validator.py and
# mercadopago/sdk-nodejs src/utils/webhook/webhook.spec.ts (identical in both SDKs).
SECRET = "your_secret_key_here"
REQUEST_ID = "2066ca19-c6f1-498a-be75-1923005edd06"
DATA_ID_RAW = "ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"
DATA_ID_LOWER = "ord01jq4s4ky8hwq6na5pxb65b3d3"
TS = "1742505638683"


def reference_hash(data_id: str | None, request_id: str | None, ts: str, secret: str) -> str:
    """The SDKs' own `compute_hash` test helper, re-typed: an implementation independent of ours."""
    parts = []
    if data_id:
        parts.append(f"id:{data_id}")
    if request_id:
        parts.append(f"request-id:{request_id}")
    parts.append(f"ts:{ts}")
    manifest = ";".join(parts) + ";"
    return hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()


VALID_HASH = reference_hash(DATA_ID_LOWER, REQUEST_ID, TS, SECRET)
VALID_HEADER = f"ts={TS},v1={VALID_HASH}"
# VALID_HASH pinned (computed once with the hmac module above) so a change in the helper shows too.
PINNED_HASH = "633f91233312dd391ec75fa0bea539cfc2d6c4918873305b84a96cc1c58db71c"


def test_pinned_vector() -> None:
    assert VALID_HASH == PINNED_HASH


def test_manifest_structure_from_the_docs() -> None:
    assert (
        build_manifest(data_id="123456", request_id="req-1", ts="1704908010")
        == "id:123456;request-id:req-1;ts:1704908010;"
    )
    assert build_manifest(data_id=None, request_id="r", ts=1) == "request-id:r;ts:1;"
    assert build_manifest(data_id="1", request_id=None, ts=1) == "id:1;ts:1;"
    assert build_manifest(data_id=" ", request_id="", ts=1) == "ts:1;"
    assert build_manifest(data_id=None, request_id=None, ts=None) == ""


def test_alphanumeric_data_id_is_lower_cased() -> None:
    manifest = build_manifest(data_id=DATA_ID_RAW, request_id=REQUEST_ID, ts=TS)
    assert manifest == f"id:{DATA_ID_LOWER};request-id:{REQUEST_ID};ts:{TS};"


def test_signature_header_matches_sdk_vector() -> None:
    assert signature_header(SECRET, data_id=DATA_ID_LOWER, request_id=REQUEST_ID, ts=TS) == (
        VALID_HEADER
    )
    # Upper-case ids are lower-cased first, as MP documents.
    assert signature_header(SECRET, data_id=DATA_ID_RAW, request_id=REQUEST_ID, ts=TS) == (
        VALID_HEADER
    )
    assert signature_header(SECRET, data_id=DATA_ID_LOWER, request_id=REQUEST_ID, ts=int(TS)) == (
        VALID_HEADER
    )


def test_our_header_passes_the_official_python_sdk_validator() -> None:
    header = signature_header(SECRET, data_id="123456789", request_id=REQUEST_ID, ts=1704908010)
    WebhookSignatureValidator.validate(header, REQUEST_ID, "123456789", SECRET)
    header = signature_header(SECRET, data_id=DATA_ID_RAW, request_id=REQUEST_ID, ts=TS)
    WebhookSignatureValidator.validate(header, REQUEST_ID, DATA_ID_LOWER, SECRET)


# The SDKs' 12 canonical cases.


def test_case1_happy_path_lowercase() -> None:
    verify_signature(
        header=VALID_HEADER, data_id=DATA_ID_LOWER, request_id=REQUEST_ID, secrets=SECRET
    )


def test_case2_uppercase_data_id_is_lowercased_before_hmac() -> None:
    # Node SDK behaviour and the MP docs. (The Python SDK keeps the case as received instead.)
    verify_signature(
        header=VALID_HEADER, data_id=DATA_ID_RAW, request_id=REQUEST_ID, secrets=SECRET
    )


def _reason(header: str | None, **kwargs: object) -> SignatureFailure:
    args: dict[str, object] = {
        "data_id": DATA_ID_LOWER,
        "request_id": REQUEST_ID,
        "secrets": SECRET,
        **kwargs,
    }
    with pytest.raises(SignatureRejected) as info:
        verify_signature(header=header, **args)  # type: ignore[arg-type]
    assert isinstance(info.value, SignatureError)
    return info.value.reason


def test_case3_malformed_header() -> None:
    assert _reason("this-is-garbage") is SignatureFailure.MALFORMED_HEADER


@pytest.mark.parametrize("header", [None, "", "   "])
def test_case4_missing_header(header: str | None) -> None:
    assert _reason(header) is SignatureFailure.MISSING_HEADER


def test_case5_missing_ts() -> None:
    assert _reason(f"v1={VALID_HASH}") is SignatureFailure.MISSING_TIMESTAMP


def test_non_numeric_ts_is_malformed() -> None:
    assert _reason(f"ts=12a,v1={VALID_HASH}") is SignatureFailure.MALFORMED_HEADER


def test_case6_missing_v1() -> None:
    assert _reason(f"ts={TS}") is SignatureFailure.MISSING_HASH
    assert _reason(f"ts={TS},v2=somehash") is SignatureFailure.MISSING_HASH


def test_case7_tampered_hash() -> None:
    tampered = VALID_HASH[:-2] + ("ff" if VALID_HASH.endswith("00") else "00")
    assert _reason(f"ts={TS},v1={tampered}") is SignatureFailure.MISMATCH


def test_case8_outside_tolerance_ms_ts() -> None:
    far_future = int(TS) / 1000 + 10 * 60
    reason = _reason(VALID_HEADER, tolerance_seconds=60, now=far_future)
    assert reason is SignatureFailure.OUT_OF_TOLERANCE


def test_within_tolerance_ms_ts() -> None:
    verify_signature(
        header=VALID_HEADER,
        data_id=DATA_ID_LOWER,
        request_id=REQUEST_ID,
        secrets=SECRET,
        tolerance_seconds=60,
        now=int(TS) / 1000 + 30,
    )


def test_tolerance_with_seconds_ts() -> None:
    header = signature_header(SECRET, data_id="1", request_id=None, ts=1704908010)
    verify_signature(
        header=header, data_id="1", request_id=None, secrets=SECRET,
        tolerance_seconds=300, now=1704908010 + 299,
    )  # fmt: skip
    with pytest.raises(SignatureRejected, match=r"1800s away from now \(tolerance 300s\)"):
        verify_signature(
            header=header, data_id="1", request_id=None, secrets=SECRET,
            tolerance_seconds=300, now=1704908010 - 1800,
        )  # fmt: skip


def test_ts_units() -> None:
    assert ts_to_seconds("1704908010") == 1704908010.0
    assert ts_to_seconds("1742505638683") == 1742505638.683


def test_case9_data_id_absent() -> None:
    header = f"ts={TS},v1={reference_hash(None, REQUEST_ID, TS, SECRET)}"
    verify_signature(header=header, data_id=None, request_id=REQUEST_ID, secrets=SECRET)


def test_case10_request_id_absent() -> None:
    header = f"ts={TS},v1={reference_hash(DATA_ID_LOWER, None, TS, SECRET)}"
    verify_signature(header=header, data_id=DATA_ID_LOWER, request_id=None, secrets=SECRET)


def test_case11_both_absent() -> None:
    header = f"ts={TS},v1={reference_hash(None, None, TS, SECRET)}"
    verify_signature(header=header, data_id="  ", request_id="", secrets=SECRET)


def test_case12_non_payment_topic_same_algorithm() -> None:
    header = f"ts={TS},v1={reference_hash('ord01abc123', REQUEST_ID, TS, SECRET)}"
    verify_signature(header=header, data_id="ord01abc123", request_id=REQUEST_ID, secrets=SECRET)


def test_v1_found_among_other_versions_and_spacing() -> None:
    verify_signature(
        header=f" ts = {TS} , v1 = {VALID_HASH.upper()} , v2=aaaa",
        data_id=DATA_ID_LOWER,
        request_id=REQUEST_ID,
        secrets=SECRET,
    )


def test_rotation_accepts_any_listed_secret() -> None:
    header = signature_header("new-secret", data_id="42", request_id="r", ts=1)
    verify_signature(
        header=header, data_id="42", request_id="r", secrets=["old-secret", "new-secret"]
    )
    with pytest.raises(SignatureRejected, match=r"tried 2 secret\(s\)"):
        verify_signature(header=header, data_id="42", request_id="r", secrets=["a", "b"])


def test_messages_never_contain_secrets_or_expected_hash() -> None:
    with pytest.raises(SignatureRejected) as info:
        verify_signature(header=f"ts={TS},v1=00", data_id=DATA_ID_LOWER, request_id=REQUEST_ID,
                         secrets=SECRET)  # fmt: skip
    text = str(info.value) + repr(info.value)
    assert SECRET not in text
    assert VALID_HASH not in text


def test_no_secret_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        verify_signature(header=VALID_HEADER, data_id=None, request_id=None, secrets=[])
    with pytest.raises(ValueError, match="at least one"):
        verify_signature(header=VALID_HEADER, data_id=None, request_id=None, secrets="")


def test_parse_signature_header() -> None:
    parsed = parse_signature_header("ts=1704908010,v1=ABC,extra,=x,k=")
    assert parsed.ts == "1704908010"
    assert parsed.hashes == {"v1": "abc"}


def test_doc_example_header_parses() -> None:
    # mp-api §11.4, from the Webhooks docs (no secret is published, so only its shape is checkable).
    doc = "ts=1704908010,v1=618c85345248dd820d5fd456117c2ab2ef8eda45a0282ff693eac24131a5e839"
    parsed = parse_signature_header(doc)
    assert parsed.ts == "1704908010"
    assert len(parsed.hashes["v1"]) == 64
    assert _reason(doc) is SignatureFailure.MISMATCH
