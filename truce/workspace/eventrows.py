"""Events between Arrow batches (``EVENT_SCHEMA``) and their stored form (blocks).

:func:`prepare_batch` turns a reader's batch into the stored form
(:data:`truce.workspace.eventblocks.BLOCK_SCHEMA`) with each event's ``row_hash`` and
``content_hash``, column by column (no Python object per event);
:func:`stored_hashes` recomputes the same hashes from stored events (the ledger check);
:func:`rows_to_batch` turns stored events back into a batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.engine import Connection

from truce.events.model import EVENT_SCHEMA, Rejected
from truce.workspace.eventblocks import BLOCK_SCHEMA, COLUMNS, iter_event_tables
from truce.workspace.records import (
    FLOAT_COLUMNS,
    claims_json,
    event_hashes,
    float_for_storage,
)

STORED_COLUMNS: tuple[str, ...] = COLUMNS
"""The columns of a stored event (:data:`truce.workspace.eventblocks.COLUMNS`)."""

_SCHEMA_NAMES: tuple[str, ...] = tuple(EVENT_SCHEMA.names)
_STRING_COLUMNS = tuple(f.name for f in EVENT_SCHEMA if pa.types.is_string(f.type))


@dataclass
class PreparedRows:
    """A batch ready to store: per event its source and hashes, the stored form of the events
    (:data:`BLOCK_SCHEMA`), and the events refused for storage."""

    sources: list[str] = field(default_factory=list)
    row_hashes: list[bytes] = field(default_factory=list)
    content_hashes: list[bytes] = field(default_factory=list)
    table: pa.Table = field(default_factory=BLOCK_SCHEMA.empty_table)
    refused: list[Rejected] = field(default_factory=list)

    def block(self, positions: Sequence[int]) -> pa.Table:
        """The stored form of the entries at ``positions``, in that order."""
        if len(positions) == len(self.row_hashes):
            return self.table
        return self.table.take(pa.array(positions, pa.int64()))


def prepare_batch(batch: pa.RecordBatch, file: str, first_row: int) -> PreparedRows:
    """Table values and hashes of every event in ``batch``.

    Events the databases cannot store (a NUL character in a text) are refused with a
    :class:`Rejected` numbered ``-(first_row + position)`` (readers give no line numbers for
    accepted rows), so that a quarantined copy of them is kept.
    """
    prepared = PreparedRows()
    if batch.num_rows == 0:
        return prepared
    nul = _nul_mask(batch)
    if nul is not None:
        for position in pc.indices_nonzero(nul).to_pylist():
            prepared.refused.append(_nul_rejection(batch, file, first_row, position))
        batch = batch.filter(pc.invert(nul))
        if batch.num_rows == 0:
            return prepared
    columns = _storage_columns(batch)
    prepared.row_hashes, prepared.content_hashes = event_hashes(
        columns, batch.column("event_id"), batch.column("source_record")
    )
    columns["row_hash"] = pa.array(prepared.row_hashes, pa.binary(32))
    columns["content_hash"] = pa.array(prepared.content_hashes, pa.binary(32))
    prepared.table = pa.table(columns).select(BLOCK_SCHEMA.names).cast(BLOCK_SCHEMA)
    prepared.sources = columns["source"].to_pylist()
    return prepared


def _storage_columns(batch: pa.RecordBatch) -> dict[str, pa.Array]:
    """Each schema column as stored: times as microseconds, floats normalised, claims as JSON."""
    columns: dict[str, pa.Array] = {}
    for name in _SCHEMA_NAMES:
        column = batch.column(name)
        if name in ("time_start", "time_end"):
            column = column.cast(pa.int64())
        elif name in FLOAT_COLUMNS:
            column = float_for_storage(column)
        elif name == "claims":
            column = _claims_texts(column)
        columns[name] = column
    return columns


def _claims_texts(column: pa.Array) -> pa.Array:
    lengths = pc.fill_null(pc.list_value_length(column), 0)
    if pc.max(lengths).as_py() in (None, 0):
        return pa.array(["[]"] * len(column), pa.string())
    return pa.array([claims_json(claims) for claims in column.to_pylist()], pa.string())


def _nul_mask(batch: pa.RecordBatch) -> pa.Array | None:
    """Which rows hold a NUL character in some text, or None when none does."""
    found: pa.Array | None = None
    for name in _STRING_COLUMNS:
        mask = pc.fill_null(pc.match_substring(batch.column(name), "\x00"), False)
        if pc.any(mask).as_py():
            found = mask if found is None else pc.or_(found, mask)
    return found


def _nul_rejection(batch: pa.RecordBatch, file: str, first_row: int, position: int) -> Rejected:
    named = {name: batch.column(name)[position].as_py() for name in _STRING_COLUMNS}
    column = next(n for n in _STRING_COLUMNS if isinstance(named[n], str) and "\x00" in named[n])
    raw = str(named["raw"]) or json.dumps(named, ensure_ascii=False)
    reason = f"field '{column}': contains a NUL character, which the record cannot store"
    return Rejected(file, -(first_row + position), raw, reason, "nul-character", column)


def stored_hashes(table: pa.Table) -> list[tuple[bytes, bytes]]:
    """``(row_hash, content_hash)`` of each stored event (a table from
    :func:`truce.workspace.eventblocks.stored_events` with at least the ``EVENT_SCHEMA``
    columns), recomputed from its values."""
    if table.num_rows == 0:
        return []
    columns = {name: table.column(name).combine_chunks() for name in _SCHEMA_NAMES}
    row_hashes, content = event_hashes(columns, columns["event_id"], columns["source_record"])
    return list(zip(row_hashes, content, strict=True))


def rows_to_batch(table: pa.Table, schema: pa.Schema = EVENT_SCHEMA) -> pa.RecordBatch:
    """Stored events (a table from :func:`truce.workspace.eventblocks.stored_events`) as a batch
    in ``schema``: ``EVENT_SCHEMA`` or some of its fields (the table need hold only those)."""
    columns: list[pa.Array] = []
    for schema_field in schema:
        name = schema_field.name
        values = table.column(name).combine_chunks()
        if name in ("time_start", "time_end"):
            columns.append(values.cast(pa.int64()).cast(schema_field.type))
        elif name == "claims":
            columns.append(_claims_lists(values, schema_field.type))
        else:
            columns.append(values.cast(schema_field.type))
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _claims_lists(texts: pa.Array, kind: pa.DataType) -> pa.Array:
    if pc.all(pc.equal(texts, "[]")).as_py() is not False:
        offsets = pa.array([0] * (len(texts) + 1), pa.int32())
        return pa.ListArray.from_arrays(offsets, pa.array([], kind.value_type)).cast(kind)
    return pa.array([json.loads(v) for v in texts.to_pylist()], type=kind)


def iter_event_batches(conn: Connection, chunk_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
    """Every stored event in id order, as batches in ``EVENT_SCHEMA`` of whole blocks, about
    ``chunk_rows`` events each (a larger block is one batch)."""
    gathered: list[pa.Table] = []
    count = 0
    for table in iter_event_tables(conn, _SCHEMA_NAMES):
        if table.num_rows and count + table.num_rows > chunk_rows and gathered:
            yield rows_to_batch(pa.concat_tables(gathered))
            gathered, count = [], 0
        if table.num_rows:
            gathered.append(table)
            count += table.num_rows
    if gathered:
        yield rows_to_batch(pa.concat_tables(gathered))
