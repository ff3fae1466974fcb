"""``truce ledger export DIR``: the log as files anyone can check with the standalone verifier.

Writes the layout described in :mod:`truce.ledger.standalone`: the leaf data of every leaf (one
canonical JSON object per line, in leaf order), every signed checkpoint, the public key and a
manifest. Record contents are *not* exported (they may hold witnesses' details); a record's
leaf carries its kind, id and content hash only.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.errors import InputError, LedgerError
from truce.ledger.checkpoint import public_key_to_pem, verifier_key
from truce.ledger.standalone import EXPORT_FORMAT
from truce.workspace.eventblocks import iter_event_tables
from truce.workspace.ledger import all_checkpoints
from truce.workspace.records import KINDS, leaf_data
from truce.workspace.schema import RECORD_TABLES, evidence, ledger_leaves
from truce.workspace.workspace import Workspace

_STREAM_ROWS = 10_000


@dataclass(frozen=True)
class ExportSummary:
    """What was exported."""

    folder: Path
    leaves: int
    checkpoints: int


def iter_leaf_data(conn: Connection) -> Iterator[tuple[int, bytes]]:
    """``(leaf index, leaf data)`` of every leaf in index order, from the stored records."""
    streams = [_kind_leaves(conn, kind) for kind in KINDS]
    return heapq.merge(*streams, key=lambda item: item[0])


def _event_leaves(conn: Connection) -> Iterator[tuple[int, bytes]]:
    """``(leaf index, leaf data)`` of every event, block by block (leaf order is id order)."""
    for table in iter_event_tables(conn, ["id", "content_hash"]):
        if table.num_rows == 0:
            continue
        ids = table.column("id").to_pylist()
        leaves = dict(
            conn.execute(
                sa.select(ledger_leaves.c.record_id, ledger_leaves.c.idx).where(
                    ledger_leaves.c.kind == "event",
                    ledger_leaves.c.record_id.between(ids[0], ids[-1]),
                )
            ).all()
        )
        found = [
            (int(leaves[record_id]), leaf_data("event", record_id, content))
            for record_id, content in zip(
                ids, table.column("content_hash").to_pylist(), strict=True
            )
            if record_id in leaves
        ]
        yield from sorted(found)


def _kind_leaves(conn: Connection, kind: str) -> Iterator[tuple[int, bytes]]:
    if kind == "event":
        yield from _event_leaves(conn)
        return
    table = RECORD_TABLES[kind]
    columns = [ledger_leaves.c.idx, table.c.id, table.c.content_hash]
    if kind == "evidence":
        columns.append(evidence.c.sha256)
    last = -1
    while True:
        query = (
            sa.select(*columns)
            .select_from(ledger_leaves.join(table, table.c.id == ledger_leaves.c.record_id))
            .where(ledger_leaves.c.kind == kind, ledger_leaves.c.idx > last)
            .order_by(ledger_leaves.c.idx)
            .limit(_STREAM_ROWS)
        )
        rows = conn.execute(query).all()
        if not rows:
            return
        for row in rows:
            file_hash = bytes(row[3]) if kind == "evidence" else None
            yield int(row[0]), leaf_data(kind, int(row[1]), bytes(row[2]), file_hash)
        last = int(rows[-1][0])


def export_ledger(workspace: Workspace, folder: str | Path) -> ExportSummary:
    """Write the ledger export into ``folder`` (which must be empty or missing)."""
    target = Path(folder)
    if target.exists() and any(target.iterdir()):
        raise InputError(f"{target}: not empty; export into a new folder")
    (target / "checkpoints").mkdir(parents=True, exist_ok=True)
    count = 0
    with workspace.store.read() as conn, (target / "leaves.jsonl").open("wb") as stream:
        for index, data in iter_leaf_data(conn):
            if index != count:
                raise LedgerError(f"leaf {count} has no record; run truce ledger verify")
            stream.write(data + b"\n")
            count += 1
        checkpoints = all_checkpoints(conn)
    for number, checkpoint in enumerate(checkpoints, start=1):
        (target / "checkpoints" / f"{number:06d}.note").write_bytes(checkpoint.note)
    public_key = workspace.public_key()
    (target / "public_key.pem").write_bytes(public_key_to_pem(public_key))
    vkey = verifier_key(workspace.config.key_name, public_key)
    (target / "verifier_key.txt").write_text(vkey + "\n", encoding="ascii")
    manifest = {
        "format": EXPORT_FORMAT,
        "origin": workspace.config.origin,
        "key_name": workspace.config.key_name,
        "leaves": count,
        "checkpoints": len(checkpoints),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return ExportSummary(target, count, len(checkpoints))
