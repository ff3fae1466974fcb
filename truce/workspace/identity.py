"""Which events are stored, by their identity ``(source, row_hash)``, without a per-event index.

An import adds an event only when its identity is not stored yet. A unique B-tree over 32-byte
random hashes touches a random page for every insert (on SQLite it doubled the cost of an event
row and made most of the commit time); so there is none. Instead every write transaction that
stores events also appends, for each source it stored events of, one *identity run*: a row of
``event_identities`` holding the new events' row hashes, in event-id order, as one blob.

:class:`IdentityIndex` holds every stored identity in memory (numpy: an 8-byte prefix of each
hash, sorted, for ``searchsorted``, and the whole hash beside it, compared on a prefix hit; about
40 bytes an event). Before checking a chunk, inside the write transaction, it reads the runs
committed since it last looked (``id`` greater than the last run it read) of the sources it
holds, and all the runs of a source the first time a chunk holds that source. Writers are
serialised by the store's write lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL an advisory lock
taken before any read), so at that moment the index holds exactly the
identities committed, whoever committed them, and nothing can be committed until this
transaction ends. Its own new runs are not added to memory: they are read back from the database
by the next refresh, so a transaction that rolls back leaves nothing behind in the index either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.errors import StorageError
from truce.workspace.eventblocks import stored_events
from truce.workspace.schema import event_identities

HASH_BYTES = 32
_MERGE_AT = 8  # sorted parts per source before they are merged into one


def _as_matrix(blob: bytes) -> npt.NDArray[np.uint8]:
    """Concatenated 32-byte hashes as an ``(n, 32)`` array."""
    return np.frombuffer(blob, dtype=np.uint8).reshape(-1, HASH_BYTES)


def _prefixes(hashes: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """The first 8 bytes of each hash as an unsigned integer (big-endian: byte order)."""
    return np.ascontiguousarray(hashes[:, :8]).view(">u8").ravel().astype(np.uint64)


@dataclass
class _Part:
    """Hashes sorted by their 8-byte prefix."""

    keys: npt.NDArray[np.uint64]
    hashes: npt.NDArray[np.uint8]

    @classmethod
    def of(cls, hashes: npt.NDArray[np.uint8]) -> _Part:
        keys = _prefixes(hashes)
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], hashes[order])

    def contains(
        self, keys: npt.NDArray[np.uint64], hashes: npt.NDArray[np.uint8]
    ) -> npt.NDArray[np.bool_]:
        """Which of ``hashes`` (with their prefixes ``keys``, sorted: numpy then searches from
        where the previous key was found) are in this part."""
        found = np.zeros(len(keys), dtype=bool)
        size = len(self.keys)
        if size == 0:
            return found
        low = np.searchsorted(self.keys, keys, side="left")
        offset = 0
        while True:
            at = low + offset
            candidates = np.nonzero((at < size) & ~found)[0]
            candidates = candidates[self.keys[at[candidates]] == keys[candidates]]
            if len(candidates) == 0:
                return found
            stored = self.hashes[at[candidates]]
            found[candidates] = (stored == hashes[candidates]).all(axis=1)
            offset += 1  # equal prefixes of different hashes: try the next one


@dataclass
class _SourceIdentities:
    parts: list[_Part] = field(default_factory=list)

    def add(self, hashes: npt.NDArray[np.uint8]) -> None:
        self.parts.append(_Part.of(hashes))
        if len(self.parts) > _MERGE_AT:
            self.parts = [_Part.of(np.concatenate([part.hashes for part in self.parts]))]

    def contains(self, hashes: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
        keys = _prefixes(hashes)
        order = np.argsort(keys, kind="stable")
        keys, in_order = keys[order], hashes[order]
        found = np.zeros(len(hashes), dtype=bool)
        for part in self.parts:
            found |= part.contains(keys, in_order)
        result = np.empty_like(found)
        result[order] = found
        return result

    @property
    def count(self) -> int:
        return sum(len(part.keys) for part in self.parts)


class IdentityIndex:
    """The stored identities of the sources asked about so far, kept up to date from
    ``event_identities`` (module docstring).

    Use one per import, inside each write transaction: :meth:`new_positions` says what to
    store; the caller stores it with its :func:`identity_runs` in the same transaction. A
    source's runs are read the first time it is asked about (so importing a small file into a
    large workspace reads the runs of its own sources only), then only the runs committed since.
    """

    def __init__(self) -> None:
        self._by_source: dict[str, _SourceIdentities] = {}
        self._loaded: set[str] = set()
        self._last_run = 0  # every run up to this id of a loaded source is in memory

    def __len__(self) -> int:
        return sum(source.count for source in self._by_source.values())

    def refresh(self, conn: Connection, names: set[str]) -> None:
        """Make the index hold every committed identity of ``names`` and of the sources asked
        about before (call it holding the write lock)."""
        highest = int(conn.execute(sa.select(sa.func.max(event_identities.c.id))).scalar() or 0)
        columns = (event_identities.c.source, event_identities.c.hashes)
        upto = event_identities.c.id <= highest
        queries = []
        if new := sorted(names - self._loaded):
            queries.append(sa.select(*columns).where(event_identities.c.source.in_(new), upto))
        if self._loaded and highest > self._last_run:
            since = event_identities.c.id > self._last_run
            loaded = event_identities.c.source.in_(sorted(self._loaded))
            queries.append(sa.select(*columns).where(loaded, since, upto))
        gathered: dict[str, list[bytes]] = {}
        for query in queries:
            for source, blob in conn.execute(query.order_by(event_identities.c.id)):
                gathered.setdefault(str(source), []).append(bytes(blob))
        for source, blobs in gathered.items():
            hashes = _as_matrix(b"".join(blobs))
            if len(hashes):
                self._by_source.setdefault(source, _SourceIdentities()).add(hashes)
        self._loaded.update(names)
        self._last_run = highest

    def new_positions(
        self, conn: Connection, sources: Sequence[str], row_hashes: Sequence[bytes]
    ) -> list[int]:
        """Positions of the entries whose identity is neither stored nor repeated earlier in
        the sequence (the first of repeated entries is kept). Refreshes first."""
        count = len(row_hashes)
        if count == 0:
            return []
        names = set(sources)
        self.refresh(conn, names)
        matrix = _as_matrix(b"".join(row_hashes))
        stored = np.zeros(count, dtype=bool)
        if len(names) == 1:
            known = self._by_source.get(next(iter(names)))
            if known is not None:
                stored = known.contains(matrix)
        else:
            labels = np.asarray(sources, dtype=object)
            for name in names:
                known = self._by_source.get(name)
                if known is not None:
                    where = np.nonzero(labels == name)[0]
                    stored[where] = known.contains(matrix[where])
        if not stored.any() and len(set(row_hashes)) == count:
            return list(range(count))  # the usual case: all new, none repeated
        seen: set[tuple[str, bytes]] = set()
        keep = []
        for position in np.nonzero(~stored)[0].tolist():
            key = (sources[position], row_hashes[position])
            if key not in seen:
                seen.add(key)
                keep.append(position)
        return keep


def next_run_id(conn: Connection) -> int:
    """The next free ``event_identities`` id (valid while the write lock is held)."""
    highest = conn.execute(sa.select(sa.func.max(event_identities.c.id))).scalar()
    return 1 if highest is None else int(highest) + 1


def identity_runs(
    first_run_id: int, sources: Sequence[str], row_hashes: Sequence[bytes], ids: Sequence[int]
) -> list[tuple[int, str, int, int, int, bytes]]:
    """The ``event_identities`` rows of newly stored events (given in id order): one run per
    source, ``(id, source, first_event_id, last_event_id, count, hashes)``."""
    by_source: dict[str, list[int]] = {}
    names = set(sources)
    if len(names) == 1:
        by_source[next(iter(names))] = list(range(len(sources)))
    else:
        for position, name in enumerate(sources):
            by_source.setdefault(name, []).append(position)
    runs = []
    for offset, (name, positions) in enumerate(sorted(by_source.items())):
        if len(positions) == len(row_hashes):
            blob = b"".join(row_hashes)
        else:
            blob = b"".join(row_hashes[p] for p in positions)
        runs.append(
            (
                first_run_id + offset,
                name,
                ids[positions[0]],
                ids[positions[-1]],
                len(positions),
                blob,
            )
        )
    return runs


def stored_event_id(conn: Connection, source: str, row_hash: bytes) -> int:
    """The id of the stored event with identity ``(source, row_hash)``: the identity run that
    holds the hash says which ids to read (no per-event index is needed)."""
    runs = conn.execute(
        sa.select(
            event_identities.c.first_event_id,
            event_identities.c.last_event_id,
            event_identities.c.hashes,
        )
        .where(event_identities.c.source == source)
        .order_by(event_identities.c.id)
    )
    needle = np.frombuffer(row_hash, dtype=np.uint8)
    for first, last, blob in runs:
        if not (_as_matrix(bytes(blob)) == needle).all(axis=1).any():
            continue
        table = stored_events(conn, range(int(first), int(last) + 1), ["source", "row_hash"])
        mask = pc.and_(
            pc.equal(table.column("source"), source),
            pc.equal(table.column("row_hash"), pa.scalar(row_hash, pa.binary(32))),
        )
        found = table.column("id").filter(mask).to_pylist()
        if found:
            return int(found[0])
    raise StorageError(f"no stored event has the identity of source {source!r} and that row hash")
