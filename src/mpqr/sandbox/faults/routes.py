"""``PUT /_sandbox/faults`` and ``GET /_sandbox/faults`` (reading ``request.app.state.faults``)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from mpqr.sandbox.faults.config import FaultConfig
from mpqr.sandbox.faults.core import Faults

__all__ = ["router"]

router = APIRouter(tags=["sandbox control"])


def inline_schema(model: type[FaultConfig]) -> dict[str, Any]:
    """The model's JSON schema with ``$defs`` inlined, so it can sit inside an OpenAPI operation."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def _faults(request: Request) -> Faults:
    faults: Faults = request.app.state.faults
    return faults


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": "bad_request", "message": message}, status_code=400)


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in exc.errors()
    )


@router.get("/_sandbox/faults", response_model=FaultConfig)
async def get_faults(request: Request) -> dict[str, Any]:
    """The fault-injection configuration in force."""
    return _faults(request).to_dict()


@router.put(
    "/_sandbox/faults",
    response_model=FaultConfig,
    responses={400: {"description": "invalid configuration"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(FaultConfig)}},
        }
    },
)
async def put_faults(request: Request) -> Any:
    """Replace the whole configuration (omitted parts go back to "off") and re-seed."""
    try:
        payload = json.loads(await request.body() or b"null")
        config = FaultConfig.model_validate(payload)
    except json.JSONDecodeError as exc:
        return _bad_request(f"body is not JSON: {exc.msg}")
    except ValidationError as exc:
        return _bad_request(_describe(exc))
    _faults(request).configure(config)
    return config.model_dump(mode="json")
