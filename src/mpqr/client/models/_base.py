"""Shared pieces of the response and request models.

Every model keeps unknown fields (``extra="allow"``): Mercado Pago adds fields without notice
and a client that drops them loses data. Status enums are *tolerant*: a value MP documents becomes
the enum member, a value it does not (a new status) stays a plain string instead of failing the
whole parse.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = ["TOLERANT", "IdStr", "MPModel", "Paging", "RequestModel", "parse_mp_datetime"]

E = TypeVar("E", bound=StrEnum)


class MPModel(BaseModel):
    """Base of every response model: unknown fields are kept in ``model_extra``."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class RequestModel(BaseModel):
    """Base of the typed request bodies. Extra fields pass through to the API unchanged."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


TOLERANT = Field(union_mode="left_to_right")
"""For ``Annotated[SomeEnum | str, TOLERANT]``: a known value becomes the enum member, an unknown
string stays a string. Validated inside pydantic-core (trying the enum first, then ``str``), without
a Python callback per field."""


class Paging(MPModel):
    total: int | None = None
    limit: int | None = None
    offset: int | None = None


def _id_to_str(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


IdStr = Annotated[str, BeforeValidator(_id_to_str)]
"""An id MP sends sometimes as a number, sometimes as a string: always a ``str`` here."""


def parse_mp_datetime(value: str | None) -> datetime | None:
    """An MP timestamp as an aware datetime, or ``None`` for "no date".

    Mercado Pago writes times with the site's offset (``2024-06-20T20:09:10.000-04:00``) or in UTC
    (``…Z``), and fills the date of something that never happened (a rejected payment's
    ``date_approved``) with ``0001-01-01T00:00:00.000+00:00``: that is ``None`` here, as are an
    empty or unreadable value and a time without an offset.

    >>> parse_mp_datetime("0001-01-01T00:00:00.000+00:00") is None
    True
    >>> parse_mp_datetime("2024-06-20T20:09:10.000-04:00").isoformat()
    '2024-06-20T20:09:10-04:00'
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.year <= 1:
        return None
    return parsed
