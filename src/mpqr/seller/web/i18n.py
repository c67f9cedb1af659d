"""The cashier UI's words in Spanish, Portuguese and English, and the choice of language.

The words live in three data modules, each a table ``key: (es, pt, en)`` so a missing translation
is impossible by construction: :mod:`.i18n_rows` (the screens), :mod:`.i18n_reasons` (every
:class:`~mpqr.seller.errors.Reason`, sale status and alert) and :mod:`.i18n_payments` (Mercado
Pago's payment ``status_detail`` values and what to tell the customer). Tests check that every
enum member and every documented ``status_detail`` has its row.

The language comes from ``?lang=``, then the ``mpqr_lang`` cookie, then the browser's
``Accept-Language``; Spanish is the default (most Mercado Pago sites speak it). That choice is
:mod:`mpqr.i18n`'s, the mechanism shared with the sandbox's pages; :class:`Words` adds the lookups
the cashier screens need.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from mpqr.i18n import DEFAULT, LANGUAGES, Catalogue, choose
from mpqr.seller.web.i18n_payments import PAYMENT_ROWS
from mpqr.seller.web.i18n_reasons import REASON_ROWS
from mpqr.seller.web.i18n_rows import UI_ROWS

__all__ = ["DEFAULT", "LANGUAGES", "ROWS", "Words", "choose", "translator"]

ROWS: Final[Mapping[str, tuple[str, str, str]]] = {**UI_ROWS, **REASON_ROWS, **PAYMENT_ROWS}

_CATALOGUE: Final = Catalogue(ROWS)  # refuses a row with an empty translation


class Words:
    """``t(key)`` in one language; an unknown key shows itself (visible, never a crash).

    >>> t = Words("en")
    >>> t("status_paid"), t.has("status_paid"), t.first("nope", "status_paid")
    ('Paid', True, 'Paid')
    """

    __slots__ = ("_catalogue", "lang")

    def __init__(self, lang: str) -> None:
        self.lang = str(lang) if lang in LANGUAGES else DEFAULT.value
        self._catalogue = _CATALOGUE.strings(self.lang)

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
