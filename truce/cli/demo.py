"""``truce demo``: the main job on bundled real data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from truce import demo
from truce.cli.common import emit_json, json_option


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/demo"),
    show_default=True,
    help="Where to write the output (an earlier demo's workspace there is replaced).",
)
@json_option
def demo_command(out_dir: Path, as_json: bool) -> None:
    """Run the main job on the bundled real data and say where its output is."""
    result = demo.run(out_dir, progress=lambda message: click.echo(f"  {message}", err=True))
    if as_json:
        emit_json(result.to_dict())
    else:
        _print_agreements(result.agreements)
        _print_record(result)
        _print_incidents(result.incidents)
        for entry in result.checks:
            _print_check(entry)
        _print_ledger(result)
        _print_where(result)
    if result.problems or not result.verify.get("ok", False):
        raise click.ClickException("the demo found errors (see above)")


def _print_agreements(agreements: list[dict[str, Any]]) -> None:
    click.echo("Agreements (examples/agreements)")
    for entry in agreements:
        if not entry["valid"]:
            click.echo(f"  INVALID {entry['file']}")
            for error in entry["errors"]:
                click.echo(f"    {error}")
            continue
        window = entry["in_force"]
        when = (
            f"in force {window['start_stated']} to {window['end_stated'] or 'open-ended'}"
            if window
            else "never in force: " + "; ".join(entry["never_in_force_because"])
        )
        click.echo(f"  {entry['id']}: {entry['terms']} terms; {when}")
        for probe in entry["probes"]:
            state = "in force" if probe["in_force"] else "not in force"
            binding = ", ".join(probe["binding_terms"]) or "-"
            click.echo(f"    {probe['label']}: {state}; binding: {binding}")


def _print_record(result: demo.DemoResult) -> None:
    click.echo(f"\nRecord: SQLite workspace {result.workspace}")
    for entry in result.imports:
        quarantined = entry["quarantined"]
        click.echo(
            f"  imported {Path(entry['file']).name} ({entry['format']}): {entry['accepted']} "
            f"accepted, {entry['duplicates']} duplicates, {quarantined} quarantined"
        )


def _print_check(entry: dict[str, Any]) -> None:
    summary = entry["summary"]
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(entry["by_status"].items()))
    click.echo(f"\nCheck {entry['name']}: {', '.join(entry['agreements'])}")
    click.echo(
        f"  on {entry['checked']} {entry['on']} from {', '.join(entry['sources'])}: "
        f"{entry['findings']} findings ({statuses}), each recorded in the ledger"
    )
    for row in summary["per_term"]:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(row["findings"].items()))
        click.echo(f"    {row['agreement']} / {row['term']}: {counts}")
    for party, tally in summary["per_party"].items():
        counts = ", ".join(f"{k} {v}" for k, v in sorted(tally.items()))
        click.echo(f"    bound {party}: {counts}")
    counterfactual = entry.get("counterfactual")
    if counterfactual:
        changes = counterfactual["changes"] or {}
        moves = ", ".join(f"{k} {v}" for k, v in sorted(changes.get("by_change", {}).items()))
        click.echo(
            f"  if it entered into force at {counterfactual['assumed_start']}: "
            f"{changes.get('count', 0)} findings change ({moves})"
        )


def _print_incidents(incidents: dict[str, Any]) -> None:
    grades = ", ".join(f"{k} {v}" for k, v in sorted(incidents["by_grade"].items()))
    run = incidents["run"]
    every = ", ".join(f"{k} {v}" for k, v in sorted(run["by_grade"].items()))
    click.echo(
        f"\nIncidents (truce corroborate, {run['run']}): {run['reports']} reports -> "
        f"{run['incidents']} incidents ({every})"
    )
    click.echo(
        f"  of the 2025 moratorium's sources: {incidents['reports']} reports -> "
        f"{incidents['incidents']} incidents ({grades}); {incidents['contested']} with "
        "contested attribution; merged across sources:"
    )
    for merged in incidents["merged_across_sources"]:
        reports = ", ".join(merged["reports"])
        click.echo(f"  {merged['incident']} ({merged['grade']}): reports {reports}")


def _print_ledger(result: demo.DemoResult) -> None:
    verify = result.verify
    state = "verifies" if verify.get("ok") else "DOES NOT VERIFY"
    click.echo(
        f"\nLedger: checkpoint of {result.checkpoint.get('size')} leaves signed; "
        f"`truce ledger verify` {state} ({verify.get('records')} records, "
        f"{len(verify.get('problems', []))} problems)"
    )


def _print_where(result: demo.DemoResult) -> None:
    out = result.out_dir
    click.echo("\nOutput")
    click.echo(f"  {out}/agreements/   readable and JSON summaries of each agreement")
    click.echo(f"  {out}/findings/     findings as GeoJSON and CSV, one pair per check")
    click.echo(f"  {out}/incidents/    incidents with grades and claims")
    click.echo(f"  {out}/workspace/    the SQLite workspace; try:")
    click.echo(f"                      .venv/bin/truce status --workspace {out}/workspace")
    click.echo(f"                      .venv/bin/truce ledger verify --workspace {out}/workspace")
    click.echo(
        f"                      .venv/bin/truce incidents list --workspace {out}/workspace "
        "--min-reports 2"
    )
    click.echo(f"  {out}/summary.json  all of the above as one JSON document")
