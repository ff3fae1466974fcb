"""Findings, agreement versions and layer versions kept in the record.

A finding is a ledgered record (its row and leaf in one transaction). Agreement and layer
versions are stored once per distinct text, by SHA-256; storing the same text again returns the
existing version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from truce.ledger.sqlstore import append_leaves
from truce.workspace.clock import now_micros
from truce.workspace.ingest import next_id
from truce.workspace.records import LeafRecord, canonical_json, finding_content, sha256
from truce.workspace.schema import agreements, findings, layers
from truce.workspace.workspace import Workspace


def record_finding(
    workspace: Workspace, type: str, message: str, data: dict[str, Any] | None = None
) -> int:
    """Store a finding with its ledger leaf; return its id (``finding:<id>``)."""
    return record_findings(workspace, [(type, message, data or {})])[0]


def record_findings(
    workspace: Workspace, items: Sequence[tuple[str, str, dict[str, Any]]]
) -> list[int]:
    """Store findings (type, message, data) and their ledger leaves in one transaction."""
    if not items:
        return []
    with workspace.store.write() as conn:
        first = next_id(conn, findings)
        created = now_micros()
        rows: list[dict[str, Any]] = []
        leaves: list[LeafRecord] = []
        for offset, (type, message, data) in enumerate(items):
            row: dict[str, Any] = {
                "id": first + offset,
                "type": type,
                "message": message,
                "data": canonical_json(data).decode("utf-8"),
                "created_at": created,
            }
            row["content_hash"] = sha256(finding_content(row))
            rows.append(row)
            leaves.append(LeafRecord("finding", row["id"], row["content_hash"]))
        conn.execute(findings.insert(), rows)
        append_leaves(workspace.store, conn, leaves)
    return [row["id"] for row in rows]


def _store_version(workspace: Workspace, table: sa.Table, values: dict[str, Any], text: str) -> int:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    with workspace.store.write() as conn:
        found = conn.execute(sa.select(table.c.id).where(table.c.sha256 == digest)).scalar()
        if found is not None:
            return int(found)
        version_id = next_id(conn, table)
        conn.execute(
            table.insert().values(id=version_id, sha256=digest, added_at=now_micros(), **values)
        )
    return version_id


def store_agreement(workspace: Workspace, agreement_id: str, text: str) -> int:
    """Store an agreement file's text as a version (once per distinct text); return its id."""
    return _store_version(workspace, agreements, {"agreement_id": agreement_id, "text": text}, text)


def store_layer(workspace: Workspace, name: str, data: str) -> int:
    """Store a layer's GeoJSON text as a version (once per distinct text); return its id."""
    return _store_version(workspace, layers, {"name": name, "data": data}, data)
