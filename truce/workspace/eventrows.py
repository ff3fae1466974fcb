"""Events between Arrow batches (``EVENT_SCHEMA``) and rows of the ``events`` table.

:func:`prepare_batch` turns a reader's batch into table rows with their ``row_hash`` and
``content_hash`` (column by column, without building an :class:`~truce.events.model.Event`
per row); :func:`stored_hashes` recomputes the same hashes from stored rows (the ledger check);
:func:`rows_to_batch` turns stored rows back into a batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from truce.events.model import EVENT_SCHEMA, Rejected
from truce.workspace.records import (
    ROW_COLUMNS,
    claims_json,
    event_content_hash,
    event_row_hash,
)
from truce.workspace.schema import events

STORED_COLUMNS: tuple[str, ...] = tuple(c.name for c in events.columns)
"""The columns of the ``events`` table, in table order."""

_SCHEMA_NAMES: tuple[str, ...] = tuple(EVENT_SCHEMA.names)
_STRING_COLUMNS = tuple(f.name for f in EVENT_SCHEMA if pa.types.is_string(f.type))


@dataclass
class PreparedRows:
    """A batch ready to store: one entry per accepted event, and events refused for storage."""

    sources: list[str] = field(default_factory=list)
    row_hashes: list[bytes] = field(default_factory=list)
    content_hashes: list[bytes] = field(default_factory=list)
    values: list[tuple[Any, ...]] = field(default_factory=list)
    refused: list[Rejected] = field(default_factory=list)

    def table_row(self, position: int, record_id: int, import_id: int | None) -> tuple[Any, ...]:
        """The ``events`` row of entry ``position`` with its id and import."""
        return (
            record_id,
            import_id,
            self.row_hashes[position],
            self.content_hashes[position],
            *self.values[position],
        )


def prepare_batch(batch: pa.RecordBatch, file: str, first_row: int) -> PreparedRows:
    """Table values and hashes of every event in ``batch``.

    Events the databases cannot store (a NUL character in a text) are refused with a
    :class:`Rejected` numbered ``-(first_row + position)`` (readers give no line numbers for
    accepted rows), so that a quarantined copy of them is kept.
    """
    prepared = PreparedRows()
    count = batch.num_rows
    if count == 0:
        return prepared
    columns = _python_columns(batch)
    nul_rows = _rows_with_nul(batch)
    order = {name: position for position, name in enumerate(_SCHEMA_NAMES)}
    row_positions = [order[name] for name in ROW_COLUMNS]
    event_id, source_record = order["event_id"], order["source_record"]
    for position, values in enumerate(zip(*columns, strict=True)):
        if position in nul_rows:
            prepared.refused.append(_nul_rejection(values, file, first_row, position))
            continue
        row_hash = event_row_hash([values[i] for i in row_positions])
        prepared.sources.append(values[order["source"]])
        prepared.row_hashes.append(row_hash)
        prepared.content_hashes.append(
            event_content_hash(row_hash, values[event_id], values[source_record])
        )
        prepared.values.append(values)
    return prepared


def _python_columns(batch: pa.RecordBatch) -> list[list[Any]]:
    """Each schema column as a Python list; times as integer microseconds, claims as JSON."""
    columns: list[list[Any]] = []
    for name in _SCHEMA_NAMES:
        column = batch.column(name)
        if name in ("time_start", "time_end"):
            columns.append(column.cast(pa.int64()).to_pylist())
        elif name == "claims":
            columns.append(_claims_texts(column))
        else:
            columns.append(column.to_pylist())
    return columns


def _claims_texts(column: pa.Array) -> list[str]:
    lengths = pc.fill_null(pc.list_value_length(column), 0)
    if pc.max(lengths).as_py() in (None, 0):
        return ["[]"] * len(column)
    return [claims_json(claims) for claims in column.to_pylist()]


def _rows_with_nul(batch: pa.RecordBatch) -> set[int]:
    found: set[int] = set()
    for name in _STRING_COLUMNS:
        mask = pc.fill_null(pc.match_substring(batch.column(name), "\x00"), False)
        if pc.any(mask).as_py():
            found.update(i for i, hit in enumerate(mask.to_pylist()) if hit)
    return found


def _nul_rejection(values: Sequence[Any], file: str, first_row: int, position: int) -> Rejected:
    named = dict(zip(_SCHEMA_NAMES, values, strict=True))
    columns = [n for n in _STRING_COLUMNS if isinstance(named[n], str) and "\x00" in named[n]]
    raw = str(named["raw"]) or json.dumps(named, ensure_ascii=False, default=str)
    reason = f"field '{columns[0]}': contains a NUL character, which the record cannot store"
    return Rejected(file, -(first_row + position), raw, reason, "nul-character", columns[0])


def stored_hashes(row: Row[Any]) -> tuple[bytes, bytes]:
    """``(row_hash, content_hash)`` recomputed from a stored ``events`` row."""
    mapping = row._mapping
    row_hash = event_row_hash([mapping[name] for name in ROW_COLUMNS])
    return row_hash, event_content_hash(row_hash, mapping["event_id"], mapping["source_record"])


def rows_to_batch(rows: Sequence[Row[Any]]) -> pa.RecordBatch:
    """Stored ``events`` rows as a batch in ``EVENT_SCHEMA``."""
    columns: list[pa.Array] = []
    for schema_field in EVENT_SCHEMA:
        name = schema_field.name
        values = [row._mapping[name] for row in rows]
        if name in ("time_start", "time_end"):
            columns.append(pa.array(values, type=pa.int64()).cast(schema_field.type))
        elif name == "claims":
            columns.append(pa.array([json.loads(v) for v in values], type=schema_field.type))
        else:
            columns.append(pa.array(values, type=schema_field.type))
    return pa.RecordBatch.from_arrays(columns, schema=EVENT_SCHEMA)


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
