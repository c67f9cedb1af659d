"""``mpqr.i18n``: the one mechanism both web UIs use for languages and words."""

from __future__ import annotations

from typing import Any

import pytest

from mpqr.i18n import DEFAULT, LANGUAGES, Catalogue, Lang, choose, lang_of, negotiate
from mpqr.sandbox.web.i18n import strings as phone_strings
from mpqr.seller.web import i18n as cashier


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        ("pt", "en", "es", Lang.PT),  # the URL wins
        (None, "en", "pt", Lang.EN),  # then the remembered choice
        ("xx", None, "pt-BR,pt;q=0.9", Lang.PT),  # an unknown ?lang= is ignored
        (" EN ", None, None, Lang.EN),
        (None, None, "fr-FR, en;q=0.5, pt;q=0.8", Lang.PT),  # highest q among ours
        (None, None, "en-US, pt", Lang.EN),  # equal q: the first
        (None, None, "pt;q=0, en;q=0.1", Lang.EN),  # q=0 means "not this one"
        (None, None, "en;q=bogus, pt", Lang.PT),
        (None, None, "de, fr", Lang.ES),
        (None, None, None, DEFAULT),
    ],
)
def test_choose(query: str | None, cookie: str | None, header: str | None, expected: Lang) -> None:
    assert choose(query, cookie, header) is expected


def test_languages_and_parsing() -> None:
    assert LANGUAGES == ("es", "pt", "en")
    assert DEFAULT is Lang.ES
    assert lang_of("Pt") is Lang.PT
    assert lang_of("pt-BR") is None  # a value names a language exactly; headers are negotiated
    assert negotiate("pt-BR") is Lang.PT
    assert Lang.PT == "pt"  # a str, so templates, cookies and comparisons keep working


def test_a_catalogue_looks_words_up_by_language() -> None:
    words = Catalogue({"pay": ("Pagar", "Pagar", "Pay"), "back": ("Volver", "Voltar", "Back")})
    assert words.translator("pt")("back") == "Voltar"
    assert words.translator(Lang.EN)("pay") == "Pay"
    assert words.translator("de")("back") == "Volver"  # unknown language: the default
    assert words.translator("en")("no_such_key") == "no_such_key"  # visible, never a crash
    assert dict(words.strings("es")) == {"pay": "Pagar", "back": "Volver"}
    with pytest.raises(TypeError):
        words.strings("es")["pay"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    "row",
    [("Pagar", "Pagar"), ("Pagar", "", "Pay"), ("Pagar", "Pagar", "  "), ("a", "b", "c", "d")],
)
def test_a_catalogue_refuses_a_row_without_every_translation(row: Any) -> None:
    with pytest.raises(ValueError, match="'pay' needs 3 non-empty texts"):
        Catalogue({"pay": row})


def test_both_uis_use_the_mechanism() -> None:
    assert phone_strings(Lang.PT)["reject"] == "Recusar"
    assert cashier.translator("pt")("status_paid") == "Pago"
    assert cashier.choose(None, None, "en-GB") == "en"
    assert cashier.LANGUAGES is LANGUAGES
    assert set(phone_strings(Lang.ES)) == set(phone_strings(Lang.EN))
