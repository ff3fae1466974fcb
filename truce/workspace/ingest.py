"""Writing one chunk of a read into the record: new events with their ledger leaves, duplicates
skipped, rejected rows quarantined. Everything here runs inside the caller's write transaction.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.events.model import ReadResult, Rejected
from truce.ledger import sqlstore  # a module reference: sqlstore imports this package
from truce.workspace.clock import now_micros
from truce.workspace.eventblocks import append_block, next_event_id
from truce.workspace.eventrows import PreparedRows, prepare_batch
from truce.workspace.identity import IdentityIndex, identity_runs, next_run_id
from truce.workspace.records import event_leaf_hashes
from truce.workspace.schema import event_identities, quarantine, sources
from truce.workspace.store import Store

_LOOKUP_BATCH = 2000


@dataclass
class StoredChunk:
    """What storing a chunk did: new event ids and content hashes, duplicates, quarantined."""

    event_ids: list[int] = field(default_factory=list)
    content_hashes: list[bytes] = field(default_factory=list)
    duplicates: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)


def next_id(conn: Connection, table: sa.Table) -> int:
    """The next free id of ``table`` (valid while the write lock is held)."""
    highest = conn.execute(sa.select(sa.func.max(table.c.id))).scalar()
    return 1 if highest is None else int(highest) + 1


@dataclass(frozen=True)
class Chunk:
    """One chunk of a read, prepared for storing: where it starts, what was read, its rows."""

    first_row: int
    result: ReadResult
    prepared: PreparedRows

    @classmethod
    def of(cls, result: ReadResult, first_row: int, file: str) -> Chunk:
        """Prepare a reader's result (hashes computed, values converted)."""
        return cls(first_row, result, prepare_batch(result.batch, file, first_row))


def store_chunk(
    store: Store,
    conn: Connection,
    import_id: int,
    chunk: Chunk,
    file_sha256: bytes,
    identities: IdentityIndex,
) -> StoredChunk:
    """Store one chunk of an import (see the module docstring)."""
    stored = StoredChunk()
    stored.event_ids, stored.content_hashes, stored.duplicates = insert_events(
        store, conn, chunk.prepared, import_id, identities
    )
    rejected = [*chunk.result.rejected, *chunk.prepared.refused]
    stored.quarantined = insert_quarantine(store, conn, import_id, file_sha256, rejected)
    return stored


def insert_events(
    store: Store,
    conn: Connection,
    prepared: PreparedRows,
    import_id: int | None,
    identities: IdentityIndex,
) -> tuple[list[int], list[bytes], int]:
    """Insert the events not yet stored, each with its ledger leaf and its identity run.

    Returns the new ids, their content hashes and how many events were duplicates. Which are
    new is decided by ``identities``, refreshed here under the write lock
    (:mod:`truce.workspace.identity`).
    """
    keep = identities.new_positions(conn, prepared.sources, prepared.row_hashes)
    duplicates = len(prepared.row_hashes) - len(keep)
    if not keep:
        return [], [], duplicates
    return (*_insert_positions(store, conn, prepared, import_id, keep), duplicates)


def _insert_positions(
    store: Store,
    conn: Connection,
    prepared: PreparedRows,
    import_id: int | None,
    keep: list[int],
) -> tuple[list[int], list[bytes]]:
    """Insert the entries at ``keep`` (known new), their ledger leaves and identity runs; the
    new ids and content hashes."""
    everything = len(keep) == len(prepared.row_hashes)
    if everything:
        kept_sources, row_hashes = prepared.sources, prepared.row_hashes
        hashes = list(prepared.content_hashes)
    else:
        kept_sources = [prepared.sources[p] for p in keep]
        row_hashes = [prepared.row_hashes[p] for p in keep]
        hashes = [prepared.content_hashes[p] for p in keep]
    _add_sources(conn, set(kept_sources), import_id)
    first = next_event_id(conn)
    ids = list(range(first, first + len(keep)))
    append_block(store, conn, first, import_id, prepared.block(keep))
    runs = identity_runs(next_run_id(conn), kept_sources, row_hashes, ids)
    store.insert_rows(conn, event_identities, runs)
    sqlstore.append_leaf_run(store, conn, "event", first, event_leaf_hashes(ids, hashes))
    return ids, hashes


def _add_sources(conn: Connection, names: set[str], import_id: int | None) -> None:
    known = set(
        conn.execute(sa.select(sources.c.name).where(sources.c.name.in_(sorted(names)))).scalars()
    )
    missing = sorted(names - known)
    if missing:
        conn.execute(
            sources.insert(),
            [{"name": name, "description": "", "first_import_id": import_id} for name in missing],
        )


def insert_quarantine(
    store: Store,
    conn: Connection,
    import_id: int,
    file_sha256: bytes,
    rejected: Sequence[Rejected],
) -> Counter[str]:
    """Quarantine rejected rows not quarantined before; count every rejected row by type."""
    counts: Counter[str] = Counter(r.type for r in rejected)
    if not rejected:
        return counts
    entries = {(r.row, hashlib.sha256(raw_bytes(r.raw)).digest()): r for r in rejected}
    known: set[tuple[int, bytes]] = set()
    numbers = sorted({row for row, _ in entries})
    for start in range(0, len(numbers), _LOOKUP_BATCH):
        query = sa.select(quarantine.c.row, quarantine.c.raw_sha256).where(
            quarantine.c.file_sha256 == file_sha256,
            quarantine.c.row.in_(numbers[start : start + _LOOKUP_BATCH]),
        )
        known.update((int(n), bytes(h)) for n, h in conn.execute(query))
    new = [(key, r) for key, r in entries.items() if key not in known]
    if new:
        first = next_id(conn, quarantine)
        now = now_micros()
        store.insert_rows(
            conn,
            quarantine,
            [
                (
                    first + offset,
                    import_id,
                    _clean(r.file),
                    file_sha256,
                    r.row,
                    raw_bytes(r.raw),
                    raw_hash,
                    _clean(r.reason),
                    _clean(r.type),
                    None if r.field is None else _clean(r.field),
                    "open",
                    None,
                    None,
                    now,
                )
                for offset, ((_, raw_hash), r) in enumerate(new)
            ],
        )
    return counts


def raw_bytes(raw: str) -> bytes:
    """The exact bytes of a rejected row's text (undecodable bytes kept as they were)."""
    try:
        return raw.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return raw.encode("utf-8", "surrogatepass")


def _clean(text: str) -> str:
    """Text the databases can store: a NUL becomes the two characters ``\\0``."""
    return text.replace("\x00", "\\0") if "\x00" in text else text
