"""Imports that lose nothing: a file streamed through its reader into the record, chunk by chunk.

Each chunk of input rows is one write transaction holding its new events, their ledger leaves,
its quarantined rows and the import's progress (``imports.rows_done``), so a run killed at any
moment leaves the record exactly as it was after some whole chunk. Running the same import
again (same file bytes, format and mapping) resumes after the last committed chunk.

Idempotence: an event's identity is ``(source, row_hash)`` (:mod:`truce.workspace.records`),
stored once (checked in memory under the write lock, :mod:`truce.workspace.identity`), so a row
already stored (by this file, an earlier version of it or another
file) is counted as a duplicate and adds nothing; a rejected row is quarantined once per
``(file bytes, row)``. When a later version of a file at the same path is imported completely,
the open quarantine entries of the earlier versions are marked ``superseded``.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.errors import InputError
from truce.events.model import ReadResult
from truce.io import read_events
from truce.workspace.clock import now_micros
from truce.workspace.identity import IdentityIndex
from truce.workspace.ingest import Chunk, StoredChunk, next_id, store_chunk
from truce.workspace.schema import imports, quarantine
from truce.workspace.workspace import Workspace

FORMATS: tuple[str, ...] = (
    "ucdp",
    "acled",
    "airforce",
    "firms",
    "geojson",
    "geoparquet",
    "csv",
    "cir",
)
"""The formats ``truce import`` takes (``csv`` needs a column mapping)."""

_READER_NAMES = {"csv": "csv-mapped"}
_CSV_FORMATS = ("ucdp", "acled", "airforce", "firms", "csv")
_NO_MAPPING = hashlib.sha256(b"").digest()


@dataclass(frozen=True)
class ChunkCommitted:
    """What one committed chunk added: told to ``on_commit`` right after the commit."""

    import_id: int
    rows_done: int
    event_ids: list[int]
    content_hashes: list[bytes]
    duplicates: int
    quarantined: int


@dataclass
class ImportSummary:
    """What an import did: rows read, events accepted, duplicates, quarantined rows by reason."""

    import_id: int
    file: str
    format: str
    resumed_from_row: int = 0
    rows_read: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)

    @property
    def quarantined_total(self) -> int:
        """Rows quarantined in all."""
        return sum(self.quarantined.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "import_id": self.import_id,
            "file": self.file,
            "format": self.format,
            "resumed_from_row": self.resumed_from_row,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined_total,
            "quarantined_by_reason": dict(sorted(self.quarantined.items())),
        }

    def __str__(self) -> str:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.quarantined.items()))
        resumed = f" (resumed after row {self.resumed_from_row})" if self.resumed_from_row else ""
        detail = f" ({reasons})" if reasons else ""
        return (
            f"import {self.import_id}{resumed}: {self.rows_read} rows read, {self.accepted} "
            f"accepted, {self.duplicates} duplicates, {self.quarantined_total} quarantined{detail}"
        )


@dataclass(frozen=True)
class _Source:
    """The file being imported and what identifies the import."""

    path: Path
    format: str
    sha256: bytes
    size: int
    mapping_path: Path | None
    mapping_text: str | None

    @property
    def mapping_sha256(self) -> bytes:
        if self.mapping_text is None:
            return _NO_MAPPING
        return hashlib.sha256(self.mapping_text.encode()).digest()


def import_file(
    workspace: Workspace,
    path: str | Path,
    format: str,
    *,
    mapping: str | Path | None = None,
    chunk_rows: int | None = None,
    on_commit: Callable[[ChunkCommitted], None] | None = None,
) -> ImportSummary:
    """Import a file of events into the workspace; see the module docstring."""
    source = _describe(Path(path), format, mapping)
    import_id, rows_done, chunk_size = _start(workspace, source, chunk_rows)
    summary = ImportSummary(import_id, str(source.path), format, resumed_from_row=rows_done)
    results = read_events(
        source.path,
        _READER_NAMES.get(format, format),
        chunk_rows=chunk_size,
        mapping=source.mapping_path,
    )
    identities = IdentityIndex()
    for chunk in _chunks(results, rows_done, str(source.path)):
        result, first_row = chunk.result, chunk.first_row
        with workspace.store.write() as conn:
            stored = store_chunk(workspace.store, conn, import_id, chunk, source.sha256, identities)
            _advance(conn, import_id, first_row + result.rows, stored)
        summary.rows_read += result.rows
        summary.accepted += len(stored.event_ids)
        summary.duplicates += stored.duplicates
        summary.quarantined.update(stored.quarantined)
        if on_commit is not None:
            on_commit(
                ChunkCommitted(
                    import_id,
                    first_row + result.rows,
                    stored.event_ids,
                    stored.content_hashes,
                    stored.duplicates,
                    len(stored.quarantined),
                )
            )
    _finish(workspace, import_id, source)
    return summary


def _describe(path: Path, format: str, mapping: str | Path | None) -> _Source:
    if format not in FORMATS:
        raise InputError(f"unknown import format {format!r}; formats: {', '.join(FORMATS)}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    mapping_path: Path | None = None
    if format == "csv":
        from truce.io.mapping import default_mapping_path

        mapping_path = Path(mapping) if mapping is not None else default_mapping_path(path)
        if not mapping_path.is_file():
            raise InputError(f"{mapping_path}: column mapping not found (give --mapping FILE)")
    elif mapping is not None:
        raise InputError(f"format {format!r} takes no column mapping")
    digest, size = _file_hash(path)
    mapping_text = mapping_path.read_text(encoding="utf-8") if mapping_path else None
    return _Source(path.absolute(), format, digest, size, mapping_path, mapping_text)


def _file_hash(path: Path) -> tuple[bytes, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
                size += len(block)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from exc
    return digest.digest(), size


def first_line(path: Path) -> str | None:
    """The first line of a (possibly gzip-compressed) text file, as text; None if unreadable."""
    try:
        with path.open("rb") as probe:
            packed = probe.read(2) == b"\x1f\x8b"
        opener: Any = gzip.open if packed else open
        with opener(path, "rb") as stream:
            return bytes(stream.readline(1 << 20)).decode("utf-8", "replace").rstrip("\r\n")
    except (OSError, EOFError):
        return None


def _start(workspace: Workspace, source: _Source, chunk_rows: int | None) -> tuple[int, int, int]:
    """The import to continue (same file, format and mapping, not finished) or a new one."""
    with workspace.store.write() as conn:
        running = conn.execute(
            sa.select(imports.c.id, imports.c.rows_done, imports.c.chunk_rows)
            .where(
                imports.c.file_sha256 == source.sha256,
                imports.c.format == source.format,
                imports.c.mapping_sha256 == source.mapping_sha256,
                imports.c.status == "running",
            )
            .order_by(imports.c.id.desc())
        ).first()
        if running is not None:
            return int(running.id), int(running.rows_done), int(running.chunk_rows)
        chunk = chunk_rows or workspace.config.integer("import.chunk_rows")
        import_id = next_id(conn, imports)
        header = first_line(source.path) if source.format in _CSV_FORMATS else None
        conn.execute(
            imports.insert().values(
                id=import_id,
                file_path=str(source.path),
                file_sha256=source.sha256,
                file_size=source.size,
                format=source.format,
                mapping_sha256=source.mapping_sha256,
                mapping_text=source.mapping_text,
                header=header,
                chunk_rows=chunk,
                rows_done=0,
                accepted=0,
                duplicates=0,
                quarantined=0,
                status="running",
                started_at=now_micros(),
            )
        )
        return import_id, 0, chunk


def _chunks(results: Iterator[ReadResult], rows_done: int, file: str) -> Iterator[Chunk]:
    """Each chunk not yet committed by an earlier run, prepared for storing."""
    position = 0
    for result in results:
        first, position = position, position + result.rows
        if position <= rows_done:
            continue
        yield Chunk.of(result, first, file)


def _advance(conn: Connection, import_id: int, rows_done: int, stored: StoredChunk) -> None:
    conn.execute(
        imports.update()
        .where(imports.c.id == import_id)
        .values(
            rows_done=sa.func.max(imports.c.rows_done, rows_done)
            if conn.dialect.name == "sqlite"
            else sa.func.greatest(imports.c.rows_done, rows_done),
            accepted=imports.c.accepted + len(stored.event_ids),
            duplicates=imports.c.duplicates + stored.duplicates,
            quarantined=imports.c.quarantined + sum(stored.quarantined.values()),
        )
    )


def _finish(workspace: Workspace, import_id: int, source: _Source) -> None:
    with workspace.store.write() as conn:
        conn.execute(
            imports.update()
            .where(imports.c.id == import_id)
            .values(status="complete", finished_at=now_micros())
        )
        conn.execute(
            quarantine.update()
            .where(
                quarantine.c.file == str(source.path),
                quarantine.c.file_sha256 != source.sha256,
                quarantine.c.status == "open",
            )
            .values(status="superseded", resolved_at=now_micros())
        )
