"""Alembic migrations of the hub's schema, run by ``ocpihub migrate`` and at start."""
