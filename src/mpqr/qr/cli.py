"""``mpqr qr``: decode an EMVCo payload, or render one to SVG / PNG / PDF."""

from __future__ import annotations

from pathlib import Path

import click

from mpqr.errors import ValidationError
from mpqr.qr.emvco import Payload, TLVField, decode_mp_reference, parse

__all__ = ["command"]

_NAMES = {
    "00": "payload format indicator",
    "01": "point of initiation",
    "26": "merchant account (Pix)",
    "43": "merchant account (MercadoLibre)",
    "50": "merchant account (tax id)",
    "52": "merchant category code",
    "53": "currency (ISO 4217 numeric)",
    "54": "amount",
    "58": "country",
    "59": "merchant name",
    "60": "city",
    "62": "additional data",
    "63": "CRC",
}


@click.group("qr")
def command() -> None:
    """Decode and render EMVCo QR payloads (Mercado Pago in-store QRs)."""


def _describe(field: TLVField) -> list[str]:
    name = _NAMES.get(field.tag, "")
    if not field.children:
        return [f"{field.tag} {len(field.value):02d} {field.value!r}  {name}".rstrip()]
    lines = [f"{field.tag} {len(field.value):02d} {name}".rstrip()]
    lines += [f"   {c.tag} {len(c.value):02d} {c.value!r}" for c in field.children]
    return lines


def _reference(payload: Payload) -> str:
    try:
        ref = decode_mp_reference(payload.raw)
    except ValidationError as exc:
        return f"not a Mercado Pago reference ({exc})"
    if ref.kind == "pos":
        return f"Mercado Pago POS {ref.pos_id} (static QR)"
    return f"Mercado Pago order {ref.order_id} (dynamic QR)"


@command.command("decode")
@click.argument("payload")
def decode(payload: str) -> None:
    """Print PAYLOAD's fields, whether its CRC is right, and the POS or order it points at.

    Exits 1 if the payload is malformed or its CRC is wrong.
    """
    try:
        parsed = parse(payload, verify_crc=False)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    for field in parsed.fields:
        for line in _describe(field):
            click.echo(line)
    if not parsed.crc_ok:
        click.echo(f"CRC: bad (payload {parsed.crc}, computed {parsed.computed_crc})")
        raise SystemExit(1)
    click.echo(f"CRC: ok ({parsed.crc})")
    click.echo(f"reference: {_reference(parsed)}")


_SUFFIXES = (".svg", ".png", ".pdf")


@command.command("render")
@click.argument("payload")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="Output file: .svg, .png or .pdf (a printable poster).",
)  # fmt: skip
@click.option("--title", default="Mercado Pago", show_default=True, help="Poster title.")
@click.option("--subtitle", default="", help="Poster line under the call to action.")
@click.option("--poster", is_flag=True, help="For .png: the poster layout instead of the bare QR.")
@click.option("--scale", type=click.IntRange(1, 100), default=None, help="Pixels per module.")
def render(
    payload: str, output: Path, title: str, subtitle: str, poster: bool, scale: int | None
) -> None:
    """Render PAYLOAD to a file; the format follows the suffix (.pdf is always a poster)."""
    from mpqr.qr import render as r  # segno/reportlab/Pillow load only when rendering

    suffix = output.suffix.lower()
    if suffix not in _SUFFIXES:
        raise click.BadParameter(f"suffix must be one of {', '.join(_SUFFIXES)}", param_hint="-o")
    try:
        parse(payload)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    if suffix == ".svg":
        output.write_text(r.svg(payload, scale=scale or 4), encoding="utf-8")
    elif suffix == ".png" and poster:
        output.write_bytes(r.poster_png(payload, title=title, subtitle=subtitle))
    elif suffix == ".png":
        output.write_bytes(r.png(payload, scale=scale or 8))
    else:
        output.write_bytes(r.poster_pdf(payload, title=title, subtitle=subtitle))
    click.echo(f"wrote {output}")
