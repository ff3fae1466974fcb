"""Storage behind one small interface, implemented once with SQLAlchemy Core for both dialects.

Modelled on httpx's transport: the rest of truce talks to a :class:`Store` through a handful of
methods and never opens a database itself.

* :meth:`Store.read` yields a connection in a read transaction;
* :meth:`Store.write` yields a connection in *the* write transaction: writers are serialised
  (SQLite ``BEGIN IMMEDIATE``; PostgreSQL a transaction-level advisory lock per schema), so a
  writer may read the next free id or leaf index and use it, and a record and its ledger leaf
  commit together or not at all;
* :meth:`Store.insert_rows` bulk-inserts positional rows (SQLite ``executemany``, PostgreSQL
  binary ``COPY``);
* :meth:`Store.integrity_check` asks the database to check itself;
* :meth:`Store.close`.

:class:`SqlStore` is the implementation. SQLite runs in WAL mode with ``synchronous=FULL`` and
foreign keys on; PostgreSQL needs psycopg 3. A URL's ``options=-csearch_path=...`` selects a
PostgreSQL schema (tests use one schema each).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from truce.errors import StorageError

WRITE_OPTION = "truce_write"
"""Execution option that marks a connection as the writer (SQLite ``BEGIN IMMEDIATE``)."""

SQLITE_BUSY_TIMEOUT_MS = 60_000
"""How long a SQLite writer waits for another writer before failing."""

SQLITE_CACHE_KIB = 65_536
"""SQLite page cache per connection (64 MiB), so index pages of large imports stay in memory."""


class Store(Protocol):
    """The storage interface every part of truce uses (see the module docstring)."""

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        ...

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    def read(self) -> AbstractContextManager[Connection]:
        """A connection in a read transaction, closed afterwards."""
        ...

    def write(self) -> AbstractContextManager[Connection]:
        """A connection in the serialised write transaction, committed if no exception."""
        ...

    def insert_rows(self, conn: Connection, table: sa.Table, rows: Sequence[Sequence[Any]]) -> None:
        """Insert positional rows (all columns in table order) in bulk on ``conn``."""
        ...

    def integrity_check(self) -> list[str]:
        """What the database's own integrity check finds wrong (empty when all is well)."""
        ...

    def close(self) -> None:
        """Release every connection."""
        ...


def normalise_url(url: str) -> str:
    """The URL with psycopg 3 as the PostgreSQL driver when none is named."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class SqlStore:
    """A :class:`Store` over a SQLAlchemy engine: SQLite or PostgreSQL (psycopg 3)."""

    def __init__(self, url: str) -> None:
        self._url = sa.make_url(normalise_url(url))
        if self._url.get_backend_name() not in ("sqlite", "postgresql"):
            raise StorageError(f"unsupported database {self._url.get_backend_name()!r}")
        if self._url.get_backend_name() == "postgresql" and self._url.get_driver_name() != (
            "psycopg"
        ):
            raise StorageError("PostgreSQL is used through psycopg 3: postgresql+psycopg://...")
        self.engine: Engine = _engine(self._url)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._url.get_backend_name()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction, closed afterwards."""
        with _translated(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in the serialised write transaction, committed if no exception."""
        with _translated(), self.engine.connect() as raw:
            conn = raw.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
                yield conn

    def insert_rows(self, conn: Connection, table: sa.Table, rows: Sequence[Sequence[Any]]) -> None:
        """Insert positional rows (all columns in table order) in bulk on ``conn``."""
        if not rows:
            return
        names = ", ".join(f'"{column.name}"' for column in table.columns)
        with _translated():
            if self.dialect == "sqlite":
                marks = ", ".join("?" for _ in table.columns)
                sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
                conn.exec_driver_sql(sql, [tuple(row) for row in rows])
                return
            statement = f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT BINARY)'
            _copy_rows(conn, statement, _postgresql_types(table), rows)

    def integrity_check(self) -> list[str]:
        """What the database's own integrity check finds wrong (empty when all is well)."""
        with self.read() as conn:
            if self.dialect == "sqlite":
                return _sqlite_check(conn)
            return _postgresql_check(conn)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()


def _postgresql_types(table: sa.Table) -> list[str]:
    """The PostgreSQL type name of each column of ``table`` (``bigint``, ``bytea``...)."""
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return [column.type.compile(dialect=dialect).lower() for column in table.columns]


def _copy_rows(
    conn: Connection, statement: str, types: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """PostgreSQL binary ``COPY ... FROM STDIN`` on the connection's own psycopg connection
    (binary: no value is formatted as text on the way in)."""
    import psycopg

    driver = conn.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
    except psycopg.IntegrityError as exc:
        raise StorageError(f"database refused a write: {exc}") from exc
    except psycopg.Error as exc:
        raise StorageError(f"database error: {exc}") from exc


def _engine(url: sa.URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Per connection: manual transactions, WAL, full sync, foreign keys, timeout, cache."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """Writers take the write lock at BEGIN, so no two can interleave."""
    write = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_check(conn: Connection) -> list[str]:
    problems = [
        str(row[0]) for row in conn.exec_driver_sql("PRAGMA integrity_check") if str(row[0]) != "ok"
    ]
    for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        problems.append(f"{table} row {rowid}: its {parent} row is missing")
    return problems


def _postgresql_check(conn: Connection) -> list[str]:
    """B-tree checks with amcheck when it is installed, and a heap-versus-index comparison."""
    problems: list[str] = []
    amcheck_schema = conn.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'amcheck'"
    ).scalar()
    if amcheck_schema:
        indexes = conn.exec_driver_sql(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam "
            "WHERE n.nspname = current_schema() AND a.amname = 'btree'"
        ).scalars()
        for name in list(indexes):
            try:
                with conn.begin_nested():
                    check = f'SELECT "{amcheck_schema}".bt_index_check(CAST(:n AS regclass), true)'
                    conn.execute(sa.text(check), {"n": f'"{name}"'})
            except sa.exc.DBAPIError as exc:
                problems.append(f"index {name}: {exc.orig}")
    problems.extend(_index_agreement(conn))
    return problems


def _index_agreement(conn: Connection) -> list[str]:
    """Row counts read through the heap and through the primary key must agree."""
    heap_only = ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan")
    problems = []
    for table in ("events", "ledger_nodes", "ledger_leaves", "evidence", "custody_events"):
        for setting in heap_only:
            conn.exec_driver_sql(f"SET LOCAL {setting} = off")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = on")
        heap = conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar()
        for setting in heap_only:
            conn.exec_driver_sql(f"SET LOCAL {setting} = on")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        indexed = conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar()
        if heap != indexed:
            problems.append(f"table {table}: {heap} rows in the heap, {indexed} through its index")
    conn.exec_driver_sql("SET LOCAL enable_seqscan = on")
    return problems


@contextmanager
def _translated() -> Iterator[None]:
    """Database driver errors become :class:`StorageError` naming what failed."""
    try:
        yield
    except sa.exc.OperationalError as exc:
        raise StorageError(f"database error: {exc.orig}") from exc
    except sa.exc.IntegrityError as exc:
        raise StorageError(f"database refused a write: {exc.orig}") from exc
