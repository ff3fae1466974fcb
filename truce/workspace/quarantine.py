"""Quarantined rows: list them, and retry one with a corrected text.

A retry reads the corrected row through the same reader as the original import (for CSV
formats under the file's own header, for a mapped CSV with the import's mapping, for GeoJSON as
the one feature of a collection), in a temporary file named like the original, so the event
comes out as it would have from the file. Ids that readers derive from the row number are set
back to the original row. A row that is still rejected stays quarantined and the new reason is
raised as :class:`~truce.errors.InputError`. Parquet rows cannot be retried one by one:
correct the file and import it again (which also resolves its rows: see
:mod:`truce.workspace.importer`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from truce.errors import InputError
from truce.events.model import ReadResult
from truce.io import read_events
from truce.workspace.clock import micros_to_iso, now_micros
from truce.workspace.eventrows import prepare_batch
from truce.workspace.identity import IdentityIndex, stored_event_id
from truce.workspace.ingest import insert_events
from truce.workspace.schema import imports, quarantine
from truce.workspace.workspace import Workspace

STATUSES: tuple[str, ...] = ("open", "resolved", "superseded")
"""The states of a quarantined row."""

_READER_NAMES = {"csv": "csv-mapped"}


@dataclass(frozen=True)
class QuarantineEntry:
    """One quarantined row: where it came from, its exact text, why, and what became of it."""

    id: int
    import_id: int
    file: str
    row: int
    raw: bytes
    reason: str
    type: str
    field: str | None
    status: str
    resolved_event_id: int | None
    created_at: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "id": self.id,
            "import_id": self.import_id,
            "file": self.file,
            "row": self.row,
            "raw": self.raw.decode("utf-8", "replace"),
            "reason": self.reason,
            "type": self.type,
            "field": self.field,
            "status": self.status,
            "resolved_event": None
            if self.resolved_event_id is None
            else f"event:{self.resolved_event_id}",
            "created_at": micros_to_iso(self.created_at),
        }


def list_quarantine(workspace: Workspace, status: str | None = "open") -> list[QuarantineEntry]:
    """Quarantined rows by import and row (every state when ``status`` is None)."""
    query = sa.select(quarantine).order_by(
        quarantine.c.import_id, quarantine.c.row, quarantine.c.id
    )
    if status is not None:
        if status not in STATUSES:
            raise InputError(f"unknown status {status!r}; statuses: {', '.join(STATUSES)}")
        query = query.where(quarantine.c.status == status)
    with workspace.store.read() as conn:
        return [_entry(row._mapping) for row in conn.execute(query)]


def _entry(row: Any) -> QuarantineEntry:
    return QuarantineEntry(
        int(row["id"]),
        int(row["import_id"]),
        str(row["file"]),
        int(row["row"]),
        bytes(row["raw"]),
        str(row["reason"]),
        str(row["type"]),
        row["field"],
        str(row["status"]),
        row["resolved_event_id"],
        int(row["created_at"]),
    )


def retry(workspace: Workspace, entry_id: int, corrected: str | None = None) -> int:
    """Import quarantined row ``entry_id`` again (corrected if given); return its event id."""
    with workspace.store.read() as conn:
        row = conn.execute(sa.select(quarantine).where(quarantine.c.id == entry_id)).first()
        if row is None:
            raise InputError(f"there is no quarantined row {entry_id}")
        entry = _entry(row._mapping)
        origin = conn.execute(sa.select(imports).where(imports.c.id == entry.import_id)).one()
    if entry.status != "open":
        raise InputError(f"quarantined row {entry_id} is {entry.status}, not open")
    text = corrected if corrected is not None else entry.raw.decode("utf-8", "replace")
    result = _read_one(origin._mapping, entry, text)
    prepared = prepare_batch(result.batch, entry.file, entry.row)
    if prepared.refused:
        raise InputError(f"row {entry.row} is still rejected: {prepared.refused[0].reason}")
    with workspace.store.write() as conn:
        identities = IdentityIndex()
        ids, _, _ = insert_events(workspace.store, conn, prepared, entry.import_id, identities)
        if ids:
            event_id = ids[0]
        else:
            event_id = stored_event_id(conn, prepared.sources[0], prepared.row_hashes[0])
        conn.execute(
            quarantine.update()
            .where(quarantine.c.id == entry_id)
            .values(status="resolved", resolved_event_id=event_id, resolved_at=now_micros())
        )
    return event_id


def _read_one(origin: Any, entry: QuarantineEntry, text: str) -> ReadResult:
    """The corrected row read through the original import's reader, as one event."""
    fmt = str(origin["format"])
    if fmt == "geoparquet":
        raise InputError("a Parquet row cannot be retried alone; correct the file and import it")
    if "\n" in text.strip("\r\n") and fmt != "geojson":
        raise InputError("the corrected text must be one row")
    name = Path(str(origin["file_path"])).name.removesuffix(".gz") or "retry"
    with tempfile.TemporaryDirectory(prefix="truce-retry-") as folder:
        path = Path(folder) / name
        mapping = None
        if fmt == "geojson":
            body = '{"type":"FeatureCollection","features":[' + text + "]}"
            own_row = 1
        else:
            body = f"{origin['header'] or ''}\n{text.strip(chr(13) + chr(10))}\n"
            own_row = 2
        encoding = "cp1252" if fmt == "ucdp" else "utf-8"
        try:
            path.write_bytes(body.encode(encoding))
        except UnicodeEncodeError as exc:
            raise InputError(f"the corrected text cannot be written as {encoding}: {exc}") from None
        if origin["mapping_text"] is not None:
            mapping = Path(folder) / "retry.mapping.yaml"
            mapping.write_text(str(origin["mapping_text"]), encoding="utf-8")
        results = list(read_events(path, _READER_NAMES.get(fmt, fmt), mapping=mapping))
    rejected = [r for result in results for r in result.rejected]
    if rejected:
        raise InputError(f"row {entry.row} is still rejected: {rejected[0].reason}")
    batches = [result.batch for result in results if result.batch.num_rows]
    if len(batches) != 1 or batches[0].num_rows != 1:
        found = sum(b.num_rows for b in batches)
        raise InputError(f"the corrected text holds {found} rows, not one")
    return ReadResult(_renumber(batches[0], own_row, entry.row), [], 1)


def _renumber(batch: pa.RecordBatch, own_row: int, row: int) -> pa.RecordBatch:
    """Ids a reader derived from the temporary file's row number, set to the original row."""
    if batch.column("source_record")[0].as_py() != str(own_row):
        return batch
    source = batch.column("source")[0].as_py()
    columns = {name: batch.column(name) for name in batch.schema.names}
    columns["source_record"] = pa.array([str(row)], type=pa.string())
    if batch.column("event_id")[0].as_py() == f"{source}:{own_row}":
        columns["event_id"] = pc.binary_join_element_wise(
            pa.array([source]), pa.array([str(row)]), ":"
        )
    return pa.RecordBatch.from_arrays(list(columns.values()), schema=batch.schema)
