"""Zone restrictions: areas (with their owners), corridors along lines, acts, weapons, forces."""

from __future__ import annotations

import pytest

from tests.engine.builders import CORRIDOR, ZONE, agreement_text, by_event, event, run
from tests.engine.conftest import WriteAgreement
from truce.agreement import Agreement

FORCES = """\
  - id: no-forces
    type: zone-restriction
    clause: No armed forces and no heavy weapons in the west box.
    source: text
    binds: [north, south]
    zone: {layer: zones, features: [west-box]}
    forces: true
    weapons: [heavy-weapon]
"""


@pytest.fixture
def agreement(write_agreement: WriteAgreement) -> Agreement:
    """The test agreement with the zone terms."""
    return write_agreement(agreement_text(ZONE, CORRIDOR, FORCES))


def test_inside_each_box_names_the_box(agreement: Agreement) -> None:
    events = [
        event(36.1, 50.1, kind="artillery", event_id="west"),
        event(36.3, 50.1, kind="small-arms", event_id="east"),
        event(36.5, 50.1, kind="artillery", event_id="outside"),
    ]
    found = by_event(run([agreement], events), "boxes")
    assert set(found) == {"west", "east"}
    assert found["west"].feature_id == "west-box"
    assert found["east"].feature_id == "east-box"
    assert "inside 'West box' (west-box, layer zones)" in found["west"].explanation


def test_shared_edge_of_two_boxes_is_inside_the_zone(agreement: Agreement) -> None:
    """The border between the boxes is not an edge of the zone: a 3 km circle on it is
    wholly inside."""
    found = by_event(
        run([agreement], [event(36.2, 50.1, kind="artillery", precision_m=3_000.0, event_id="e")]),
        "boxes",
    )
    assert found["e"].status == "violation"


def test_circle_across_the_outer_edge_is_possible(agreement: Agreement) -> None:
    # 50.0 N is the southern edge; 49.99 N is 1.1 km south of it
    found = by_event(
        run([agreement], [event(36.1, 49.99, kind="artillery", precision_m=3_000.0, event_id="e")]),
        "boxes",
    )
    assert found["e"].status == "possible"
    assert found["e"].fraction is not None
    assert 0.2 < found["e"].fraction < 0.45
    assert "of the circle lies inside the zone" in found["e"].explanation


@pytest.mark.parametrize(
    ("lat", "precision", "expected"),
    [(48.045, 0.0, "violation"), (48.135, 0.0, None), (48.085, 2_000.0, "possible")],
    ids=["5km", "15km", "9km-wide"],
)
def test_corridor_along_the_line(
    agreement: Agreement, lat: float, precision: float, expected: str | None
) -> None:
    shelling = event(37.0, lat, kind="artillery", precision_m=precision, event_id="e")
    found = by_event(run([agreement], [shelling]), "corridor")
    assert (found["e"].status if "e" in found else None) == expected


@pytest.mark.parametrize(
    ("kind", "weapon", "expected"),
    [
        ("military-presence", None, "violation"),
        ("movement", "tank", "violation"),
        ("drone-strike", "uav", None),
        ("fire", "tank", "violation"),
    ],
    ids=["forces", "moving-tank", "drone", "tank-seen-at-a-fire"],
)
def test_forces_and_weapons(
    agreement: Agreement, kind: str, weapon: str | None, expected: str | None
) -> None:
    found = by_event(
        run([agreement], [event(36.1, 50.1, kind=kind, weapon_class=weapon, event_id="e")]),
        "no-forces",
    )
    assert (found["e"].status if "e" in found else None) == expected


def test_minsk_ceasefire_zone_names_the_oblast(minsk_package: Agreement) -> None:
    from datetime import UTC, datetime

    when = datetime(2016, 6, 1, tzinfo=UTC)
    events = [
        event(37.8, 48.0, kind="artillery", when=when, event_id="donetsk"),
        event(39.3, 48.6, kind="artillery", when=when, event_id="luhansk"),
        event(35.0, 48.5, kind="artillery", when=when, event_id="dnipro"),
    ]
    found = by_event(run([minsk_package], events), "ceasefire")
    assert found["donetsk"].feature_id == "UA-14"
    assert found["luhansk"].feature_id == "UA-09"
    assert "dnipro" not in found
