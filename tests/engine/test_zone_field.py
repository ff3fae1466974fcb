"""Which area holds a point: the sorted, prepared-geometry test gives what an STRtree query of
point objects ("within") gives, edges and vertices included."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.engine.zone_field import ZoneField


def _reference(features: list[shapely.Geometry], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The first area strictly holding each point, by point objects and an STRtree."""
    owner = np.full(len(lon), -1, dtype=np.int64)
    points, areas = shapely.STRtree(features).query(shapely.points(lon, lat), predicate="within")
    for point, area in sorted(zip(points.tolist(), areas.tolist(), strict=True), reverse=True):
        owner[point] = area
    return owner


def _areas(seed: int) -> list[shapely.Geometry]:
    rng = np.random.default_rng(seed)
    features = []
    for _ in range(int(rng.integers(1, 7))):
        lon, lat = rng.uniform(30.0, 30.6), rng.uniform(50.0, 50.4)
        w, h = rng.uniform(0.02, 0.3), rng.uniform(0.02, 0.2)
        box = shapely.box(lon, lat, lon + w, lat + h)
        if rng.random() < 0.4:  # a hole: points inside it belong to no area
            box = box.difference(shapely.box(lon + w / 3, lat + h / 3, lon + w / 2, lat + h / 2))
        features.append(box if rng.random() < 0.5 else box.buffer(0.01, quad_segs=2))
    return features


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_containing_equals_strtree(seed: int) -> None:
    features = _areas(seed)
    field = ZoneField(features)
    rng = np.random.default_rng(seed + 1)
    lon, lat = rng.uniform(29.9, 31.0, 600), rng.uniform(49.9, 50.7, 600)
    # vertices and edge midpoints of every area, exactly: on the edge, not held
    rings = shapely.get_coordinates(shapely.boundary(features))
    middle = (rings[:-1] + rings[1:]) / 2.0
    extra = np.concatenate([rings, middle])
    lon = np.concatenate([lon, extra[:, 0], [np.nan]])
    lat = np.concatenate([lat, extra[:, 1], [50.1]])
    np.testing.assert_array_equal(field._containing(lon, lat), _reference(features, lon, lat))


def test_containing_overlap_goes_to_first_area() -> None:
    features = [shapely.box(30.0, 50.0, 30.2, 50.2), shapely.box(30.1, 50.1, 30.3, 50.3)]
    field = ZoneField(features)
    lon, lat = np.array([30.15, 30.25, 30.05, 30.2]), np.array([50.15, 50.25, 50.05, 50.15])
    np.testing.assert_array_equal(field._containing(lon, lat), [0, 1, 0, 1])
