"""The geodesic error bound: truce.geodesy against pyproj.Geod (Karney) over the region."""

from __future__ import annotations

import numpy as np
import pyproj
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.geodesy import (
    LCC,
    MAX_RELATIVE_ERROR,
    REGION,
    distance_m,
    segment_distance_m,
)

GEOD = pyproj.Geod(ellps="WGS84")
WEST, SOUTH, EAST, NORTH = REGION

longitudes = st.floats(WEST + 3.0, EAST - 3.0)
latitudes = st.floats(SOUTH + 3.0, NORTH - 3.0)
azimuths = st.floats(0.0, 360.0)
lengths = st.floats(1.0, 300_000.0)


@settings(max_examples=400, deadline=None)
@given(longitudes, latitudes, azimuths, lengths)
def test_distance_within_bound_of_geodesic(lon: float, lat: float, az: float, d: float) -> None:
    """Pairs up to 300 km apart: relative error below the stated bound (far below 0.5%)."""
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, d)
    got = float(distance_m(lon, lat, lon2, lat2))
    assert abs(got - d) / d < MAX_RELATIVE_ERROR


def test_bound_on_a_dense_sample() -> None:
    """200,000 random pairs over the whole region, measured in one go."""
    rng = np.random.default_rng(7)
    lon = rng.uniform(WEST, EAST, 200_000)
    lat = rng.uniform(SOUTH, NORTH, 200_000)
    az = rng.uniform(0, 360, 200_000)
    d = rng.uniform(1.0, 300_000.0, 200_000)
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, d)
    error = np.abs(distance_m(lon, lat, lon2, lat2) - d) / d
    assert error.max() < MAX_RELATIVE_ERROR
    assert MAX_RELATIVE_ERROR < 0.005


def test_uncorrected_projection_would_fail_the_bound() -> None:
    """Without the scale correction the planar distance is off by up to about 1%: the
    correction is what makes the bound hold."""
    lon, lat = np.array([30.0]), np.array([57.5])
    lon2, lat2, _ = GEOD.fwd(lon, lat, np.array([90.0]), np.array([200_000.0]))
    x1, y1 = LCC.forward(lon, lat)
    x2, y2 = LCC.forward(lon2, lat2)
    planar = float(np.hypot(x2 - x1, y2 - y1)[0])
    assert abs(planar - 200_000.0) / 200_000.0 > MAX_RELATIVE_ERROR * 10


@settings(max_examples=200, deadline=None)
@given(longitudes, latitudes)
def test_projection_round_trip(lon: float, lat: float) -> None:
    """inverse(forward(p)) == p."""
    x, y = LCC.forward(np.array([lon]), np.array([lat]))
    back_lon, back_lat = LCC.inverse(x, y)
    assert abs(back_lon[0] - lon) < 1e-9
    assert abs(back_lat[0] - lat) < 1e-9


def _dense_distance(
    lon: float, lat: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    """Point to geodesic segment: the nearest of ~2,000 points along it (by pyproj.Geod)."""
    inner = GEOD.npts(a[0], a[1], b[0], b[1], 2000)
    lons = np.array([a[0], *[p[0] for p in inner], b[0]])
    lats = np.array([a[1], *[p[1] for p in inner], b[1]])
    _, _, d = GEOD.inv(np.full(len(lons), lon), np.full(len(lats), lat), lons, lats)
    return float(np.min(d))


@settings(max_examples=120, deadline=None)
@given(
    longitudes,
    latitudes,
    azimuths,
    st.floats(1_000.0, 100_000.0),
    st.floats(0.0, 360.0),
    st.floats(500.0, 200_000.0),
)
def test_point_to_segment_against_dense_geodesic(
    lon: float, lat: float, az: float, length: float, bearing: float, away: float
) -> None:
    """Point-to-line distances: within 0.5% (plus the reference's own sampling step) of the
    distance to a densely sampled geodesic segment."""
    a = (lon, lat)
    b_lon, b_lat, _ = GEOD.fwd(lon, lat, az, length)
    p_lon, p_lat, _ = GEOD.fwd(lon, lat, bearing, away)
    reference = _dense_distance(p_lon, p_lat, a, (b_lon, b_lat))
    x, y = LCC.forward(np.array([p_lon, lon, b_lon]), np.array([p_lat, lat, b_lat]))
    got = float(
        segment_distance_m(
            x[:1],
            y[:1],
            np.array([p_lat]),
            x[1:2],
            y[1:2],
            np.array([lat]),
            x[2:],
            y[2:],
            np.array([b_lat]),
        )[0]
    )
    step = length / 2000.0
    assert abs(got - reference) <= 0.005 * reference + step + 1.0
