"""The ledger in the workspace database: a SQL :class:`~truce.ledger.merkle.NodeStore`.

Tables (:mod:`truce.workspace.schema`): ``ledger_leaves (idx, kind, record_id, hash)`` says
which record each leaf stands for and holds its leaf hash (level 0 of the tree);
``ledger_nodes (level, idx, hash)`` with primary key ``(level, idx)`` holds every complete
perfect subtree from level :data:`FIRST_STORED_LEVEL` up. The levels between (1 to 3) are not
stored: a node there covers at most eight leaves and is hashed again from their stored hashes
when a root or proof needs it, so an appended leaf costs one leaf row and a sixteenth of a
node row instead of about three rows. Both tables are written on the caller's connection,
inside the caller's transaction: :func:`append_leaves` is called in the same write transaction
that inserts the records, so a record and its leaf commit together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import repeat

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.errors import LedgerError
from truce.ledger.merkle import HASH_SIZE, MerkleTree, NodeKey, NodeRow, leaf_hash, node_hash
from truce.workspace.records import LeafRecord
from truce.workspace.schema import ledger_leaves, ledger_nodes
from truce.workspace.store import Store

FIRST_STORED_LEVEL = 4
"""The lowest level of ``ledger_nodes``; levels 1 to ``FIRST_STORED_LEVEL - 1`` are hashed again
from the leaf hashes when needed (migration ``0002`` moved older workspaces to this layout)."""

_KEYS_PER_QUERY = 500


class SqlNodeStore:
    """A :class:`~truce.ledger.merkle.NodeStore` over ``ledger_leaves`` and ``ledger_nodes``
    on one connection (see the module docstring)."""

    def __init__(self, store: Store, conn: Connection) -> None:
        self.store = store
        self.conn = conn

    def leaf_count(self) -> int:
        """Number of leaves stored (one more than the highest leaf index)."""
        highest = self.conn.execute(sa.select(sa.func.max(ledger_leaves.c.idx))).scalar()
        return 0 if highest is None else int(highest) + 1

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """Hashes of the nodes at ``keys``, in the same order."""
        unique = list(dict.fromkeys(keys))
        stored = [key for key in unique if key[0] >= FIRST_STORED_LEVEL]
        found = self._stored_nodes(stored)
        derived = [key for key in unique if key[0] < FIRST_STORED_LEVEL]
        leaves = self._leaf_hashes(
            sorted({i for level, index in derived for i in _leaf_range(level, index)})
        )
        for level, index in derived:
            hashes = [leaves.get(i) for i in _leaf_range(level, index)]
            if any(digest is None for digest in hashes):
                raise LedgerError(f"ledger has no node at (level, index) {(level, index)}")
            found[(level, index)] = _subtree_hash([h for h in hashes if h is not None])
        return [found[key] for key in keys]

    def _stored_nodes(self, keys: list[NodeKey]) -> dict[NodeKey, bytes]:
        found: dict[NodeKey, bytes] = {}
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            part = keys[start : start + _KEYS_PER_QUERY]
            query = sa.select(ledger_nodes.c.level, ledger_nodes.c.idx, ledger_nodes.c.hash).where(
                sa.tuple_(ledger_nodes.c.level, ledger_nodes.c.idx).in_(part)
            )
            for level, index, digest in self.conn.execute(query):
                found[(int(level), int(index))] = _checked(f"ledger node {(level, index)}", digest)
        missing = [key for key in keys if key not in found]
        if missing:
            raise LedgerError(f"ledger has no node at (level, index) {missing[0]}")
        return found

    def _leaf_hashes(self, indices: list[int]) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        for start in range(0, len(indices), _KEYS_PER_QUERY):
            part = indices[start : start + _KEYS_PER_QUERY]
            query = sa.select(ledger_leaves.c.idx, ledger_leaves.c.hash).where(
                ledger_leaves.c.idx.in_(part)
            )
            for index, digest in self.conn.execute(query):
                found[int(index)] = _checked(f"ledger leaf {index}", digest)
        return found

    def put_nodes(self, rows: Sequence[NodeRow]) -> None:
        """Insert the rows of stored levels; the primary key refuses to overwrite a node.

        Leaf rows (level 0) are refused: a leaf is appended with the record it stands for
        (:func:`append_leaf_hashes`).
        """
        if any(row.level == 0 for row in rows):
            raise LedgerError("a leaf is appended with its record (append_leaf_hashes)")
        kept = [(r.level, r.index, r.hash) for r in rows if r.level >= FIRST_STORED_LEVEL]
        self.store.insert_rows(self.conn, ledger_nodes, kept)


def _leaf_range(level: int, index: int) -> range:
    return range(index << level, (index + 1) << level)


def _checked(what: str, digest: bytes) -> bytes:
    digest = bytes(digest)
    if len(digest) != HASH_SIZE:
        raise LedgerError(f"{what} holds {len(digest)} bytes, not {HASH_SIZE}")
    return digest


def _subtree_hash(hashes: list[bytes]) -> bytes:
    """The root of a perfect subtree from its leaf hashes (a power of two of them)."""
    while len(hashes) > 1:
        hashes = [
            node_hash(left, right) for left, right in zip(hashes[0::2], hashes[1::2], strict=True)
        ]
    return hashes[0]


def ledger_tree(store: Store, conn: Connection) -> MerkleTree:
    """The workspace's Merkle tree, read and written through ``conn``."""
    return MerkleTree(SqlNodeStore(store, conn))


def new_node_rows(
    size: int, frontier: Sequence[bytes], leaves: Sequence[bytes]
) -> list[tuple[int, int, bytes]]:
    """The ``(level, index, hash)`` rows that appending ``leaves`` to a tree of ``size`` adds.

    ``frontier`` holds the hashes of the tree's maximal perfect subtrees, largest first (the
    right edge, :func:`truce.ledger.merkle._frontier_keys`). This is
    :meth:`MerkleTree.append_many` without its per-leaf objects (imports append a leaf per
    event, millions at a time), level by level, so rows come ordered by ``(level, index)``; a
    property test checks that both give the same rows.
    """
    sha256 = hashlib.sha256
    levels = [level for level in range(size.bit_length() - 1, -1, -1) if size >> level & 1]
    edge = dict(zip(levels, frontier, strict=True))
    rows: list[tuple[int, int, bytes]] = list(
        zip(repeat(0), range(size, size + len(leaves)), leaves)
    )
    # level by level: the new nodes of a level are hashed in pairs into the level above; a
    # first node with an odd index pairs with the right-edge node to its left
    current, first, level = list(leaves), size, 0
    while current:
        if first & 1:
            current.insert(0, edge[level])
            first -= 1
        parents = [
            sha256(b"\x01" + left + right).digest()
            for left, right in zip(current[0::2], current[1::2], strict=False)  # odd: last waits
        ]
        first, level = first >> 1, level + 1
        rows.extend(zip(repeat(level), range(first, first + len(parents)), parents))
        current = parents
    return rows


def append_leaves(store: Store, conn: Connection, records: Sequence[LeafRecord]) -> list[int]:
    """Append one leaf per record (in order) on ``conn``; return their leaf indices.

    Must run in the write transaction that stores the records themselves.
    """
    owners = [(record.kind, record.record_id) for record in records]
    return append_leaf_hashes(store, conn, owners, [leaf_hash(r.data()) for r in records])


def append_leaf_hashes(
    store: Store, conn: Connection, owners: Sequence[tuple[str, int]], leaves: Sequence[bytes]
) -> list[int]:
    """Append leaf hashes already computed, each standing for ``(kind, record_id)`` of
    ``owners``; return their leaf indices (the bulk path of :func:`append_leaves`).

    Must run in the write transaction that stores the records themselves.
    """
    if len(owners) != len(leaves):
        raise LedgerError(f"{len(leaves)} leaf hashes for {len(owners)} records")
    if not leaves:
        return []
    nodes = SqlNodeStore(store, conn)
    size = nodes.leaf_count()
    frontier = nodes.get_nodes(_frontier(size))
    indices = range(size, size + len(leaves))
    store.insert_rows(
        conn,
        ledger_leaves,
        [
            (index, kind, record_id, digest)
            for index, (kind, record_id), digest in zip(indices, owners, leaves, strict=True)
        ],
    )
    rows = new_node_rows(size, frontier, leaves)  # ordered by level
    first = next((i for i, row in enumerate(rows) if row[0] >= FIRST_STORED_LEVEL), len(rows))
    store.insert_rows(conn, ledger_nodes, rows[first:])
    return list(indices)


def append_leaf_run(
    store: Store, conn: Connection, kind: str, first_record_id: int, leaves: Sequence[bytes]
) -> range:
    """Append the leaf hashes of the records ``first_record_id`` onwards (consecutive ids of
    one ``kind``, in order); return their leaf indices. The same rows as
    :func:`append_leaf_hashes`, but the leaf rows are made by the database from one blob of
    hashes (no Python object per row: the hot path of imports).

    Must run in the write transaction that stores the records themselves.
    """
    if not leaves:
        return range(0)
    nodes = SqlNodeStore(store, conn)
    size = nodes.leaf_count()
    frontier = nodes.get_nodes(_frontier(size))
    blob = b"".join(leaves)
    if len(blob) != HASH_SIZE * len(leaves):
        raise LedgerError("a leaf hash is not 32 bytes")
    values = {"size": size, "kind": kind, "first": first_record_id, "last": len(leaves) - 1}
    if store.dialect == "sqlite":
        numbers = (
            "WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < :last) "
            "SELECT :size + i, :kind, :first + i, substr(:blob, i * 32 + 1, 32) FROM r"
        )
    else:
        numbers = (
            "SELECT CAST(:size AS bigint) + i, CAST(:kind AS text), CAST(:first AS bigint) + i, "
            "substring(CAST(:blob AS bytea) from i * 32 + 1 for 32) "
            "FROM generate_series(0, CAST(:last AS integer)) AS i"
        )
    conn.execute(
        sa.text(f"INSERT INTO ledger_leaves (idx, kind, record_id, hash) {numbers}"),
        {**values, "blob": blob},
    )
    rows = new_node_rows(size, frontier, leaves)  # ordered by level
    first = next((i for i, row in enumerate(rows) if row[0] >= FIRST_STORED_LEVEL), len(rows))
    store.insert_rows(conn, ledger_nodes, rows[first:])
    return range(size, size + len(leaves))


def _frontier(size: int) -> list[NodeKey]:
    """Keys of the maximal perfect subtrees of the first ``size`` leaves, largest first."""
    keys = []
    position = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, position >> level))
            position += 1 << level
    return keys


def leaf_index(conn: Connection, kind: str, record_id: int) -> int | None:
    """The leaf index of a record, or None if it has no leaf."""
    found = conn.execute(
        sa.select(ledger_leaves.c.idx).where(
            ledger_leaves.c.kind == kind, ledger_leaves.c.record_id == record_id
        )
    ).scalar()
    return None if found is None else int(found)


def leaf_owner(conn: Connection, index: int) -> tuple[str, int] | None:
    """``(kind, record_id)`` of the leaf at ``index``, or None."""
    row = conn.execute(
        sa.select(ledger_leaves.c.kind, ledger_leaves.c.record_id).where(
            ledger_leaves.c.idx == index
        )
    ).first()
    return None if row is None else (str(row.kind), int(row.record_id))
