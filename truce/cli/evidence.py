"""``truce evidence``: add, link, list, show, view, export, custody."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from truce.cli.common import emit_json, json_option
from truce.cli.workspace import opened, workspace_option
from truce.evidence import (
    add_evidence,
    export_evidence,
    get_evidence,
    link_evidence,
    list_evidence,
    view_evidence,
)
from truce.evidence.lookup import EvidenceItem


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


by_option = click.option(
    "--by",
    default=_default_actor,
    show_default="the login name",
    help="Who is acting (recorded in the chain of custody).",
)


def _show(item: EvidenceItem, as_json: bool) -> None:
    if as_json:
        emit_json(item.to_dict())
        return
    click.echo(f"{item.ref}  {item.sha256.hex()}  {item.media_type}  {item.size} bytes")
    click.echo(f"  name {item.original_name}; stored {item.path}")
    for key, value in item.metadata.items():
        click.echo(f"  {key}: {value}")
    for role, digest in item.derivatives.items():
        click.echo(f"  {role}: {digest.hex()}")
    if item.linked_events:
        click.echo("  reports: " + ", ".join(f"event:{i}" for i in item.linked_events))


@click.group("evidence")
def evidence_group() -> None:
    """Evidence files with a chain of custody: originals stored write-once by SHA-256."""


@evidence_group.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", default=None, help="The report (event:ID or event id) it supports.")
@by_option
@workspace_option
@json_option
def add_command(
    file: Path, report: str | None, by: str, workspace_dir: Path, as_json: bool
) -> None:
    """Receive FILE as evidence: type by content, metadata, working copies, custody."""
    with opened(workspace_dir) as workspace:
        item = add_evidence(workspace, file, by=by, report=report)
    _show(item, as_json)


@evidence_group.command("link")
@click.argument("evidence")
@click.argument("report")
@by_option
@workspace_option
@json_option
def link_command(evidence: str, report: str, by: str, workspace_dir: Path, as_json: bool) -> None:
    """Link EVIDENCE (evidence:ID or hash prefix) to REPORT (event:ID or event id)."""
    with opened(workspace_dir) as workspace:
        item = link_evidence(workspace, evidence, report, by=by)
    _show(item, as_json)


@evidence_group.command("list")
@workspace_option
@json_option
def list_command(workspace_dir: Path, as_json: bool) -> None:
    """List the evidence in the workspace."""
    with opened(workspace_dir) as workspace:
        items = list_evidence(workspace)
    if as_json:
        emit_json(items)
        return
    for item in items:
        click.echo(
            f"{item['record']}\t{item['sha256']}\t{item['media_type']}\t{item['size']}\t"
            f"{item['original_name']}"
        )


@evidence_group.command("show")
@click.argument("evidence")
@workspace_option
@json_option
def show_command(evidence: str, workspace_dir: Path, as_json: bool) -> None:
    """Metadata, working copies, linked reports of EVIDENCE (the file is not opened)."""
    with opened(workspace_dir) as workspace:
        item = get_evidence(workspace, evidence)
    _show(item, as_json)


@evidence_group.command("custody")
@click.argument("evidence")
@workspace_option
@json_option
def custody_command(evidence: str, workspace_dir: Path, as_json: bool) -> None:
    """The chain of custody of EVIDENCE: who did what, when, with which hashes."""
    with opened(workspace_dir) as workspace:
        item = get_evidence(workspace, evidence)
    if as_json:
        emit_json([event.to_dict() for event in item.custody])
        return
    for event in item.custody:
        document = event.to_dict()
        click.echo(
            f"{document['at']}\t{event.action}\t{event.actor}\t"
            f"{document['hash_before']} -> {document['hash_after']}\t{document['detail']}"
        )


@evidence_group.command("view")
@click.argument("evidence")
@by_option
@workspace_option
def view_command(evidence: str, by: str, workspace_dir: Path) -> None:
    """Check EVIDENCE's hash, record that BY viewed it, print the read-only original's path."""
    with opened(workspace_dir) as workspace:
        click.echo(str(view_evidence(workspace, evidence, by=by)))


@evidence_group.command("export")
@click.argument("evidence")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@by_option
@workspace_option
def export_command(evidence: str, destination: Path, by: str, workspace_dir: Path) -> None:
    """Copy EVIDENCE's original to DESTINATION (a new file), check it, record the export."""
    with opened(workspace_dir) as workspace:
        click.echo(str(export_evidence(workspace, evidence, destination, by=by)))
