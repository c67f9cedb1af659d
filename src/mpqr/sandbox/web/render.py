"""Templates and static files of the sandbox pages, loaded from the package on first use.

Jinja2 autoescapes every template: seller-provided text (item titles, nicknames, URLs) is always
escaped. Static files are served from a fixed list of names in ``static/``; nothing is fetched from
the network, so the pages work offline.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any, Final

import jinja2
from fastapi.responses import HTMLResponse, Response

__all__ = ["CSP", "html_page", "render", "static_file"]

# Scripts and styles come from this origin only; item pictures may come from anywhere (the seller's
# picture_url), which the browser loads as images and never runs.
CSP: Final = (
    "default-src 'self'; img-src 'self' data: http: https:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_STATIC_NAME: Final = re.compile(r"^[a-z0-9_-]+\.(css|js)$")
_MEDIA_TYPES: Final = {
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
}


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mpqr.sandbox.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context`` (autoescaped)."""
    return _environment().get_template(template).render(**context)


def html_page(template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A whole page: rendered HTML with the content security policy and no caching."""
    headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}
    return HTMLResponse(render(template, **context), status_code=status_code, headers=headers)


@functools.cache
def _read_static(name: str) -> bytes | None:
    resource = resources.files("mpqr.sandbox.web").joinpath("static", name)
    return resource.read_bytes() if resource.is_file() else None


def static_file(name: str) -> Response | None:
    """``static/<name>`` as a response, or ``None`` for a name that is not one of ours."""
    match = _STATIC_NAME.match(name)
    body = _read_static(name) if match else None
    if match is None or body is None:
        return None
    headers = {"Cache-Control": "no-cache"}
    return Response(body, media_type=_MEDIA_TYPES[match.group(1)], headers=headers)
