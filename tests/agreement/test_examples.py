"""The bundled encodings of real agreements: valid, readable, and answering in-force correctly."""

from __future__ import annotations

from pathlib import Path

import pytest

from truce.agreement import Agreement, in_force, load_agreement, validate_file
from truce.agreement.in_force import effective_window
from truce.agreement.summary import render_text
from truce.agreement.terms import ProhibitedAct, WithdrawalDistance
from truce.instant import parse_instant

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "agreements"
FILES = sorted(EXAMPLES.glob("*.yaml"))


def load(name: str) -> Agreement:
    return load_agreement(EXAMPLES / f"{name}.yaml")


def binding_terms(agreement: Agreement, at: str) -> set[str]:
    answer = in_force(agreement, parse_instant(at))
    return {t.term for t in answer.terms if t.binding}


def test_six_encodings_are_bundled() -> None:
    assert {f.stem for f in FILES} == {
        "energy-moratorium-2025",
        "black-sea-2025",
        "minsk-package-2015",
        "minsk-addendum-2015",
        "minsk-framework-disengagement-2016",
        "minsk-ceasefire-measures-2020",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_encoding_validates_without_problems(path: Path) -> None:
    report = validate_file(path)
    assert report.problems == [], [str(p) for p in report.problems]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_term_cites_a_source_and_quotes_its_clause(path: Path) -> None:
    agreement = load_agreement(path)
    for term in agreement.terms:
        assert agreement.source(term.source) is not None
        assert len(term.clause) > 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_show_renders_parties_window_and_each_term(path: Path) -> None:
    agreement = load_agreement(path)
    text = render_text(agreement)
    for party in agreement.parties:
        assert party.id in text
    for term in agreement.terms:
        assert f"[{term.id}]" in text
    assert "When in force" in text


def test_energy_moratorium_before_during_after() -> None:
    agreement = load("energy-moratorium-2025")
    # Before Ukraine's approval on the evening of 18 March (19:00 UTC): not yet in force.
    before = in_force(agreement, parse_instant("2025-03-18T20:00 Europe/Kyiv"))
    assert not before.in_force
    assert any("ukraine approved only at" in r for r in before.reasons)
    # The first night: in force, binding on both parties.
    night = in_force(agreement, parse_instant("2025-03-19T00:00 Europe/Kyiv"))
    assert night.in_force
    assert {(t.party, t.binding) for t in night.terms} == {("russia", True), ("ukraine", True)}
    # 30 days from 00:00 Moscow time on 18 March end at 00:00 Moscow on 17 April.
    assert binding_terms(agreement, "2025-04-16T23:59 Europe/Moscow") == {"no-strikes-on-energy"}
    after = in_force(agreement, parse_instant("2025-04-17T00:00 Europe/Moscow"))
    assert not after.in_force
    assert "no longer in force" in after.reasons[0]


def test_energy_moratorium_disputed_start_changes_the_answer() -> None:
    agreement = load("energy-moratorium-2025")
    kyiv_start = parse_instant("2025-03-25T00:00 Europe/Kyiv")
    assert [d.at for d in agreement.entry_into_force.disputed][-1] == kyiv_start
    answer = in_force(agreement, parse_instant("2025-03-19T00:00 Europe/Kyiv"), kyiv_start)
    assert not answer.in_force
    assert "not yet in force" in answer.reasons[0]
    # Under Kyiv's start the 30 days would run to 24 April, so 17 April is still covered...
    assert in_force(agreement, parse_instant("2025-04-17T12:00 Europe/Kyiv"), kyiv_start).in_force
    # ...but Russia's declared end at midday Moscow time on 18 April still cuts it short.
    late = in_force(agreement, parse_instant("2025-04-20T12:00 Europe/Kyiv"), kyiv_start)
    assert not late.in_force
    assert "declared by russia" in late.reasons[0]


def test_energy_moratorium_counts_attempts_and_lists_named_objects_per_party() -> None:
    agreement = load("energy-moratorium-2025")
    term = agreement.term("no-strikes-on-energy")
    assert isinstance(term, ProhibitedAct)
    assert term.counts == ["impact", "attempt"]
    assert term.attempt_radius is not None
    assert term.attempt_radius.km == 10
    owners = {agreement.layer(s.layer).party for s in term.objects}  # type: ignore[union-attr]
    assert owners == {None, "russia", "ukraine"}


def test_black_sea_is_never_in_force() -> None:
    agreement = load("black-sea-2025")
    window, reasons = effective_window(agreement)
    assert window is None
    assert reasons == ["condition precedent 'sanctions-relief' is not met"]
    for at in ("2025-03-20T12:00Z", "2025-04-01T12:00Z", "2026-01-01T00:00Z"):
        assert not in_force(agreement, parse_instant(at)).in_force


def test_minsk_package_before_during_after() -> None:
    agreement = load("minsk-package-2015")
    assert binding_terms(agreement, "2015-02-14T23:59 Europe/Kyiv") == set()
    day5 = binding_terms(agreement, "2015-02-20T12:00 Europe/Kyiv")
    assert "ceasefire" in day5
    # The withdrawal distances apply only once the 14 days have run.
    assert "heavy-weapons-withdrawal" not in day5
    assert "heavy-weapons-withdrawal" in binding_terms(agreement, "2015-03-01T00:00 Europe/Kyiv")
    # Russia declared the agreements dead on 22 February 2022.
    assert binding_terms(agreement, "2022-02-23T00:00 Europe/Kyiv") == set()


def test_minsk_package_reference_line_per_party_and_equal_split() -> None:
    agreement = load("minsk-package-2015")
    term = agreement.term("heavy-weapons-withdrawal")
    assert isinstance(term, WithdrawalDistance)
    assert term.reference_lines == {
        "ukraine": "contact-line",
        "cadr": "memorandum-line",
        "calr": "memorandum-line",
    }
    assert {w: d.km for w, d in term.per_side_distances().items()} == {
        "artillery-100mm-plus": 25,
        "mlrs": 35,
        "mlrs-heavy": 70,
        "tactical-missile": 70,
    }
    at = parse_instant("2016-01-01T00:00 Europe/Kyiv")
    memorandum = agreement.layer_at("memorandum-line", at)
    assert memorandum is not None
    assert memorandum[1].proxy is not None
    assert "Memorandum" in memorandum[1].proxy
    assert "PROXY (memorandum-line)" in render_text(agreement)


def test_addendum_stages_and_distances() -> None:
    agreement = load("minsk-addendum-2015")
    assert "light-weapons-withdrawal" not in binding_terms(agreement, "2015-10-20T12:00Z")
    assert "light-weapons-withdrawal" in binding_terms(agreement, "2015-11-15T12:00Z")


def test_framework_gated_terms_are_conditional() -> None:
    agreement = load("minsk-framework-disengagement-2016")
    answer = in_force(agreement, parse_instant("2016-10-05T12:00 Europe/Kyiv"))
    statuses = {(t.term, t.status) for t in answer.terms}
    assert ("quiet-zolote", "binding") in statuses
    assert ("disengaged-zolote", "conditional") in statuses


def test_measures_2020_start_at_one_minute_past_midnight() -> None:
    agreement = load("minsk-ceasefire-measures-2020")
    assert binding_terms(agreement, "2020-07-27T00:00 Europe/Kyiv") == set()
    assert "no-sniper-fire" in binding_terms(agreement, "2020-07-27T00:01 Europe/Kyiv")
