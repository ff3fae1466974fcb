"""Which events are stored, by their identity ``(source, row_hash)``, without a per-event index.

An import adds an event only when its identity is not stored yet. A unique B-tree over 32-byte
random hashes touches a random page for every insert (on SQLite it doubled the cost of an event
row and made most of the commit time); so there is none. Instead every write transaction that
stores events also appends, for each source it stored events of, one *identity run*: a row of
``event_identities`` holding the new events' row hashes, in event-id order, as one blob.

:class:`IdentityIndex` holds every stored identity in memory (numpy: an 8-byte prefix of each
hash, sorted, for ``searchsorted``, and the whole hash beside it, compared on a prefix hit; about
40 bytes an event). Before checking a chunk, inside the write transaction, it reads the runs
committed since it last looked (``id`` greater than the last run it holds; the first time, all
of them). Writers are serialised by the store's write lock (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL an advisory lock taken before any read), so at that moment the index holds exactly the
identities committed, whoever committed them, and nothing can be committed until this
transaction ends. Its own new runs are not added to memory: they are read back from the database
by the next refresh, so a transaction that rolls back leaves nothing behind in the index either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection

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
    """Every stored event identity, kept up to date from ``event_identities`` (module docstring).

    Use one per import, inside each write transaction: :meth:`new_positions` says what to
    store; the caller stores it with its :func:`identity_runs` in the same transaction. With
    ``only``, just the identities of those sources are loaded (and only those may be asked).
    """

    def __init__(self, only: set[str] | None = None) -> None:
        self._by_source: dict[str, _SourceIdentities] = {}
        self._last_run = 0
        self._only = None if only is None else sorted(only)

    def __len__(self) -> int:
        return sum(source.count for source in self._by_source.values())

    def refresh(self, conn: Connection) -> None:
        """Read the runs committed since the last refresh (call it holding the write lock)."""
        query = (
            sa.select(event_identities.c.id, event_identities.c.source, event_identities.c.hashes)
            .where(event_identities.c.id > self._last_run)
            .order_by(event_identities.c.id)
        )
        if self._only is not None:
            query = query.where(event_identities.c.source.in_(self._only))
        gathered: dict[str, list[bytes]] = {}
        for run_id, source, blob in conn.execute(query):
            gathered.setdefault(str(source), []).append(bytes(blob))
            self._last_run = int(run_id)
        for source, blobs in gathered.items():
            hashes = _as_matrix(b"".join(blobs))
            if len(hashes):
                self._by_source.setdefault(source, _SourceIdentities()).add(hashes)

    def new_positions(
        self, conn: Connection, sources: Sequence[str], row_hashes: Sequence[bytes]
    ) -> list[int]:
        """Positions of the entries whose identity is neither stored nor repeated earlier in
        the sequence (the first of repeated entries is kept). Refreshes first."""
        self.refresh(conn)
        count = len(row_hashes)
        if count == 0:
            return []
        matrix = _as_matrix(b"".join(row_hashes))
        stored = np.zeros(count, dtype=bool)
        names = set(sources)
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
