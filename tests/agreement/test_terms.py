"""Every term kind: parsed, described in plain words, and its own checks."""

from __future__ import annotations

from tests.agreement.builders import TERM_PROHIBITED
from tests.agreement.conftest import WriteAgreement
from truce.agreement.terms import (
    NotifiedMovement,
    PhasedObligation,
    QuietPeriod,
    Undertaking,
    WithdrawalDistance,
    ZoneRestriction,
)

WITHDRAWAL = """\
  - id: withdraw
    type: withdrawal-distance
    clause: Heavy weapons back.
    source: text
    binds: [north, south]
    distances: {artillery-100mm-plus: 25 km, mlrs: 35 km}
    reference_lines: {north: line, south: line}
    sides: {layer: zones, inside: [south], outside: [north]}
"""
ZONE = """\
  - id: box-free
    type: zone-restriction
    clause: Nothing in the box.
    source: text
    binds: [north, south]
    zone: {layer: zones, features: [box]}
    acts: [use-of-force]
    weapons: [tank]
"""
QUIET = """\
  - id: quiet-box
    type: quiet-period
    clause: Seven quiet days first.
    source: text
    binds: [north, south]
    zone: {layer: zones, features: [box]}
    period: 7 days
    gates: [box-free]
"""
MOVEMENT = """\
  - id: notify
    type: notified-movement
    clause: Rotations notified a day ahead.
    source: text
    binds: [north, south]
    movements: [rotation]
    zone: {layer: line, within: 15 km}
    notice: 24 h
    notify: [watch]
"""
PHASED = """\
  - id: schedule
    type: phased-obligation
    clause: Start by day 2, finish by day 14.
    source: text
    binds: [north, south]
    obligation: withdrawal
    steps:
      - {id: start, text: begin, due: 2 days after entry into force}
      - {id: done, text: complete, due: 14 days after entry into force}
    completions:
      - {party: north, step: done, at: "2024-03-10T12:00Z"}
"""
UNDERTAKING = """\
  - id: discipline
    type: undertaking
    clause: Disciplinary responsibility.
    source: text
    binds: [north, south]
    why_not_checkable: not visible in events
"""


def test_all_kinds_together_are_valid(write_agreement: WriteAgreement) -> None:
    report = write_agreement(
        TERM_PROHIBITED + WITHDRAWAL + ZONE + QUIET + MOVEMENT + PHASED + UNDERTAKING
    )
    assert report.problems == [], [str(p) for p in report.problems]
    agreement = report.agreement
    assert agreement is not None
    kinds = {term.id: type(term) for term in agreement.terms}
    assert kinds["withdraw"] is WithdrawalDistance
    assert kinds["box-free"] is ZoneRestriction
    assert kinds["quiet-box"] is QuietPeriod
    assert kinds["notify"] is NotifiedMovement
    assert kinds["schedule"] is PhasedObligation
    assert kinds["discipline"] is Undertaking
    plain = {term.id: term.describe() for term in agreement.terms}
    assert "within 500 m of protected objects" in plain["no-strikes"]
    assert "multiple rocket launchers (e.g. BM-21 Grad): 35 km" in plain["withdraw"]
    assert "box-free may begin only after 7 days in a row" in plain["quiet-box"]
    assert "at least 24 h in advance" in plain["notify"]
    assert "begin: by 2 days after entry into force" in plain["schedule"]
    assert "not machine-checkable" in plain["discipline"]
    assert not agreement.term("discipline").checkable  # type: ignore[union-attr]


def test_withdrawal_needs_a_reference_line_per_bound_party(write_agreement: WriteAgreement) -> None:
    report = write_agreement(WITHDRAWAL.replace("{north: line, south: line}", "{north: line}"))
    (problem,) = report.errors
    assert problem.type == "missing-reference-line"
    assert "bound party 'south' has no reference line" in problem.message


def test_withdrawal_reference_line_must_be_a_line(write_agreement: WriteAgreement) -> None:
    report = write_agreement(
        WITHDRAWAL.replace("{north: line, south: line}", "{north: line, south: zones}")
    )
    assert [p.type for p in report.errors] == ["wrong-reference"]


def test_withdrawal_distances_or_widths_not_both(write_agreement: WriteAgreement) -> None:
    text = WITHDRAWAL.replace(
        "    distances:",
        "    security_zone_widths: {mlrs: 70 km}\n    split: equal\n    distances:",
    )
    report = write_agreement(text)
    assert [p.type for p in report.errors] == ["conflicting-fields"]


def test_withdrawal_zone_width_needs_split(write_agreement: WriteAgreement) -> None:
    text = WITHDRAWAL.replace(
        "    distances: {artillery-100mm-plus: 25 km, mlrs: 35 km}",
        "    security_zone_widths: {mlrs: 70 km}",
    )
    report = write_agreement(text)
    assert [p.type for p in report.errors] == ["missing-field"]


def test_withdrawal_side_must_name_each_bound_party(write_agreement: WriteAgreement) -> None:
    report = write_agreement(WITHDRAWAL.replace("outside: [north]", "outside: [watch]"))
    assert any(p.type == "missing-side" for p in report.errors)


def test_attempts_need_an_attempt_radius(write_agreement: WriteAgreement) -> None:
    report = write_agreement(TERM_PROHIBITED + "    counts: [impact, attempt]\n")
    (problem,) = report.errors
    assert problem.type == "missing-field"
    assert "attempt_radius" in problem.message


def test_unknown_zone_feature(write_agreement: WriteAgreement) -> None:
    report = write_agreement(ZONE.replace("features: [box]", "features: [circle]"))
    (problem,) = report.errors
    assert "layer 'zones' has no feature with id 'circle' (it has: box)" in problem.message


def test_zone_restriction_that_prohibits_nothing(write_agreement: WriteAgreement) -> None:
    report = write_agreement(ZONE.replace("    acts: [use-of-force]\n    weapons: [tank]\n", ""))
    assert [p.type for p in report.errors] == ["never-applies"]


def test_quiet_period_gating_an_unknown_term(write_agreement: WriteAgreement) -> None:
    report = write_agreement(QUIET)
    (problem,) = report.errors
    assert problem.message == "no term 'box-free'"
    assert problem.term == "quiet-box"


def test_notify_must_name_parties(write_agreement: WriteAgreement) -> None:
    report = write_agreement(MOVEMENT.replace("notify: [watch]", "notify: [osce]"))
    assert "no party 'osce'" in report.errors[0].message


def test_corridor_zone_needs_a_line_layer(write_agreement: WriteAgreement) -> None:
    report = write_agreement(MOVEMENT.replace("layer: line, within", "layer: zones, within"))
    assert [p.type for p in report.errors] == ["wrong-reference"]


def test_phased_deadlines_in_order_and_completions_real(write_agreement: WriteAgreement) -> None:
    text = PHASED.replace("due: 14 days", "due: 1 days").replace("step: done", "step: finish")
    report = write_agreement(text)
    assert sorted(p.type for p in report.errors) == ["impossible-date", "unknown-reference"]


def test_phased_quiet_period_anchor_needs_after(write_agreement: WriteAgreement) -> None:
    report = write_agreement(
        PHASED.replace("2 days after entry into force", "2 days after the quiet period")
    )
    assert "needs the term's 'after'" in report.errors[0].message


def test_undertaking_needs_a_reason(write_agreement: WriteAgreement) -> None:
    report = write_agreement(
        UNDERTAKING.replace("    why_not_checkable: not visible in events\n", "")
    )
    assert report.errors[0].message == "missing required key 'why_not_checkable'"
