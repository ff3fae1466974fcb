"""The ledger in the workspace database: a SQL :class:`~truce.ledger.merkle.NodeStore`.

Tables (:mod:`truce.workspace.schema`): ``ledger_nodes (level, idx, hash)`` with primary key
``(level, idx)`` holds every complete perfect subtree; ``ledger_leaves (idx, kind, record_id)``
says which record each leaf stands for. Both are written on the caller's connection, inside
the caller's transaction: :func:`append_leaves` is called in the same write transaction that
inserts the records, so a record and its leaf commit together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import repeat

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.errors import LedgerError
from truce.ledger.merkle import HASH_SIZE, MerkleTree, NodeKey, NodeRow, leaf_hash
from truce.workspace.records import LeafRecord
from truce.workspace.schema import ledger_leaves, ledger_nodes
from truce.workspace.store import Store

_KEYS_PER_QUERY = 500


class SqlNodeStore:
    """A :class:`~truce.ledger.merkle.NodeStore` over ``ledger_nodes`` on one connection."""

    def __init__(self, store: Store, conn: Connection) -> None:
        self.store = store
        self.conn = conn

    def leaf_count(self) -> int:
        """Number of leaves stored (one more than the highest level-0 index)."""
        highest = self.conn.execute(
            sa.select(sa.func.max(ledger_nodes.c.idx)).where(ledger_nodes.c.level == 0)
        ).scalar()
        return 0 if highest is None else int(highest) + 1

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """Hashes of the nodes at ``keys``, in the same order."""
        found: dict[NodeKey, bytes] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _KEYS_PER_QUERY):
            part = unique[start : start + _KEYS_PER_QUERY]
            query = sa.select(ledger_nodes.c.level, ledger_nodes.c.idx, ledger_nodes.c.hash).where(
                sa.tuple_(ledger_nodes.c.level, ledger_nodes.c.idx).in_(part)
            )
            for level, index, digest in self.conn.execute(query):
                found[(int(level), int(index))] = bytes(digest)
        missing = [key for key in unique if key not in found]
        if missing:
            raise LedgerError(f"ledger has no node at (level, index) {missing[0]}")
        for key, digest in found.items():
            if len(digest) != HASH_SIZE:
                raise LedgerError(f"ledger node {key} holds {len(digest)} bytes, not {HASH_SIZE}")
        return [found[key] for key in keys]

    def put_nodes(self, rows: Sequence[NodeRow]) -> None:
        """Insert new rows; the primary key refuses to overwrite an existing node."""
        self.store.insert_rows(self.conn, ledger_nodes, [(r.level, r.index, r.hash) for r in rows])


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
    store.insert_rows(conn, ledger_nodes, new_node_rows(size, frontier, leaves))
    indices = range(size, size + len(leaves))
    store.insert_rows(
        conn,
        ledger_leaves,
        [
            (index, kind, record_id)
            for index, (kind, record_id) in zip(indices, owners, strict=True)
        ],
    )
    return list(indices)


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
