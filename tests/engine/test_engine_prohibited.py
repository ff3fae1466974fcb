"""Prohibited acts against protected objects: distance, precision, kind, class, names, attempts,
time and attribution, each rule pinned by a test that would fail without it."""

from __future__ import annotations

from datetime import timedelta

import pyproj
import pytest

from tests.engine.builders import PROHIBITED, START, agreement_text, by_event, event, run
from tests.engine.conftest import WriteAgreement
from truce.agreement import Agreement
from truce.events.model import Claim

GEOD = pyproj.Geod(ellps="WGS84")
PLANT = (36.0, 49.0)


def east_of_plant(metres: float) -> tuple[float, float]:
    """The point ``metres`` due east of the power plant."""
    lon, lat, _ = GEOD.fwd(PLANT[0], PLANT[1], 90.0, metres)
    return float(lon), float(lat)


@pytest.fixture
def agreement(write_agreement: WriteAgreement) -> Agreement:
    """The test agreement with the prohibited-act term only."""
    return write_agreement(agreement_text(PROHIBITED))


def test_strike_on_the_object_is_a_violation(agreement: Agreement) -> None:
    found = by_event(run([agreement], [event(event_id="hit")]))
    finding = found["hit"]
    assert finding.status == "violation"
    assert finding.feature_id == "plant"
    assert finding.distance_m == 0.0
    words = finding.explanation
    for expected in (
        "no-strikes",
        "No strikes on power plants or pumping stations.",
        "agreement 'test'",
        "'North power plant' (plant, layer objects)",
        "10 days 0 h after entry into force",
        "Layers used: objects",
    ):
        assert expected in words


@pytest.mark.parametrize(
    ("metres", "expected"),
    [(2_400.0, "violation"), (2_600.0, None)],
    ids=["inside-radius-plus-extent", "outside"],
)
def test_radius_counts_from_the_objects_extent(
    agreement: Agreement, metres: float, expected: str | None
) -> None:
    """Radius 2 km, extent 500 m: a strike 2.4 km from the centre is 1.9 km from the object."""
    lon, lat = east_of_plant(metres)
    found = by_event(run([agreement], [event(lon, lat, event_id="e")]))
    assert (found["e"].status if "e" in found else None) == expected


def test_precision_circle_straddling_the_radius_is_possible(agreement: Agreement) -> None:
    lon, lat = east_of_plant(3_500.0)
    events = [
        event(lon, lat, precision_m=1_500.0, event_id="wide"),
        event(lon, lat, precision_m=500.0, event_id="narrow"),
    ]
    found = by_event(run([agreement], events))
    assert "narrow" not in found
    finding = found["wide"]
    assert finding.status == "possible"
    assert finding.fraction is not None
    assert 0.0 < finding.fraction < 0.5
    assert "precision 1.5 km" in finding.explanation
    assert "% of the circle lies within" in finding.explanation


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("drone-strike", "violation"),
        ("artillery", "violation"),
        ("use-of-force", "possible"),
        ("explosion", "possible"),
        ("fire", None),
        ("small-arms", None),
    ],
)
def test_kind_narrower_counts_broader_is_possible(
    agreement: Agreement, kind: str, expected: str | None
) -> None:
    found = by_event(run([agreement], [event(kind=kind, event_id="e")]))
    assert (found["e"].status if "e" in found else None) == expected
    if expected == "possible":
        assert f"its kind '{kind}' is broader" in found["e"].explanation


@pytest.mark.parametrize(
    ("target_class", "expected"),
    [("civilian-object", None), ("power-plant", "violation"), (None, "violation")],
)
def test_known_unprotected_target_class_gives_no_finding(
    agreement: Agreement, target_class: str | None, expected: str | None
) -> None:
    found = by_event(run([agreement], [event(target_class=target_class, event_id="e")]))
    assert (found["e"].status if "e" in found else None) == expected


def test_target_named_is_a_breach_as_claimed_wherever_the_point(agreement: Agreement) -> None:
    far = event(38.5, 50.5, target="  pumping   STATION ", event_id="named")
    unnamed = event(38.5, 50.5, event_id="unnamed")
    found = by_event(run([agreement], [far, unnamed]))
    assert "unnamed" not in found
    assert found["named"].status == "violation"
    assert found["named"].feature_id == "station"
    assert "as claimed" in found["named"].explanation


@pytest.mark.parametrize(("lon", "expected"), [(37.2, "violation"), (37.4, None)])
def test_target_class_within_the_objects_precision_names_it(
    agreement: Agreement, lon: float, expected: str | None
) -> None:
    """The station's point is good to 20 km: a report of a strike on 'an oil pumping station'
    14.6 km away names it; 29 km away it does not (and the 2 km radius is far)."""
    found = by_event(
        run([agreement], [event(lon, 49.0, target_class="oil-pumping-station", event_id="e")])
    )
    assert (found["e"].status if "e" in found else None) == expected


@pytest.mark.parametrize(
    ("metres", "expected"), [(8_000.0, "attempt"), (12_000.0, None)], ids=["near", "far"]
)
def test_attempts_count_within_the_attempt_radius(
    agreement: Agreement, metres: float, expected: str | None
) -> None:
    lon, lat = east_of_plant(metres)
    found = by_event(run([agreement], [event(lon, lat, outcome="attempt", event_id="e")]))
    assert (found["e"].status if "e" in found else None) == expected


def test_attempts_do_not_count_unless_the_term_says_so(write_agreement: WriteAgreement) -> None:
    text = agreement_text(PROHIBITED).replace("counts: [impact, attempt]", "counts: [impact]")
    text = text.replace("    attempt_radius: 10 km\n", "")
    agreement = write_agreement(text)
    found = by_event(run([agreement], [event(outcome="attempt", event_id="e")]))
    assert found == {}


def test_unknown_outcome_is_taken_as_an_impact_and_said(agreement: Agreement) -> None:
    found = by_event(run([agreement], [event(outcome="unknown", event_id="e")]))
    assert found["e"].status == "violation"
    assert "outcome is not stated and is taken as an impact" in found["e"].explanation


def test_time_outside_inside_and_straddling(agreement: Agreement) -> None:
    events = [
        event(when=START - timedelta(hours=2), event_id="before"),
        event(when=START - timedelta(hours=3), span=timedelta(hours=4), event_id="straddles"),
        event(when=START + timedelta(days=61), event_id="after"),
        event(when=START + timedelta(days=59), event_id="last-day"),
    ]
    found = by_event(run([agreement], events))
    assert set(found) == {"straddles", "last-day"}
    assert found["straddles"].status == "possible"
    assert found["straddles"].time_fraction == pytest.approx(0.25)
    assert "25% of it lies within" in found["straddles"].explanation
    assert found["last-day"].status == "violation"


def test_attribution_maps_claims_to_bound_parties(agreement: Agreement) -> None:
    events = [
        event(claims=(Claim("North", "Southern forces"),), event_id="one"),
        event(
            claims=(Claim("North", "Southern forces"), Claim("South", "Northern forces", "denied")),
            event_id="contested",
        ),
        event(event_id="none"),
        event(claims=(Claim("A monitor", "Unknown group"),), event_id="other"),
    ]
    found = by_event(run([agreement], events))
    assert found["one"].party_bound == "south"
    assert not found["one"].contested
    assert found["contested"].party_bound == "north, south"
    assert found["contested"].contested
    assert [c.claimant for c in found["contested"].claims] == ["North", "South"]
    assert "Attribution is contested" in found["contested"].explanation
    assert "South says Northern forces did it (denied)" in found["contested"].explanation
    for unattributed in ("none", "other"):
        assert found[unattributed].party_bound == "unattributed"
        assert "binds (north, south): unattributed" in found[unattributed].explanation


def test_a_recorded_release_frees_the_released_party(write_agreement: WriteAgreement) -> None:
    release = """\
reciprocal_release:
  - id: release
    terms: all
    text: A violation releases the other side.
    invocations:
      - {party: south, because_of: north, at: 2024-03-05T00:00Z}
"""
    text = agreement_text(PROHIBITED).replace("layers:\n", release + "layers:\n", 1)
    agreement = write_agreement(text)
    events = [
        event(claims=(Claim("North", "Southern forces"),), event_id="south-after"),
        event(
            claims=(Claim("North", "Southern forces"),),
            when=START + timedelta(days=2),
            event_id="south-before",
        ),
        event(claims=(Claim("South", "Northern forces"),), event_id="north-after"),
    ]
    found = by_event(run([agreement], events))
    assert set(found) == {"south-before", "north-after"}
