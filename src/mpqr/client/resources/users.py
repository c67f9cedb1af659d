"""``/users/me`` and ``/users/test_user``."""

from __future__ import annotations

from mpqr.client._core import Call
from mpqr.client.models import TestUser, User
from mpqr.client.resources._parse import model
from mpqr.errors import ValidationError
from mpqr.sites import SiteId, UnknownSiteError, site

__all__ = ["create_test_user", "me"]


def me() -> Call[User]:
    return Call("GET", "/users/me", model(User))


def create_test_user(
    site_id: str | SiteId, *, idempotency_key: str | None = None
) -> Call[TestUser]:
    try:
        known = site(site_id).id.value
    except UnknownSiteError as exc:
        raise ValidationError(f"site_id: {exc}") from None
    return Call(
        "POST",
        "/users/test_user",
        model(TestUser),
        json={"site_id": known},
        idempotency_key=idempotency_key,
    )
