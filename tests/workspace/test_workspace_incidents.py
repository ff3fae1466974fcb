"""Incidents in the record: corroboration runs, analysts' decisions, checks on incidents, and the
commands, on SQLite and PostgreSQL, with the bundled 2025 reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
import sqlalchemy as sa
from click.testing import CliRunner

from truce.agreement import load_agreement
from truce.cli.check import check_command
from truce.cli.incidents import corroborate_command, incidents_group
from truce.errors import InputError
from truce.instant import parse_instant
from truce.io._areas import load_areas
from truce.verification import Detach, Merge, Split, config_from_mapping
from truce.workspace import Workspace, import_file
from truce.workspace.adjudication import check_workspace
from truce.workspace.incidents import (
    IncidentFilter,
    corroborate_workspace,
    list_decisions,
    list_incidents,
    record_decision,
    show_incident,
    stale_reasons,
)
from truce.workspace.schema import decisions, findings, incident_reports, ledger_leaves
from truce.workspace.verify import verify_workspace

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "data" / "events"
MORATORIUM = REPO / "examples" / "agreements" / "energy-moratorium-2025.yaml"
KRYVYI_RIH = "inc:moratorium-2025-incidents:M25-11"
SUMY = "inc:moratorium-2025-incidents:M25-12"


def _import_2025(workspace: Workspace) -> None:
    import_file(
        workspace,
        EVENTS / "moratorium-2025-incidents.csv",
        "csv",
        mapping=EVENTS / "moratorium-2025-incidents.mapping.yaml",
    )
    import_file(workspace, EVENTS / "airforce-2025-03-01_2025-05-31.csv", "airforce")


def _merged(workspace: Workspace) -> dict[str, list[str]]:
    """Incidents of several reports among the 2025 reports."""
    which = IncidentFilter(min_reports=2, sources=("moratorium-2025-incidents", "airforce-daily"))
    with workspace.store.read() as conn:
        return {i["id"]: i["reports"] for i in list_incidents(conn, which)}


def test_documented_incidents_merge_with_the_air_force_reports(workspace: Workspace) -> None:
    _import_2025(workspace)
    summary = corroborate_workspace(workspace)
    assert summary.reports == 330
    # Kryvyi Rih (4 April) and Sumy (13 April) are each reported by the documented-incident file
    # and by an Air Force report naming the city; nothing else meets a precise report.
    assert _merged(workspace) == {KRYVYI_RIH: ["M25-11", "199"], SUMY: ["M25-12", "171"]}
    assert summary.by_grade == {"corroborated": 2, "reported": 326}
    with workspace.store.read() as conn:
        sumy = show_incident(conn, SUMY)
        kinds = conn.execute(sa.select(ledger_leaves.c.kind)).scalars().all()
    assert [r["role"] for r in sumy["report_details"]] == ["leader", "member"]
    assert [r["source"] for r in sumy["report_details"]] == [
        "moratorium-2025-incidents",
        "airforce-daily",
    ]
    assert sumy["explanation"][0].startswith("2 independent source")
    assert kinds.count("corroboration") == 1
    assert verify_workspace(workspace).ok


def test_a_decision_is_ledgered_and_never_undone_by_a_later_run(workspace: Workspace) -> None:
    _import_2025(workspace)
    corroborate_workspace(workspace)
    decision = Detach(event_ids=("airforce-daily:199",), who="analyst A", why="other target")
    decision_id = record_decision(workspace, decision)
    with workspace.store.read() as conn:
        assert stale_reasons(conn) == ["analysts' decisions were recorded after it"]
    first = corroborate_workspace(workspace)
    assert first.decisions == 1
    assert _merged(workspace) == {SUMY: ["M25-12", "171"]}
    # more reports arrive and corroboration runs again: the decision still holds
    import_file(workspace, EVENTS / "ucdp-ged-donbas-2015-2021.csv", "ucdp")
    corroborate_workspace(workspace)
    assert _merged(workspace) == {SUMY: ["M25-12", "171"]}
    with workspace.store.read() as conn:
        listed = list_decisions(conn)
        detached = show_incident(conn, "inc:airforce-daily:199")
        leaf = conn.execute(
            sa.select(ledger_leaves.c.idx).where(
                ledger_leaves.c.kind == "decision", ledger_leaves.c.record_id == decision_id
            )
        ).scalar()
    assert listed[0]["who"] == "analyst A"
    assert listed[0]["why"] == "other target"
    assert listed[0]["event_ids"] == ["airforce-daily:199"]
    assert leaf is not None
    assert detached["decisions"][0]["action"] == "detach"
    assert detached["decisions"][0]["who"] == "analyst A"
    assert verify_workspace(workspace).ok


def test_split_and_merge_decisions(workspace: Workspace) -> None:
    _import_2025(workspace)
    corroborate_workspace(workspace)
    sudzha = ("moratorium-2025-incidents:M25-04", "moratorium-2025-incidents:M25-06")
    record_decision(workspace, Merge(event_ids=sudzha, who="analyst B", why="one campaign"))
    corroborate_workspace(workspace)
    merged = _merged(workspace)
    assert ["M25-04", "M25-06"] in merged.values()
    record_decision(
        workspace,
        Split(event_ids=("moratorium-2025-incidents:M25-06",), who="analyst C", why="two days"),
    )
    corroborate_workspace(workspace)
    assert ["M25-04", "M25-06"] not in _merged(workspace).values()


def test_a_decision_naming_an_unknown_report_is_refused(workspace: Workspace) -> None:
    _import_2025(workspace)
    with pytest.raises(InputError, match="no report 'nope:1'"):
        record_decision(workspace, Detach(event_ids=("nope:1",), who="a", why="b"))
    with workspace.store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar() == 0


def test_tampered_incidents_and_decisions_are_named(workspace: Workspace) -> None:
    _import_2025(workspace)
    record_decision(workspace, Detach(event_ids=("airforce-daily:199",), who="a", why="b"))
    run = corroborate_workspace(workspace)
    with workspace.store.write() as conn:
        conn.execute(
            incident_reports.update()
            .where(incident_reports.c.incident_id == SUMY)
            .values(incident_id=KRYVYI_RIH)
        )
        conn.execute(decisions.update().values(why="changed afterwards"))
    found = {(p.type, p.where) for p in verify_workspace(workspace).problems}
    assert ("incidents-changed", f"corroboration:{run.run_id}") in found
    assert ("record-changed", "decision:1") in found


def test_filters(workspace: Workspace) -> None:
    _import_2025(workspace)
    corroborate_workspace(workspace)
    sumy_oblast = load_area("Sumy oblast")
    with workspace.store.read() as conn:

        def ids(**given: object) -> set[str]:
            return {i["id"] for i in list_incidents(conn, IncidentFilter(**given))}  # type: ignore[arg-type]

        assert ids(grades=("corroborated",)) == {KRYVYI_RIH, SUMY}
        april = parse_instant("2025-04-10T00:00Z").utc.timestamp() * 1e6
        assert SUMY in ids(grades=("corroborated",), since=int(april))
        assert KRYVYI_RIH not in ids(grades=("corroborated",), since=int(april))
        assert ids(grades=("corroborated",), area=sumy_oblast) == {SUMY}
        # a broader kind covers narrower ones: every missile strike is a strike
        assert ids(kinds=("strike",), grades=("corroborated",)) == {KRYVYI_RIH, SUMY}
        assert ids(kinds=("artillery",), grades=("corroborated",)) == set()
        with pytest.raises(InputError, match="did you mean 'artillery'"):
            ids(kinds=("artillery-fire",))
        claimed_ukraine = ids(parties=("Ukraine",))
        assert "inc:moratorium-2025-incidents:M25-03" in claimed_ukraine
        assert SUMY not in claimed_ukraine
        assert len(ids(limit=5)) == 5


def load_area(name: str) -> object:
    return shapely.union_all([a.geometry for a in load_areas().lookup(name)])


def test_check_runs_on_incidents_and_cites_them(workspace: Workspace) -> None:
    _import_2025(workspace)
    agreement = load_agreement(MORATORIUM)
    on_incidents = check_workspace(workspace, [agreement])
    # no run yet: the check corroborates first
    assert on_incidents.refreshed_because == ["no corroboration run yet"]
    on_reports = check_workspace(workspace, [agreement], on="reports", record=False)
    assert on_reports.result.findings.num_rows >= on_incidents.result.findings.num_rows
    rows = on_incidents.result.findings.to_pylist()
    assert rows
    assert all(r["event_id"].startswith("inc:") for r in rows)
    assert all(" Incident inc:" in r["explanation"] for r in rows)
    with workspace.store.read() as conn:
        recorded = [json.loads(d) for d in conn.execute(sa.select(findings.c.data)).scalars()]
    assert len(recorded) == len(rows)
    assert all(item["incident"] == item["event_id"] for item in recorded)
    assert all(item["reports"][0]["source_record"] for item in recorded)
    # up to date now: a second check does not corroborate again
    assert check_workspace(workspace, [agreement], record=False).refreshed_because == []
    assert verify_workspace(workspace).ok


def test_commands(workspace: Workspace, tmp_path: Path) -> None:
    _import_2025(workspace)
    runner = CliRunner()
    ws = ["--workspace", str(workspace.root)]
    result = runner.invoke(corroborate_command, [*ws, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["incidents"] == 328
    result = runner.invoke(incidents_group, ["list", "--grade", "corroborated", "--json", *ws])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [(i["id"], i["grade"], i["reports"]) for i in listed] == [
        (KRYVYI_RIH, "corroborated", ["M25-11", "199"]),
        (SUMY, "corroborated", ["M25-12", "171"]),
    ]
    result = runner.invoke(incidents_group, ["list", "--area", "Sumy oblast", *ws])
    assert result.exit_code == 0, result.output
    assert SUMY in result.output
    assert KRYVYI_RIH not in result.output
    result = runner.invoke(incidents_group, ["list", "--area", "Atlantis", *ws])
    assert result.exit_code != 0
    result = runner.invoke(incidents_group, ["show", SUMY, *ws])
    assert result.exit_code == 0, result.output
    assert "airforce-daily:171" in result.output
    result = runner.invoke(
        incidents_group,
        ["detach", "airforce-daily:171", "--who", "analyst", "--why", "too vague", *ws],
    )
    assert result.exit_code == 0, result.output
    assert "recorded decision:1" in result.output
    result = runner.invoke(incidents_group, ["decisions", "--json", *ws])
    assert json.loads(result.output)[0]["why"] == "too vague"
    result = runner.invoke(incidents_group, ["detach", "airforce-daily:171", *ws])
    assert result.exit_code != 0  # who and why are required
    out = tmp_path / "findings.geojson"
    result = runner.invoke(
        check_command, ["--agreement", str(MORATORIUM), "--out", str(out), "--json", *ws]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["on"] == "incidents"
    assert document["recorded_findings"] > 0
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert len(features) == document["recorded_findings"]
    result = runner.invoke(check_command, ["--agreement", str(MORATORIUM), "--events", "x.csv"])
    assert result.exit_code != 0
    assert "--out is required" in result.output


def test_settings_stand_until_new_ones_are_given(workspace: Workspace) -> None:
    _import_2025(workspace)
    defaults = corroborate_workspace(workspace)
    tight = {
        "source_types": [
            {"name": t, "distance_m": 0, "time_s": 0}
            for t in ("monitor", "satellite", "osint", "official", "media", "dataset", "report")
        ]
    }
    corroborate_workspace(workspace, config_from_mapping(tight), settings=tight)
    assert _merged(workspace) == {}
    # a decision makes the next run: it keeps the tight settings
    lone = "moratorium-2025-incidents:M25-13"
    record_decision(workspace, Detach(event_ids=(lone,), who="a", why="b"))
    again = corroborate_workspace(workspace)
    assert _merged(workspace) == {}
    assert again.incidents > defaults.incidents
    with workspace.store.read() as conn:
        assert stale_reasons(conn, '{"source_types":[]}') == ["it ran with other settings"]
    # an empty mapping goes back to the defaults
    corroborate_workspace(workspace, None, settings={})
    assert set(_merged(workspace)) == {KRYVYI_RIH, SUMY}
