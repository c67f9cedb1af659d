"""The cashier UI's words in Spanish, Portuguese and English, and the choice of language.

The words live in three data modules, each a table ``key: (es, pt, en)`` so a missing translation
is impossible by construction: :mod:`.i18n_rows` (the screens), :mod:`.i18n_reasons` (every
:class:`~mpqr.seller.errors.Reason`, sale status and alert) and :mod:`.i18n_payments` (Mercado
Pago's payment ``status_detail`` values and what to tell the customer). Tests check that every
enum member and every documented ``status_detail`` has its row.

The language comes from ``?lang=``, then the ``mpqr_lang`` cookie, then the browser's
``Accept-Language``; Spanish is the default (most Mercado Pago sites speak it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from mpqr.seller.web.i18n_payments import PAYMENT_ROWS
from mpqr.seller.web.i18n_reasons import REASON_ROWS
from mpqr.seller.web.i18n_rows import UI_ROWS

__all__ = ["DEFAULT", "LANGUAGES", "ROWS", "Words", "choose", "translator"]

LANGUAGES: Final = ("es", "pt", "en")
DEFAULT: Final = "es"

ROWS: Final[Mapping[str, tuple[str, str, str]]] = {**UI_ROWS, **REASON_ROWS, **PAYMENT_ROWS}

_CATALOGUES: Final = {
    lang: {key: row[i] for key, row in ROWS.items()} for i, lang in enumerate(LANGUAGES)
}


class Words:
    """``t(key)`` in one language; an unknown key shows itself (visible, never a crash).

    >>> t = Words("en")
    >>> t("status_paid"), t.has("status_paid"), t.first("nope", "status_paid")
    ('Paid', True, 'Paid')
    """

    __slots__ = ("_catalogue", "lang")

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in _CATALOGUES else DEFAULT
        self._catalogue = _CATALOGUES[self.lang]

    def __call__(self, key: str) -> str:
        return self._catalogue.get(key, key)

    def has(self, key: str) -> bool:
        return key in self._catalogue

    def first(self, *keys: str) -> str:
        """The words of the first key that exists (the last key is the fallback)."""
        for key in keys:
            if key in self._catalogue:
                return self._catalogue[key]
        return keys[-1]


def translator(lang: str) -> Words:
    return Words(lang)


def choose(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The first supported language of: ``?lang=``, the cookie, ``Accept-Language``."""
    for value in (query, cookie):
        if value in LANGUAGES:
            return value
    return _negotiate(accept_language or "")


def _negotiate(header: str) -> str:
    """Best supported language of an ``Accept-Language`` header (by q value, then order)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > 0:
            ranked.append((-q, index, primary))
    return min(ranked)[2] if ranked else DEFAULT
