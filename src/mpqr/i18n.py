"""One mechanism for the words of every page: Spanish, Portuguese and English.

Both web UIs (the seller's cashier screens and the sandbox's phone pages) use it:

- **which language**: the ``?lang=`` of the URL, then the language remembered in a cookie, then
  the browser's ``Accept-Language``; Spanish when nothing matches (most Mercado Pago sites speak
  it) -- :func:`choose`;
- **the words**: a table of rows ``key: (es, pt, en)``. A row holds its three translations side by
  side, so a missing translation is impossible by construction (mypy checks the tuple's length and
  :class:`Catalogue` refuses an empty one) -- :class:`Catalogue`.

>>> choose(None, None, "pt-BR,pt;q=0.9,en;q=0.8")
<Lang.PT: 'pt'>
>>> choose("en", "pt", "es")
<Lang.EN: 'en'>
>>> words = Catalogue({"pay": ("Pagar", "Pagar", "Pay"), "no": ("Rechazar", "Recusar", "Reject")})
>>> words.translator("pt")("no")
'Recusar'
>>> words.strings(Lang.EN)["pay"]
'Pay'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = ["DEFAULT", "LANGUAGES", "Catalogue", "Lang", "Row", "choose", "lang_of", "negotiate"]


class Lang(StrEnum):
    """A supported language; the order is the order of the translations in a row."""

    ES = "es"
    PT = "pt"
    EN = "en"


LANGUAGES: Final = tuple(lang.value for lang in Lang)
DEFAULT: Final = Lang.ES

Row = tuple[str, str, str]  # (es, pt, en): the order of Lang


class Catalogue:
    """Translations given as rows ``key: (es, pt, en)``, looked up per language.

    Every row must hold a non-empty text for each language (``ValueError`` otherwise), so a page
    can never show a word in the wrong language or an empty label.
    """

    def __init__(self, rows: Mapping[str, Row]) -> None:
        for key, row in rows.items():
            if len(row) != len(Lang) or not all(isinstance(w, str) and w.strip() for w in row):
                raise ValueError(f"translation row {key!r} needs {len(Lang)} non-empty texts")
        self._by_lang: Final = {
            lang: MappingProxyType({key: row[i] for key, row in rows.items()})
            for i, lang in enumerate(Lang)
        }

    def strings(self, lang: str) -> Mapping[str, str]:
        """Every text in ``lang`` (an unknown language gets the default's), keyed like the rows."""
        return self._by_lang[lang_of(lang) or DEFAULT]

    def translator(self, lang: str) -> Callable[[str], str]:
        """``t(key)`` in ``lang``; an unknown key shows itself (visible, never a crash)."""
        words = self.strings(lang)
        return lambda key: words.get(key, key)


def lang_of(raw: str | None) -> Lang | None:
    """The language a ``?lang=`` or cookie value names (``"PT"`` works too), or None."""
    try:
        return Lang((raw or "").strip().lower())
    except ValueError:
        return None


def choose(query: str | None, cookie: str | None, accept_language: str | None) -> Lang:
    """The first supported language of: ``?lang=``, the cookie, ``Accept-Language``."""
    return lang_of(query) or lang_of(cookie) or negotiate(accept_language or "")


def negotiate(header: str) -> Lang:
    """The best supported language of an ``Accept-Language`` header: highest q, then first."""
    ranked: list[tuple[float, int, Lang]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        lang = lang_of(tag.split("-")[0])
        q = _quality(params)
        if lang is not None and q > 0:
            ranked.append((-q, index, lang))
    return min(ranked)[2] if ranked else DEFAULT


def _quality(params: str) -> float:
    """``q=0.8`` -> 0.8; no q means 1; a malformed q means 0 (ignored)."""
    params = params.strip()
    if not params.startswith("q="):
        return 1.0
    try:
        return float(params[2:])
    except ValueError:
        return 0.0
