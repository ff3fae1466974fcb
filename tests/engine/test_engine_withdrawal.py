"""Withdrawal distances: per weapon class, on each party's side, from each party's own line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyproj
import pytest

from tests.engine.builders import WITHDRAWAL, agreement_text, by_event, event, run
from tests.engine.conftest import WriteAgreement
from truce.agreement import Agreement
from truce.events.model import Event

GEOD = pyproj.Geod(ellps="WGS84")
LINE_LAT = 48.0  # the test line runs along 48 N from 36 E to 38 E; the south's side is below


def from_line(metres: float, north: bool = True) -> tuple[float, float]:
    """A point ``metres`` north (or south) of the middle of the line."""
    lon, lat, _ = GEOD.fwd(37.0, LINE_LAT, 0.0 if north else 180.0, metres)
    return float(lon), float(lat)


@pytest.fixture
def agreement(write_agreement: WriteAgreement) -> Agreement:
    """The test agreement with the withdrawal term."""
    return write_agreement(agreement_text(WITHDRAWAL))


def presence(point: tuple[float, float], weapon: str, **options: Any) -> Event:
    return event(point[0], point[1], kind="military-presence", weapon_class=weapon, **options)


@pytest.mark.parametrize(
    ("weapon", "metres", "expected"),
    [
        ("artillery-100mm-plus", 20_000.0, "violation"),
        ("artillery-100mm-plus", 30_000.0, None),
        ("mlrs", 30_000.0, "violation"),
        ("mlrs", 40_000.0, None),
        ("tank", 5_000.0, None),
    ],
)
def test_distance_per_weapon_class(
    agreement: Agreement, weapon: str, metres: float, expected: str | None
) -> None:
    found = by_event(run([agreement], [presence(from_line(metres), weapon, event_id="e")]))
    assert (found["e"].status if "e" in found else None) == expected


def test_side_decides_whose_side_and_says_so(agreement: Agreement) -> None:
    north = presence(from_line(10_000.0), "mlrs", event_id="north-side")
    south = presence(from_line(10_000.0, north=False), "mlrs", event_id="south-side")
    found = by_event(run([agreement], [north, south]))
    assert found["north-side"].side == "north (outside south-side)"
    assert found["south-side"].side == "south (inside south-side)"
    # segments are geodesics: the one along 48 N bows about 0.5 km north between its ends
    assert "9.5 km from The line (layer line)" in found["north-side"].explanation
    assert found["north-side"].limit_m == 35_000.0


def test_broader_weapon_class_is_possible(agreement: Agreement) -> None:
    """'heavy-weapon' may be artillery (25 km) or rocket launchers (35 km): at 20 km it is
    possibly too close, not certainly."""
    found = by_event(
        run([agreement], [presence(from_line(20_000.0), "heavy-weapon", event_id="e")])
    )
    assert found["e"].status == "possible"


def test_only_presence_counts(agreement: Agreement) -> None:
    shelling = event(*from_line(5_000.0), kind="artillery", weapon_class="artillery-100mm-plus")
    found = by_event(run([agreement], [shelling]))
    assert found == {}


def test_circle_straddling_the_sides_is_certain_only_if_both_sides_agree(
    agreement: Agreement,
) -> None:
    """500 m from the line with a 2 km circle: too close whichever side it is on."""
    near = presence(from_line(500.0), "mlrs", precision_m=2_000.0, event_id="near")
    found = by_event(run([agreement], [near]))
    assert found["near"].status == "violation"
    assert found["near"].side is not None
    assert found["near"].side.startswith("uncertain")


def test_each_party_measures_from_its_own_line(
    minsk_package: Agreement,
) -> None:
    """Minsk: heavy weapons 25 km (artillery) back; the armed formations measure from the
    Memorandum line, a proxy, and the finding repeats the proxy note."""
    # Horlivka, inside the areas held by the armed formations, a few km from the line
    inside = event(
        38.05,
        48.3,
        kind="military-presence",
        weapon_class="artillery-100mm-plus",
        when=datetime(2016, 5, 1, tzinfo=UTC),
        event_id="horlivka",
    )
    found = by_event(run([minsk_package], [inside]))
    finding = found["horlivka"]
    assert finding.status == "violation"
    assert finding.side == "cadr, calr (inside ordlo-areas)"
    assert finding.feature_layer == "memorandum-line"
    assert "memorandum-line is a PROXY" in finding.explanation
