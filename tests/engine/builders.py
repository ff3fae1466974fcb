"""Small agreements and events that the engine tests vary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from truce.agreement import Agreement
from truce.engine import CheckResult, Finding, check
from truce.events.model import Claim, Event, events_to_batch

START = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)

HEAD = """\
truce: 1
id: test
title: Test agreement
sources: [{id: text, citation: "The test text"}]
parties:
  - {id: north, name: North, kind: state, must_approve: false, aliases: ["Northern forces"]}
  - id: south
    name: South
    kind: armed-formation
    must_approve: false
    aliases: ["Southern forces"]
entry_into_force: {at: 2024-03-01T00:00Z, duration: 60 days}
layers:
  - id: objects
    kind: objects
    title: Objects
    versions:
      - geometry:
          type: FeatureCollection
          features:
            - type: Feature
              properties: {id: plant, name: North power plant, class: power-plant, extent_m: 500}
              geometry: {type: Point, coordinates: [36.0, 49.0]}
            - type: Feature
              properties:
                {id: station, name: Pumping station, class: oil-pumping-station, precision_km: 20}
              geometry: {type: Point, coordinates: [37.0, 49.0]}
            - type: Feature
              properties: {id: school, name: A school, class: civilian-object}
              geometry: {type: Point, coordinates: [36.5, 49.0]}
  - id: line
    kind: line
    title: The line
    versions:
      - geometry: {type: LineString, coordinates: [[36.0, 48.0], [38.0, 48.0]]}
  - id: south-side
    kind: zone
    title: The south's side
    versions:
      - geometry:
          type: Polygon
          coordinates: [[[35.0, 47.0], [39.0, 47.0], [39.0, 48.0], [35.0, 48.0], [35.0, 47.0]]]
  - id: zones
    kind: zone
    title: Zones
    versions:
      - geometry:
          type: FeatureCollection
          features:
            - type: Feature
              properties: {id: west-box, name: West box}
              geometry:
                type: Polygon
                coordinates: [[[36, 50], [36.2, 50], [36.2, 50.2], [36, 50.2], [36, 50]]]
            - type: Feature
              properties: {id: east-box, name: East box}
              geometry:
                type: Polygon
                coordinates: [[[36.2, 50], [36.4, 50], [36.4, 50.2], [36.2, 50.2], [36.2, 50]]]
terms:
"""

PROHIBITED = """\
  - id: no-strikes
    type: prohibited-act
    clause: No strikes on power plants or pumping stations.
    source: text
    binds: [north, south]
    acts: [strike, indirect-fire]
    objects: [{layer: objects, classes: [power-plant, oil-pumping-station]}]
    radius: 2 km
    counts: [impact, attempt]
    attempt_radius: 10 km
"""

WITHDRAWAL = """\
  - id: keep-back
    type: withdrawal-distance
    clause: Artillery 25 km and rocket launchers 35 km back from the line.
    source: text
    binds: [north, south]
    distances: {artillery-100mm-plus: 25 km, mlrs: 35 km}
    reference_lines: {north: line, south: line}
    sides: {layer: south-side, inside: [south], outside: [north]}
"""

ZONE = """\
  - id: boxes
    type: zone-restriction
    clause: No use of force in the boxes.
    source: text
    binds: [north, south]
    zone: {layer: zones}
    acts: [use-of-force]
"""

CORRIDOR = """\
  - id: corridor
    type: zone-restriction
    clause: No shelling within 10 km of the line.
    source: text
    binds: [north, south]
    zone: {layer: line, within: 10 km}
    acts: [indirect-fire]
"""


def agreement_text(*terms: str) -> str:
    """The test agreement with the given terms."""
    return HEAD + "".join(terms)


_counter = iter(range(10**9))


def event(
    lon: float | None = 36.0,
    lat: float | None = 49.0,
    *,
    kind: str = "strike",
    when: datetime | None = None,
    span: timedelta = timedelta(0),
    precision_m: float | None = 0.0,
    outcome: str = "impact",
    weapon_class: str | None = None,
    target: str | None = None,
    target_class: str | None = None,
    claims: tuple[Claim, ...] = (),
    event_id: str | None = None,
    **extra: Any,
) -> Event:
    """An event, by default an exact strike on the power plant ten days into the agreement."""
    start = when or START + timedelta(days=10)
    return Event(
        event_id=event_id or f"e{next(_counter)}",
        source="test",
        source_record="1",
        time_start=start,
        time_end=start + span,
        time_zone="UTC",
        time_precision="minute",
        lon=lon,
        lat=lat,
        precision_m=precision_m,
        kind=kind,
        outcome=outcome,
        weapon_class=weapon_class,
        target=target,
        target_class=target_class,
        claims=claims,
        **extra,
    )


def run(agreements: list[Agreement], events: list[Event], **options: Any) -> CheckResult:
    """Check the events (one batch) against the agreements."""
    return check(agreements, [events_to_batch(events)], **options)


def by_event(result: CheckResult, term: str | None = None) -> dict[str, Finding]:
    """Event findings by event id (of one term, if given)."""
    return {
        f.event_id: f
        for f in result.finding_list()
        if f.event_id is not None and (term is None or f.term == term)
    }
