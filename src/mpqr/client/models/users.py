"""``/users/me`` and test users."""

from __future__ import annotations

from mpqr.client.models._base import MPModel

__all__ = ["TestUser", "User"]


class User(MPModel):
    """The token's account; ``id`` is the ``user_id`` (collector id) of the paths."""

    id: int
    nickname: str | None = None
    email: str | None = None
    site_id: str | None = None
    country_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class TestUser(MPModel):
    """A test account created by ``POST /users/test_user``."""

    __test__ = False  # not a pytest test class, despite the name

    id: int
    nickname: str | None = None
    password: str | None = None
    site_status: str | None = None
    email: str | None = None
