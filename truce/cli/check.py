"""``truce check``: every event against every term in force, explained."""

from __future__ import annotations

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from truce.cli.common import INSTANT, emit_json, json_option
from truce.engine.files import EVENT_FORMATS, check_files
from truce.instant import Instant


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
    required=True,
    type=click.Path(dir_okay=False),
    help="An event file (repeat for several).",
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
    required=True,
    type=click.Path(dir_okay=False),
    help="Findings file: .csv, .geojson or .parquet.",
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
@json_option
def check_command(
    agreements: tuple[str, ...],
    events: tuple[str, ...],
    event_format: str | None,
    mapping: str | None,
    out: str,
    at_least: str,
    assume_start: Instant | None,
    as_json: bool,
) -> None:
    """Check EVENTS against every term in force of the AGREEMENTs; write the findings to OUT."""
    console = Console(stderr=True)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("checking"),
        BarColumn(),
        TextColumn("{task.completed:,} events"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
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
