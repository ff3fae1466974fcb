"""Geodesic-correct distances over Ukraine and western Russia, for millions of points at once.

Points are projected once into a Lambert conformal conic projection on the WGS84 ellipsoid
(standard parallels 45 N and 54 N, origin 49.5 N 35 E), implemented here in numpy. Because the
projection is conformal its scale factor ``k`` depends only on latitude and is the same in every
direction, so a planar distance becomes a geodesic one by dividing by ``k`` averaged along the
path (Simpson's rule over the two ends and the middle). Point-to-segment distances take the
nearest point of the straight projected segment and correct the same way.

Measured against :class:`pyproj.Geod` (Karney's algorithm) over lon 20-50 E, lat 43-58 N, the
relative error stays below :data:`MAX_RELATIVE_ERROR` for distances up to 300 km (see
``docs/engine.md`` and ``tests/engine/test_geodesy.py``). Outside that region the error grows
slowly; it is still far below 0.5% a few degrees beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

WGS84_A = 6378137.0
"""Semi-major axis of the WGS84 ellipsoid, metres."""
WGS84_F = 1.0 / 298.257223563
"""Flattening of the WGS84 ellipsoid."""

REGION = (20.0, 43.0, 50.0, 58.0)
"""The region (west, south, east, north, degrees) the error bound is stated for."""

MAX_RELATIVE_ERROR = 2.0e-4
"""Bound on the relative error against pyproj.Geod for distances up to 300 km in REGION.

The largest error measured on 200,000 random pairs was 4.4e-5 (0.0044%); the bound stated
here is about five times larger and is what the tests enforce.
"""


def _as_float(values: ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


@dataclass(frozen=True)
class LambertConformal:
    """Lambert conformal conic (two standard parallels) on the WGS84 ellipsoid."""

    lat1: float = 45.0
    lat2: float = 54.0
    lat0: float = 49.5
    lon0: float = 35.0
    _n: float = field(init=False, repr=False)
    _af: float = field(init=False, repr=False)
    _rho0: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        phi1, phi2, phi0 = np.radians([self.lat1, self.lat2, self.lat0])
        m1, m2 = self._m(phi1), self._m(phi2)
        t1, t2, t0 = self._t(phi1), self._t(phi2), self._t(phi0)
        n = float((np.log(m1) - np.log(m2)) / (np.log(t1) - np.log(t2)))
        af = float(WGS84_A * m1 / (n * t1**n))
        object.__setattr__(self, "_n", n)
        object.__setattr__(self, "_af", af)
        object.__setattr__(self, "_rho0", float(af * t0**n))

    @staticmethod
    def _m(phi: ArrayLike) -> FloatArray:
        e2 = WGS84_F * (2.0 - WGS84_F)
        sin = np.sin(phi)
        return _as_float(np.cos(phi) / np.sqrt(1.0 - e2 * sin * sin))

    @staticmethod
    def _t(phi: ArrayLike) -> FloatArray:
        e = np.sqrt(WGS84_F * (2.0 - WGS84_F))
        sin = np.sin(phi)
        ratio = (1.0 - e * sin) / (1.0 + e * sin)
        return _as_float(np.tan(np.pi / 4.0 - np.asarray(phi) / 2.0) / ratio ** (e / 2.0))

    def forward(self, lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Projected x, y (metres) of longitudes and latitudes (degrees)."""
        phi = np.radians(_as_float(lat))
        rho = self._af * self._t(phi) ** self._n
        theta = self._n * np.radians(_as_float(lon) - self.lon0)
        return rho * np.sin(theta), self._rho0 - rho * np.cos(theta)

    def inverse(self, x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Longitudes and latitudes (degrees) of projected x, y (metres)."""
        xs, dy = _as_float(x), self._rho0 - _as_float(y)
        rho = np.sign(self._n) * np.hypot(xs, dy)
        theta = np.arctan2(xs, dy)
        t = (rho / self._af) ** (1.0 / self._n)
        e = np.sqrt(WGS84_F * (2.0 - WGS84_F))
        phi = np.pi / 2.0 - 2.0 * np.arctan(t)
        for _ in range(8):
            sin = np.sin(phi)
            phi = np.pi / 2.0 - 2.0 * np.arctan(t * ((1.0 - e * sin) / (1.0 + e * sin)) ** (e / 2))
        return np.degrees(theta / self._n) + self.lon0, np.degrees(phi)

    def scale(self, lat: ArrayLike) -> FloatArray:
        """The point scale factor k at latitudes (degrees): projected length / true length."""
        phi = np.radians(_as_float(lat))
        rho = self._af * self._t(phi) ** self._n
        return _as_float(rho * self._n / (WGS84_A * self._m(phi)))


LCC = LambertConformal()
"""The projection truce measures in (standard parallels 45 N and 54 N, origin 49.5 N 35 E)."""

_TABLE_STEP = 0.01
_TABLE_LATS = np.arange(-80.0, 80.0 + _TABLE_STEP, _TABLE_STEP)
_TABLE_INVERSE_SCALE = 1.0 / LCC.scale(_TABLE_LATS)


_TABLE_SLOPES = np.append(np.diff(_TABLE_INVERSE_SCALE), 0.0)


def inverse_scale_table() -> tuple[FloatArray, FloatArray, float]:
    """The table :func:`inverse_scale` interpolates (1/k from 80 S, its slopes per step) and
    the steps per degree, for compiled code that must give the same values."""
    return _TABLE_INVERSE_SCALE, _TABLE_SLOPES, 1.0 / _TABLE_STEP


def inverse_scale(lat: ArrayLike) -> FloatArray:
    """1/k at latitudes (degrees), interpolated from a 0.01-degree table (error below 1e-9)."""
    position = (np.clip(_as_float(lat), -80.0, 80.0) + 80.0) * (1.0 / _TABLE_STEP)
    index = position.astype(np.intp)
    return _as_float(_TABLE_INVERSE_SCALE[index] + (position - index) * _TABLE_SLOPES[index])


def to_geodesic(planar: ArrayLike, lat_a: ArrayLike, lat_b: ArrayLike) -> FloatArray:
    """A planar length between two latitudes as a true length (1/k averaged by Simpson's rule)."""
    lat_a, lat_b = _as_float(lat_a), _as_float(lat_b)
    middle = inverse_scale((lat_a + lat_b) * 0.5)
    mean = inverse_scale(lat_a) + 4.0 * middle + inverse_scale(lat_b)
    return _as_float(planar) * mean / 6.0


def distance_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> FloatArray:
    """Geodesic distances (metres) between points, element-wise."""
    x1, y1 = LCC.forward(lon1, lat1)
    x2, y2 = LCC.forward(lon2, lat2)
    return to_geodesic(np.hypot(x2 - x1, y2 - y1), lat1, lat2)


def projected_distance_m(
    x1: ArrayLike,
    y1: ArrayLike,
    lat1: ArrayLike,
    x2: ArrayLike,
    y2: ArrayLike,
    lat2: ArrayLike,
) -> FloatArray:
    """Geodesic distances (metres) between points already projected with :data:`LCC`."""
    dx = _as_float(x2) - _as_float(x1)
    dy = _as_float(y2) - _as_float(y1)
    return to_geodesic(np.hypot(dx, dy), lat1, lat2)


def segment_distance_m(
    px: ArrayLike,
    py: ArrayLike,
    plat: ArrayLike,
    ax: ArrayLike,
    ay: ArrayLike,
    alat: ArrayLike,
    bx: ArrayLike,
    by: ArrayLike,
    blat: ArrayLike,
) -> FloatArray:
    """Geodesic distances (metres) from projected points to projected segments, element-wise.

    The nearest point of each straight projected segment is found in the plane; its latitude is
    interpolated between the segment's ends, and the planar distance is corrected for scale.
    """
    pxa, pya = _as_float(px), _as_float(py)
    axa, aya, bxa, bya = _as_float(ax), _as_float(ay), _as_float(bx), _as_float(by)
    dx, dy = bxa - axa, bya - aya
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = ((pxa - axa) * dx + (pya - aya) * dy) / length2
    t = np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0)
    nx, ny = axa + t * dx, aya + t * dy
    nlat = _as_float(alat) + t * (_as_float(blat) - _as_float(alat))
    return to_geodesic(np.hypot(nx - pxa, ny - pya), plat, nlat)
