"""``truce check``: every event (or incident) against every term in force, explained."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from truce.agreement import load_agreement
from truce.cli.common import INSTANT, emit_json, json_option
from truce.cli.incidents import load_settings, settings_option
from truce.cli.workspace import opened
from truce.engine.allocator import prefer_system_allocator
from truce.engine.files import EVENT_FORMATS, check_files
from truce.instant import Instant
from truce.workspace.adjudication import ON_CHOICES, check_workspace


@click.command("check")
@click.option(
    "--agreement",
    "agreements",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False),
    help="An agreement file (repeat for several).",
)
@click.option(
    "--events",
    "events",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="An event file (repeat for several). Without it, the workspace is checked.",
)
@click.option(
    "--format",
    "event_format",
    type=click.Choice(EVENT_FORMATS),
    default=None,
    help="Format of the event files (guessed from the name when absent).",
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False),
    default=None,
    help="Column mapping (YAML) of a csv event file.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Findings file: .csv, .geojson or .parquet (required with --events).",
)
@click.option(
    "--at-least",
    type=click.Choice(["possible", "violation"]),
    default="possible",
    show_default=True,
    help="Drop weaker event findings ('violation' keeps violations and attempts).",
)
@click.option(
    "--assume-start",
    type=INSTANT,
    default=None,
    help="Another entry into force; the summary says which findings change.",
)
@click.option(
    "--workspace",
    "-w",
    "workspace_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    envvar="TRUCE_WORKSPACE",
    show_default="the current directory",
    help="The workspace to check when no --events are given.",
)
@click.option(
    "--on",
    type=click.Choice(ON_CHOICES),
    default="incidents",
    show_default=True,
    help="Workspace: check incidents (corroborated reports), or each raw report.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    help="Workspace: only incidents with a report from this source (or its reports).",
)
@settings_option
@click.option(
    "--no-record",
    is_flag=True,
    help="Workspace: do not record the findings in the ledger.",
)
@json_option
def check_command(
    agreements: tuple[str, ...],
    events: tuple[str, ...],
    event_format: str | None,
    mapping: str | None,
    out: str | None,
    at_least: str,
    assume_start: Instant | None,
    workspace_dir: Path,
    on: str,
    sources: tuple[str, ...],
    settings: Path | None,
    no_record: bool,
    as_json: bool,
) -> None:
    """Check events against every term in force of the AGREEMENTs.

    With --events FILE: the events of those files; --out is required. Without: the workspace's
    incidents (reports grouped by `truce corroborate`, run again first when reports or decisions
    were added since), or its raw reports with --on reports; the findings are recorded in the
    ledger, and each finding on an incident cites the incident and its reports.
    """
    if events and out is None:
        raise click.UsageError("--out is required with --events")
    prefer_system_allocator()
    console = Console(stderr=True)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("checking"),
        BarColumn(),
        TextColumn("{task.completed:,} " + ("events" if events else on)),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    if events:
        with progress:
            task = progress.add_task("check", total=None)
            result = check_files(
                agreements,
                events,
                out=out,
                format=event_format,
                mapping=mapping,
                at_least=at_least,
                assume_start=assume_start,
                on_batch=lambda rows: progress.advance(task, rows),
            )
        if as_json:
            emit_json({"out": out, **result.summary.to_dict()})
        else:
            click.echo(result.summary.render(), nl=False)
            click.echo(f"Findings written to {out}")
        return
    loaded = [load_agreement(path) for path in agreements]
    config, given = load_settings(settings)
    with opened(workspace_dir) as workspace, progress:
        task = progress.add_task("check", total=None)
        checked = check_workspace(
            workspace,
            loaded,
            on=on,
            sources=sources,
            out=out,
            at_least=at_least,
            assume_start=assume_start,
            config=config,
            settings=given,
            record=not no_record,
            on_batch=lambda rows: progress.advance(task, rows),
            progress=lambda message: console.print(message) if not as_json else None,
        )
    if as_json:
        emit_json(checked.to_dict())
        return
    if checked.corroboration is not None:
        click.echo(checked.corroboration.render(), nl=False)
    click.echo(f"Checked the workspace's {on}" + (f" from {', '.join(sources)}" if sources else ""))
    click.echo(checked.result.summary.render(), nl=False)
    if checked.recorded:
        click.echo(f"Recorded {len(checked.recorded):,} findings in the ledger")
    if out is not None:
        click.echo(f"Findings written to {out}")
