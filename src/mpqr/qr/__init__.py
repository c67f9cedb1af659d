"""EMVCo QR payloads (:mod:`mpqr.qr.emvco`) and their rendering (:mod:`mpqr.qr.render`).

Only the pure EMVCo layer is re-exported here so importing :mod:`mpqr.qr` stays cheap; import
:mod:`mpqr.qr.render` for SVG/PNG/PDF output.
"""

from mpqr.qr.emvco import (
    MPReference,
    Payload,
    TLVField,
    build,
    crc16,
    decode_mp_reference,
    dynamic_qr_payload,
    parse,
    pos_qr_payload,
)

__all__ = [
    "MPReference",
    "Payload",
    "TLVField",
    "build",
    "crc16",
    "decode_mp_reference",
    "dynamic_qr_payload",
    "parse",
    "pos_qr_payload",
]
