"""Finding records by what people type: ``evidence:3``, ``3``, a hash prefix, ``event:42``, an
event's own id such as ``ucdp:462955``; and reading evidence back with all that belongs to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.errors import InputError
from truce.evidence.blobs import BlobStore
from truce.evidence.custody import CustodyEvent, custody_chain
from truce.workspace.clock import micros_to_iso
from truce.workspace.eventblocks import ids_named
from truce.workspace.schema import derivatives, events, evidence, evidence_links, evidence_metadata
from truce.workspace.workspace import Workspace

MIN_PREFIX = 8
"""Shortest SHA-256 hex prefix accepted to name evidence."""


@dataclass
class EvidenceItem:
    """A stored piece of evidence with its metadata, working copies, links and custody."""

    id: int
    sha256: bytes
    size: int
    media_type: str
    original_name: str
    received_at: int
    received_by: str
    path: Path
    metadata: dict[str, Any] = field(default_factory=dict)
    derivatives: dict[str, bytes] = field(default_factory=dict)
    linked_events: list[int] = field(default_factory=list)
    custody: list[CustodyEvent] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """``evidence:<id>``."""
        return f"evidence:{self.id}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "record": self.ref,
            "sha256": self.sha256.hex(),
            "size": self.size,
            "media_type": self.media_type,
            "original_name": self.original_name,
            "received_at": micros_to_iso(self.received_at),
            "received_by": self.received_by,
            "path": str(self.path),
            "metadata": self.metadata,
            "derivatives": {role: digest.hex() for role, digest in self.derivatives.items()},
            "linked_events": [f"event:{i}" for i in self.linked_events],
            "custody": [event.to_dict() for event in self.custody],
        }


def resolve_evidence(conn: Connection, ref: str) -> int:
    """The id of the evidence named ``evidence:N``, ``N`` or a SHA-256 hex prefix."""
    text = ref.removeprefix("evidence:").strip().lower()
    if text.isdigit():
        found = conn.execute(sa.select(evidence.c.id).where(evidence.c.id == int(text))).scalar()
        if found is None:
            raise InputError(f"there is no evidence {ref}")
        return int(found)
    if len(text) < MIN_PREFIX or any(c not in "0123456789abcdef" for c in text):
        raise InputError(f"{ref!r} is neither evidence:ID nor a SHA-256 prefix of 8+ hex digits")
    matches = [
        int(row.id)
        for row in conn.execute(sa.select(evidence.c.id, evidence.c.sha256))
        if bytes(row.sha256).hex().startswith(text)
    ]
    if len(matches) != 1:
        raise InputError(f"{len(matches)} evidence files have a hash starting with {text}")
    return matches[0]


def resolve_event(conn: Connection, ref: str) -> int:
    """The id of the event named ``event:N``, ``N`` or by its ``event_id`` text."""
    text = ref.removeprefix("event:").strip()
    if text.isdigit():
        found = conn.execute(sa.select(events.c.id).where(events.c.id == int(text))).scalar()
    else:
        named = ids_named(conn, text)
        if len(named) > 1:
            raise InputError(f"{len(named)} events have the id {text!r}; name one as event:N")
        found = named[0] if named else None
    if found is None:
        raise InputError(f"there is no report (event) {ref!r}")
    return int(found)


def get_evidence(workspace: Workspace, ref: str) -> EvidenceItem:
    """One piece of evidence with metadata, derivatives, linked reports and custody."""
    with workspace.store.read() as conn:
        evidence_id = resolve_evidence(conn, ref)
        row = conn.execute(sa.select(evidence).where(evidence.c.id == evidence_id)).one()
        metadata = conn.execute(
            sa.select(evidence_metadata.c.data).where(
                evidence_metadata.c.evidence_id == evidence_id
            )
        ).scalar()
        copies = conn.execute(
            sa.select(derivatives.c.role, derivatives.c.sha256).where(
                derivatives.c.evidence_id == evidence_id
            )
        ).all()
        links = conn.execute(
            sa.select(evidence_links.c.event_id)
            .where(evidence_links.c.evidence_id == evidence_id)
            .order_by(evidence_links.c.id)
        ).scalars()
        item = EvidenceItem(
            id=evidence_id,
            sha256=bytes(row.sha256),
            size=int(row.size),
            media_type=str(row.media_type),
            original_name=str(row.original_name),
            received_at=int(row.received_at),
            received_by=str(row.received_by),
            path=BlobStore(workspace.evidence_dir).path("originals", bytes(row.sha256)),
            metadata=json.loads(metadata) if metadata else {},
            derivatives={str(c.role): bytes(c.sha256) for c in copies},
            linked_events=[int(i) for i in links],
            custody=custody_chain(conn, evidence_id),
        )
    return item


def list_evidence(workspace: Workspace) -> list[dict[str, object]]:
    """Every piece of evidence, briefly: record, hash, type, size, name, received."""
    with workspace.store.read() as conn:
        rows = conn.execute(sa.select(evidence).order_by(evidence.c.id)).all()
    return [
        {
            "record": f"evidence:{row.id}",
            "sha256": bytes(row.sha256).hex(),
            "media_type": row.media_type,
            "size": row.size,
            "original_name": row.original_name,
            "received_by": row.received_by,
        }
        for row in rows
    ]


def original_path(workspace: Workspace, digest: bytes) -> Path:
    """Where the original with ``digest`` is stored."""
    return BlobStore(workspace.evidence_dir).path("originals", digest)
