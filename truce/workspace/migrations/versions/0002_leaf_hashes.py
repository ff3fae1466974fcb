"""Leaf hashes move into ``ledger_leaves``; ``ledger_nodes`` keeps levels 4 and up.

An import appended four rows per event (the event, its leaf, about two tree nodes); now it
appends two and a sixteenth. The levels no longer stored (0 to 3) are hashed again from at most
eight leaf hashes when a root or proof needs one (:mod:`truce.ledger.sqlstore`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_HASH = sa.LargeBinary(32)
_FIRST_STORED_LEVEL = 4  # truce.ledger.sqlstore.FIRST_STORED_LEVEL when this was written


def upgrade() -> None:
    """Copy each leaf hash beside its leaf, then drop node levels 0 to 3."""
    with op.batch_alter_table("ledger_leaves") as batch:
        batch.add_column(sa.Column("hash", _HASH, nullable=True))
    # a leaf without a stored hash gets 32 zero bytes, so that `truce ledger verify` names it
    zero = (
        "zeroblob(32)"
        if op.get_bind().dialect.name == "sqlite"
        else "decode(repeat('00', 32), 'hex')"
    )
    op.execute(
        "UPDATE ledger_leaves SET hash = COALESCE((SELECT n.hash FROM ledger_nodes n "
        f"WHERE n.level = 0 AND n.idx = ledger_leaves.idx), {zero})"
    )
    with op.batch_alter_table("ledger_leaves") as batch:
        batch.alter_column("hash", existing_type=_HASH, nullable=False)
    op.execute(f"DELETE FROM ledger_nodes WHERE level < {_FIRST_STORED_LEVEL}")


def downgrade() -> None:
    """Put every leaf hash back as a level-0 node and hash levels 1 to 3 again (RFC 9162 node
    hash, SHA-256(0x01 || left || right)), then drop the column."""
    bind = op.get_bind()
    nodes = sa.table("ledger_nodes", sa.column("level"), sa.column("idx"), sa.column("hash", _HASH))
    below: list[bytes] = []
    rows = bind.execute(sa.text("SELECT idx, hash FROM ledger_leaves ORDER BY idx"))
    for expected, (index, digest) in enumerate(rows):
        if int(index) != expected:
            raise RuntimeError(f"ledger_leaves has a gap before leaf {index}; cannot downgrade")
        below.append(bytes(digest))
    for level in range(_FIRST_STORED_LEVEL):
        values = [{"level": level, "idx": i, "hash": h} for i, h in enumerate(below)]
        for start in range(0, len(values), 50_000):
            bind.execute(nodes.insert(), values[start : start + 50_000])
        below = [
            hashlib.sha256(b"\x01" + below[i] + below[i + 1]).digest()
            for i in range(0, len(below) - 1, 2)
        ]
    with op.batch_alter_table("ledger_leaves") as batch:
        batch.drop_column("hash")
