"""The 2025 energy-moratorium incidents with the Air Force reports of the same nights."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from truce.io import read_events
from truce.verification import corroborate

EVENTS = Path(__file__).resolve().parents[2] / "data" / "events"
INCIDENTS = EVENTS / "moratorium-2025-incidents.csv"
MAPPING = EVENTS / "moratorium-2025-incidents.mapping.yaml"
AIRFORCE = EVENTS / "airforce-2025-03-01_2025-05-31.csv"


def _table(results: Iterator[Any]) -> pa.Table:
    return pa.Table.from_batches([r.batch for r in results])


@pytest.fixture(scope="module")
def reports() -> tuple[pa.Table, pa.Table]:
    """The moratorium incidents and the Air Force reports."""
    incidents = _table(read_events(INCIDENTS, "csv-mapped", mapping=MAPPING))
    airforce = _table(read_events(AIRFORCE, "airforce"))
    return incidents, airforce


@pytest.fixture(scope="module")
def result(reports: tuple[pa.Table, pa.Table]) -> dict[str, dict[str, Any]]:
    """Incidents by the event ids they hold."""
    found = corroborate(pa.concat_tables(reports))
    return {e: incident for incident in found.incidents.to_pylist() for e in incident["event_ids"]}


def test_each_documented_incident_stays_its_own(result: dict[str, dict[str, Any]]) -> None:
    ids = [f"moratorium-2025-incidents:M25-{n:02d}" for n in range(1, 14)]
    assert len({result[i]["incident_id"] for i in ids}) == 13


def test_sudzha_attribution_is_contested_both_ways(result: dict[str, dict[str, Any]]) -> None:
    for record in ("M25-04", "M25-06"):
        incident = result[f"moratorium-2025-incidents:{record}"]
        assert incident["contested_attribution"] is True
        assert {"contested-attribution", "mutual-blame"} <= set(incident["reasons"])
        blame = {(c["claimant"], c["perpetrator"]) for c in incident["claims"]}
        assert {("Russia", "Ukraine"), ("Ukraine", "Russia")} <= blame


def test_kryvyi_rih_and_sumy_are_corroborated_by_the_air_force(
    result: dict[str, dict[str, Any]],
) -> None:
    for record, airforce in (("M25-11", "airforce-daily:199"), ("M25-12", "airforce-daily:171")):
        incident = result[f"moratorium-2025-incidents:{record}"]
        assert airforce in incident["event_ids"]
        assert incident["grade"] == "corroborated"
        assert incident["sources"] == ["airforce-daily", "moratorium-2025-incidents"]
        assert incident["contested_attribution"] is False


def test_air_force_reports_never_form_an_incident_among_themselves(
    reports: tuple[pa.Table, pa.Table], result: dict[str, dict[str, Any]]
) -> None:
    airforce = reports[1].to_pylist()
    vague = {r["event_id"] for r in airforce if r["precision_m"] > 25_000}
    assert len(vague) > 300
    for event_id in vague:
        incident = result[event_id]
        others = set(incident["event_ids"]) - {event_id}
        if others:
            assert not others <= vague, incident["event_ids"]


def test_alone_the_air_force_reports_make_one_incident_each_unless_precise(
    reports: tuple[pa.Table, pa.Table],
) -> None:
    airforce = reports[1]
    found = corroborate(airforce).incidents.to_pylist()
    precise = {r["event_id"] for r in airforce.to_pylist() if r["precision_m"] <= 25_000}
    for incident in found:
        if incident["report_count"] > 1:
            assert incident["leader_event_id"] in precise
