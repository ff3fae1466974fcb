"""The chain of custody (Berkeley Protocol): every action on evidence, who, when, with hashes.

A custody event is a ledgered record: its row and its ledger leaf are written in the caller's
write transaction. ``hash_before`` is the hash of what the action started from and
``hash_after`` the hash of what it produced or found (for ``received``: the bytes as they
arrived and the stored file read back; for ``derived``: the original and the working copy; for
``viewed`` and ``exported``: the stored hash and the hash of the bytes read or written).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.errors import InputError
from truce.ledger.sqlstore import append_leaves
from truce.workspace.clock import micros_to_iso, now_micros
from truce.workspace.ingest import next_id
from truce.workspace.records import LeafRecord, canonical_json, custody_content, sha256
from truce.workspace.schema import custody_events
from truce.workspace.store import Store

ACTIONS: tuple[str, ...] = ("received", "viewed", "exported", "derived", "linked")
"""The actions a custody event records."""


@dataclass(frozen=True)
class CustodyEvent:
    """One entry of the chain of custody."""

    id: int
    evidence_id: int
    action: str
    actor: str
    at: int
    hash_before: bytes | None
    hash_after: bytes | None
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "id": self.id,
            "record": f"custody:{self.id}",
            "evidence_id": self.evidence_id,
            "action": self.action,
            "actor": self.actor,
            "at": micros_to_iso(self.at),
            "hash_before": None if self.hash_before is None else self.hash_before.hex(),
            "hash_after": None if self.hash_after is None else self.hash_after.hex(),
            "detail": self.detail,
        }


def record_custody(
    store: Store,
    conn: Connection,
    evidence_id: int,
    action: str,
    actor: str,
    hash_before: bytes | None,
    hash_after: bytes | None,
    detail: dict[str, Any] | None = None,
) -> CustodyEvent:
    """Write one custody event and its ledger leaf on ``conn`` (a write transaction)."""
    if action not in ACTIONS:
        raise InputError(f"unknown custody action {action!r}; actions: {', '.join(ACTIONS)}")
    if not actor.strip():
        raise InputError("a custody event needs who acted (--by)")
    custody_id = next_id(conn, custody_events)
    row: dict[str, Any] = {
        "id": custody_id,
        "evidence_id": evidence_id,
        "action": action,
        "actor": actor,
        "at": now_micros(),
        "hash_before": hash_before,
        "hash_after": hash_after,
        "detail": canonical_json(detail or {}).decode("utf-8"),
    }
    content_hash = sha256(custody_content(row))
    conn.execute(custody_events.insert().values(**row, content_hash=content_hash))
    append_leaves(store, conn, [LeafRecord("custody", custody_id, content_hash)])
    return _event(row)


def custody_chain(conn: Connection, evidence_id: int) -> list[CustodyEvent]:
    """Every custody event of one piece of evidence, oldest first."""
    rows = conn.execute(
        sa.select(custody_events)
        .where(custody_events.c.evidence_id == evidence_id)
        .order_by(custody_events.c.id)
    )
    return [_event(dict(row._mapping)) for row in rows]


def _event(row: dict[str, Any]) -> CustodyEvent:
    return CustodyEvent(
        int(row["id"]),
        int(row["evidence_id"]),
        str(row["action"]),
        str(row["actor"]),
        int(row["at"]),
        None if row["hash_before"] is None else bytes(row["hash_before"]),
        None if row["hash_after"] is None else bytes(row["hash_after"]),
        json.loads(row["detail"]),
    )
