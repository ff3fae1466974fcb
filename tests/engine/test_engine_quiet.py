"""Quiet periods (when first met, from the events), the terms they gate, and phased
obligations (overdue steps)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.builders import START, agreement_text, by_event, event, run
from tests.engine.conftest import WriteAgreement
from truce.agreement import Agreement
from truce.engine.checks.quiet_period import first_quiet
from truce.events.model import Event

QUIET = """\
  - id: quiet-west
    type: quiet-period
    clause: Seven quiet days in the west box before it is closed.
    source: text
    binds: [north, south]
    zone: {layer: zones, features: [west-box]}
    period: 7 days
    acts: [use-of-force]
    gates: [closed-west]
  - id: closed-west
    type: zone-restriction
    clause: No armed forces in the west box once it is quiet.
    source: text
    binds: [north, south]
    zone: {layer: zones, features: [west-box]}
    forces: true
"""

PHASED = """\
  - id: pull-back
    type: phased-obligation
    clause: Pull back in two steps.
    source: text
    binds: [north, south]
    obligation: pull back
    steps:
      - {id: first, text: first step, due: 5 days after entry into force}
      - {id: second, text: second step, due: 50 days after entry into force}
    completions:
      - {party: north, step: first, at: 2024-03-04T00:00Z}
      - {party: south, step: first, at: 2024-03-09T00:00Z}
  - id: after-quiet
    type: phased-obligation
    clause: Withdraw within three days of the quiet period.
    source: text
    binds: [north, south]
    obligation: withdraw
    after: quiet-west
    steps:
      - {id: withdraw, text: withdraw, due: 3 days after the quiet period}
"""


def day(n: float) -> datetime:
    return START + timedelta(days=n)


@pytest.fixture
def agreement(write_agreement: WriteAgreement) -> Agreement:
    """The test agreement with a quiet period, the term it gates and phased obligations."""
    return write_agreement(agreement_text(QUIET, PHASED))


def events() -> list[Event]:
    inside = (36.1, 50.1)
    return [
        event(*inside, kind="artillery", when=day(2), event_id="break-2"),
        event(*inside, kind="small-arms", when=day(5), event_id="break-5"),
        event(36.1, 49.99, kind="artillery", precision_m=3_000.0, when=day(9), event_id="maybe-9"),
        event(*inside, kind="military-presence", when=day(8), event_id="presence-8"),
        event(*inside, kind="military-presence", when=day(14), event_id="presence-14"),
        event(*inside, kind="military-presence", when=day(20), event_id="presence-20"),
    ]


def test_quiet_period_met_and_gated_term_binds_from_then(agreement: Agreement) -> None:
    """Breaks on days 2 and 5: seven quiet days end on day 12. The uncertain break of day 9
    (a circle across the box's edge) would push that to day 16: presence on day 14 is only
    possible, on day 8 nothing, on day 20 a violation."""
    result = run([agreement], events())
    gated = by_event(result, "closed-west")
    assert set(gated) == {"presence-14", "presence-20"}
    assert gated["presence-14"].status == "possible"
    assert "quiet period quiet-west was met (2024-03-13 00:00Z)" in gated["presence-14"].explanation
    assert gated["presence-20"].status == "violation"
    quiet = [f for f in result.finding_list() if f.term == "quiet-west"]
    assert len(quiet) == 1
    assert quiet[0].status == "quiet-period-met"
    assert quiet[0].time_end is not None
    assert quiet[0].time_end == day(12)
    assert "met only at: 2024-03-17 00:00Z" in quiet[0].explanation


def test_quiet_period_never_met_drops_gated_findings(agreement: Agreement) -> None:
    inside = (36.1, 50.1)
    noisy = [
        event(*inside, kind="artillery", when=day(n), event_id=f"b{n}") for n in range(0, 21, 3)
    ]
    presence = event(*inside, kind="military-presence", when=day(20), event_id="p")
    result = run([agreement], [*noisy, presence])
    assert by_event(result, "closed-west") == {}
    quiet = [f for f in result.finding_list() if f.term == "quiet-west"]
    assert [f.status for f in quiet] == ["quiet-period-not-met"]
    assert "closed-west never became binding" in quiet[0].explanation


def test_overdue_steps_per_party(agreement: Agreement) -> None:
    """First step due day 5: North finished on day 3, South only on day 8 (late). The second
    step is due on day 50, after the last event (day 20): not judged. The obligation after the
    quiet period (met day 12) was due on day 15: both parties overdue."""
    result = run([agreement], events())
    overdue = sorted(
        (f.term, f.party_bound, f.time_start)
        for f in result.finding_list()
        if f.status == "overdue"
    )
    assert overdue == [
        ("after-quiet", "north", day(15)),
        ("after-quiet", "south", day(15)),
        ("pull-back", "south", day(5)),
    ]
    late = next(f for f in result.finding_list() if f.term == "pull-back")
    assert "completed late" in late.explanation


breaks = st.lists(st.tuples(st.integers(0, 100), st.integers(0, 10)), min_size=0, max_size=12)


@settings(max_examples=300, deadline=None)
@given(breaks, st.integers(1, 30), st.integers(0, 120))
def test_first_quiet_matches_brute_force(
    spans: list[tuple[int, int]], period: int, until: int
) -> None:
    start = np.array([s for s, _ in spans], dtype=np.int64)
    end = np.array([s + length for s, length in spans], dtype=np.int64)
    got = first_quiet(start, end, 0, period, until)
    candidates = sorted({period, *[int(e) + period for e in end]})
    valid = [
        t
        for t in candidates
        if t <= until and all(e <= t - period or s >= t for s, e in zip(start, end, strict=True))
    ]
    assert got == (valid[0] if valid else None)


def test_changes_under_an_assumed_start_match_two_separate_runs(agreement: Agreement) -> None:
    """The single pass that also evaluates the stated start reports exactly the differences
    between a run under the stated start and a run under the assumed one (gated terms too)."""
    from truce.instant import Instant

    assumed = Instant.from_utc(day(15))
    stated = run([agreement], events())
    moved = run([agreement], events(), assume_start=assumed)
    before = {(f.term, f.event_id): f.status for f in stated.finding_list() if f.event_id}
    after = {(f.term, f.event_id): f.status for f in moved.finding_list() if f.event_id}
    expected = {
        key: (before.get(key, "none"), after.get(key, "none"))
        for key in set(before) | set(after)
        if before.get(key) != after.get(key)
    }
    changes = moved.summary.changes
    assert changes is not None
    reported = {(c["term"], c["event_id"]): (c["before"], c["after"]) for c in changes["examples"]}
    assert reported == expected
    assert expected
