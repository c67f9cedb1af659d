"""Render an EMVCo payload as SVG, PNG, a printable PDF poster, or a PNG poster.

All four draw the same symbol: ``segno.make(payload, micro=False)`` (a regular QR code, never a
Micro QR, with segno's default error-correction boost). The posters are what a POS's
``qr.template_document`` (PDF) and ``qr.template_image`` (PNG) serve: a title, the QR with its quiet
zone, and the line "Escaneá y pagá con Mercado Pago" plus an optional subtitle.

Output is deterministic: the same arguments give the same bytes (reportlab runs in ``invariant``
mode, so no creation date or random document id is embedded).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

import segno
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A5
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

__all__ = ["CALL_TO_ACTION", "make_qr", "png", "poster_pdf", "poster_png", "svg"]

CALL_TO_ACTION: Final = "Escaneá y pagá con Mercado Pago"
QUIET_ZONE: Final = 4  # modules of white border, as ISO/IEC 18004 requires
_MP_BLUE: Final = (0, 158, 227)
_INK: Final = (45, 50, 80)  # text is never pure black, so the QR's black modules stand apart


def make_qr(payload: str) -> Any:
    """The segno symbol every renderer draws (``micro=False``: phones' payment apps expect a QR)."""
    if not payload:
        raise ValueError("cannot render an empty payload")
    return segno.make(payload, micro=False)


def svg(payload: str, *, scale: int = 4) -> str:
    """The QR as a standalone SVG document (with a 4-module quiet zone)."""
    buf = io.BytesIO()
    make_qr(payload).save(buf, kind="svg", scale=scale, border=QUIET_ZONE, xmldecl=True)
    return buf.getvalue().decode("utf-8")


def png(payload: str, *, scale: int = 8) -> bytes:
    """The QR as a PNG, ``scale`` pixels per module, with a 4-module quiet zone."""
    buf = io.BytesIO()
    make_qr(payload).save(buf, kind="png", scale=scale, border=QUIET_ZONE)
    return buf.getvalue()


def dark_runs(matrix: Any) -> Iterator[tuple[int, int, int]]:
    """``(row, first column, length)`` of every horizontal run of dark modules."""
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                yield y, start, x - start
            else:
                x += 1


# --- PDF poster


def _fit_font(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    """Shrink ``text`` down to 10 pt to fit ``width``, then cut it with an ellipsis."""
    while size > 10 and stringWidth(text, font, size) > width:
        size -= 1
    while len(text) > 1 and stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text, size


def _centered(c: Canvas, text: str, font: str, size: float, y: float) -> None:
    page_w = A5[0]
    text, size = _fit_font(text, font, size, page_w - 60)
    c.setFont(font, size)
    c.drawCentredString(page_w / 2, y, text)


def _draw_qr_pdf(c: Canvas, matrix: Any, x0: float, top: float, module: float) -> None:
    c.setFillColorRGB(0, 0, 0)
    for y, x, length in dark_runs(matrix):
        c.rect(x0 + x * module, top - (y + 1) * module, length * module, module, stroke=0, fill=1)


def poster_pdf(payload: str, *, title: str, subtitle: str = "") -> bytes:
    """An A5 printable poster: ``title``, the vector QR with its quiet zone, the call to action."""
    matrix = make_qr(payload).matrix
    page_w, page_h = A5
    side = page_w - 120  # the QR symbol plus its quiet zone
    module = side / (len(matrix) + 2 * QUIET_ZONE)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A5, invariant=1, pageCompression=0)
    c.setTitle(title)
    c.setFillColorRGB(*(v / 255 for v in _INK))
    _centered(c, title, "Helvetica-Bold", 26, page_h - 80)
    qr_top = page_h - 110 - QUIET_ZONE * module
    _draw_qr_pdf(c, matrix, 60 + QUIET_ZONE * module, qr_top, module)
    text_y = page_h - 110 - side - 30
    c.setFillColorRGB(*(v / 255 for v in _MP_BLUE))
    _centered(c, CALL_TO_ACTION, "Helvetica-Bold", 16, text_y)
    if subtitle:
        c.setFillColorRGB(*(v / 255 for v in _INK))
        _centered(c, subtitle, "Helvetica", 13, text_y - 24)
    c.showPage()
    c.save()
    return buf.getvalue()


# --- PNG poster


@dataclass(frozen=True, slots=True)
class PosterLayout:
    """Where things go on the PNG poster (pixels)."""

    width: int
    height: int
    module: int
    qr_left: int  # first pixel of the symbol itself (inside the quiet zone)
    qr_top: int
    title_y: int
    cta_y: int


def poster_png_layout(
    modules: int, *, module: int = 12, has_subtitle: bool = False
) -> PosterLayout:
    """The PNG poster's geometry for a symbol of ``modules`` × ``modules``."""
    side = (modules + 2 * QUIET_ZONE) * module
    margin, header = 40, 110
    footer = 110 if has_subtitle else 70
    return PosterLayout(
        width=side + 2 * margin,
        height=header + side + footer,
        module=module,
        qr_left=margin + QUIET_ZONE * module,
        qr_top=header + QUIET_ZONE * module,
        title_y=header // 2,
        cta_y=header + side + 25,
    )


def _font(size: int, *, bold: bool = False) -> Any:
    # Bitstream Vera ships inside reportlab and covers Latin-1 (á, ñ); Pillow's own font does not.
    name = "VeraBd.ttf" if bold else "Vera.ttf"
    try:
        return ImageFont.truetype(str(resources.files("reportlab") / "fonts" / name), size)
    except OSError:  # pragma: no cover - reportlab without its fonts, or Pillow without FreeType
        return ImageFont.load_default()


def _text_png(
    draw: Any, text: str, size: int, y: int, width: int, fill: tuple[int, ...], bold: bool = False
) -> None:
    font = _font(size, bold=bold)
    while size > 12 and draw.textlength(text, font=font) > width - 40:
        size -= 2
        font = _font(size, bold=bold)
    draw.text((width // 2, y), text, font=font, fill=fill, anchor="mm")


def poster_png(payload: str, *, title: str, subtitle: str = "") -> bytes:
    """A PNG poster: ``title`` on top, the QR (pure black modules), the call to action below.

    Text is drawn with Pillow (a reportlab dependency) in non-black colours, so the only pure-black
    pixels are the QR's modules.
    """
    matrix = make_qr(payload).matrix
    lay = poster_png_layout(len(matrix), has_subtitle=bool(subtitle))
    img = Image.new("RGB", (lay.width, lay.height), "white")
    draw = ImageDraw.Draw(img)
    m = lay.module
    for y, x, length in dark_runs(matrix):
        left, top = lay.qr_left + x * m, lay.qr_top + y * m
        draw.rectangle((left, top, left + length * m - 1, top + m - 1), fill=(0, 0, 0))
    _text_png(draw, title, 40, lay.title_y, lay.width, _INK, bold=True)
    _text_png(draw, CALL_TO_ACTION, 26, lay.cta_y, lay.width, _MP_BLUE, bold=True)
    if subtitle:
        _text_png(draw, subtitle, 22, lay.cta_y + 40, lay.width, _INK)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
