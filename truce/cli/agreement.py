"""``truce agreement``: validate, show, in-force."""

from __future__ import annotations

import click

from truce.agreement import in_force, load_agreement, validate_file
from truce.agreement.summary import render_text, summarise
from truce.cli.common import INSTANT, emit_json, json_option
from truce.instant import Instant


@click.group("agreement")
def agreement_group() -> None:
    """Agreement files: validate them, show them, ask what is in force."""


@agreement_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@json_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit status 1).")
def validate_command(files: tuple[str, ...], as_json: bool, strict: bool) -> None:
    """Check agreement FILES and report every problem with file, line and column."""
    reports = [validate_file(path) for path in files]
    failed = any(not r.ok or (strict and r.warnings) for r in reports)
    if as_json:
        emit_json({"valid": not failed, "files": [r.to_dict() for r in reports]})
    else:
        for report in reports:
            for problem in report.problems:
                click.echo(str(problem), err=not report.ok)
            state = "valid" if report.ok else "INVALID"
            click.echo(
                f"{report.file}: {state} ({len(report.errors)} error(s), "
                f"{len(report.warnings)} warning(s))"
            )
    if failed:
        raise click.exceptions.Exit(1)


@agreement_group.command("show")
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
def show_command(file: str, as_json: bool) -> None:
    """A readable summary: parties, approvals, when in force, each term in plain words."""
    agreement = load_agreement(file)
    if as_json:
        emit_json(summarise(agreement))
    else:
        click.echo(render_text(agreement), nl=False)


@agreement_group.command("in-force")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--at", "at", type=INSTANT, required=True, help="The instant, with its time zone.")
@click.option("--assume-start", type=INSTANT, default=None, help="Another entry into force.")
@json_option
def in_force_command(file: str, at: Instant, assume_start: Instant | None, as_json: bool) -> None:
    """Which terms bind whom at an instant, and why not where they don't."""
    agreement = load_agreement(file)
    answer = in_force(agreement, at, assume_start)
    if as_json:
        emit_json(answer.to_dict())
        return
    state = "IN FORCE" if answer.in_force else "NOT IN FORCE"
    click.echo(f"{agreement.id} at {at.describe()}: {state}")
    if assume_start is not None:
        click.echo(f"  (assuming entry into force at {assume_start.describe()})")
    for reason in answer.reasons:
        click.echo(f"  because {reason}")
    if answer.in_force:
        for binding in answer.terms:
            mark = {"binding": "+", "not-binding": "-", "conditional": "?"}[binding.status]
            click.echo(f"  {mark} {binding.term} binds {binding.party}: {binding.reason}")
