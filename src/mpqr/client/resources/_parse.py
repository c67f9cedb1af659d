"""Response parsers: ``bytes -> T``, each built once per model and reused for every call."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

import pydantic

__all__ = ["Body", "Id", "list_of", "model", "nothing", "one_or_many", "optional"]

M = TypeVar("M", bound=pydantic.BaseModel)
Body = Mapping[str, Any] | pydantic.BaseModel
"""A request body: a plain dict (open to any field) or a typed request model."""
Id = int | str
"""A path id: numeric ids may be passed as int or str."""


def model(cls: type[M]) -> Callable[[bytes], M]:
    # ``cls.model_validate_json`` without its Python wrapper (which only checks options not used)
    validate: Callable[[bytes], M] = cls.__pydantic_validator__.validate_json
    return validate


def nothing(body: bytes) -> None:
    """For 204 answers: any body is ignored."""
    return None


def optional(cls: type[M]) -> Callable[[bytes], M | None]:
    """An empty body (201/204) is ``None``; a body is parsed as ``cls``."""

    def parse(body: bytes) -> M | None:
        return cls.model_validate_json(body) if body.strip() else None

    return parse


@cache
def _list_adapter(cls: type[M]) -> pydantic.TypeAdapter[list[M]]:
    return pydantic.TypeAdapter(list[cls])  # type: ignore[valid-type]


def list_of(cls: type[M]) -> Callable[[bytes], list[M]]:
    def parse(body: bytes) -> list[M]:
        return _list_adapter(cls).validate_json(body)

    return parse


def one_or_many(cls: type[M]) -> Callable[[bytes], list[M]]:
    """A JSON array or a single object (MP documents both for the v2 GET), always as a list."""

    def parse(body: bytes) -> list[M]:
        data = json.loads(body) if body.strip() else []
        return _list_adapter(cls).validate_python([data] if isinstance(data, dict) else data)

    return parse
