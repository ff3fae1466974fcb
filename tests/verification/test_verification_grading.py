"""Grades and their reasons: independent origins, disputes, monitors, contested attribution."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.verification.builders import report, table
from tests.verification.strategies import report_sets
from truce.verification import (
    GRADES,
    REASONS,
    CorroborationConfig,
    SourceDeclaration,
    corroborate,
    explain,
)


def only_incident(rows: list[dict[str, Any]], config: CorroborationConfig | None = None) -> Any:
    """The one incident the reports make."""
    incidents = corroborate(table(rows), config).incidents.to_pylist()
    assert len(incidents) == 1, [i["event_ids"] for i in incidents]
    return incidents[0]


def test_one_source_is_reported() -> None:
    incident = only_incident([report("a:1"), report("a:2", text="again, other words")])
    assert incident["grade"] == "reported"
    assert incident["independent_sources"] == 1
    assert set(incident["reasons"]) == {"single-source", "same-origin"}


def test_two_independent_sources_corroborate() -> None:
    incident = only_incident([report("a:1"), report("b:1", source="media-b")])
    assert incident["grade"] == "corroborated"
    assert incident["independent_sources"] == 2
    assert incident["origins"] == ["media-a", "media-b"]
    assert incident["sources"] == ["media-a", "media-b"]


def test_outlets_repeating_one_agency_count_once() -> None:
    config = CorroborationConfig().with_sources(
        SourceDeclaration("media-a", "media", origin="agency-x"),
        SourceDeclaration("media-b", "media", origin="agency-x"),
    )
    rows = [report("a:1"), report("b:1", source="media-b")]
    incident = only_incident(rows, config)
    assert incident["grade"] == "reported"
    assert incident["independent_sources"] == 1
    assert incident["origins"] == ["agency-x"]
    assert incident["report_count"] == 2


def test_reports_citing_the_same_link_are_one_origin() -> None:
    rows = [
        report("a:1", link="https://twitter.com/x/status/1?s=20&t=abc"),
        report("b:1", source="media-b", link="https://twitter.com/x/status/1"),
        report("c:1", source="media-c", link="https://t.me/other/5"),
    ]
    incident = only_incident(rows)
    assert incident["independent_sources"] == 2
    assert "same-origin" in incident["reasons"]
    assert incident["grade"] == "corroborated"


def test_links_chain_origins_together() -> None:
    rows = [
        report("a:1", link="https://t.me/p/1"),
        report("b:1", source="media-b", link="https://t.me/p/1"),
        report("b:2", source="media-b", link="https://t.me/p/2", text="b2"),
        report("c:1", source="media-c", link="https://t.me/p/2"),
    ]
    assert only_incident(rows)["independent_sources"] == 1


def test_a_monitor_confirms() -> None:
    config = CorroborationConfig().with_sources(SourceDeclaration("osce-smm", "monitor"))
    incident = only_incident([report("m:1", source="osce-smm")], config)
    assert incident["grade"] == "confirmed"
    assert "monitor-observation" in incident["reasons"]


def test_impact_against_attempt_is_disputed() -> None:
    rows = [report("a:1", outcome="impact"), report("b:1", source="media-b", outcome="attempt")]
    incident = only_incident(rows)
    assert incident["grade"] == "disputed"
    assert "outcome-conflict" in incident["reasons"]
    assert incident["outcomes"] == ["impact", "attempt"]


def test_one_origin_reporting_impact_and_attempt_is_no_dispute() -> None:
    rows = [report("a:1", outcome="impact"), report("a:2", outcome="attempt", text="2")]
    assert only_incident(rows)["grade"] == "reported"


def test_a_vague_report_cannot_dispute_a_precise_one() -> None:
    rows = [
        report("a:1", outcome="impact"),
        report("b:1", source="media-b", outcome="impact"),
        report("af:1", source="airforce-daily", outcome="attempt", precision_m=120_000.0),
    ]
    incident = only_incident(rows)
    assert incident["grade"] == "corroborated"
    assert incident["independent_sources"] == 3


def test_conflicting_kinds_are_disputed() -> None:
    rows = [report("a:1", kind="drone-strike"), report("b:1", source="media-b", kind="artillery")]
    incident = only_incident(rows)
    assert incident["grade"] == "disputed"
    assert "kind-conflict" in incident["reasons"]
    consistent = [report("a:1", kind="drone-strike"), report("b:1", source="b", kind="fire")]
    assert only_incident(consistent)["grade"] == "corroborated"


def test_a_dispute_outranks_a_monitor() -> None:
    config = CorroborationConfig().with_sources(SourceDeclaration("osce-smm", "monitor"))
    rows = [report("m:1", source="osce-smm"), report("b:1", source="media-b", outcome="attempt")]
    incident = only_incident(rows, config)
    assert incident["grade"] == "disputed"
    assert {"monitor-observation", "outcome-conflict"} <= set(incident["reasons"])


def test_parties_blaming_each_other_is_contested_attribution() -> None:
    rows = [
        report("ru:1", source="ru-mod", claims=[("Russia", "Ukraine")]),
        report("ua:1", source="ua-gs", claims=[("Ukraine (General Staff)", "Russian Federation")]),
    ]
    incident = only_incident(rows)
    assert incident["contested_attribution"] is True
    assert {"contested-attribution", "mutual-blame"} <= set(incident["reasons"])
    assert sorted((c["source"], c["claimant"], c["perpetrator"]) for c in incident["claims"]) == [
        ("ru-mod", "Russia", "Ukraine"),
        ("ua-gs", "Ukraine (General Staff)", "Russian Federation"),
    ]
    text = " ".join(explain(incident))
    assert "Russia blames Ukraine (ru-mod)" in text


def test_agreeing_claims_are_not_contested() -> None:
    rows = [
        report("a:1", claims=[("Ukraine", "Russia")]),
        report("b:1", source="media-b", claims=[("Ukraine (Air Force)", "Government of Russia")]),
    ]
    incident = only_incident(rows)
    assert incident["contested_attribution"] is False
    assert len(incident["claims"]) == 2


def test_coded_sides_of_a_dataset_are_not_attribution() -> None:
    rows = [
        report("u:1", source="ucdp-ged", claims=[("UCDP", "Government of Ukraine")]),
        report("a:1", claims=[("Ukraine", "Russia")]),
    ]
    incident = only_incident(rows)
    assert incident["contested_attribution"] is False
    assert sorted(c["claimant"] for c in incident["claims"]) == ["UCDP", "Ukraine"]


def test_a_vague_report_matching_several_incidents_stays_on_its_own() -> None:
    rows = [
        report("a:1", lon=37.0),
        report("b:1", lon=37.6),
        report("af:1", lon=37.3, source="airforce-daily", precision_m=120_000.0),
    ]
    result = corroborate(table(rows))
    assignment = next(r for r in result.assignments.to_pylist() if r["event_id"] == "af:1")
    assert (assignment["candidates"], assignment["role"]) == (2, "alone")
    alone = next(i for i in result.incidents.to_pylist() if "af:1" in i["event_ids"])
    assert alone["event_ids"] == ["af:1"]
    assert "matched-several" in alone["reasons"]
    one = corroborate(table(rows[1:])).incidents.to_pylist()
    assert [i["event_ids"] for i in one] == [["b:1", "af:1"]]
    assert one[0]["independent_sources"] == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_sets())
def test_every_incident_has_a_known_grade_and_reasons(rows: list[dict[str, Any]]) -> None:
    result = corroborate(table(rows))
    incidents = result.incidents.to_pylist()
    assert sum(i["report_count"] for i in incidents) == len(rows)
    seen = sorted(e for i in incidents for e in i["event_ids"])
    assert seen == sorted(r["event_id"] for r in rows)
    for incident in incidents:
        assert incident["grade"] in GRADES
        assert set(incident["reasons"]) <= set(REASONS)
        assert 1 <= max(incident["independent_sources"], 1) <= incident["report_count"]
        assert incident["time_start"] <= incident["time_end"]
        assert incident["incident_id"] == "inc:" + incident["leader_event_id"]
        assert incident["event_ids"][0] == incident["leader_event_id"]
        corroborated = incident["independent_sources"] >= 2
        if incident["grade"] == "reported":
            assert not corroborated
        assert ("independent-sources" in incident["reasons"]) == corroborated
