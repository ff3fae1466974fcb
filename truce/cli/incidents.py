"""``truce corroborate`` and ``truce incidents``: reports grouped into incidents, graded, and
analysts' decisions about them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import shapely
import yaml
from rich.console import Console

from truce.cli.common import INSTANT, emit_json, json_option
from truce.cli.workspace import opened, workspace_option
from truce.engine.timing import micros
from truce.errors import InputError
from truce.instant import Instant
from truce.io._areas import load_areas
from truce.verification import GRADES, CorroborationConfig, config_from_mapping
from truce.verification.overrides import OVERRIDE_TYPES
from truce.workspace.incidents import (
    IncidentFilter,
    corroborate_workspace,
    current_run,
    list_decisions,
    list_incidents,
    record_decision,
    show_incident,
)


def load_settings(path: Path | None) -> tuple[CorroborationConfig | None, dict[str, Any] | None]:
    """Corroboration settings from a YAML or JSON file (see ``docs/verification.md``)."""
    if path is None:
        return None, None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not YAML or JSON: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: corroboration settings must be a mapping of setting: value")
    try:
        return config_from_mapping(data), data
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from exc


settings_option = click.option(
    "--settings",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Corroboration settings (YAML or JSON): source types, lineage, windows.",
)


@click.command("corroborate")
@settings_option
@workspace_option
@json_option
def corroborate_command(settings: Path | None, workspace_dir: Path, as_json: bool) -> None:
    """Group the workspace's reports into incidents and grade each one.

    Re-reports merge first; precise reports lead; every other report joins the best leader it
    matches, within windows that respect each report's own precision, and matches never chain.
    Analysts' decisions (truce incidents detach/split/merge) are replayed on top, so a run never
    undoes one. The run replaces the previous incidents and is recorded in the ledger.
    """
    config, given = load_settings(settings)
    console = Console(stderr=True)
    with (
        opened(workspace_dir) as workspace,
        console.status("corroborating", spinner="dots") as status,
    ):
        summary = corroborate_workspace(
            workspace, config, settings=given, progress=lambda m: status.update(m)
        )
    if as_json:
        emit_json(summary.to_dict())
    else:
        click.echo(summary.render(), nl=False)


@click.group("incidents")
def incidents_group() -> None:
    """Incidents of the latest corroboration run, and analysts' decisions about them."""


def _area(text: str | None) -> Any:
    """A bounding box 'W,S,E,N' (degrees) or the name or id of an oblast or region."""
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) == 4:
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            pass
        else:
            if not (west < east and south < north):
                raise InputError(f"--area {text!r}: a box is W,S,E,N with W < E and S < N")
            return shapely.box(west, south, east, north)
    found = load_areas().lookup(text)
    if not found:
        raise InputError(
            f"--area {text!r}: not a box W,S,E,N nor a known oblast or region "
            "(e.g. 'Sumy oblast', 'UA-59', 'south')"
        )
    return shapely.union_all([area.geometry for area in found])


def _micros(instant: Instant | None) -> int | None:
    return None if instant is None else micros(instant)


@incidents_group.command("list")
@click.option("--since", type=INSTANT, default=None, help="Incidents ending at or after INSTANT.")
@click.option("--until", type=INSTANT, default=None, help="Incidents starting before INSTANT.")
@click.option(
    "--grade", "grades", multiple=True, type=click.Choice(GRADES), help="Grade (repeatable)."
)
@click.option(
    "--kind", "kinds", multiple=True, help="Event kind; a broader kind covers narrower ones."
)
@click.option("--party", "parties", multiple=True, help="A party some source claims did it.")
@click.option("--source", "sources", multiple=True, help="With a report from this source.")
@click.option("--area", default=None, help="A box W,S,E,N or an oblast or region name or id.")
@click.option("--min-reports", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--contested/--uncontested",
    default=None,
    help="Only incidents whose attribution is (or is not) contested.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N incidents.")
@workspace_option
@json_option
def list_command(
    since: Instant | None,
    until: Instant | None,
    grades: tuple[str, ...],
    kinds: tuple[str, ...],
    parties: tuple[str, ...],
    sources: tuple[str, ...],
    area: str | None,
    min_reports: int,
    contested: bool | None,
    limit: int | None,
    workspace_dir: Path,
    as_json: bool,
) -> None:
    """List incidents, in time order, with their grade and reports.

    With --json: a JSON list whose items carry id, grade, reports (the ids of the reports as the
    sources gave them), event_ids, sources, time, place, kinds, claims and decisions.
    """
    which = IncidentFilter(
        since=_micros(since),
        until=_micros(until),
        grades=grades,
        kinds=kinds,
        parties=parties,
        sources=sources,
        area=_area(area),
        min_reports=min_reports,
        contested=contested,
        limit=limit,
    )
    with opened(workspace_dir) as workspace, workspace.store.read() as conn:
        run = current_run(conn)
        found = list_incidents(conn, which)
    if as_json:
        emit_json(found)
        return
    if run is None:
        click.echo("no incidents yet: run `truce corroborate`")
        return
    for incident in found:
        claims = sorted({c["perpetrator"] for c in incident["claims"] if c["perpetrator"]})
        blame = f"; claimed: {', '.join(claims)}" if claims else ""
        contested_words = " (attribution contested)" if incident["contested_attribution"] else ""
        click.echo(
            f"{incident['id']}  {incident['grade']}  {str(incident['time_start'])[:16]}  "
            f"{', '.join(incident['kinds'])}  reports {', '.join(incident['reports'])} "
            f"[{', '.join(incident['sources'])}]{blame}{contested_words}"
        )
    click.echo(f"{len(found)} of {run['incidents']} incidents ({run['run']})")


@incidents_group.command("show")
@click.argument("incident")
@workspace_option
@json_option
def show_command(incident: str, workspace_dir: Path, as_json: bool) -> None:
    """One incident: its grade and why, its claims, and every report it groups."""
    with opened(workspace_dir) as workspace, workspace.store.read() as conn:
        found = show_incident(conn, incident)
    if as_json:
        emit_json(found)
        return
    click.echo(f"{found['id']}: {found['grade']}")
    for sentence in found["explanation"]:
        click.echo(f"  {sentence}")
    click.echo(
        f"  time {found['time_start']} to {found['time_end']}; place "
        f"{found['lon']}, {found['lat']} (within {found['precision_m']} m)"
    )
    click.echo("Reports:")
    for item in found["report_details"]:
        claims = "; ".join(
            f"{c['claimant']} says {c['perpetrator'] or 'nobody'}" for c in item["claims"]
        )
        click.echo(
            f"  {item['role']:<9} {item['event_id']} ({item['source']}) {item['time_start']} "
            f"{item['kind']}, {item['outcome']}" + (f"; {claims}" if claims else "")
        )
        if item["text"]:
            click.echo(f"            {item['text'][:160]}")
        if item["link"]:
            click.echo(f"            {item['link']}")


def _decision_command(action: str, help_text: str) -> click.Command:
    @click.command(action, help=help_text)
    @click.argument("reports", nargs=-1, required=True)
    @click.option("--who", required=True, help="Who decides (name or role).")
    @click.option("--why", required=True, help="Why: the reason, as it should stand in the record.")
    @workspace_option
    @json_option
    def command(
        reports: tuple[str, ...], who: str, why: str, workspace_dir: Path, as_json: bool
    ) -> None:
        decision = OVERRIDE_TYPES[action](event_ids=reports, who=who, why=why)
        with opened(workspace_dir) as workspace:
            decision_id = record_decision(workspace, decision)
            summary = corroborate_workspace(workspace)
        if as_json:
            emit_json({"decision": f"decision:{decision_id}", "corroboration": summary.to_dict()})
        else:
            click.echo(f"recorded decision:{decision_id} ({action} by {who})")
            click.echo(summary.render(), nl=False)

    return command


for _action, _help in (
    (
        "detach",
        "Take each named REPORT out of its incident: it stands alone. The decision is recorded "
        "(with who and why, in the ledger), and incidents are rebuilt.",
    ),
    (
        "split",
        "Take the named REPORTs out of their incidents and make them one incident together.",
    ),
    ("merge", "Make the incidents holding the named REPORTs one incident."),
):
    incidents_group.add_command(_decision_command(_action, _help))


@incidents_group.command("decisions")
@workspace_option
@json_option
def decisions_command(workspace_dir: Path, as_json: bool) -> None:
    """Every analyst's decision, oldest first (each is replayed on every run)."""
    with opened(workspace_dir) as workspace, workspace.store.read() as conn:
        found = list_decisions(conn)
    if as_json:
        emit_json(found)
        return
    for item in found:
        click.echo(
            f"{item['id']}  {item['at']}  {item['action']} {', '.join(item['event_ids'])} "
            f"by {item['who']}: {item['why']}"
        )
    if not found:
        click.echo("no decisions recorded")
