"""The documented incidents of the 2025 energy moratorium, read with their mapping, against the
moratorium's encoding: each expected outcome is pinned with its reason."""

from __future__ import annotations

import pyarrow as pa
import pytest

from tests.engine.conftest import EVENTS
from truce.agreement import Agreement
from truce.engine import CheckResult, Finding, check
from truce.instant import parse_instant
from truce.io import read_events

INCIDENTS = EVENTS / "moratorium-2025-incidents.csv"
PREFIX = "moratorium-2025-incidents:"


def incidents() -> list[pa.RecordBatch]:
    """The 13 incidents as read by the mapped CSV reader."""
    return [result.batch for result in read_events(INCIDENTS, "csv")]


@pytest.fixture(scope="module")
def result(moratorium: Agreement) -> CheckResult:
    """The moratorium checked against the incidents."""
    return check([moratorium], incidents())


@pytest.fixture(scope="module")
def found(result: CheckResult) -> dict[str, Finding]:
    """Findings by incident id (M25-..)."""
    return {f.event_id.removeprefix(PREFIX): f for f in result.finding_list() if f.event_id}


def test_first_night_strikes_are_possible_because_the_night_straddles_the_start(
    found: dict[str, Finding],
) -> None:
    """Sloviansk and the Dnipropetrovsk railway power supply: the reports name the objects
    (the railway one by class, within its 120 km precision), so the place is settled as claimed;
    but 'the night of 18-19 March' is read as 16:00Z to 04:00Z, and the moratorium bound only
    from Ukraine's approval at 19:00Z: a quarter of the night came before it. So: possible,
    with 75% of the span inside, attributed to Russia by Ukraine's claim."""
    for incident in ("M25-01", "M25-02"):
        finding = found[incident]
        assert finding.status == "possible"
        assert finding.time_fraction == pytest.approx(0.75)
        assert finding.fraction == 1.0
        assert finding.party_bound == "russia"
        assert "as claimed" in finding.explanation
        assert "straddles the term's window: 75% of it lies within" in finding.explanation
    assert found["M25-01"].feature_id == "ua-2025:sloviansk-power-supply"
    assert found["M25-02"].feature_id == "ua-2025:dnipropetrovsk-railway-power-supply"


def test_kropotkinskaya_interception_is_an_attempt(found: dict[str, Finding]) -> None:
    """The drone was downed about 7 km from the station; the term counts attempts within 10 km."""
    finding = found["M25-05"]
    assert finding.status == "attempt"
    assert finding.feature_id == "ru-2025:kropotkinskaya-oil-pumping-station"
    assert finding.distance_m is not None
    assert 5_000 < finding.distance_m < 8_000
    assert finding.party_bound == "ukraine"


def test_sudzha_is_a_violation_with_contested_attribution(found: dict[str, Finding]) -> None:
    """Russia blames Ukraine, Ukraine blames Russia: both claims stay, both parties are named,
    and the finding says the attribution is contested."""
    for incident in ("M25-04", "M25-06"):
        finding = found[incident]
        assert finding.status == "violation"
        assert finding.feature_id == "ru-2025:sudzha-gas-metering-station"
        assert finding.contested
        assert finding.party_bound == "russia, ukraine"
        assert {(c.claimant, c.perpetrator) for c in finding.claims} == {
            ("Russia", "Ukraine"),
            ("Ukraine", "Russia"),
        }
        assert "Attribution is contested" in finding.explanation


@pytest.mark.parametrize("incident", ["M25-11", "M25-12"], ids=["kryvyi-rih", "sumy"])
def test_strikes_on_civilian_targets_give_no_moratorium_finding(
    found: dict[str, Finding], incident: str
) -> None:
    """A playground and a city centre: the reports' target class is not an energy object."""
    assert incident not in found


def test_kherson_after_the_moratorium_ended_gives_no_finding(found: dict[str, Finding]) -> None:
    """22 April 2025: the 30 days ran out on 17 April (Moscow), before Russia's declared end."""
    assert "M25-13" not in found


def test_other_incidents(found: dict[str, Finding]) -> None:
    """Named objects (Vasylivka, Svatove) are violations as claimed; the Saratov refinery an
    attempt; the Belgorod substation, known only to 80 km, is possible."""
    assert found["M25-09"].status == "violation"
    assert found["M25-10"].status == "violation"
    assert found["M25-07"].status == "attempt"
    assert found["M25-08"].status == "possible"
    assert found["M25-08"].fraction is not None
    assert found["M25-08"].fraction < 0.01
    assert found["M25-03"].status == "possible"


def test_summary_counts_per_term_party_and_day(result: CheckResult) -> None:
    summary = result.summary.to_dict()
    assert summary["findings"]["by_status"] == {"possible": 4, "attempt": 2, "violation": 4}
    assert summary["per_party"]["ukraine"] == {"attempt": 2, "possible": 2, "violation": 4}
    assert summary["per_party"]["russia"] == {"possible": 2, "violation": 2}
    assert summary["per_day"]["2025-03-18"] == {"possible": 3}
    assert summary["events"]["read"] == 13


def test_assumed_start_of_25_march_removes_the_first_night(moratorium: Agreement) -> None:
    """Kyiv's reading (in force from 25 March 00:00 Kyiv time): the first-night strikes and the
    first Sudzha claim fall before it; the later findings stay."""
    result = check(
        [moratorium], incidents(), assume_start=parse_instant("2025-03-25T00:00 Europe/Kyiv")
    )
    ids = {f.event_id.removeprefix(PREFIX) for f in result.finding_list() if f.event_id}
    assert ids == {"M25-05", "M25-06", "M25-07", "M25-08", "M25-09", "M25-10"}
    changes = result.summary.changes
    assert changes is not None
    assert changes["count"] == 4
    gone = {c["event_id"].removeprefix(PREFIX): c["before"] for c in changes["examples"]}
    assert gone == {
        "M25-01": "possible",
        "M25-02": "possible",
        "M25-03": "possible",
        "M25-04": "violation",
    }
    assert all(c["after"] == "none" for c in changes["examples"])
