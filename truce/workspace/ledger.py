"""The workspace's ledger: signed checkpoints and inclusion proofs for records.

A checkpoint signs ``(origin, size, root, time)`` of the log as it stands (C2SP signed note,
:mod:`truce.ledger.checkpoint`) and is stored in ``ledger_checkpoints``. A proof shows that a
record's leaf is in the tree of the last checkpoint; it is printed as JSON::

    {"record": "event:42", "leaf_index": 17, "leaf_data": "<canonical JSON>",
     "leaf_hash": "<hex>", "tree_size": 40, "root_hash": "<hex>",
     "proof": ["<hex>", ...], "checkpoint": "<signed note text>"}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.errors import LedgerError
from truce.ledger.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint
from truce.ledger.merkle import leaf_hash, verify_inclusion
from truce.ledger.sqlstore import leaf_index, leaf_owner, ledger_tree
from truce.workspace.clock import micros_to_datetime, micros_to_iso, now_micros
from truce.workspace.eventblocks import ids_named, stored_events
from truce.workspace.ingest import next_id
from truce.workspace.records import KINDS, leaf_data, parse_ref
from truce.workspace.schema import RECORD_TABLES, evidence, ledger_checkpoints
from truce.workspace.workspace import Workspace


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint as stored: its row id, size, root, signed note and when it was made."""

    id: int
    size: int
    root_hash: bytes
    note: bytes
    created_at: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "id": self.id,
            "size": self.size,
            "root_hash": self.root_hash.hex(),
            "created_at": micros_to_iso(self.created_at),
            "note": self.note.decode("utf-8", "replace"),
        }


def make_checkpoint(workspace: Workspace) -> StoredCheckpoint:
    """Sign the log as it stands now and store the checkpoint."""
    key = workspace.signing_key()
    with workspace.store.write() as conn:
        tree = ledger_tree(workspace.store, conn)
        size = tree.size
        created = now_micros()
        checkpoint = Checkpoint(
            workspace.config.origin, size, tree.root(size), micros_to_datetime(created)
        )
        last = last_checkpoint(conn)
        if last is not None and last.created_at > created:
            raise LedgerError("the clock is behind the last checkpoint; refusing to sign")
        note = sign_checkpoint(checkpoint, key, workspace.config.key_name)
        stored = StoredCheckpoint(
            next_id(conn, ledger_checkpoints), size, checkpoint.root_hash, note, created
        )
        conn.execute(
            ledger_checkpoints.insert().values(
                id=stored.id,
                size=stored.size,
                root_hash=stored.root_hash,
                note=stored.note,
                created_at=stored.created_at,
            )
        )
    return stored


def last_checkpoint(conn: Connection) -> StoredCheckpoint | None:
    """The newest stored checkpoint, or None."""
    row = conn.execute(
        sa.select(ledger_checkpoints).order_by(ledger_checkpoints.c.id.desc()).limit(1)
    ).first()
    return None if row is None else _stored(row)


def all_checkpoints(conn: Connection) -> list[StoredCheckpoint]:
    """Every stored checkpoint, oldest first."""
    rows = conn.execute(sa.select(ledger_checkpoints).order_by(ledger_checkpoints.c.id))
    return [_stored(row) for row in rows]


def _stored(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(
        int(row.id), int(row.size), bytes(row.root_hash), bytes(row.note), int(row.created_at)
    )


def stored_leaf_data(conn: Connection, kind: str, record_id: int) -> bytes:
    """The leaf data of a stored record, from its stored content hash."""
    if kind not in KINDS:
        raise LedgerError(f"no records of kind {kind!r} are in the ledger")
    if kind == "event":
        found = stored_events(conn, [record_id], ["content_hash"]).column("content_hash")
        if len(found) == 0:
            raise LedgerError(f"there is no record {kind}:{record_id}")
        return leaf_data(kind, record_id, found[0].as_py())
    table = RECORD_TABLES[kind]
    columns = [table.c.content_hash]
    if kind == "evidence":
        columns.append(evidence.c.sha256)
    row = conn.execute(sa.select(*columns).where(table.c.id == record_id)).first()
    if row is None:
        raise LedgerError(f"there is no record {kind}:{record_id}")
    file_hash = bytes(row[1]) if kind == "evidence" else None
    return leaf_data(kind, record_id, bytes(row[0]), file_hash)


def prove(workspace: Workspace, ref: str) -> dict[str, Any]:
    """The inclusion proof of record ``ref`` in the last checkpoint.

    ``ref`` is ``kind:id`` (event, evidence, custody, finding), ``leaf:N``, or an event's own
    ``event_id`` such as ``ucdp:462955``.
    """
    with workspace.store.read() as conn:
        kind, number = _reference(conn, ref)
        checkpoint = last_checkpoint(conn)
        if checkpoint is None:
            raise LedgerError("no checkpoint yet; run truce ledger checkpoint first")
        if kind == "leaf":
            owner = leaf_owner(conn, number)
            if owner is None:
                raise LedgerError(f"the ledger has no leaf {number}")
            (kind, record_id), index = owner, number
        else:
            record_id, found = number, leaf_index(conn, kind, number)
            if found is None:
                raise LedgerError(f"record {kind}:{number} has no ledger leaf")
            index = found
        if index >= checkpoint.size:
            raise LedgerError(
                f"{kind}:{record_id} is leaf {index}, after the last checkpoint (size "
                f"{checkpoint.size}); run truce ledger checkpoint"
            )
        data = stored_leaf_data(conn, kind, record_id)
        proof = ledger_tree(workspace.store, conn).inclusion_proof(index, checkpoint.size)
    verify_checkpoint(checkpoint.note, workspace.public_key(), workspace.config.key_name)
    verify_inclusion(leaf_hash(data), index, checkpoint.size, proof, checkpoint.root_hash)
    return {
        "record": f"{kind}:{record_id}",
        "leaf_index": index,
        "leaf_data": data.decode("utf-8"),
        "leaf_hash": leaf_hash(data).hex(),
        "tree_size": checkpoint.size,
        "root_hash": checkpoint.root_hash.hex(),
        "proof": [element.hex() for element in proof],
        "checkpoint": checkpoint.note.decode("utf-8"),
    }


def _reference(conn: Connection, ref: str) -> tuple[str, int]:
    """``(kind, id)`` of ``kind:id`` or ``leaf:N``, or of an event named by its own event id."""
    try:
        return parse_ref(ref)
    except ValueError as exc:
        found = ids_named(conn, ref)
        if len(found) == 1:
            return "event", found[0]
        if len(found) > 1:
            message = f"{len(found)} events have the id {ref!r}; name one as event:N"
            raise LedgerError(message) from None
        raise LedgerError(str(exc)) from None


def check_proof(document: dict[str, Any], workspace: Workspace) -> None:
    """Verify a proof document printed by :func:`prove` against the workspace's public key."""
    checkpoint = verify_checkpoint(
        str(document["checkpoint"]).encode("utf-8"),
        workspace.public_key(),
        workspace.config.key_name,
    )
    data = str(document["leaf_data"]).encode("utf-8")
    proof = [bytes.fromhex(element) for element in document["proof"]]
    verify_inclusion(
        leaf_hash(data), int(document["leaf_index"]), checkpoint.size, proof, checkpoint.root_hash
    )
