"""Fixtures for the seller tests; the helpers live in seller_env.py (a unique module name, so test
modules can import them without clashing with other folders' conftest.py)."""

from seller_env import clock, database_url, gateway, seller

__all__ = ["clock", "database_url", "gateway", "seller"]
