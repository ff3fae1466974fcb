"""``truce ledger export`` and the standalone verifier, which needs only the export and the key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.evidence.builders import wav_recording
from tests.workspace.builders import firms_row, write_firms
from truce.cli.ledger import ledger_group
from truce.errors import InputError
from truce.evidence import add_evidence
from truce.ledger.export import export_ledger
from truce.ledger.standalone import load_public_key, main, verify_export
from truce.workspace import Workspace, import_file
from truce.workspace.findings import record_finding
from truce.workspace.ledger import make_checkpoint

ROOT = Path(__file__).parents[2]


def _populated(workspace: Workspace, tmp_path: Path) -> None:
    rows = [firms_row(i) for i in range(40)]
    import_file(workspace, write_firms(tmp_path / "a.csv", rows), "firms")
    make_checkpoint(workspace)
    add_evidence(workspace, wav_recording(tmp_path / "w.wav"), by="a")
    record_finding(workspace, "strike", "a strike", {"event": "event:3"})
    make_checkpoint(workspace)
    make_checkpoint(workspace)  # same size again: no proof needed, roots must agree


def test_export_verifies_standalone(workspace: Workspace, tmp_path: Path) -> None:
    _populated(workspace, tmp_path)
    folder = tmp_path / "export"
    summary = export_ledger(workspace, folder)
    assert (summary.leaves, summary.checkpoints) == (40 + 1 + 2 + 1, 3)
    lines = (folder / "leaves.jsonl").read_bytes().splitlines()
    assert json.loads(lines[0]) == {
        "content_sha256": json.loads(lines[0])["content_sha256"],
        "id": 1,
        "kind": "event",
        "v": 1,
    }
    assert json.loads(lines[40])["kind"] == "evidence"
    for key in ("public_key.pem", "verifier_key.txt"):
        public_key, name = load_public_key(folder / key)
        report = verify_export(folder, public_key, name)
        assert report.ok, report.problems
        assert report.last is not None
        assert report.last.size == 44


def test_tampered_export_is_named(workspace: Workspace, tmp_path: Path) -> None:
    _populated(workspace, tmp_path)
    folder = tmp_path / "export"
    export_ledger(workspace, folder)
    leaves = folder / "leaves.jsonl"
    lines = leaves.read_bytes().splitlines()
    lines[5] = lines[5].replace(b'"id":6', b'"id":7')
    leaves.write_bytes(b"\n".join(lines) + b"\n")
    note = folder / "checkpoints" / "000002.note"
    note.write_bytes(note.read_bytes().replace(b"\n44\n", b"\n43\n"))
    report = verify_export(folder, *load_public_key(folder / "public_key.pem"))
    problems = "\n".join(report.problems)
    assert "checkpoint 000001.note: root" in problems
    assert "checkpoint 000002.note: signature" in problems
    assert "checkpoint 000003.note: root" in problems


def test_standalone_runs_without_the_database_layers(workspace: Workspace, tmp_path: Path) -> None:
    _populated(workspace, tmp_path)
    folder = tmp_path / "export"
    result = CliRunner().invoke(
        ledger_group, ["export", str(folder), "--workspace", str(workspace.root), "--json"]
    )
    assert result.exit_code == 0, result.output
    probe = (
        "import sys, runpy; sys.argv = ['standalone', sys.argv[1], sys.argv[2]];"
        "code = 0\n"
        "try:\n runpy.run_module('truce.ledger.standalone', run_name='__main__')\n"
        "except SystemExit as exit:\n code = exit.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'alembic', 'psycopg', 'pyarrow', 'PIL')"
        " or m.startswith('truce.workspace'))\n"
        "print('MODULES', heavy); sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(folder), str(folder / "public_key.pem")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK 44 leaves, 3 checkpoints" in done.stdout
    assert "MODULES []" in done.stdout


def test_standalone_usage_and_failure_status(workspace: Workspace, tmp_path: Path) -> None:
    assert main([]) == 2
    _populated(workspace, tmp_path)
    folder = tmp_path / "export"
    export_ledger(workspace, folder)
    (folder / "leaves.jsonl").write_bytes(b"")
    assert main([str(folder), str(folder / "verifier_key.txt")]) == 1


def test_export_refuses_a_folder_that_is_not_empty(workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    with pytest.raises(InputError, match="not empty"):
        export_ledger(workspace, tmp_path / "busy")
