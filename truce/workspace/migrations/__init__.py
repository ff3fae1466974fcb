"""Alembic migrations of the workspace schema, run by :func:`truce.workspace.migrate.upgrade`."""
