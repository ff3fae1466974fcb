"""``truce ledger``: checkpoint, prove, verify, export."""

from __future__ import annotations

from pathlib import Path

import click

from truce.cli.common import emit_json, json_option
from truce.cli.workspace import opened, workspace_option
from truce.ledger.export import export_ledger
from truce.workspace.ledger import make_checkpoint, prove
from truce.workspace.verify import verify_workspace


@click.group("ledger")
def ledger_group() -> None:
    """The tamper-evident ledger: sign checkpoints, prove records, verify everything, export."""


@ledger_group.command("checkpoint")
@workspace_option
@json_option
def checkpoint_command(workspace_dir: Path, as_json: bool) -> None:
    """Sign the log as it stands and store the checkpoint."""
    with opened(workspace_dir) as workspace:
        checkpoint = make_checkpoint(workspace)
    if as_json:
        emit_json(checkpoint.to_dict())
    else:
        click.echo(checkpoint.note.decode("utf-8"), nl=False)


@ledger_group.command("prove")
@click.argument("record")
@workspace_option
def prove_command(record: str, workspace_dir: Path) -> None:
    """Print the inclusion proof of RECORD (event:ID, evidence:ID, custody:ID, finding:ID or
    leaf:N) in the last checkpoint, as JSON."""
    with opened(workspace_dir) as workspace:
        emit_json(prove(workspace, record))


@ledger_group.command("verify")
@workspace_option
@json_option
def verify_command(workspace_dir: Path, as_json: bool) -> None:
    """Recompute the log from the records and check leaves, nodes, checkpoints and files.

    Exit status 1 when anything is wrong; every discrepancy is named.
    """
    with opened(workspace_dir) as workspace:
        report = verify_workspace(workspace)
    if as_json:
        emit_json(report.to_dict())
    else:
        for problem in report.problems:
            click.echo(f"{problem.type}\t{problem}")
        state = "OK" if report.ok else f"FAILED ({len(report.problems)} discrepancies)"
        click.echo(
            f"{state}: {report.leaves} leaves, {report.records} records, "
            f"{report.checkpoints} checkpoints, {report.files} files checked"
        )
    if not report.ok:
        raise click.exceptions.Exit(1)


@ledger_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@workspace_option
@json_option
def export_command(folder: Path, workspace_dir: Path, as_json: bool) -> None:
    """Write the log (leaves, checkpoints, public key) into FOLDER for the standalone verifier."""
    with opened(workspace_dir) as workspace:
        summary = export_ledger(workspace, folder)
    document = {
        "folder": str(summary.folder),
        "leaves": summary.leaves,
        "checkpoints": summary.checkpoints,
        "verify_with": f"python -m truce.ledger.standalone {folder} {folder}/public_key.pem",
    }
    if as_json:
        emit_json(document)
    else:
        click.echo(
            f"exported {summary.leaves} leaves and {summary.checkpoints} checkpoints to "
            f"{summary.folder}; verify with: {document['verify_with']}"
        )
