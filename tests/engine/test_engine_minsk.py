"""The Minsk agreements against the bundled UCDP events for Donbas, 2015-2021, with the
pre-2022 line: the fast engine against the reference on real geometry, and what each term
should (and should not) find."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.engine.conftest import EVENTS, EXAMPLES
from truce.agreement import Agreement, load_agreement
from truce.engine import CheckResult, check
from truce.engine.reference import Reference
from truce.events.model import Event, batch_to_events
from truce.io import read_events

UCDP = EVENTS / "ucdp-ged-donbas-2015-2021.csv"


@pytest.fixture(scope="module")
def ucdp() -> list[Event]:
    """The 1,518 UCDP GED events of Donetsk and Luhansk oblasts, 2015-2021."""
    return [e for r in read_events(UCDP, "ucdp") for e in batch_to_events(r.batch)]


@pytest.fixture(scope="module")
def package_result(minsk_package: Agreement) -> CheckResult:
    return check([minsk_package], [r.batch for r in read_events(UCDP, "ucdp", chunk_rows=200)])


def test_ceasefire_findings_agree_with_the_reference(
    minsk_package: Agreement, package_result: CheckResult, ucdp: list[Event]
) -> None:
    fast = {
        (f.event_id, f.term): (f.status, f.feature_id)
        for f in package_result.finding_list()
        if f.event_id is not None
    }
    reference = Reference(minsk_package)
    slow = {
        (e.event_id, term): (v.status, v.feature)
        for e in ucdp
        for term, v in reference.check(e).items()
    }
    assert len(slow) > 1000
    assert {k: v[0] for k, v in fast.items()} == {k: v[0] for k, v in slow.items()}
    certain = {k for k, v in fast.items() if v[0] == "violation"}
    assert {fast[k][1] for k in certain} == {"UA-14", "UA-09"}
    assert all(fast[k][1] == slow[k][1] for k in certain)


def test_no_violation_before_the_ceasefire(package_result: CheckResult) -> None:
    start = datetime(2015, 2, 14, 22, 0, tzinfo=UTC)
    for finding in package_result.finding_list():
        if finding.status == "violation" and finding.time_start is not None:
            assert finding.time_start >= start


def test_withdrawal_schedule_overdue_without_recorded_completions(
    package_result: CheckResult,
) -> None:
    """No completion is recorded in the encoding: each of the three bound parties is overdue
    on both steps, and on the hostage release; the heavy-weapons term finds nothing in UCDP
    (which records fighting, not weapons observed)."""
    overdue = {
        (f.term, f.party_bound) for f in package_result.finding_list() if f.status == "overdue"
    }
    parties = {"ukraine", "cadr", "calr"}
    assert overdue == {
        (term, party)
        for term in ("heavy-weapons-withdrawal-schedule", "all-for-all-release")
        for party in parties
    }
    assert not [f for f in package_result.finding_list() if f.term == "heavy-weapons-withdrawal"]
    assert (
        sum(
            1
            for f in package_result.finding_list()
            if f.term == "heavy-weapons-withdrawal-schedule"
        )
        == 6
    )


def test_disengagement_terms_bind_only_after_their_quiet_period(ucdp: list[Event]) -> None:
    framework = load_agreement(EXAMPLES / "minsk-framework-disengagement-2016.yaml")
    result = check([framework], [r.batch for r in read_events(UCDP, "ucdp")])
    quiet = {f.term: f for f in result.finding_list() if f.term.startswith("quiet-")}
    assert set(quiet) == {"quiet-stanytsia-luhanska", "quiet-zolote", "quiet-petrivske"}
    for area in ("stanytsia-luhanska", "zolote", "petrivske"):
        met = quiet[f"quiet-{area}"]
        gated = [f for f in result.finding_list() if f.term == f"disengaged-{area}"]
        if met.status == "quiet-period-not-met":
            assert gated == []
            continue
        assert met.time_end is not None
        for finding in gated:
            assert finding.time_end is not None
            assert finding.time_end > met.time_end


def test_nothing_is_judged_outside_the_checked_period() -> None:
    """Events of 2025 say nothing about 2015-2022: no step is overdue and no quiet period is
    met (the record does not cover the terms' windows)."""
    agreements = [
        load_agreement(EXAMPLES / "minsk-package-2015.yaml"),
        load_agreement(EXAMPLES / "minsk-framework-disengagement-2016.yaml"),
    ]
    incidents = EVENTS / "moratorium-2025-incidents.csv"
    result = check(agreements, [r.batch for r in read_events(incidents, "csv")])
    statuses = {f.status for f in result.finding_list()}
    assert statuses == {"quiet-period-not-met"}


def test_event_formats_are_told_from_the_header() -> None:
    from truce.engine.files import guess_format

    assert guess_format(UCDP) == "ucdp"
    assert guess_format(EVENTS / "airforce-2025-03-01_2025-05-31.csv") == "airforce"
    assert guess_format(EVENTS / "moratorium-2025-incidents.csv") == "csv"
