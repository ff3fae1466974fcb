"""The tamper drill: change one byte of the record anywhere and ``ledger verify`` names it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import Connection

from tests.evidence.builders import geotagged_jpeg
from tests.workspace.builders import firms_row, write_firms
from truce.cli.ledger import ledger_group
from truce.evidence import add_evidence
from truce.evidence.lookup import EvidenceItem
from truce.ledger.sqlstore import FIRST_STORED_LEVEL
from truce.workspace import Workspace, import_file
from truce.workspace.eventblocks import (
    BLOCK_SCHEMA,
    append_block,
    blocks_holding,
    encode_block,
    stored_events,
)
from truce.workspace.eventrows import stored_hashes
from truce.workspace.ledger import make_checkpoint
from truce.workspace.schema import (
    custody_events,
    event_blocks,
    events,
    ledger_checkpoints,
    ledger_leaves,
    ledger_nodes,
)
from truce.workspace.verify import VerifyReport, verify_workspace


def _populate(workspace: Workspace, tmp_path: Path) -> EvidenceItem:
    import_file(
        workspace, write_firms(tmp_path / "a.csv", [firms_row(i) for i in range(20)]), "firms"
    )
    make_checkpoint(workspace)
    item = add_evidence(workspace, geotagged_jpeg(tmp_path / "p.jpg"), by="a", report="event:3")
    import_file(
        workspace, write_firms(tmp_path / "b.csv", [firms_row(i) for i in range(20, 30)]), "firms"
    )
    make_checkpoint(workspace)
    assert verify_workspace(workspace).ok
    return item


def _flip(value: bytes, position: int = 0) -> bytes:
    return value[:position] + bytes([value[position] ^ 0x01]) + value[position + 1 :]


def _rewrite_event(conn: Connection, event_id: int, rehash: bool = False, **values: Any) -> None:
    """Change stored values of one event inside its block, as someone with write access to
    the database could (the block's own SHA-256 recomputed, so only the ledger can tell);
    with ``rehash``, the event's row and content hashes are recomputed too."""
    ((block, _),) = list(blocks_holding(conn, [event_id]))
    rows = block.decode(BLOCK_SCHEMA.names).to_pylist()
    row = rows[event_id - block.first_id]
    row.update(values)
    table = pa.Table.from_pylist(rows, schema=BLOCK_SCHEMA)
    if rehash:
        ((row_hash, content_hash),) = stored_hashes(table.slice(event_id - block.first_id, 1))
        row.update(row_hash=row_hash, content_hash=content_hash)
        table = pa.Table.from_pylist(rows, schema=BLOCK_SCHEMA)
    _replace_block(conn, block.first_id, encode_block(table), len(rows))


def _replace_block(conn: Connection, first_id: int, data: bytes, count: int) -> None:
    conn.execute(
        event_blocks.update()
        .where(event_blocks.c.id == first_id)
        .values(data=data, sha256=hashlib.sha256(data).digest(), count=count)
    )


def _found(report: VerifyReport) -> set[tuple[str, str]]:
    return {(p.type, p.where) for p in report.problems}


def test_a_flipped_byte_in_an_evidence_file(workspace: Workspace, tmp_path: Path) -> None:
    item = _populate(workspace, tmp_path)
    os.chmod(item.path, 0o644)
    data = item.path.read_bytes()
    item.path.write_bytes(_flip(data, len(data) // 2))
    report = verify_workspace(workspace)
    shown = str(item.path.relative_to(workspace.root))
    assert _found(report) == {("file-changed", shown)}
    assert f"evidence:{item.id}" in report.problems[0].message


def test_an_events_text_changed_in_the_database(workspace: Workspace, tmp_path: Path) -> None:
    _populate(workspace, tmp_path)
    with workspace.store.write() as conn:
        (text,) = stored_events(conn, [5], ["text"]).column("text").to_pylist()
        _rewrite_event(conn, 5, text=text + "!")
    found = _found(verify_workspace(workspace))
    assert ("record-changed", "event:5") in found
    assert ("node-changed", "ledger node (level 0, index 4)") in found
    assert {("checkpoint-root", "checkpoint 1"), ("checkpoint-root", "checkpoint 2")} <= found


def test_a_rewrite_that_also_recomputes_the_records_hashes(
    workspace: Workspace, tmp_path: Path
) -> None:
    _populate(workspace, tmp_path)
    with workspace.store.write() as conn:
        _rewrite_event(conn, 28, rehash=True, deaths=12)
    found = _found(verify_workspace(workspace))
    assert ("record-changed", "event:28") not in found  # the row agrees with its own hashes...
    leaf = [w for t, w in found if t == "node-changed" and "level 0" in w]
    assert leaf  # ...but not with its leaf
    assert ("checkpoint-root", "checkpoint 2") in found
    assert ("checkpoint-root", "checkpoint 1") not in found  # event 28 came after checkpoint 1


def test_a_leafs_stored_hash_changed(workspace: Workspace, tmp_path: Path) -> None:
    _populate(workspace, tmp_path)
    with workspace.store.write() as conn:
        where = ledger_leaves.c.idx == 7  # leaf hashes sit beside their leaf (level 0)
        stored = conn.execute(sa.select(ledger_leaves.c.hash).where(where)).scalar_one()
        conn.execute(ledger_leaves.update().where(where).values(hash=_flip(bytes(stored), 31)))
    report = verify_workspace(workspace)
    assert _found(report) == {("node-changed", "ledger node (level 0, index 7)")}
    assert "event:8" in report.problems[0].message


def test_an_interior_node_changed(workspace: Workspace, tmp_path: Path) -> None:
    _populate(workspace, tmp_path)
    with workspace.store.write() as conn:
        # the lowest stored interior level (levels 1 to 3 are hashed again from the leaves)
        where = sa.and_(ledger_nodes.c.level == FIRST_STORED_LEVEL, ledger_nodes.c.idx == 1)
        stored = conn.execute(sa.select(ledger_nodes.c.hash).where(where)).scalar_one()
        conn.execute(ledger_nodes.update().where(where).values(hash=_flip(bytes(stored))))
    assert _found(verify_workspace(workspace)) == {
        ("node-changed", f"ledger node (level {FIRST_STORED_LEVEL}, index 1)")
    }


def test_a_node_stored_at_a_level_that_is_not_stored(workspace: Workspace, tmp_path: Path) -> None:
    _populate(workspace, tmp_path)
    with workspace.store.write() as conn:
        workspace.store.insert_rows(
            conn, ledger_nodes, [(2, 1, b"\x07" * 32), (0, 3, b"\x07" * 32)]
        )
    assert _found(verify_workspace(workspace)) == {
        ("node-extra", "ledger node (level 0, index 3)"),
        ("node-extra", "ledger node (level 2, index 1)"),
    }


def test_a_checkpoint_changed(workspace: Workspace, tmp_path: Path) -> None:
    _populate(workspace, tmp_path)
    with workspace.store.write() as conn:
        note = conn.execute(
            sa.select(ledger_checkpoints.c.note).where(ledger_checkpoints.c.id == 1)
        ).scalar_one()
        forged = bytes(note).replace(b"\n20\n", b"\n19\n", 1)
        assert forged != bytes(note)
        conn.execute(
            ledger_checkpoints.update().where(ledger_checkpoints.c.id == 1).values(note=forged)
        )
        conn.execute(ledger_checkpoints.update().where(ledger_checkpoints.c.id == 2).values(size=5))
    found = _found(verify_workspace(workspace))
    assert found == {("checkpoint-signature", "checkpoint 1"), ("checkpoint-row", "checkpoint 2")}


def test_a_custody_entry_changed(workspace: Workspace, tmp_path: Path) -> None:
    item = _populate(workspace, tmp_path)
    first = item.custody[0].id
    with workspace.store.write() as conn:
        conn.execute(
            custody_events.update().where(custody_events.c.id == first).values(actor="someone")
        )
    assert ("record-changed", f"custody:{first}") in _found(verify_workspace(workspace))


def test_a_flipped_byte_in_an_event_block(workspace: Workspace, tmp_path: Path) -> None:
    """A byte flipped anywhere in a block's bytes names the block; its events are named too
    (changed values, or every event of a block Arrow can no longer decode)."""
    _populate(workspace, tmp_path)
    with workspace.store.read() as conn:
        ((block, _),) = list(blocks_holding(conn, [5]))
    for position in (len(block.data) // 3, len(block.data) // 2, len(block.data) - 20):
        with workspace.store.write() as conn:
            conn.execute(
                event_blocks.update()
                .where(event_blocks.c.id == block.first_id)
                .values(data=_flip(block.data, position))
            )
        report = verify_workspace(workspace)
        found = _found(report)
        assert ("block-changed", "event block 1 (events 1 to 20)") in found, position
        assert any(t == "record-changed" and w.startswith("event:") for t, w in found), position
    with workspace.store.write() as conn:
        conn.execute(
            event_blocks.update().where(event_blocks.c.id == block.first_id).values(data=block.data)
        )
    assert verify_workspace(workspace).ok


def test_records_removed_or_added_behind_the_ledgers_back(
    workspace: Workspace, tmp_path: Path
) -> None:
    _populate(workspace, tmp_path)
    with workspace.store.write() as conn:
        ((block, _),) = list(blocks_holding(conn, [30]))
        kept = block.decode(BLOCK_SCHEMA.names)
        row = kept.slice(9, 1).to_pylist()[0]
        _replace_block(conn, block.first_id, encode_block(kept.slice(0, 9)), 9)
        conn.execute(events.delete().where(events.c.id == 30))
        forged = pa.Table.from_pylist([{**row, "source": "forged"}], schema=BLOCK_SCHEMA)
        append_block(workspace.store, conn, 31, None, forged)
    found = _found(verify_workspace(workspace))
    assert ("record-missing", "event:30") in found
    assert ("record-not-in-ledger", "event:31") in found


def test_the_drill_all_at_once_through_the_cli(workspace: Workspace, tmp_path: Path) -> None:
    item = _populate(workspace, tmp_path)
    os.chmod(item.path, 0o644)
    item.path.write_bytes(_flip(item.path.read_bytes(), 10))
    with workspace.store.write() as conn:
        _rewrite_event(conn, 2, text="rewritten")
        where = ledger_leaves.c.idx == 25
        stored = conn.execute(sa.select(ledger_leaves.c.hash).where(where)).scalar_one()
        conn.execute(ledger_leaves.update().where(where).values(hash=_flip(bytes(stored))))
        conn.execute(
            ledger_checkpoints.update()
            .where(ledger_checkpoints.c.id == 2)
            .values(note=sa.func.substr(ledger_checkpoints.c.note, 1, 40))
        )
    result = CliRunner().invoke(ledger_group, ["verify", "--workspace", str(workspace.root)])
    assert result.exit_code == 1
    output = result.output
    for named in (
        str(item.path.relative_to(workspace.root)),
        "event:2",
        "ledger node (level 0, index 25)",
        "checkpoint 2",
        "FAILED",
    ):
        assert named in output, named
