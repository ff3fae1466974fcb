"""``truce init``, ``truce status``, ``truce import`` and ``truce quarantine``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from truce.cli.common import emit_json, json_option
from truce.workspace import FORMATS, ChunkCommitted, Workspace, import_file
from truce.workspace.quarantine import STATUSES, list_quarantine, retry
from truce.workspace.status import render_status, workspace_status

workspace_option = click.option(
    "--workspace",
    "-w",
    "workspace_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    envvar="TRUCE_WORKSPACE",
    show_default="the current directory",
    help="The workspace folder.",
)
"""The ``--workspace DIR`` option every record command takes."""


@contextmanager
def opened(folder: Path) -> Iterator[Workspace]:
    """The workspace at ``folder``, closed afterwards."""
    workspace = Workspace.open(folder)
    try:
        yield workspace
    finally:
        workspace.close()


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--database",
    default=None,
    help="A PostgreSQL URL (postgresql://user@host/db) instead of the embedded SQLite file.",
)
@click.option("--origin", default=None, help="The ledger origin (default: made from the folder).")
@json_option
def init_command(folder: Path, database: str | None, origin: str | None, as_json: bool) -> None:
    """Create a workspace in FOLDER: settings, database, evidence store, ledger key."""
    workspace = Workspace.create(folder, database=database, origin=origin)
    try:
        document = {
            "workspace": str(workspace.root),
            "database": workspace.store.url,
            "origin": workspace.config.origin,
            "public_key": str(workspace.root / "keys" / "ledger.pub"),
        }
    finally:
        workspace.close()
    if as_json:
        emit_json(document)
    else:
        click.echo(f"workspace {document['workspace']} on {document['database']}")
        click.echo(f"ledger origin {document['origin']}; public key {document['public_key']}")


@click.command("status")
@workspace_option
@json_option
def status_command(workspace_dir: Path, as_json: bool) -> None:
    """What the record holds: counts by kind, quarantined rows, the last checkpoint."""
    with opened(workspace_dir) as workspace:
        document = workspace_status(workspace)
    if as_json:
        emit_json(document)
    else:
        click.echo(render_status(document))


@contextmanager
def _progress(label: str) -> Iterator[Callable[[ChunkCommitted], None]]:
    """A progress line on standard error (only on a terminal), fed by committed chunks."""
    console = Console(stderr=True)
    counts = {"accepted": 0, "duplicates": 0, "quarantined": 0}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f} rows"),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None, detail="")

        def advance(chunk: ChunkCommitted) -> None:
            counts["accepted"] += len(chunk.event_ids)
            counts["duplicates"] += chunk.duplicates
            counts["quarantined"] += chunk.quarantined
            detail = ", ".join(f"{k} {v:,}" for k, v in counts.items())
            progress.update(task, completed=chunk.rows_done, detail=detail)

        yield advance


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="The format.")
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Column mapping of a csv file (default: FILE's .mapping.yaml).",
)
@click.option("--chunk-rows", type=click.IntRange(min=1), default=None, help="Rows per commit.")
@workspace_option
@json_option
def import_command(
    file: Path,
    fmt: str,
    mapping: Path | None,
    chunk_rows: int | None,
    workspace_dir: Path,
    as_json: bool,
) -> None:
    """Import FILE's events: idempotent, resumable, bad rows quarantined with their reason."""
    with opened(workspace_dir) as workspace, _progress(f"importing {file.name}") as advance:
        summary = import_file(
            workspace, file, fmt, mapping=mapping, chunk_rows=chunk_rows, on_commit=advance
        )
    if as_json:
        emit_json(summary.to_dict())
    else:
        click.echo(str(summary))


@click.group("quarantine")
def quarantine_group() -> None:
    """Rows that could not be imported: list them, retry them corrected."""


@quarantine_group.command("list")
@click.option(
    "--status",
    type=click.Choice([*STATUSES, "all"]),
    default="open",
    show_default=True,
    help="Which rows to list.",
)
@workspace_option
@json_option
def quarantine_list(status: str, workspace_dir: Path, as_json: bool) -> None:
    """List quarantined rows with file, row, reason and raw text."""
    with opened(workspace_dir) as workspace:
        entries = list_quarantine(workspace, None if status == "all" else status)
    if as_json:
        emit_json([entry.to_dict() for entry in entries])
        return
    for entry in entries:
        document: dict[str, Any] = entry.to_dict()
        click.echo(
            f"{entry.id}\t{entry.status}\t{entry.file}:{entry.row}\t{entry.type}\t{entry.reason}"
        )
        click.echo(f"\t{document['raw'][:200]}")
    click.echo(f"{len(entries)} row(s)")


@quarantine_group.command("retry")
@click.argument("entry_id", metavar="ID", type=int)
@click.option("--raw", default=None, help="The corrected row (default: the row as it was).")
@workspace_option
@json_option
def quarantine_retry(entry_id: int, raw: str | None, workspace_dir: Path, as_json: bool) -> None:
    """Import quarantined row ID again, corrected with --raw."""
    with opened(workspace_dir) as workspace:
        event_id = retry(workspace, entry_id, raw)
    if as_json:
        emit_json({"quarantined": entry_id, "event": f"event:{event_id}"})
    else:
        click.echo(f"quarantined row {entry_id} imported as event:{event_id}")
