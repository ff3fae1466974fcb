"""Small agreement texts that tests vary."""

from __future__ import annotations

MINIMAL = """\
truce: 1
id: test-agreement
title: Test agreement
sources:
  - {id: text, citation: "The test text"}
parties:
  - {id: north, name: North, kind: state, must_approve: true}
  - {id: south, name: South, kind: armed-formation, must_approve: true}
  - {id: watch, name: Watchers, kind: monitor, must_approve: false}
approvals:
  - {party: north, at: "2024-03-01T00:00 Europe/Kyiv"}
  - {party: south, at: "2024-03-01T00:00 Europe/Kyiv"}
entry_into_force:
  at: 2024-03-02T00:00 Europe/Kyiv
  duration: 60 days
layers:
  - id: line
    kind: line
    title: A line
    versions:
      - geometry: {type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}
  - id: zones
    kind: zone
    title: Zones
    versions:
      - geometry:
          type: FeatureCollection
          features:
            - type: Feature
              properties: {id: box}
              geometry: {type: Polygon, coordinates: [[[37, 48], [37.2, 48], [37.2, 48.2], [37, 48.2], [37, 48]]]}
  - id: objects
    kind: objects
    title: Objects
    versions:
      - geometry:
          type: FeatureCollection
          features:
            - {type: Feature, properties: {id: plant-1, class: power-plant}, geometry: {type: Point, coordinates: [36.5, 48.1]}}
            - {type: Feature, properties: {id: sub-1, class: substation}, geometry: {type: Point, coordinates: [36.6, 48.2]}}
terms:
"""

TERM_PROHIBITED = """\
  - id: no-strikes
    type: prohibited-act
    clause: No strikes on power.
    source: text
    binds: [north, south]
    acts: [strike]
    objects: [{layer: objects, classes: [power-plant]}]
    radius: 500 m
"""

OBJECTS_INLINE = """      - geometry:
          type: FeatureCollection
          features:
            - {type: Feature, properties: {id: plant-1, class: power-plant}, geometry: {type: Point, coordinates: [36.5, 48.1]}}
            - {type: Feature, properties: {id: sub-1, class: substation}, geometry: {type: Point, coordinates: [36.6, 48.2]}}"""
"""The inline objects layer of MINIMAL, as written there."""
