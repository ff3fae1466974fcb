"""The tables of a workspace, as SQLAlchemy Core metadata (one definition for both dialects).

Conventions: every moment is a ``BIGINT`` of microseconds since the Unix epoch, UTC (the same
number an Arrow ``timestamp[us, UTC]`` holds, exact and fast in both databases); every hash is
the 32 raw bytes of a SHA-256; ids are ``BIGINT`` numbers that truce assigns itself while it holds
the workspace's write lock, so a record's id is known before it is written and its ledger leaf
goes into the same transaction. Records that are in the ledger carry ``content_hash``, the hash
of their canonical content (:mod:`truce.workspace.records`).

The Alembic migrations under ``truce/workspace/migrations`` create exactly these tables; a test
compares the two.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
"""The workspace's metadata, with a naming convention so constraint names are the same
everywhere."""

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""A record id: ``BIGINT``, and on SQLite ``INTEGER`` so that the key is the rowid."""

Hash = sa.LargeBinary(32)
"""A SHA-256 hash, 32 raw bytes."""

Micros = sa.BigInteger
"""Microseconds since 1970-01-01T00:00:00Z."""


def _id() -> sa.Column[int]:
    return sa.Column("id", Id, primary_key=True, autoincrement=False)


imports = sa.Table(
    "imports",
    metadata,
    _id(),
    sa.Column("file_path", sa.Text, nullable=False),
    sa.Column("file_sha256", Hash, nullable=False),
    sa.Column("file_size", sa.BigInteger, nullable=False),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("mapping_sha256", Hash, nullable=False),
    sa.Column("mapping_text", sa.Text),
    sa.Column("header", sa.Text),
    sa.Column("chunk_rows", sa.Integer, nullable=False),
    sa.Column("rows_done", sa.BigInteger, nullable=False),
    sa.Column("accepted", sa.BigInteger, nullable=False),
    sa.Column("duplicates", sa.BigInteger, nullable=False),
    sa.Column("quarantined", sa.BigInteger, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("started_at", Micros, nullable=False),
    sa.Column("finished_at", Micros),
    sa.Index(None, "file_sha256", "format", "mapping_sha256"),
)
"""One row per run of ``truce import``: the file's identity and how far the run got."""

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("first_import_id", Id, sa.ForeignKey("imports.id")),
)
"""Every ``source`` value events have been imported from."""

events = sa.Table(
    "events",
    metadata,
    _id(),
)
"""One row per stored event, holding only its id: what other tables refer to (evidence links,
incidents, resolved quarantine entries). The event itself is in its block (``event_blocks``)."""

event_blocks = sa.Table(
    "event_blocks",
    metadata,
    _id(),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("import_id", Id, sa.ForeignKey("imports.id")),
    sa.Column("sha256", Hash, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)
"""Events stored in blocks: the ``count`` events with ids ``id`` to ``id + count - 1`` (at most
512 events stored by one write transaction, of one import), as an LZ4-compressed Arrow IPC file
in ``data`` (:mod:`truce.workspace.eventblocks`: every column of ``EVENT_SCHEMA`` as stored,
claims as JSON text, with each event's ``row_hash`` and ``content_hash``); ``sha256`` is the
hash of ``data``. An event's identity ``(source, row_hash)`` makes imports idempotent: imports
check it against ``event_identities`` in memory (:mod:`truce.workspace.identity`)."""

event_identities = sa.Table(
    "event_identities",
    metadata,
    _id(),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("first_event_id", Id, nullable=False),
    sa.Column("last_event_id", Id, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("hashes", sa.LargeBinary, nullable=False),
)
"""Identity runs: per write transaction and source, the row hashes of the events it stored (in
id order, 32 bytes each, concatenated). Together they are every stored ``(source, row_hash)``."""

quarantine = sa.Table(
    "quarantine",
    metadata,
    _id(),
    sa.Column("import_id", Id, sa.ForeignKey("imports.id"), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("file_sha256", Hash, nullable=False),
    sa.Column("row", sa.BigInteger, nullable=False),
    sa.Column("raw", sa.LargeBinary, nullable=False),
    sa.Column("raw_sha256", Hash, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("field", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("resolved_event_id", Id, sa.ForeignKey("events.id")),
    sa.Column("resolved_at", Micros),
    sa.Column("created_at", Micros, nullable=False),
    sa.UniqueConstraint("file_sha256", "row", "raw_sha256"),
)
"""Input rows that could not be imported: the file, the row, its exact bytes and why."""

agreements = sa.Table(
    "agreements",
    metadata,
    _id(),
    sa.Column("agreement_id", sa.Text, nullable=False),
    sa.Column("sha256", Hash, nullable=False, unique=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("added_at", Micros, nullable=False),
)
"""Agreement versions, one row per distinct text (by content hash)."""

layers = sa.Table(
    "layers",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("sha256", Hash, nullable=False, unique=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("added_at", Micros, nullable=False),
)
"""Geographic layer versions, one row per distinct GeoJSON text."""

evidence = sa.Table(
    "evidence",
    metadata,
    _id(),
    sa.Column("sha256", Hash, nullable=False, unique=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("media_type", sa.Text, nullable=False),
    sa.Column("original_name", sa.Text, nullable=False),
    sa.Column("received_at", Micros, nullable=False),
    sa.Column("received_by", sa.Text, nullable=False),
    sa.Column("content_hash", Hash, nullable=False),
)
"""Evidence originals, content-addressed by ``sha256``; the file lives in the workspace."""

evidence_metadata = sa.Table(
    "evidence_metadata",
    metadata,
    sa.Column("evidence_id", Id, sa.ForeignKey("evidence.id"), primary_key=True),
    sa.Column("extractor", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("sha256", Hash, nullable=False),
)
"""What was read out of an original (time, place, dimensions, duration) as JSON text."""

derivatives = sa.Table(
    "derivatives",
    metadata,
    _id(),
    sa.Column("evidence_id", Id, sa.ForeignKey("evidence.id"), nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("sha256", Hash, nullable=False),
    sa.Column("media_type", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("created_at", Micros, nullable=False),
    sa.UniqueConstraint("evidence_id", "role"),
)
"""Working copies made from an original (thumbnail, location-stripped public copy)."""

evidence_links = sa.Table(
    "evidence_links",
    metadata,
    _id(),
    sa.Column("evidence_id", Id, sa.ForeignKey("evidence.id"), nullable=False),
    sa.Column("event_id", Id, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("linked_at", Micros, nullable=False),
    sa.Column("linked_by", sa.Text, nullable=False),
    sa.UniqueConstraint("evidence_id", "event_id"),
)
"""Which evidence supports which report."""

custody_events = sa.Table(
    "custody_events",
    metadata,
    _id(),
    sa.Column("evidence_id", Id, sa.ForeignKey("evidence.id"), nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at", Micros, nullable=False),
    sa.Column("hash_before", Hash),
    sa.Column("hash_after", Hash),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("content_hash", Hash, nullable=False),
    sa.Index(None, "evidence_id"),
)
"""The chain of custody: who did what to which evidence when, with the hashes around it."""

findings = sa.Table(
    "findings",
    metadata,
    _id(),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("created_at", Micros, nullable=False),
    sa.Column("content_hash", Hash, nullable=False),
)
"""Findings of the check engine, as recorded."""

ledger_nodes = sa.Table(
    "ledger_nodes",
    metadata,
    sa.Column("level", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", Hash, nullable=False),
    sqlite_with_rowid=False,
)
"""Hashes of the Merkle tree's complete perfect subtrees by ``(level, idx)``, from level
:data:`truce.ledger.sqlstore.FIRST_STORED_LEVEL` up (the leaf hashes are in ``ledger_leaves``;
the levels between are hashed again from them when needed)."""

ledger_leaves = sa.Table(
    "ledger_leaves",
    metadata,
    sa.Column("idx", Id, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("record_id", sa.BigInteger, nullable=False),
    sa.Column("hash", Hash, nullable=False),
    sa.UniqueConstraint("kind", "record_id"),
)
"""Which record each leaf index stands for, and the leaf's hash (level 0 of the tree)."""

ledger_checkpoints = sa.Table(
    "ledger_checkpoints",
    metadata,
    _id(),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("root_hash", Hash, nullable=False),
    sa.Column("note", sa.LargeBinary, nullable=False),
    sa.Column("created_at", Micros, nullable=False),
)
"""Signed checkpoints (C2SP signed notes) in the order they were made."""

decisions = sa.Table(
    "decisions",
    metadata,
    _id(),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("event_ids", sa.Text, nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("why", sa.Text, nullable=False),
    sa.Column("at", Micros, nullable=False),
    sa.Column("content_hash", Hash, nullable=False),
)
"""Analysts' decisions about grouping (detach, split, merge), naming reports by ``event_id``
(a JSON list), with who decided, why and when. Ledgered; replayed on every corroboration run."""

corroboration_runs = sa.Table(
    "corroboration_runs",
    metadata,
    _id(),
    sa.Column("started_at", Micros, nullable=False),
    sa.Column("finished_at", Micros, nullable=False),
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("last_event_id", Id, nullable=False),
    sa.Column("last_decision_id", Id, nullable=False),
    sa.Column("reports", sa.BigInteger, nullable=False),
    sa.Column("incidents", sa.BigInteger, nullable=False),
    sa.Column("grades", sa.Text, nullable=False),
    sa.Column("assignments_sha256", Hash, nullable=False),
    sa.Column("content_hash", Hash, nullable=False),
)
"""Each run of ``truce corroborate``: its settings (JSON), what it saw (events and decisions up
to these ids), what it made, and the SHA-256 of its report-to-incident assignments. Ledgered."""

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("incident_id", sa.Text, primary_key=True),
    sa.Column("run_id", Id, sa.ForeignKey("corroboration_runs.id"), nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("leader_event", Id, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("grade", sa.Text, nullable=False),
    sa.Column("reasons", sa.Text, nullable=False),
    sa.Column("report_count", sa.Integer, nullable=False),
    sa.Column("independent_sources", sa.Integer, nullable=False),
    sa.Column("sources", sa.Text, nullable=False),
    sa.Column("time_start", Micros, nullable=False),
    sa.Column("time_end", Micros, nullable=False),
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
"""The incidents of the latest corroboration run: the columns people filter on, and the whole
row of :data:`truce.verification.INCIDENT_SCHEMA` as JSON in ``data``. ``claimed`` is the
parties named as perpetrators, as ``|party|party|``."""

incident_reports = sa.Table(
    "incident_reports",
    metadata,
    sa.Column("event", Id, sa.ForeignKey("events.id"), primary_key=True, autoincrement=False),
    sa.Column("incident_id", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("re_report_of", sa.Text),
    sa.Column("candidates", sa.Integer, nullable=False),
    sa.Column("origin", sa.Text, nullable=False),
    sa.Index(None, "incident_id"),
)
"""Which incident of the latest run each report belongs to, and its role there."""

RECORD_TABLES: dict[str, sa.Table] = {
    "event": events,
    "evidence": evidence,
    "custody": custody_events,
    "finding": findings,
    "decision": decisions,
    "corroboration": corroboration_runs,
}
"""The table of each kind of ledgered record."""
