"""Leaf hashes move into ``ledger_leaves``; ``ledger_nodes`` keeps levels 4 and up.

An import appended four rows per event (the event, its leaf, about two tree nodes); now it
appends two and a sixteenth. The levels no longer stored (0 to 3) are hashed again from at most
eight leaf hashes when a root or proof needs one (:mod:`truce.ledger.sqlstore`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

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
    """Refused: levels 1 to 3 would have to be hashed again, which SQL cannot do."""
    raise NotImplementedError("the ledger cannot be moved back to revision 0001")
