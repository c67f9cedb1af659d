"""The pages' languages: Spanish, Portuguese and English, and which one a request asks for.

Both web UIs (the seller's cashier screens and the sandbox's phone pages) choose the same way: the
``?lang=`` of the URL, then the language remembered in a cookie, then the browser's
``Accept-Language``; Spanish when nothing matches (most Mercado Pago sites speak it).

>>> choose(None, None, "pt-BR,pt;q=0.9,en;q=0.8")
<Lang.PT: 'pt'>
>>> choose("en", "pt", "es")
<Lang.EN: 'en'>
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

__all__ = ["DEFAULT", "LANGUAGES", "Lang", "choose", "lang_of", "negotiate"]


class Lang(StrEnum):
    """A supported language; the order is the order of the translations in a row."""

    ES = "es"
    PT = "pt"
    EN = "en"


LANGUAGES: Final = tuple(lang.value for lang in Lang)
DEFAULT: Final = Lang.ES


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
