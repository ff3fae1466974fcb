"""The tamper drill: change one byte of the record anywhere and ``ledger verify`` names it."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from tests.evidence.builders import geotagged_jpeg
from tests.workspace.builders import firms_row, write_firms
from truce.cli.ledger import ledger_group
from truce.evidence import add_evidence
from truce.evidence.lookup import EvidenceItem
from truce.ledger.sqlstore import FIRST_STORED_LEVEL
from truce.workspace import Workspace, import_file
from truce.workspace.eventrows import stored_hashes
from truce.workspace.ledger import make_checkpoint
from truce.workspace.schema import (
    custody_events,
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
        conn.execute(events.update().where(events.c.id == 5).values(text=events.c.text + "!"))
    found = _found(verify_workspace(workspace))
    assert ("record-changed", "event:5") in found
    assert ("node-changed", "ledger node (level 0, index 4)") in found
    assert {("checkpoint-root", "checkpoint 1"), ("checkpoint-root", "checkpoint 2")} <= found


def test_a_rewrite_that_also_recomputes_the_records_hashes(
    workspace: Workspace, tmp_path: Path
) -> None:
    _populate(workspace, tmp_path)
    with workspace.store.write() as conn:
        conn.execute(events.update().where(events.c.id == 28).values(deaths=12))
        row = conn.execute(sa.select(events).where(events.c.id == 28)).one()
        ((row_hash, content_hash),) = stored_hashes([row])
        conn.execute(
            events.update()
            .where(events.c.id == 28)
            .values(row_hash=row_hash, content_hash=content_hash)
        )
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


def test_records_removed_or_added_behind_the_ledgers_back(
    workspace: Workspace, tmp_path: Path
) -> None:
    _populate(workspace, tmp_path)
    with workspace.store.write() as conn:
        row = dict(conn.execute(sa.select(events).where(events.c.id == 30)).one()._mapping)
        conn.execute(events.delete().where(events.c.id == 30))
        conn.execute(events.insert().values({**row, "id": 31, "source": "forged"}))
    found = _found(verify_workspace(workspace))
    assert ("record-missing", "event:30") in found
    assert ("record-not-in-ledger", "event:31") in found


def test_the_drill_all_at_once_through_the_cli(workspace: Workspace, tmp_path: Path) -> None:
    item = _populate(workspace, tmp_path)
    os.chmod(item.path, 0o644)
    item.path.write_bytes(_flip(item.path.read_bytes(), 10))
    with workspace.store.write() as conn:
        conn.execute(events.update().where(events.c.id == 2).values(text="rewritten"))
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
