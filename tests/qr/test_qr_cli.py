"""`mpqr qr decode` and `mpqr qr render`, through CliRunner and the real `mpqr` group."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mpqr.cli import main
from mpqr.qr.emvco import build

STATIC = (
    "00020101021226940014BR.GOV.BCB.PIX2572pix-qr-h.mercadopago.com/instore/h/p/v2/"
    "6bc7048752b6451a95ce9f0259187e5843540016com.mercadolibre0130https://mpago.la/pos/104573982"
    "5204000053039865802BR5909Test Test6009SAO PAULO62070503***63043314"
)
DYNAMIC = (
    "00020101021243650016COM.MERCADOLIBRE02013063626f312a8-a8f1-4378-9161-83efb734a0c2"
    "5204000053039865802BR5909Test Test6009SAO PAULO62070503***630409D4"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_qr_is_registered_in_mpqr(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "qr" in result.output


def test_decode_static(runner: CliRunner) -> None:
    result = runner.invoke(main, ["qr", "decode", STATIC])
    assert result.exit_code == 0, result.output
    assert "43 54 merchant account (MercadoLibre)" in result.output
    assert "01 30 'https://mpago.la/pos/104573982'" in result.output
    assert "CRC: ok (3314)" in result.output
    assert "reference: Mercado Pago POS 104573982 (static QR)" in result.output


def test_decode_dynamic(runner: CliRunner) -> None:
    result = runner.invoke(main, ["qr", "decode", DYNAMIC])
    assert result.exit_code == 0
    assert "Mercado Pago order 26f312a8-a8f1-4378-9161-83efb734a0c2 (dynamic QR)" in result.output


def test_decode_bad_crc_exits_1(runner: CliRunner) -> None:
    result = runner.invoke(main, ["qr", "decode", STATIC[:-4] + "0000"])
    assert result.exit_code == 1
    assert "CRC: bad (payload 0000, computed 3314)" in result.output


def test_decode_malformed_exits_1(runner: CliRunner) -> None:
    result = runner.invoke(main, ["qr", "decode", "hello"])
    assert result.exit_code == 1
    assert "must end with the CRC field" in result.output


def test_decode_foreign_qr_says_so(runner: CliRunner) -> None:
    result = runner.invoke(main, ["qr", "decode", build([("00", "01"), ("59", "X")])])
    assert result.exit_code == 0
    assert "not a Mercado Pago reference" in result.output


@pytest.mark.parametrize(
    ("name", "args", "magic"),
    [
        ("qr.svg", [], b"<?xml"),
        ("qr.png", ["--scale", "2"], b"\x89PNG"),
        ("poster.png", ["--poster", "--title", "Caja 1"], b"\x89PNG"),
        ("poster.PDF", ["--title", "Caja 1", "--subtitle", "Centro"], b"%PDF-"),
    ],
)
def test_render(
    runner: CliRunner, tmp_path: Path, name: str, args: list[str], magic: bytes
) -> None:
    out = tmp_path / name
    result = runner.invoke(main, ["qr", "render", STATIC, "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


def test_render_refuses_unknown_suffix_and_bad_payload(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["qr", "render", STATIC, "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2
    assert "suffix must be one of" in result.output
    result = runner.invoke(main, ["qr", "render", STATIC[:-1] + "0", "-o", str(tmp_path / "x.svg")])
    assert result.exit_code == 1
    assert "bad CRC" in result.output
    assert not (tmp_path / "x.svg").exists()
