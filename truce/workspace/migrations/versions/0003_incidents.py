"""Verification: analysts' decisions, corroboration runs, incidents and their reports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_HASH = sa.LargeBinary(32)


def upgrade() -> None:
    """Create the tables of verification."""
    op.create_table(
        "decisions",
        sa.Column("id", _ID, primary_key=True, autoincrement=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("event_ids", sa.Text, nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("content_hash", _HASH, nullable=False),
    )
    op.create_table(
        "corroboration_runs",
        sa.Column("id", _ID, primary_key=True, autoincrement=False),
        sa.Column("started_at", sa.BigInteger, nullable=False),
        sa.Column("finished_at", sa.BigInteger, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("last_event_id", _ID, nullable=False),
        sa.Column("last_decision_id", _ID, nullable=False),
        sa.Column("reports", sa.BigInteger, nullable=False),
        sa.Column("incidents", sa.BigInteger, nullable=False),
        sa.Column("grades", sa.Text, nullable=False),
        sa.Column("assignments_sha256", _HASH, nullable=False),
        sa.Column("content_hash", _HASH, nullable=False),
    )
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.Text, primary_key=True),
        sa.Column("run_id", _ID, sa.ForeignKey("corroboration_runs.id"), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("leader_event", _ID, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("grade", sa.Text, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("report_count", sa.Integer, nullable=False),
        sa.Column("independent_sources", sa.Integer, nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("time_start", sa.BigInteger, nullable=False),
        sa.Column("time_end", sa.BigInteger, nullable=False),
        sa.Column("lon", sa.Double),
        sa.Column("lat", sa.Double),
        sa.Column("precision_m", sa.Double),
        sa.Column("area_precision", sa.Text),
        sa.Column("kinds", sa.Text, nullable=False),
        sa.Column("claimed", sa.Text, nullable=False),
        sa.Column("contested_attribution", sa.Boolean, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Index(None, "time_start"),
        sa.Index(None, "grade"),
    )
    op.create_table(
        "incident_reports",
        sa.Column("event", _ID, sa.ForeignKey("events.id"), primary_key=True, autoincrement=False),
        sa.Column("incident_id", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("re_report_of", sa.Text),
        sa.Column("candidates", sa.Integer, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Index(None, "incident_id"),
    )


def downgrade() -> None:
    """Drop the tables of verification (decisions are lost: only for throwaway workspaces)."""
    for table in ("incident_reports", "incidents", "corroboration_runs", "decisions"):
        op.drop_table(table)
