"""Shared pieces of the response and request models.

Every model keeps unknown fields (``extra="allow"``): Mercado Pago adds fields without notice
and a client that drops them loses data. Status enums are *tolerant*: a value MP documents becomes
the enum member, a value it does not (a new status) stays a plain string instead of failing the
whole parse.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict

__all__ = ["IdStr", "MPModel", "Paging", "RequestModel", "tolerant"]

E = TypeVar("E", bound=StrEnum)


class MPModel(BaseModel):
    """Base of every response model: unknown fields are kept in ``model_extra``."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class RequestModel(BaseModel):
    """Base of the typed request bodies. Extra fields pass through to the API unchanged."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def tolerant(enum: type[E]) -> Callable[[Any], Any]:
    """A before-validator: known values become ``enum`` members, unknown strings stay strings."""

    def convert(value: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, enum):
            try:
                return enum(value)
            except ValueError:
                return value
        return value

    return convert


class Paging(MPModel):
    total: int | None = None
    limit: int | None = None
    offset: int | None = None


def _id_to_str(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


IdStr = Annotated[str, BeforeValidator(_id_to_str)]
"""An id MP sends sometimes as a number, sometimes as a string: always a ``str`` here."""
