"""The longitude/latitude grid the engine rasterises every geometry onto.

Cells are 0.015 degrees of longitude by 0.01 degrees of latitude (about 1.1 km square at 48 N),
aligned on (-180, -90), so that the cell of an event is two multiplications away from its
longitude and latitude, with no projection. A :class:`Window` is a rectangle of cells; every
window of a run lies on the same grid, so a cell's global numbers (``ix``, ``iy``) translate into
any window's local index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from truce.geodesy import distance_m

CELL_LON = 0.015
"""Width of a cell, degrees of longitude."""
CELL_LAT = 0.01
"""Height of a cell, degrees of latitude."""

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def cell_numbers(lon: FloatArray, lat: FloatArray) -> tuple[IntArray, IntArray]:
    """Global cell numbers (ix, iy) of points; NaN coordinates get -1."""
    with np.errstate(invalid="ignore"):
        fx = np.floor((lon + 180.0) * (1.0 / CELL_LON))
        fy = np.floor((lat + 90.0) * (1.0 / CELL_LAT))
        ix = np.where(np.isfinite(fx), fx, -1.0).astype(np.int64)
        iy = np.where(np.isfinite(fy), fy, -1.0).astype(np.int64)
    return ix, iy


def half_diagonal_m(iy: IntArray, cells: int = 1) -> FloatArray:
    """Largest distance (metres) from the centre of a block of ``cells`` x ``cells`` cells whose
    southern row is ``iy`` to any of its corners."""
    south = iy * CELL_LAT - 90.0
    north = south + cells * CELL_LAT
    centre_lat = (south + north) / 2.0
    half_lon = cells * CELL_LON / 2.0
    zeros = np.zeros_like(centre_lat)
    to_south = distance_m(zeros, centre_lat, zeros + half_lon, south)
    to_north = distance_m(zeros, centre_lat, zeros + half_lon, north)
    return np.maximum(to_south, to_north)


@dataclass(frozen=True)
class Window:
    """A rectangle of cells: columns ``x0 .. x0+nx-1``, rows ``y0 .. y0+ny-1``."""

    x0: int
    y0: int
    nx: int
    ny: int

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.nx * self.ny

    @classmethod
    def around(cls, west: float, south: float, east: float, north: float) -> Window:
        """The smallest window holding a longitude/latitude box."""
        ix, iy = cell_numbers(np.array([west, east]), np.array([south, north]))
        return cls(int(ix[0]), int(iy[0]), int(ix[1] - ix[0]) + 1, int(iy[1] - iy[0]) + 1)

    def union(self, other: Window) -> Window:
        """The smallest window holding both."""
        x0, y0 = min(self.x0, other.x0), min(self.y0, other.y0)
        x1 = max(self.x0 + self.nx, other.x0 + other.nx)
        y1 = max(self.y0 + self.ny, other.y0 + other.ny)
        return Window(x0, y0, x1 - x0, y1 - y0)

    def local(self, ix: IntArray, iy: IntArray) -> IntArray:
        """Local cell index of global cell numbers, -1 outside the window."""
        cx, cy = ix - self.x0, iy - self.y0
        inside = (cx >= 0) & (cx < self.nx) & (cy >= 0) & (cy < self.ny)
        return np.where(inside, cy * self.nx + cx, -1)

    def centres(self) -> tuple[FloatArray, FloatArray]:
        """Longitude and latitude of every cell centre, in local index order."""
        lon = (np.arange(self.x0, self.x0 + self.nx) + 0.5) * CELL_LON - 180.0
        lat = (np.arange(self.y0, self.y0 + self.ny) + 0.5) * CELL_LAT - 90.0
        return np.tile(lon, self.ny), np.repeat(lat, self.nx)

    def rows(self) -> IntArray:
        """Global row number of every cell, in local index order."""
        return np.repeat(np.arange(self.y0, self.y0 + self.ny, dtype=np.int64), self.nx)

    def paste(self, inner: Window, values: NDArray[np.generic], out: NDArray[np.generic]) -> None:
        """Write ``values`` laid out on ``inner`` (a sub-window) into ``out`` laid out on self."""
        rows = np.arange(inner.ny) + (inner.y0 - self.y0)
        cols = np.arange(inner.nx) + (inner.x0 - self.x0)
        out.reshape(self.ny, self.nx)[np.ix_(rows, cols)] = values.reshape(inner.ny, inner.nx)
