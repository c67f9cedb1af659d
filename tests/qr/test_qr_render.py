"""Rendering: the bytes are well-formed and what was drawn is segno's matrix of the payload."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
import segno
from PIL import Image

from mpqr.qr.emvco import dynamic_qr_payload, pos_qr_payload
from mpqr.qr.render import (
    QUIET_ZONE,
    dark_runs,
    make_qr,
    png,
    poster_pdf,
    poster_png,
    poster_png_layout,
    svg,
)

POS = pos_qr_payload(
    site_id="MLB",
    pos_id=2852128,
    pos_uuid="6bc7048752b6451a95ce9f0259187e58",
    merchant_name="VICTOR CORREA DE ALMEIDA",
    city="CAMPINAS",
)
DYNAMIC = dynamic_qr_payload(
    site_id="MLA", order_uuid="26f312a8-a8f1-4378-9161-83efb734a0c2", merchant_name="X", city="CABA"
)


def expected_matrix(payload: str) -> list[list[bool]]:
    return [[bool(v) for v in row] for row in segno.make(payload, micro=False).matrix]


def sample(img: Image.Image, left: int, top: int, module: int, n: int) -> list[list[bool]]:
    """Read an n×n symbol back from pixel centres: dark = pure black."""
    rgb = img.convert("RGB")
    half = module // 2
    return [
        [rgb.getpixel((left + x * module + half, top + y * module + half)) == (0, 0, 0)
         for x in range(n)]
        for y in range(n)
    ]  # fmt: skip


def test_make_qr_is_never_micro() -> None:
    assert not make_qr("1").is_micro
    with pytest.raises(ValueError, match="empty"):
        make_qr("")


def test_svg_is_well_formed_and_sized() -> None:
    text = svg(POS, scale=3)
    root = ET.fromstring(text.encode())  # noqa: S314 - our own output, not untrusted input
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    n = len(expected_matrix(POS))
    assert root.get("width") == str((n + 2 * QUIET_ZONE) * 3)


@pytest.mark.parametrize("payload", [POS, DYNAMIC])
@pytest.mark.parametrize("scale", [1, 8])
def test_png_draws_segnos_matrix(payload: str, scale: int) -> None:
    data = png(payload, scale=scale)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(data))
    matrix = expected_matrix(payload)
    n = len(matrix)
    assert img.size == ((n + 2 * QUIET_ZONE) * scale,) * 2
    origin = QUIET_ZONE * scale
    assert sample(img, origin, origin, scale, n) == matrix


def test_poster_png_draws_segnos_matrix_inside_its_layout() -> None:
    data = poster_png(POS, title="Caja 1 — Café", subtitle="Sucursal Ñuñoa")
    assert data.startswith(b"\x89PNG")
    img = Image.open(io.BytesIO(data))
    matrix = expected_matrix(POS)
    lay = poster_png_layout(len(matrix), has_subtitle=True)
    assert img.size == (lay.width, lay.height)
    assert sample(img, lay.qr_left, lay.qr_top, lay.module, len(matrix)) == matrix
    # Quiet zone: no pure-black pixel within 4 modules around the symbol.
    rgb = img.convert("RGB")
    band = range(lay.qr_left - QUIET_ZONE * lay.module, lay.qr_left)
    assert all(rgb.getpixel((x, lay.qr_top)) != (0, 0, 0) for x in band)


def test_poster_png_has_text_above_and_below() -> None:
    img = Image.open(io.BytesIO(poster_png(POS, title="Caja 1"))).convert("RGB")
    lay = poster_png_layout(len(expected_matrix(POS)))

    def inked(y0: int, y1: int) -> bool:
        return any(
            img.getpixel((x, y)) != (255, 255, 255)
            for y in range(y0, y1)
            for x in range(0, lay.width, 2)
        )

    assert inked(0, lay.qr_top - QUIET_ZONE * lay.module)
    assert inked(lay.cta_y - 15, lay.height)


def test_poster_pdf_is_a_pdf_with_the_qr_and_the_text() -> None:
    data = poster_pdf(POS, title="Caja Principal", subtitle="Sucursal Centro")
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"(Caja Principal) Tj" in data
    assert b"(Sucursal Centro) Tj" in data
    # "Escaneá y pagá" in WinAnsi: á is octal \341.
    assert b"(Escane\\341 y pag\\341 con Mercado Pago) Tj" in data
    # One filled rectangle per horizontal run of dark modules.
    runs = list(dark_runs(segno.make(POS, micro=False).matrix))
    assert len(re.findall(rb" re f\*?", data)) == len(runs)


def test_poster_pdf_is_deterministic_and_shrinks_long_titles() -> None:
    a = poster_pdf(DYNAMIC, title="x" * 200)
    assert a == poster_pdf(DYNAMIC, title="x" * 200)
    assert b"\\205) Tj" in a  # cut with an ellipsis (WinAnsi 0x85)


def test_dark_runs() -> None:
    assert list(dark_runs([[1, 1, 0, 1], [0, 0, 0, 0], [0, 1, 1, 1]])) == [
        (0, 0, 2), (0, 3, 1), (2, 1, 3),
    ]  # fmt: skip
