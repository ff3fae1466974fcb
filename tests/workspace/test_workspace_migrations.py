"""Upgrading a workspace written by an earlier schema: the ledger keeps its tree and verifies."""

from __future__ import annotations

import sqlalchemy as sa

from truce.ledger.merkle import MerkleTree
from truce.ledger.sqlstore import FIRST_STORED_LEVEL, ledger_tree
from truce.workspace import Workspace
from truce.workspace.findings import record_finding
from truce.workspace.ledger import make_checkpoint
from truce.workspace.migrate import current_revision, downgrade, head_revision
from truce.workspace.schema import ledger_leaves, ledger_nodes
from truce.workspace.verify import verify_workspace


def _as_revision_0001(workspace: Workspace, leaves: list[bytes], without_leaf: int) -> None:
    """Put the ledger back in the 0001 layout: every level in ``ledger_nodes``, no leaf hash in
    ``ledger_leaves``; the level-0 row of leaf ``without_leaf`` is left out."""
    downgrade(workspace.store, "0003")  # 0004 has a downgrade of its own
    rows = MerkleTree().append_many(leaves)
    with workspace.store.write() as conn:
        conn.execute(ledger_nodes.delete())
        kept = [(r.level, r.index, r.hash) for r in rows if (r.level, r.index) != (0, without_leaf)]
        workspace.store.insert_rows(conn, ledger_nodes, kept)
        conn.exec_driver_sql("ALTER TABLE ledger_leaves DROP COLUMN hash")
        for later in ("incident_reports", "incidents", "corroboration_runs", "decisions"):
            conn.exec_driver_sql(f"DROP TABLE {later}")  # created by 0003
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")


def test_upgrade_from_0001_moves_leaf_hashes_and_keeps_the_tree(workspace: Workspace) -> None:
    for number in range(40):
        record_finding(workspace, "ok", f"finding {number}")
    make_checkpoint(workspace)
    with workspace.store.read() as conn:
        query = sa.select(ledger_leaves.c.hash).order_by(ledger_leaves.c.idx)
        leaves = [bytes(digest) for digest in conn.execute(query).scalars()]
        root = ledger_tree(workspace.store, conn).root()
    _as_revision_0001(workspace, leaves, without_leaf=3)
    assert current_revision(workspace.store) == "0001"
    workspace.close()

    upgraded = Workspace.open(workspace.root)
    try:
        assert current_revision(upgraded.store) == head_revision()
        with upgraded.store.read() as conn:
            lowest = conn.execute(sa.select(sa.func.min(ledger_nodes.c.level))).scalar()
            assert lowest == FIRST_STORED_LEVEL
            query = sa.select(ledger_leaves.c.hash).order_by(ledger_leaves.c.idx)
            moved = [bytes(digest) for digest in conn.execute(query).scalars()]
        assert moved[:3] == leaves[:3]
        assert moved[4:] == leaves[4:]
        assert moved[3] == bytes(32)  # no stored hash: zeros, which verify names
        problems = {(p.type, p.where) for p in verify_workspace(upgraded).problems}
        assert ("node-changed", "ledger node (level 0, index 3)") in problems
        with upgraded.store.write() as conn:
            conn.execute(
                ledger_leaves.update().where(ledger_leaves.c.idx == 3).values(hash=leaves[3])
            )
        assert verify_workspace(upgraded).ok
        with upgraded.store.read() as conn:
            assert ledger_tree(upgraded.store, conn).root() == root
    finally:
        upgraded.close()


def test_downgrade_to_0001_stores_every_level_again(workspace: Workspace) -> None:
    for number in range(27):
        record_finding(workspace, "ok", f"finding {number}")
    with workspace.store.read() as conn:
        query = sa.select(ledger_leaves.c.hash).order_by(ledger_leaves.c.idx)
        leaves = [bytes(digest) for digest in conn.execute(query).scalars()]
    downgrade(workspace.store, "0001")
    assert current_revision(workspace.store) == "0001"
    expected = {(r.level, r.index, r.hash) for r in MerkleTree().append_many(leaves)}
    with workspace.store.read() as conn:
        stored = {
            (int(level), int(index), bytes(digest))
            for level, index, digest in conn.execute(
                sa.select(ledger_nodes.c.level, ledger_nodes.c.idx, ledger_nodes.c.hash)
            )
        }
    assert stored == expected
    workspace.close()
    upgraded = Workspace.open(workspace.root)  # and up again: the tree is whole
    try:
        assert current_revision(upgraded.store) == head_revision()
        assert verify_workspace(upgraded).ok
    finally:
        upgraded.close()
