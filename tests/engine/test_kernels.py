"""The compiled nearest-candidate loops give what the numpy pair computation gives, to the bit."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.engine.fields import Field, LinesField, PointsField, _group_min
from truce.engine.grid import cell_numbers
from truce.engine.zone_field import ZoneField
from truce.geodesy import LCC


def _pairs_reference(
    field: Field, lon: np.ndarray, lat: np.ndarray, local: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every (point, listed primitive) pair measured in numpy, then the smallest per point
    (the first listed on a tie): how exact values were computed before the kernels."""
    x, y = LCC.forward(lon, lat)
    first = field.start[local].astype(np.int64)
    count = field.start[local + 1].astype(np.int64) - first
    owner = np.repeat(np.arange(len(local)), count)
    position = np.concatenate([np.arange(f, f + c) for f, c in zip(first, count, strict=True)])
    prim = field.items[position].astype(np.int64)
    distance = field._pair_distance(x[owner], y[owner], lat[owner], prim)
    best, chosen = _group_min(distance, owner, len(local))
    return best, prim[chosen]


def _listed_points(field: Field, seed: int, size: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(29.5, 31.5, size)
    lat = rng.uniform(49.5, 51.0, size)
    local = field.local(*cell_numbers(lon, lat))
    safe = np.maximum(local, 0)
    keep = (local >= 0) & (field.start[safe + 1] > field.start[safe])
    return lon[keep], lat[keep], local[keep]


def _assert_same(field: Field, seed: int) -> None:
    lon, lat, local = _listed_points(field, seed, 4000)
    assert len(lon) > 0
    x, y = LCC.forward(lon, lat)
    best, chosen = field._nearest_listed(x, y, lat, local)
    expected_best, expected_chosen = _pairs_reference(field, lon, lat, local)
    np.testing.assert_array_equal(best, expected_best)
    np.testing.assert_array_equal(chosen, expected_chosen)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_points_kernel_equals_pairs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = 40
    lon, lat = rng.uniform(29.8, 31.2, size), rng.uniform(49.8, 50.8, size)
    extent = np.where(rng.random(size) < 0.3, rng.uniform(0, 800, size), 0.0)
    # a duplicate object: a tie, which must go to the first listed
    lon[1], lat[1], extent[1] = lon[0], lat[0], extent[0]
    _assert_same(PointsField(lon, lat, extent, 5000.0), seed)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_segments_kernel_equals_pairs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0, 0.03, (60, 2)), axis=0) + np.array([30.5, 50.2])
    walk[10] = walk[9]  # a zero-length segment
    lines = [shapely.LineString(walk), shapely.LineString(walk[::-1] + np.array([0.2, 0.1]))]
    _assert_same(LinesField(lines, 8000.0), seed)


def test_zone_edges_kernel_equals_pairs() -> None:
    area = shapely.Polygon([(30.0, 50.0), (31.0, 50.1), (30.8, 50.7), (30.1, 50.5)])
    hole = shapely.Point(30.5, 50.3).buffer(0.1)
    field = ZoneField([area.difference(hole)])
    _assert_same(field, 7)
