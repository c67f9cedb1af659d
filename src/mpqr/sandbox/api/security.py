"""How the API's OpenAPI document shows its authentication.

:func:`~.common.current_seller` reads the token itself (see :func:`~.common.request_token`), so
FastAPI no longer sees security dependencies; :func:`document_auth` puts the two schemes back on
every operation that needs a seller, exactly as ``HTTPBearer`` and ``APIKeyQuery`` dependencies
would have: the ``components.securitySchemes`` and each operation's ``security``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import APIKeyQuery, HTTPBearer

from mpqr.sandbox.api.common import current_seller

__all__ = ["document_auth"]

BEARER = HTTPBearer(auto_error=False, description="Authorization: Bearer <access token>")
QUERY = APIKeyQuery(name="access_token", auto_error=False, description="legacy ?access_token=")
SCHEMES = (BEARER, QUERY)


def _needs_seller(dependant: Dependant) -> bool:
    return any(sub.call is current_seller or _needs_seller(sub) for sub in dependant.dependencies)


def _add(schema: dict[str, Any], routes: list[Any]) -> None:
    components = schema.setdefault("components", {})
    schemes = components.setdefault("securitySchemes", {})
    for scheme in SCHEMES:
        schemes[scheme.scheme_name] = scheme.model.model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
    requirement: list[dict[str, list[str]]] = [{scheme.scheme_name: []} for scheme in SCHEMES]
    for route in routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        if not _needs_seller(route.dependant):
            continue
        operations = schema.get("paths", {}).get(route.path_format, {})
        for method in route.methods or ():
            if method.lower() in operations:
                operations[method.lower()]["security"] = requirement


def document_auth(app: FastAPI) -> None:
    """Make ``app.openapi()`` document the access token on every operation that needs one."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _add(generate(), app.routes)
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
