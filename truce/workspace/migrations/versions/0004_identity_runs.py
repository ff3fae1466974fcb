"""Event identities move from a unique index on ``events`` to identity runs.

The unique key ``(row_hash, source)`` touched a random index page for every event inserted; an
import now checks identities in memory against ``event_identities`` (one row per source and
write transaction, the row hashes as one blob) under the write lock
(:mod:`truce.workspace.identity`). Upgrading writes the runs of the events already stored (per
source, in id order, 50,000 hashes a run) and drops the unique key; downgrading puts the key
back and drops the runs. On SQLite both rebuild ``events`` (which is how SQLite drops or adds a
table constraint): :mod:`truce.workspace.migrate` turns foreign keys off for the migration and
runs ``foreign_key_check`` before it commits.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_RUN = 50_000


def upgrade() -> None:
    """Create ``event_identities``, fill it from ``events``, drop the unique key."""
    runs = op.create_table(
        "event_identities",
        sa.Column("id", _ID, primary_key=True, autoincrement=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("first_event_id", _ID, nullable=False),
        sa.Column("last_event_id", _ID, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("hashes", sa.LargeBinary, nullable=False),
    )
    assert runs is not None
    bind = op.get_bind()
    run_id = 0
    names = [str(n) for n in bind.execute(sa.text("SELECT DISTINCT source FROM events")).scalars()]
    for name in sorted(names):
        last = 0
        while True:
            rows = bind.execute(
                sa.text(
                    "SELECT id, row_hash FROM events WHERE source = :s AND id > :last "
                    "ORDER BY id LIMIT :n"
                ),
                {"s": name, "last": last, "n": _RUN},
            ).all()
            if not rows:
                break
            run_id += 1
            first, last = int(rows[0][0]), int(rows[-1][0])
            blob = b"".join(bytes(row[1]) for row in rows)
            bind.execute(
                runs.insert().values(
                    id=run_id,
                    source=name,
                    first_event_id=first,
                    last_event_id=last,
                    count=len(rows),
                    hashes=blob,
                )
            )
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("uq_events_row_hash_source", type_="unique")


def downgrade() -> None:
    """Put the unique key back on ``events`` and drop ``event_identities``."""
    with op.batch_alter_table("events") as batch:
        batch.create_unique_constraint("uq_events_row_hash_source", ["row_hash", "source"])
    op.drop_table("event_identities")
