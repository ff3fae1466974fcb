"""The one storage fixture: every storage test runs on SQLite and on PostgreSQL.

``database_url`` is parametrised over a real SQLite file in the test's ``tmp_path`` and a fresh
schema on the PostgreSQL server at ``TRUCE_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``), dropped afterwards. When that server does
not answer, the PostgreSQL cases are skipped, except when the environment variable ``CI`` is set:
then they fail, so CI can never pass without them. ``workspace`` is a new workspace on that
database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from truce.workspace import Workspace

# Speed is measured by the benches, never by tests: no per-example deadline, and no health check
# that fails a test for being slow on a loaded machine.
settings.register_profile(
    "truce", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("truce")

POSTGRES_URL = os.environ.get(
    "TRUCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
"""The PostgreSQL server the PostgreSQL cases use."""


def _postgres_schema_url(schema: str) -> str:
    url = sa.make_url(POSTGRES_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}", "connect_timeout": "5"})
    return url.render_as_string(hide_password=False)


def _admin_engine() -> sa.Engine:
    url = sa.make_url(POSTGRES_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return sa.create_engine(url.update_query_dict({"connect_timeout": "5"}), poolclass=sa.NullPool)


def _install_amcheck(engine: sa.Engine) -> None:
    """Let the integrity check use amcheck when the server allows installing it."""
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
    except sa.exc.DBAPIError:
        pass  # not a superuser: the check falls back to comparing heap and index counts


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for one test: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'record.sqlite'}"
        return
    schema = f"truce_test_{uuid.uuid4().hex[:16]}"
    engine = _admin_engine()
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        _install_amcheck(engine)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        message = f"PostgreSQL at {POSTGRES_URL} does not answer: {exc.orig}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: the PostgreSQL cases must run)")
        pytest.skip(message)
    try:
        yield _postgres_schema_url(schema)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()


@pytest.fixture
def workspace(database_url: str, tmp_path: Path) -> Iterator[Workspace]:
    """A new workspace in ``tmp_path / "ws"`` on the test's database."""
    created = Workspace.create(tmp_path / "ws", database=database_url)
    try:
        yield created
    finally:
        created.close()
