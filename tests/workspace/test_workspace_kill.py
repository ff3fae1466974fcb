"""An import killed with SIGKILL mid-way loses nothing it acknowledged and resumes cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.workspace.builders import firms_row, write_firms
from truce.workspace import Workspace, import_file
from truce.workspace.eventblocks import stored_events
from truce.workspace.eventrows import stored_hashes
from truce.workspace.ledger import make_checkpoint
from truce.workspace.schema import events, imports
from truce.workspace.verify import verify_workspace

CHILD = """
import sys
from truce.workspace import Workspace, import_file

def acknowledge(chunk):
    for event_id, digest in zip(chunk.event_ids, chunk.content_hashes):
        print(f"ACK {event_id} {digest.hex()}")
    print(f"CHUNK {chunk.rows_done}", flush=True)

with Workspace.open(sys.argv[1]) as workspace:
    import_file(workspace, sys.argv[2], "firms", chunk_rows=100, on_commit=acknowledge)
print("DONE", flush=True)
"""

ROWS = 8_000


def _run_and_kill(root: Path, path: Path, after_chunks: int) -> dict[int, str]:
    """Run the import in a child, SIGKILL it after ``after_chunks`` acknowledged chunks."""
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    assert child.stdout is not None
    acknowledged: dict[int, str] = {}
    chunks = 0
    for line in child.stdout:
        kind, *fields = line.split()
        if kind == "ACK":
            acknowledged[int(fields[0])] = fields[1]
        elif kind == "CHUNK":
            chunks += 1
            if chunks == after_chunks:
                os.kill(child.pid, signal.SIGKILL)
                break
    child.wait()
    assert child.returncode == -signal.SIGKILL
    return acknowledged


def test_sigkill_mid_import_then_resume(workspace: Workspace, tmp_path: Path) -> None:
    path = write_firms(tmp_path / "fires.csv", [firms_row(i) for i in range(ROWS)])
    make_checkpoint(workspace)
    acknowledged = _run_and_kill(workspace.root, path, after_chunks=5)
    assert len(acknowledged) >= 500
    with workspace.store.read() as conn:
        table = stored_events(conn, list(acknowledged))
        stored = {
            int(event_id): content.hex()
            for event_id, (_, content) in zip(
                table.column("id").to_pylist(), stored_hashes(table), strict=True
            )
        }
        status, done = conn.execute(sa.select(imports.c.status, imports.c.rows_done)).one()
    assert stored == acknowledged  # every acknowledged record is present and unchanged
    assert status == "running"
    assert done < ROWS
    assert workspace.store.integrity_check() == []
    assert verify_workspace(workspace).ok
    summary = import_file(workspace, path, "firms")
    assert summary.resumed_from_row == done
    assert summary.accepted + done == ROWS
    assert summary.duplicates == 0
    with workspace.store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() == ROWS
    make_checkpoint(workspace)
    assert verify_workspace(workspace).ok
