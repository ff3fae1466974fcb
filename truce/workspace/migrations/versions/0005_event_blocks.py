"""Events move into blocks: ``event_blocks`` holds them, ``events`` keeps only their ids.

Upgrading reads the stored events in id order and writes them as blocks of at most
``BLOCK_ROWS`` events with consecutive ids and the same import
(:mod:`truce.workspace.eventblocks`: a
LZ4-compressed Arrow IPC file of the stored columns and hashes, and its SHA-256), then drops
every column of ``events`` but ``id``. Downgrading adds the columns back, fills them from the
blocks and drops ``event_blocks``. On SQLite both rebuild ``events``
(:mod:`truce.workspace.migrate` turns foreign keys off and checks them before the commit).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from alembic import op

from truce.workspace.eventblocks import BLOCK_SCHEMA, Block, block_rows

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_HASH = sa.LargeBinary(32)
_BLOCK = 50_000

_COLUMNS: list[tuple[str, Any, bool]] = [
    ("import_id", _ID, True),
    ("row_hash", _HASH, False),
    ("content_hash", _HASH, False),
    ("event_id", sa.Text, False),
    ("source", sa.Text, False),
    ("source_record", sa.Text, False),
    ("time_start", sa.BigInteger, False),
    ("time_end", sa.BigInteger, False),
    ("time_zone", sa.Text, False),
    ("time_precision", sa.Text, False),
    ("lon", sa.Double, True),
    ("lat", sa.Double, True),
    ("precision_m", sa.Double, True),
    ("area_id", sa.Text, True),
    ("area_precision", sa.Text, False),
    ("kind", sa.Text, False),
    ("weapon_class", sa.Text, True),
    ("target", sa.Text, True),
    ("target_class", sa.Text, True),
    ("outcome", sa.Text, False),
    ("claims", sa.Text, False),
    ("deaths", sa.Integer, True),
    ("injured", sa.Integer, True),
    ("quantity", sa.Integer, True),
    ("text", sa.Text, False),
    ("link", sa.Text, False),
    ("raw", sa.Text, False),
]
_NAMES = [name for name, _, _ in _COLUMNS]


def upgrade() -> None:
    """Write the stored events as blocks, then keep only the ids in ``events``."""
    blocks = op.create_table(
        "event_blocks",
        sa.Column("id", _ID, primary_key=True, autoincrement=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("import_id", _ID, sa.ForeignKey("imports.id")),
        sa.Column("sha256", _HASH, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    assert blocks is not None
    bind = op.get_bind()
    query = sa.text(
        f"SELECT id, {', '.join(_NAMES)} FROM events WHERE id > :last ORDER BY id LIMIT :n"
    )
    last = 0
    while True:
        rows = bind.execute(query, {"last": last, "n": _BLOCK}).all()
        if not rows:
            break
        last = int(rows[-1][0])
        start = 0
        for end in range(1, len(rows) + 1):
            if (
                end == len(rows)
                or int(rows[end][0]) != int(rows[end - 1][0]) + 1
                or rows[end][1] != rows[start][1]
            ):
                _write_block(bind, blocks, rows[start:end])
                start = end
    with op.batch_alter_table("events") as batch:
        for name in _NAMES:
            batch.drop_column(name)


def _write_block(bind: Any, blocks: sa.Table, rows: Sequence[Any]) -> None:
    columns = {}
    for position, name in enumerate(_NAMES[1:], start=2):
        values = [row[position] for row in rows]
        if name in ("row_hash", "content_hash"):
            values = [bytes(v) for v in values]
        columns[name] = pa.array(values, BLOCK_SCHEMA.field(name).type)
    first, import_id = int(rows[0][0]), rows[0][1]
    bind.execute(blocks.insert(), block_rows(first, import_id, pa.table(columns)))


def downgrade() -> None:
    """Put every column back on ``events`` from the blocks; drop ``event_blocks``."""
    with op.batch_alter_table("events") as batch:
        for name, kind, _ in _COLUMNS:
            foreign = [sa.ForeignKey("imports.id")] if name == "import_id" else []
            batch.add_column(sa.Column(name, kind, *foreign, nullable=True))
    bind = op.get_bind()
    table = sa.table("events", sa.column("id"), *(sa.column(name) for name in _NAMES))
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("event"))
        .values({name: sa.bindparam(f"v_{name}") for name in _NAMES})
    )
    rows = bind.execute(
        sa.text("SELECT id, count, import_id, sha256, data FROM event_blocks ORDER BY id")
    ).all()
    for first, count, import_id, digest, data in rows:
        block = Block(int(first), int(count), import_id, bytes(digest), bytes(data))
        decoded = block.decode(["id", "import_id", *_NAMES[1:]]).to_pylist()
        bind.execute(
            update, [{"event": v["id"], **{f"v_{n}": v[n] for n in _NAMES}} for v in decoded]
        )
    with op.batch_alter_table("events") as batch:
        for name, kind, nullable in _COLUMNS:
            if not nullable:
                batch.alter_column(name, existing_type=kind, nullable=False)
    op.drop_table("event_blocks")
