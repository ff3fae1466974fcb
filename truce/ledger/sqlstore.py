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
    event, millions at a time); a property test checks that both give the same rows.
    """
    sha256 = hashlib.sha256
    edge: dict[int, bytes] = {}
    levels = [level for level in range(size.bit_length() - 1, -1, -1) if size >> level & 1]
    for level, digest in zip(levels, frontier, strict=True):
        edge[level] = digest
    rows: list[tuple[int, int, bytes]] = []
    append = rows.append
    for index in range(size, size + len(leaves)):
        current = leaves[index - size]
        append((0, index, current))
        level = 0
        while index >> level & 1:
            current = sha256(b"\x01" + edge.pop(level) + current).digest()
            level += 1
            append((level, index >> level, current))
        edge[level] = current
    return rows


def append_leaves(store: Store, conn: Connection, records: Sequence[LeafRecord]) -> list[int]:
    """Append one leaf per record (in order) on ``conn``; return their leaf indices.

    Must run in the write transaction that stores the records themselves.
    """
    if not records:
        return []
    nodes = SqlNodeStore(store, conn)
    size = nodes.leaf_count()
    frontier = nodes.get_nodes(_frontier(size))
    leaves = [leaf_hash(record.data()) for record in records]
    store.insert_rows(conn, ledger_nodes, new_node_rows(size, frontier, leaves))
    indices = list(range(size, size + len(records)))
    store.insert_rows(
        conn,
        ledger_leaves,
        [(index, r.kind, r.record_id) for index, r in zip(indices, records, strict=True)],
    )
    return indices


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
