"""Events stored in blocks: every reader and writer of stored events goes through this module.

A write transaction that stores events stores them in *blocks* of at most :data:`BLOCK_ROWS`
events, rows of ``event_blocks``: each holds the events with ids ``id`` to ``id + count - 1``
(ids are consecutive, assigned under the write lock) as an Arrow IPC file compressed with LZ4,
with the SHA-256 of those bytes beside it. Each event also has a one-column row in ``events``
(its id), which the tables referring to events point to. Inserting a block row per 512 events
instead of one 28-column row per event is what makes imports fast; reading events back is one
``SELECT`` and one Arrow decode per block (only the columns asked for are decompressed).

The stored form (:data:`BLOCK_SCHEMA`) is the ``EVENT_SCHEMA`` columns as the record hashes them
(times as microseconds, floats with -0.0 as 0.0, claims as JSON text) plus each event's
``row_hash`` and ``content_hash``; :func:`stored_events` adds ``id`` and ``import_id``. An event
named by id is found in the block whose id range holds it; by its own ``event_id`` text, by
reading that one column of every block.

A block whose bytes no longer match its ``sha256``, or that Arrow cannot decode, is reported by
``truce ledger verify`` naming the block and its events (:class:`BlockUnreadable` here).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.errors import IntegrityViolation
from truce.events.model import EVENT_SCHEMA
from truce.workspace.schema import event_blocks, events
from truce.workspace.store import Store

BLOCK_ROWS = 512
"""Events per block at most: one database row holds this many events (an event read by id
fetches and decodes one block, so small blocks keep that cheap; large ones cost more bytes and
encoding calls per event)."""

BATCH_ROWS = BLOCK_ROWS
"""Events per record batch inside a block."""

_STORED_TYPES = {
    "time_start": pa.int64(),
    "time_end": pa.int64(),
    "claims": pa.string(),
}

BLOCK_SCHEMA = pa.schema(
    [
        pa.field("row_hash", pa.binary(32), nullable=False),
        pa.field("content_hash", pa.binary(32), nullable=False),
        *(
            pa.field(f.name, _STORED_TYPES.get(f.name, f.type), nullable=f.nullable)
            for f in EVENT_SCHEMA
        ),
    ]
)
"""The columns of a block, as stored."""

COLUMNS: tuple[str, ...] = ("id", "import_id", *BLOCK_SCHEMA.names)
"""Every column :func:`stored_events` can give."""

_OPTIONS = pa.ipc.IpcWriteOptions(compression="lz4", use_threads=False)  # small blocks: a
# thread pool per block costs more than it saves (ten times as much to read one block)
_BLOCKS_PER_QUERY = 64


class BlockUnreadable(IntegrityViolation):
    """A stored block's bytes do not match its hash or cannot be decoded."""

    def __init__(self, block: Block, reason: str) -> None:
        super().__init__(
            f"event block {block.first_id} (events {block.first_id} to {block.last_id}): {reason}"
        )
        self.block = block


@dataclass(frozen=True)
class Block:
    """One stored block: its first event id, how many events, their import, hash and bytes."""

    first_id: int
    count: int
    import_id: int | None
    sha256: bytes
    data: bytes

    @property
    def last_id(self) -> int:
        """The id of its last event."""
        return self.first_id + self.count - 1

    @property
    def intact(self) -> bool:
        """Whether its bytes still have the hash stored with them."""
        return hashlib.sha256(self.data).digest() == self.sha256

    def decode(
        self, columns: Sequence[str] | None = None, positions: Sequence[int] | None = None
    ) -> pa.Table:
        """The block's events (those at ``positions``, in that order, when given) with
        ``columns`` of :data:`COLUMNS` (all when None). Raises :class:`BlockUnreadable`."""
        wanted = COLUMNS if columns is None else tuple(columns)
        schema, options = _reading(wanted)
        try:
            reader = pa.ipc.open_file(pa.py_buffer(self.data), options=options)
            table = reader.read_all()
            if positions is None:
                picked = np.arange(self.count, dtype=np.int64)
            else:
                picked = np.asarray(positions, dtype=np.int64)
                table = table.take(picked)
        except (pa.ArrowException, OSError, ValueError, IndexError) as exc:
            raise BlockUnreadable(self, f"cannot be decoded ({exc})") from exc
        if table.num_rows != len(picked) or (positions is None and table.num_rows != self.count):
            raise BlockUnreadable(self, f"holds {table.num_rows} events, its row says {self.count}")
        result: list[pa.Array | pa.ChunkedArray] = []
        for name in wanted:
            if name == "id":
                result.append(pa.array(picked + self.first_id, pa.int64()))
            elif name == "import_id":
                imported = pa.nulls(len(picked), pa.int64())
                if self.import_id is not None:
                    imported = imported.fill_null(self.import_id)
                result.append(imported)
            else:
                result.append(table.column(name))
        return pa.Table.from_arrays(result, schema=schema)


_EXTRA = {
    "id": pa.field("id", pa.int64(), nullable=False),
    "import_id": pa.field("import_id", pa.int64()),
}


def _schema(columns: Sequence[str]) -> pa.Schema:
    """The schema of events read with ``columns``."""
    return pa.schema([_EXTRA[n] if n in _EXTRA else BLOCK_SCHEMA.field(n) for n in columns])


@functools.lru_cache(maxsize=64)
def _reading(columns: tuple[str, ...]) -> tuple[pa.Schema, pa.ipc.IpcReadOptions]:
    """The schema of events read with ``columns`` and the options that decode only those."""
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown:
        raise ValueError(f"events have no column {unknown[0]!r}")
    fields = [BLOCK_SCHEMA.get_field_index(n) for n in columns if n in BLOCK_SCHEMA.names]
    return _schema(columns), pa.ipc.IpcReadOptions(included_fields=fields, use_threads=False)


def encode_block(table: pa.Table) -> bytes:
    """A block's bytes: ``table`` (in :data:`BLOCK_SCHEMA`) as an LZ4-compressed Arrow IPC file
    in record batches of :data:`BATCH_ROWS`."""
    table = table.select(BLOCK_SCHEMA.names).cast(BLOCK_SCHEMA).combine_chunks()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, BLOCK_SCHEMA, options=_OPTIONS) as writer:
        writer.write_table(table, max_chunksize=BATCH_ROWS)
    data: bytes = sink.getvalue().to_pybytes()
    return data


def append_block(
    store: Store, conn: Connection, first_id: int, import_id: int | None, table: pa.Table
) -> None:
    """Store ``table`` (:data:`BLOCK_SCHEMA`) as the events ``first_id`` onwards, with their
    ``events`` rows, on ``conn`` (inside the write transaction that assigned the ids)."""
    if table.num_rows == 0:
        return
    conn.execute(event_blocks.insert(), block_rows(first_id, import_id, table))
    if store.dialect == "sqlite":
        numbers = (
            "WITH RECURSIVE r(i) AS (SELECT :first UNION ALL SELECT i + 1 FROM r WHERE i < :last) "
            "SELECT i FROM r"
        )
    else:
        numbers = "SELECT generate_series(CAST(:first AS bigint), CAST(:last AS bigint))"
    last = first_id + table.num_rows - 1
    conn.execute(sa.text(f"INSERT INTO events (id) {numbers}"), {"first": first_id, "last": last})


def block_rows(first_id: int, import_id: int | None, table: pa.Table) -> list[dict[str, Any]]:
    """The ``event_blocks`` rows of ``table`` (:data:`BLOCK_SCHEMA`) stored as the events
    ``first_id`` onwards: one per :data:`BLOCK_ROWS` events."""
    table = table.combine_chunks()
    rows = []
    for start in range(0, table.num_rows, BLOCK_ROWS):
        part = table.slice(start, BLOCK_ROWS)
        data = encode_block(part)
        rows.append(
            {
                "id": first_id + start,
                "count": part.num_rows,
                "import_id": import_id,
                "sha256": hashlib.sha256(data).digest(),
                "data": data,
            }
        )
    return rows


def next_event_id(conn: Connection) -> int:
    """The next free event id (valid while the write lock is held)."""
    highest = conn.execute(sa.select(sa.func.max(events.c.id))).scalar()
    return 1 if highest is None else int(highest) + 1


def _block(row: Any) -> Block:
    first, count, import_id, digest, data = row
    return Block(
        int(first),
        int(count),
        None if import_id is None else int(import_id),
        bytes(digest),
        bytes(data),
    )


_BLOCK_COLUMNS = (
    event_blocks.c.id,
    event_blocks.c.count,
    event_blocks.c.import_id,
    event_blocks.c.sha256,
    event_blocks.c.data,
)


def iter_blocks(conn: Connection, *, after: int = 0) -> Iterator[Block]:
    """Every stored block whose first event id is greater than ``after``, in id order (a page
    of :data:`_BLOCKS_PER_QUERY` blocks in memory at a time)."""
    last = after
    while True:
        rows = conn.execute(
            sa.select(*_BLOCK_COLUMNS)
            .where(event_blocks.c.id > last)
            .order_by(event_blocks.c.id)
            .limit(_BLOCKS_PER_QUERY)
        ).all()
        if not rows:
            return
        for row in rows:
            block = _block(row)
            yield block
            last = block.first_id


_HOLDING = (
    sa.select(*_BLOCK_COLUMNS)
    .where(event_blocks.c.id <= sa.bindparam("event"))
    .order_by(event_blocks.c.id.desc())
    .limit(1)
)
"""The block whose range would hold event ``event``: built once (building the statement cost
about as much as running it, for an event read alone by id)."""


def blocks_holding(conn: Connection, ids: Iterable[int]) -> Iterator[tuple[Block, list[int]]]:
    """Each block that holds some of ``ids``, with the positions in it of those ids (sorted)."""
    wanted = sorted(set(ids))
    start = 0
    while start < len(wanted):
        row = conn.execute(_HOLDING, {"event": wanted[start]}).first()
        if row is None or int(row[0]) + int(row[1]) <= wanted[start]:
            start += 1  # not stored
            continue
        block = _block(row)
        end = bisect.bisect_right(wanted, block.last_id, lo=start)
        yield block, [i - block.first_id for i in wanted[start:end]]
        start = end


def stored_events(
    conn: Connection, ids: Iterable[int] | None = None, columns: Sequence[str] | None = None
) -> pa.Table:
    """The stored events with ``ids`` (every event when None) in id order, with ``columns`` of
    :data:`COLUMNS` (all when None; ``id`` is always first). Ids not stored are left out."""
    wanted = _with_id(columns)
    tables = (
        list(iter_event_tables(conn, wanted))
        if ids is None
        else [block.decode(wanted, positions) for block, positions in blocks_holding(conn, ids)]
    )
    if not tables:
        return _empty(wanted)
    return tables[0] if len(tables) == 1 else pa.concat_tables(tables)


def iter_event_tables(conn: Connection, columns: Sequence[str] | None = None) -> Iterator[pa.Table]:
    """Every stored event in id order, one table per block, with ``columns``."""
    wanted = _with_id(columns)
    for block in iter_blocks(conn):
        yield block.decode(wanted)


def ids_named(conn: Connection, event_id: str) -> list[int]:
    """The ids of the stored events whose own ``event_id`` is ``event_id``."""
    found: list[int] = []
    for table in iter_event_tables(conn, ["id", "event_id"]):
        mask = pc.equal(table.column("event_id"), event_id)
        found.extend(table.column("id").filter(mask).to_pylist())
    return found


def _with_id(columns: Sequence[str] | None) -> list[str]:
    """``columns`` (all of :data:`COLUMNS` when None) with ``id`` first."""
    return ["id", *(c for c in (COLUMNS if columns is None else columns) if c != "id")]


def _empty(columns: Sequence[str]) -> pa.Table:
    return _schema(columns).empty_table()
