"""Evidence in a workspace: add, link to reports, view, export, and read back with its custody.

:func:`add_evidence` receives a file (size cap, type by content), stores the original
content-addressed and read-only, extracts its metadata into a separate record, makes working
copies of images, and writes the evidence record, metadata, derivatives and custody events
(``received``, ``derived`` for each derivative and for the metadata, ``linked``) with their
ledger leaves in one transaction. Adding bytes that are already stored records another
``received`` event on the existing evidence.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.errors import EvidenceRejected, InputError, IntegrityViolation
from truce.evidence.blobs import BlobStore, Received, file_sha256
from truce.evidence.custody import record_custody
from truce.evidence.derive import Derivative, image_derivatives
from truce.evidence.lookup import EvidenceItem, get_evidence, resolve_event, resolve_evidence
from truce.evidence.metadata import EXTRACTOR, extract_metadata
from truce.evidence.sniff import HEAD_BYTES, MediaType, sniff
from truce.ledger.sqlstore import append_leaves
from truce.workspace.clock import now_micros
from truce.workspace.ingest import next_id
from truce.workspace.records import LeafRecord, canonical_json, evidence_content, sha256
from truce.workspace.schema import derivatives, evidence, evidence_links, evidence_metadata
from truce.workspace.workspace import Workspace


@dataclass(frozen=True)
class EvidencePolicy:
    """Upload limits: largest file, largest image, thumbnail size."""

    max_bytes: int
    max_pixels: int
    thumbnail_pixels: int

    @classmethod
    def of(cls, workspace: Workspace) -> EvidencePolicy:
        """The policy of a workspace's settings."""
        config = workspace.config
        return cls(
            config.integer("evidence.max_bytes"),
            config.integer("evidence.max_pixels"),
            config.integer("evidence.thumbnail_pixels"),
        )


def add_evidence(
    workspace: Workspace,
    file: str | Path | BinaryIO,
    *,
    by: str,
    report: str | None = None,
    name: str | None = None,
) -> EvidenceItem:
    """Receive a file as evidence (see the module docstring); refusals raise EvidenceRejected."""
    policy = EvidencePolicy.of(workspace)
    blobs = BlobStore(workspace.evidence_dir)
    if isinstance(file, str | Path):
        path = Path(file)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        with path.open("rb") as stream:
            received = blobs.receive(stream, policy.max_bytes, HEAD_BYTES)
        original_name = name or path.name
    else:
        received = blobs.receive(file, policy.max_bytes, HEAD_BYTES)
        original_name = name or "upload"
    try:
        media = _check(received, policy)
        metadata = extract_metadata(received.path, media, policy.max_pixels)
        made = []
        if media.family == "image":
            made = image_derivatives(received.path, policy.max_pixels, policy.thumbnail_pixels)
    except BaseException:
        blobs.discard(received)
        raise
    stored = blobs.keep(received)
    stored_hash = file_sha256(stored)
    if stored_hash != received.sha256:
        raise IntegrityViolation(f"{stored}: stored bytes differ from the bytes received")
    copies = [(d, *blobs.put_bytes(d.data)) for d in made]
    with workspace.store.write() as conn:
        event_id = resolve_event(conn, report) if report is not None else None
        evidence_id = _existing(conn, received.sha256)
        if evidence_id is None:
            evidence_id = _insert(workspace, conn, received, media, original_name, by)
            _store_metadata(workspace, conn, evidence_id, received.sha256, metadata, by)
            for derivative, digest, _ in copies:
                _store_derivative(
                    workspace, conn, evidence_id, received.sha256, derivative, digest, by
                )
        else:
            record_custody(
                workspace.store,
                conn,
                evidence_id,
                "received",
                by,
                received.sha256,
                stored_hash,
                {"original_name": original_name, "again": True},
            )
        if event_id is not None:
            _link(workspace, conn, evidence_id, received.sha256, event_id, by)
    return get_evidence(workspace, f"evidence:{evidence_id}")


def _check(received: Received, policy: EvidencePolicy) -> MediaType:
    media = sniff(received.head)
    if media.family == "text":
        _check_text(received.path)
    return media


def _check_text(path: Path) -> None:
    """The whole file, not only its head, must be UTF-8 text without NUL bytes."""
    from codecs import getincrementaldecoder

    decoder = getincrementaldecoder("utf-8")()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            if b"\x00" in block:
                raise EvidenceRejected("the file starts as text but holds NUL bytes")
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                raise EvidenceRejected("the file starts as text but is not UTF-8") from None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise EvidenceRejected("the file starts as text but is not UTF-8") from None


def _existing(conn: Connection, digest: bytes) -> int | None:
    found = conn.execute(sa.select(evidence.c.id).where(evidence.c.sha256 == digest)).scalar()
    return None if found is None else int(found)


def _insert(
    workspace: Workspace,
    conn: Connection,
    received: Received,
    media: MediaType,
    original_name: str,
    by: str,
) -> int:
    if not by.strip():
        raise InputError("evidence needs who received it (--by)")
    evidence_id = next_id(conn, evidence)
    row: dict[str, Any] = {
        "id": evidence_id,
        "sha256": received.sha256,
        "size": received.size,
        "media_type": media.name,
        "original_name": original_name.replace("\x00", ""),
        "received_at": now_micros(),
        "received_by": by,
    }
    content_hash = sha256(evidence_content(row))
    conn.execute(evidence.insert().values(**row, content_hash=content_hash))
    append_leaves(
        workspace.store, conn, [LeafRecord("evidence", evidence_id, content_hash, received.sha256)]
    )
    record_custody(
        workspace.store,
        conn,
        evidence_id,
        "received",
        by,
        received.sha256,
        received.sha256,
        {"original_name": row["original_name"], "media_type": media.name, "size": received.size},
    )
    return evidence_id


def _store_metadata(
    workspace: Workspace,
    conn: Connection,
    evidence_id: int,
    original: bytes,
    metadata: dict[str, Any],
    by: str,
) -> None:
    text = canonical_json(metadata)
    digest = sha256(text)
    conn.execute(
        evidence_metadata.insert().values(
            evidence_id=evidence_id, extractor=EXTRACTOR, data=text.decode("utf-8"), sha256=digest
        )
    )
    record_custody(
        workspace.store,
        conn,
        evidence_id,
        "derived",
        by,
        original,
        digest,
        {"what": "metadata", "extractor": EXTRACTOR},
    )


def _store_derivative(
    workspace: Workspace,
    conn: Connection,
    evidence_id: int,
    original: bytes,
    derivative: Derivative,
    digest: bytes,
    by: str,
) -> None:
    conn.execute(
        derivatives.insert().values(
            id=next_id(conn, derivatives),
            evidence_id=evidence_id,
            role=derivative.role,
            sha256=digest,
            media_type=derivative.media_type,
            size=len(derivative.data),
            created_at=now_micros(),
        )
    )
    record_custody(
        workspace.store,
        conn,
        evidence_id,
        "derived",
        by,
        original,
        digest,
        {"what": derivative.role, "media_type": derivative.media_type},
    )


def _link(
    workspace: Workspace, conn: Connection, evidence_id: int, digest: bytes, event_id: int, by: str
) -> None:
    already = conn.execute(
        sa.select(evidence_links.c.id).where(
            evidence_links.c.evidence_id == evidence_id, evidence_links.c.event_id == event_id
        )
    ).first()
    if already is not None:
        return
    conn.execute(
        evidence_links.insert().values(
            id=next_id(conn, evidence_links),
            evidence_id=evidence_id,
            event_id=event_id,
            linked_at=now_micros(),
            linked_by=by,
        )
    )
    record_custody(
        workspace.store,
        conn,
        evidence_id,
        "linked",
        by,
        digest,
        digest,
        {"event": f"event:{event_id}"},
    )


def link_evidence(workspace: Workspace, ref: str, report: str, *, by: str) -> EvidenceItem:
    """Link stored evidence to a report (an event), recording the custody event."""
    with workspace.store.write() as conn:
        evidence_id = resolve_evidence(conn, ref)
        digest = conn.execute(sa.select(evidence.c.sha256).where(evidence.c.id == evidence_id))
        _link(
            workspace,
            conn,
            evidence_id,
            bytes(digest.scalar_one()),
            resolve_event(conn, report),
            by,
        )
    return get_evidence(workspace, f"evidence:{evidence_id}")


def view_evidence(workspace: Workspace, ref: str, *, by: str) -> Path:
    """The path of the read-only original, after checking its hash; records ``viewed``."""
    return _access(workspace, ref, by, "viewed", None)


def export_evidence(workspace: Workspace, ref: str, destination: str | Path, *, by: str) -> Path:
    """Copy the original to ``destination`` (a new file), check the copy, record ``exported``."""
    return _access(workspace, ref, by, "exported", Path(destination))


def _access(workspace: Workspace, ref: str, by: str, action: str, target: Path | None) -> Path:
    blobs = BlobStore(workspace.evidence_dir)
    with workspace.store.read() as conn:
        evidence_id = resolve_evidence(conn, ref)
        digest = bytes(
            conn.execute(
                sa.select(evidence.c.sha256).where(evidence.c.id == evidence_id)
            ).scalar_one()
        )
    original = blobs.path("originals", digest)
    found = file_sha256(original)
    if found != digest:
        raise IntegrityViolation(
            f"evidence:{evidence_id}: {original} has SHA-256 {found.hex()}, "
            f"the record says {digest.hex()}"
        )
    result, after, detail = original, found, {}
    if target is not None:
        if target.exists():
            raise InputError(f"{target} exists; export into a new file")
        shutil.copyfile(original, target)
        after, result, detail = file_sha256(target), target, {"to": str(target.absolute())}
    with workspace.store.write() as conn:
        record_custody(workspace.store, conn, evidence_id, action, by, digest, after, detail)
    if after != digest:
        raise IntegrityViolation(f"the copy {target} does not match the original")
    return result
