"""Schema migrations, run programmatically with Alembic whenever a workspace is created or opened.

The scripts live in ``truce/workspace/migrations/versions``; they run inside the store's write
transaction, so two processes opening the same workspace at once migrate it only once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from truce.errors import StorageError
from truce.workspace.store import WRITE_OPTION, SqlStore

MIGRATIONS = Path(__file__).parent / "migrations"
"""The Alembic script directory inside the package."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise StorageError("the package holds no schema migration")
    return head


def current_revision(store: SqlStore) -> str | None:
    """The revision the database is at (None before the first migration)."""
    with store.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(store: SqlStore) -> None:
    """Bring the database to the newest schema (nothing happens when it is already there)."""
    config = _config()
    with _migrating(store) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def downgrade(store: SqlStore, revision: str) -> None:
    """Take the database back to an earlier ``revision`` (tables added since are dropped)."""
    config = _config()
    with _migrating(store) as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


@contextmanager
def _migrating(store: SqlStore) -> Iterator[Connection]:
    """The write transaction a migration runs in.

    On SQLite, foreign keys are off during it (``PRAGMA foreign_keys`` cannot change inside a
    transaction, so before it begins), because SQLite changes a table's constraints by building
    a new table and dropping the old one, which other tables refer to; ``foreign_key_check``
    runs before the commit and any violation rolls the migration back (SQLite's own procedure
    for schema changes).
    """
    if store.dialect != "sqlite":
        with store.write() as conn:
            yield conn
        return
    with store.engine.connect() as raw:
        driver = raw.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys=OFF")
        try:
            conn = raw.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    table, rowid, parent, _ = broken[0]
                    raise StorageError(
                        f"migration left {len(broken)} broken references, e.g. {table} row "
                        f"{rowid} to {parent}; rolled back"
                    )
        finally:
            driver.execute("PRAGMA foreign_keys=ON")
