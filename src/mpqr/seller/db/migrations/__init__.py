"""Alembic migrations of the seller database."""
