"""Alembic environment: migrate the connection truce hands over (never a URL of its own)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from truce.workspace.schema import metadata


def run_migrations() -> None:
    """Run the pending migrations on the connection in ``config.attributes``."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("truce migrations run only through truce.workspace.migrate")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
