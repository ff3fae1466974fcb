"""``truce demo``: the main job on bundled real data."""

from __future__ import annotations

from pathlib import Path

import click

from truce import demo


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/demo"),
    show_default=True,
)
def demo_command(out_dir: Path) -> None:
    """Run the main job on the bundled real data and say where its output is."""
    result = demo.run(out_dir, progress=lambda message: click.echo(f"  {message}", err=True))
    click.echo("Agreements")
    for entry in result.agreements:
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
            click.echo(f"    {probe['label']} ({probe['at']}): {state}; binding: {binding}")
    click.echo(
        f"\nSummaries written to {result.out_dir}/agreements/ and {result.out_dir}/summary.json"
    )
    if result.problems:
        raise click.ClickException(f"{result.problems} error(s) in the bundled agreements")
