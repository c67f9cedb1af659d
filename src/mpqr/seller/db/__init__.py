"""Storage: tables, the async engine wrapper and Alembic migrations shipped in the package."""

from mpqr.seller.db.engine import Database, async_url

__all__ = ["Database", "async_url"]
