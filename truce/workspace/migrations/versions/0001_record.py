"""The record: imports, sources, events, quarantine, agreements, layers, evidence, custody,
findings and the ledger.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_HASH = sa.LargeBinary(32)


def _id() -> sa.Column[int]:
    return sa.Column("id", _ID, primary_key=True, autoincrement=False)


def _ref(name: str, table: str, nullable: bool = True) -> sa.Column[int]:
    return sa.Column(name, _ID, sa.ForeignKey(f"{table}.id"), nullable=nullable)


def upgrade() -> None:
    """Create every table of the first schema."""
    op.create_table(
        "imports",
        _id(),
        sa.Column("file_path", sa.Text, nullable=False),
        sa.Column("file_sha256", _HASH, nullable=False),
        sa.Column("file_size", sa.BigInteger, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("mapping_sha256", _HASH, nullable=False),
        sa.Column("mapping_text", sa.Text),
        sa.Column("header", sa.Text),
        sa.Column("chunk_rows", sa.Integer, nullable=False),
        sa.Column("rows_done", sa.BigInteger, nullable=False),
        sa.Column("accepted", sa.BigInteger, nullable=False),
        sa.Column("duplicates", sa.BigInteger, nullable=False),
        sa.Column("quarantined", sa.BigInteger, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("started_at", sa.BigInteger, nullable=False),
        sa.Column("finished_at", sa.BigInteger),
        sa.Index(None, "file_sha256", "format", "mapping_sha256"),
    )
    op.create_table(
        "sources",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        _ref("first_import_id", "imports"),
    )
    op.create_table(
        "events",
        _id(),
        _ref("import_id", "imports"),
        sa.Column("row_hash", _HASH, nullable=False),
        sa.Column("content_hash", _HASH, nullable=False),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_record", sa.Text, nullable=False),
        sa.Column("time_start", sa.BigInteger, nullable=False),
        sa.Column("time_end", sa.BigInteger, nullable=False),
        sa.Column("time_zone", sa.Text, nullable=False),
        sa.Column("time_precision", sa.Text, nullable=False),
        sa.Column("lon", sa.Double),
        sa.Column("lat", sa.Double),
        sa.Column("precision_m", sa.Double),
        sa.Column("area_id", sa.Text),
        sa.Column("area_precision", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("weapon_class", sa.Text),
        sa.Column("target", sa.Text),
        sa.Column("target_class", sa.Text),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("claims", sa.Text, nullable=False),
        sa.Column("deaths", sa.Integer),
        sa.Column("injured", sa.Integer),
        sa.Column("quantity", sa.Integer),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("link", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.UniqueConstraint("row_hash", "source"),
    )
    op.create_table(
        "quarantine",
        _id(),
        _ref("import_id", "imports", nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("file_sha256", _HASH, nullable=False),
        sa.Column("row", sa.BigInteger, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("raw_sha256", _HASH, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("field", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        _ref("resolved_event_id", "events"),
        sa.Column("resolved_at", sa.BigInteger),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("file_sha256", "row", "raw_sha256"),
    )
    op.create_table(
        "agreements",
        _id(),
        sa.Column("agreement_id", sa.Text, nullable=False),
        sa.Column("sha256", _HASH, nullable=False, unique=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("added_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "layers",
        _id(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("sha256", _HASH, nullable=False, unique=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("added_at", sa.BigInteger, nullable=False),
    )
    _evidence_tables()
    _ledger_tables()


def _evidence_tables() -> None:
    op.create_table(
        "evidence",
        _id(),
        sa.Column("sha256", _HASH, nullable=False, unique=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.Text, nullable=False),
        sa.Column("original_name", sa.Text, nullable=False),
        sa.Column("received_at", sa.BigInteger, nullable=False),
        sa.Column("received_by", sa.Text, nullable=False),
        sa.Column("content_hash", _HASH, nullable=False),
    )
    op.create_table(
        "evidence_metadata",
        sa.Column("evidence_id", _ID, sa.ForeignKey("evidence.id"), primary_key=True),
        sa.Column("extractor", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("sha256", _HASH, nullable=False),
    )
    op.create_table(
        "derivatives",
        _id(),
        _ref("evidence_id", "evidence", nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("sha256", _HASH, nullable=False),
        sa.Column("media_type", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("evidence_id", "role"),
    )
    op.create_table(
        "evidence_links",
        _id(),
        _ref("evidence_id", "evidence", nullable=False),
        _ref("event_id", "events", nullable=False),
        sa.Column("linked_at", sa.BigInteger, nullable=False),
        sa.Column("linked_by", sa.Text, nullable=False),
        sa.UniqueConstraint("evidence_id", "event_id"),
    )
    op.create_table(
        "custody_events",
        _id(),
        _ref("evidence_id", "evidence", nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("hash_before", _HASH),
        sa.Column("hash_after", _HASH),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("content_hash", _HASH, nullable=False),
        sa.Index(None, "evidence_id"),
    )
    op.create_table(
        "findings",
        _id(),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("content_hash", _HASH, nullable=False),
    )


def _ledger_tables() -> None:
    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", _HASH, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ledger_leaves",
        sa.Column("idx", _ID, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("kind", "record_id"),
    )
    op.create_table(
        "ledger_checkpoints",
        _id(),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("root_hash", _HASH, nullable=False),
        sa.Column("note", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    """Drop every table (the record is lost: only for throwaway workspaces)."""
    for table in (
        "ledger_checkpoints",
        "ledger_leaves",
        "ledger_nodes",
        "findings",
        "custody_events",
        "evidence_links",
        "derivatives",
        "evidence_metadata",
        "evidence",
        "layers",
        "agreements",
        "quarantine",
        "events",
        "sources",
        "imports",
    ):
        op.drop_table(table)
