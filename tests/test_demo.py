"""The main job end to end on the bundled real data, with the outcomes it must reach."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from truce import demo
from truce.cli import cli


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> demo.DemoResult:
    return demo.run(tmp_path_factory.mktemp("demo") / "out")


def findings(result: demo.DemoResult, name: str) -> dict[str, list[str]]:
    path = result.out_dir / "findings" / f"{name}.geojson"
    by_event: dict[str, list[str]] = {}
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        by_event.setdefault(props["event_id"], []).append(props["status"])
    return by_event


def test_every_bundled_agreement_is_valid(result: demo.DemoResult) -> None:
    assert result.problems == 0
    assert len(result.agreements) == 6


def test_imports_lose_nothing(result: demo.DemoResult) -> None:
    assert [(i["format"], i["accepted"], i["quarantined"]) for i in result.imports] == [
        ("csv", 13, 0),
        ("airforce", 317, 0),
        ("ucdp", 1518, 0),
    ]


def test_documented_moratorium_incidents_give_the_expected_outcomes(
    result: demo.DemoResult,
) -> None:
    found = findings(result, "moratorium-2025")
    # the check runs on incidents: each documented incident leads its own
    incident = "inc:moratorium-2025-incidents:"
    # Sudzha gas metering station, both claimed strikes: violations (named object, in force).
    assert found[incident + "M25-04"] == ["violation"]
    assert found[incident + "M25-06"] == ["violation"]
    # Kropotkinskaya: the drone was downed about 7 km away: an attempt, not an impact.
    assert found[incident + "M25-05"] == ["attempt"]
    # Kryvyi Rih playground and Sumy city centre: not energy objects: no finding.
    assert incident + "M25-11" not in found
    assert incident + "M25-12" not in found
    # Kherson on 22 April: after the moratorium ended: no finding.
    assert incident + "M25-13" not in found


def test_disputed_start_changes_findings(result: demo.DemoResult) -> None:
    (moratorium,) = [c for c in result.checks if c["name"] == "moratorium-2025"]
    changes = moratorium["counterfactual"]["changes"]
    assert changes["count"] > 0
    assert changes["by_change"].get("violation -> none", 0) >= 1


def test_minsk_findings_from_ucdp_are_unattributed(result: demo.DemoResult) -> None:
    (minsk,) = [c for c in result.checks if c["name"] == "minsk-2015-2021"]
    per_party = minsk["summary"]["per_party"]
    assert per_party["unattributed"]["violation"] > 0
    # UCDP names the two sides of a dyad, never who fired: no party is blamed from it.
    for party in ("ukraine", "cadr", "calr"):
        assert "violation" not in per_party.get(party, {})


def test_documented_incidents_merge_with_the_air_force_reports(result: demo.DemoResult) -> None:
    merged = {m["incident"]: m["reports"] for m in result.incidents["merged_across_sources"]}
    # Kryvyi Rih (4 April) and Sumy (13 April): the Air Force report naming the city joins the
    # documented incident. The first night's Air Force reports name the whole country (or
    # oblasts other than Donetsk), too vague to join anything: Sloviansk stays on its own.
    assert merged == {
        "inc:moratorium-2025-incidents:M25-11": ["M25-11", "199"],
        "inc:moratorium-2025-incidents:M25-12": ["M25-12", "171"],
    }
    assert result.incidents["by_grade"] == {"corroborated": 2, "reported": 326}


def test_findings_cite_their_incident_and_reports(result: demo.DemoResult) -> None:
    path = result.out_dir / "findings" / "moratorium-2025.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    sloviansk = [
        f["properties"]
        for f in features
        if f["properties"]["event_id"] == "inc:moratorium-2025-incidents:M25-01"
    ]
    assert sloviansk
    assert sloviansk[0]["explanation"].endswith(
        "groups 1 report: M25-01 (moratorium-2025-incidents)."
    )


def test_incidents_are_graded_and_ledger_verifies(result: demo.DemoResult) -> None:
    assert result.incidents["reports"] == 330
    assert result.incidents["run"]["reports"] == 1848
    assert set(result.incidents["by_grade"]) <= {
        "reported",
        "corroborated",
        "confirmed",
        "disputed",
    }
    assert result.verify["ok"] is True
    assert result.checkpoint["size"] == result.verify["leaves"]


def test_ledger_verify_through_the_cli(result: demo.DemoResult) -> None:
    workspace = str(result.out_dir / "workspace")
    outcome = CliRunner().invoke(cli, ["ledger", "verify", "--workspace", workspace, "--json"])
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.output)["ok"] is True


def test_output_files_exist(result: demo.DemoResult) -> None:
    out: Path = result.out_dir
    for name in ("moratorium-2025", "minsk-2015-2021"):
        assert (out / "findings" / f"{name}.geojson").stat().st_size > 0
        assert (out / "findings" / f"{name}.csv").stat().st_size > 0
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["verify"]["ok"]
