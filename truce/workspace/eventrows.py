"""Events between Arrow batches (``EVENT_SCHEMA``) and rows of the ``events`` table.

:func:`prepare_batch` turns a reader's batch into table rows with their ``row_hash`` and
``content_hash``, column by column (no Python object per event until the rows are written);
:func:`stored_hashes` recomputes the same hashes from stored rows (the ledger check);
:func:`rows_to_batch` turns stored rows back into a batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from truce.events.model import EVENT_SCHEMA, Rejected
from truce.workspace.records import (
    FLOAT_COLUMNS,
    INTEGER_COLUMNS,
    claims_json,
    event_hashes,
    float_for_storage,
)
from truce.workspace.schema import events

STORED_COLUMNS: tuple[str, ...] = tuple(c.name for c in events.columns)
"""The columns of the ``events`` table, in table order."""

_SCHEMA_NAMES: tuple[str, ...] = tuple(EVENT_SCHEMA.names)
_STRING_COLUMNS = tuple(f.name for f in EVENT_SCHEMA if pa.types.is_string(f.type))


@dataclass
class PreparedRows:
    """A batch ready to store: per event its source and hashes, the values column by column,
    and the events refused for storage."""

    sources: list[str] = field(default_factory=list)
    row_hashes: list[bytes] = field(default_factory=list)
    content_hashes: list[bytes] = field(default_factory=list)
    columns: list[list[Any]] = field(default_factory=list)
    refused: list[Rejected] = field(default_factory=list)

    def table_rows(
        self, positions: Sequence[int], ids: Sequence[int], import_id: int | None
    ) -> list[tuple[Any, ...]]:
        """The ``events`` rows of the entries at ``positions``, with their ids and import."""
        if len(positions) == len(self.row_hashes):
            picked, row_hashes, content = self.columns, self.row_hashes, self.content_hashes
        else:
            picked = [[column[p] for p in positions] for column in self.columns]
            row_hashes = [self.row_hashes[p] for p in positions]
            content = [self.content_hashes[p] for p in positions]
        return list(zip(ids, repeat(import_id), row_hashes, content, *picked, strict=False))


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
    prepared.columns = [columns[name].to_pylist() for name in _SCHEMA_NAMES]
    prepared.sources = prepared.columns[_SCHEMA_NAMES.index("source")]
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


_TYPES = {
    name: pa.float64()
    if name in FLOAT_COLUMNS
    else pa.int64()
    if name in INTEGER_COLUMNS
    else pa.string()
    for name in _SCHEMA_NAMES
    if name != "claims"
}


def stored_hashes(rows: Sequence[Row[Any]]) -> list[tuple[bytes, bytes]]:
    """``(row_hash, content_hash)`` of each stored ``events`` row, recomputed from its values."""
    if not rows:
        return []
    by_name = dict(zip(rows[0]._fields, zip(*rows, strict=True), strict=True))
    columns = {name: pa.array(by_name[name], kind) for name, kind in _TYPES.items()}
    columns["claims"] = pa.array(by_name["claims"], pa.string())
    row_hashes, content = event_hashes(columns, columns["event_id"], columns["source_record"])
    return list(zip(row_hashes, content, strict=True))


def rows_to_batch(rows: Sequence[Row[Any]], schema: pa.Schema = EVENT_SCHEMA) -> pa.RecordBatch:
    """Stored ``events`` rows as a batch in ``schema``: ``EVENT_SCHEMA`` or some of its fields
    (the rows need hold only those)."""
    columns: list[pa.Array] = []
    for schema_field in schema:
        name = schema_field.name
        values = [row._mapping[name] for row in rows]
        if name in ("time_start", "time_end"):
            columns.append(pa.array(values, type=pa.int64()).cast(schema_field.type))
        elif name == "claims":
            columns.append(pa.array([json.loads(v) for v in values], type=schema_field.type))
        else:
            columns.append(pa.array(values, type=schema_field.type))
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def iter_event_batches(conn: Connection, chunk_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
    """Every stored event in id order, as batches in ``EVENT_SCHEMA``."""
    last = 0
    while True:
        rows = conn.execute(
            sa.select(events).where(events.c.id > last).order_by(events.c.id).limit(chunk_rows)
        ).all()
        if not rows:
            return
        yield rows_to_batch(rows)
        last = int(rows[-1].id)
